// Copyright 2026 gridroute authors.
#include "journal/internal/files.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace gridroute::journal_internal {

std::string SeqName(uint64_t seq, const char* suffix) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu",
                static_cast<unsigned long long>(seq));
  return absl::StrCat(buf, suffix);
}

bool ParseSeqName(const std::string& name, const char* suffix, uint64_t* seq) {
  size_t slen = std::strlen(suffix);
  if (name.size() != kNameDigits + slen ||
      name.compare(kNameDigits, slen, suffix) != 0) {
    return false;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < kNameDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    uint64_t d = name[i] - '0';
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *seq = v;
  return true;
}

bool EndsWith(const std::string& s, const char* suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

absl::Status DirError(int err, const std::string& what) {
  std::string msg = absl::StrCat(what, ": ", std::strerror(err));
  if (err == EACCES || err == EPERM || err == EROFS)
    return absl::PermissionDeniedError(msg);
  return absl::FailedPreconditionError(msg);
}

absl::Status FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("cannot open directory ", dir,
                                               ": ", std::strerror(errno)));
  }
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) {
    return absl::UnavailableError(
        absl::StrCat("fsync of directory ", dir, ": ", std::strerror(err)));
  }
  return absl::OkStatus();
}

int WriteAll(JournalEnv* env, int fd, const char* p, size_t n,
             uint64_t offset) {
  size_t done = 0;
  while (done < n) {
    ssize_t w =
        env->Write(fd, p + done, n - done, static_cast<off_t>(offset + done));
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return EIO;
    done += static_cast<size_t>(w);
  }
  return 0;
}

absl::Status FileReader::Fill(size_t n) {
  if (end_ - begin_ >= n) return absl::OkStatus();
  if (file_off_ + end_ >= size_) return absl::OkStatus();
  uint64_t left = size_ - (file_off_ + end_);  // bytes not yet read
  std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
  end_ -= begin_;
  file_off_ += begin_;
  begin_ = 0;
  // At most what the file still holds: a 100-byte segment, or a record
  // header claiming 16 MiB near the end of one, need not cost a 4 MiB (or
  // 16 MiB) zero-filled buffer.
  const size_t want = static_cast<size_t>(
      std::min<uint64_t>(std::max<size_t>(n, kReadChunk), end_ + left));
  if (buf_.size() < want) buf_.resize(want);
  while (end_ < n && left > 0) {
    size_t chunk =
        static_cast<size_t>(std::min<uint64_t>(buf_.size() - end_, left));
    ssize_t r = ::pread(fd_, buf_.data() + end_, chunk,
                        static_cast<off_t>(file_off_ + end_));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      return absl::DataLossError(
          absl::StrCat("read error on ", path_, " at offset ", file_off_ + end_,
                       ": ", r < 0 ? std::strerror(errno) : "unexpected end"));
    }
    end_ += static_cast<size_t>(r);
    left -= static_cast<uint64_t>(r);
  }
  return absl::OkStatus();
}

absl::Status ReadNext(FileReader& r, ParsedRecord* rec, ParseResult* pr,
                      bool* eof) {
  RETURN_IF_ERROR(r.Fill(kHeaderBytes));
  *eof = r.available() == 0;
  *pr = ParseResult::kTruncated;
  if (r.available() < kHeaderBytes) return absl::OkStatus();
  RETURN_IF_ERROR(r.Fill(kHeaderBytes +
                         (journal_internal::GetU32(r.data()) & kMaxPayload)));
  *pr = ParseRecord(r.data(), r.available(), rec);
  return absl::OkStatus();
}

absl::Status OpenForRead(const std::string& path, OpenFile* f) {
  f->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (f->fd < 0 || ::fstat(f->fd, &st) != 0) {
    return absl::DataLossError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  f->size = static_cast<uint64_t>(st.st_size);
  return absl::OkStatus();
}

}  // namespace gridroute::journal_internal
