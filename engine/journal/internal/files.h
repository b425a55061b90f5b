// Copyright 2026 gridroute authors.
//
// File helpers of the journal: file names, directory fsync, full writes
// through a JournalEnv, and a sequential record reader for replay.
// Internal to the journal; not a public interface.
#ifndef GRIDROUTE_JOURNAL_INTERNAL_FILES_H_
#define GRIDROUTE_JOURNAL_INTERNAL_FILES_H_

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "journal/internal/record.h"
#include "journal/journal_env.h"

namespace gridroute::journal_internal {

constexpr char kLogSuffix[] = ".log";
constexpr char kSnapSuffix[] = ".snap";
constexpr char kTmpSuffix[] = ".tmp";
constexpr size_t kNameDigits = 20;
constexpr size_t kReadChunk = 4 << 20;
constexpr size_t kSnapshotFlushBytes = 1 << 20;

// "<20-digit seq><suffix>", e.g. "00000000000000000042.log".
std::string SeqName(uint64_t seq, const char* suffix);
// "00000000000000000042.log" -> 42. False for any other name.
bool ParseSeqName(const std::string& name, const char* suffix, uint64_t* seq);
bool EndsWith(const std::string& s, const char* suffix);

// Open-time error for a directory or file we cannot use: PermissionDenied
// for EACCES/EPERM/EROFS, else FailedPrecondition; "<what>: <strerror>".
absl::Status DirError(int err, const std::string& what);

// fsync(2) of a directory (makes creates, renames and deletes durable).
// Unavailable on failure.
absl::Status FsyncDir(const std::string& dir);

// Writes all of [p, p + n) at `offset`, retrying short writes. errno-style
// result: 0 or the error number.
int WriteAll(JournalEnv* env, int fd, const char* p, size_t n, uint64_t offset);

// Sequential reader over a file with a growable buffer, so a record is
// always contiguous in memory whatever its size.
class FileReader {
 public:
  // Reads `path` (open as `fd`, `size` bytes) from offset `start` on.
  FileReader(int fd, const std::string& path, uint64_t size, uint64_t start = 0)
      : fd_(fd), path_(path), size_(size), file_off_(start) {}

  // Makes min(n, bytes left in the file) bytes available at data().
  absl::Status Fill(size_t n);
  const char* data() const { return buf_.data() + begin_; }
  size_t available() const { return end_ - begin_; }
  void Skip(size_t n) { begin_ += n; }
  uint64_t offset() const { return file_off_ + begin_; }

 private:
  const int fd_;
  const std::string& path_;
  const uint64_t size_;
  uint64_t file_off_;  // file offset of buf_[0]
  std::string buf_;
  size_t begin_ = 0, end_ = 0;
};

// Reads the record at the reader's position. *eof: no bytes left; else *pr
// says whether a record parsed (kTruncated: the file ends inside it).
absl::Status ReadNext(FileReader& r, ParsedRecord* rec, ParseResult* pr,
                      bool* eof);

// A read-only descriptor, closed on destruction.
struct OpenFile {
  int fd = -1;
  uint64_t size = 0;
  ~OpenFile() {
    if (fd >= 0) ::close(fd);
  }
};

// DataLoss naming the path if it cannot be opened.
absl::Status OpenForRead(const std::string& path, OpenFile* f);

}  // namespace gridroute::journal_internal

#endif  // GRIDROUTE_JOURNAL_INTERNAL_FILES_H_
