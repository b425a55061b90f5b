// Copyright 2026 gridroute authors.
//
// Reading data files that someone else wrote: only regular files, and only
// up to a size limit checked before the first byte is read.
//
//   ASSIGN_OR_RETURN(RegularFile f, RegularFile::Open(path, 64 << 20));
//   std::string text;
//   RETURN_IF_ERROR(f.ReadAll(&text));
//
// Why: a FIFO in a pack used to hang a load forever (open() waits for a
// writer), a symlink to /dev/zero grew memory without limit, and a 2 GB
// sparse file was read whole before anything said "too big". Here open()
// uses O_NONBLOCK (a FIFO opens at once; a regular file ignores the flag),
// fstat() on the open descriptor refuses anything but a regular file (FIFO,
// character or block device, socket, directory), and the size is compared
// with the caller's limit. A symlink to a regular file is followed.
//
// Files are read with pread(2) into memory, never mapped: a mapped file
// that someone truncates while it is parsed raises SIGBUS, which kills the
// process (a server reloading a pack that is being rewritten); read, the
// same truncation is a DataLoss error and the load fails cleanly.
//
// Thread-safety: a RegularFile's const methods (ReadAt, ReadAll) may run
// concurrently (pread). Cost: one open and one fstat.
#ifndef GRIDROUTE_COMMON_FILE_UTIL_H_
#define GRIDROUTE_COMMON_FILE_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gridroute {

class RegularFile {
 public:
  // Errors: NotFound "cannot open <path>: <reason>"; InvalidArgument
  // "<path>: not a regular file (a FIFO)" (or a character device, a block
  // device, a socket, a directory); InvalidArgument "<path>: <n> bytes, more
  // than the limit of <max> bytes".
  static absl::StatusOr<RegularFile> Open(const std::string& path, uint64_t max_bytes);

  RegularFile(RegularFile&& o) noexcept;
  RegularFile& operator=(RegularFile&& o) noexcept;
  RegularFile(const RegularFile&) = delete;
  RegularFile& operator=(const RegularFile&) = delete;
  ~RegularFile();

  int fd() const { return fd_; }
  // The size fstat() gave at Open().
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }

  // Reads bytes [offset, offset + n) into `out`. DataLoss "<path>: the file
  // shrank while it was being read" if they are not all there any more.
  absl::Status ReadAt(uint64_t offset, size_t n, char* out) const;
  // Reads the whole file (size() bytes) into `out` (resized). DataLoss if it
  // shrank or grew since Open(): the bytes read would not be the file.
  absl::Status ReadAll(std::string* out) const;

 private:
  RegularFile(int fd, uint64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string path_;
};

// Tests only: calls hook(path) in every RegularFile::Open, after the size
// was taken and before any byte is read (e.g. to truncate the file, as a
// writer replacing a pack in place would). Null: none (the default).
void SetOpenHookForTest(void (*hook)(const std::string& path));

// Default limit of ReadFile(): 256 MiB.
inline constexpr uint64_t kReadFileMaxBytes = uint64_t{256} << 20;

// Reads a whole regular file of at most `max_bytes` bytes. Errors as
// RegularFile::Open and ReadAll.
absl::StatusOr<std::string> ReadFile(const std::string& path,
                                     uint64_t max_bytes = kReadFileMaxBytes);

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_FILE_UTIL_H_
