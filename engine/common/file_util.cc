// Copyright 2026 gridroute authors.
#include "common/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace gridroute {
namespace {

const char* KindOf(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  return "not a file";
}

std::atomic<void (*)(const std::string&)> open_hook{nullptr};

}  // namespace

void SetOpenHookForTest(void (*hook)(const std::string& path)) { open_hook.store(hook); }

absl::StatusOr<RegularFile> RegularFile::Open(const std::string& path, uint64_t max_bytes) {
  // O_NONBLOCK: open() of a FIFO without a writer returns at once instead of
  // waiting; on a regular file it changes nothing.
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  RegularFile f(fd, 0, path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return absl::NotFoundError(absl::StrCat("cannot stat ", path, ": ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": not a regular file (", KindOf(st.st_mode), "); only regular files are read"));
  }
  f.size_ = static_cast<uint64_t>(st.st_size);
  if (f.size_ > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", f.size_,
                                                   " bytes, more than the limit of ", max_bytes,
                                                   " bytes"));
  }
  if (auto* hook = open_hook.load()) hook(path);
  return f;
}

RegularFile::RegularFile(RegularFile&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), size_(o.size_), path_(std::move(o.path_)) {}

RegularFile& RegularFile::operator=(RegularFile&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    size_ = o.size_;
    path_ = std::move(o.path_);
  }
  return *this;
}

RegularFile::~RegularFile() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status RegularFile::ReadAt(uint64_t offset, size_t n, char* out) const {
  while (n > 0) {
    const ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      return absl::DataLossError(absl::StrCat("read error on ", path_, ": ", std::strerror(errno)));
    }
    if (got == 0) {
      return absl::DataLossError(absl::StrCat(path_, ": the file shrank while it was being read"));
    }
    out += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<size_t>(got);
  }
  return absl::OkStatus();
}

absl::Status RegularFile::ReadAll(std::string* out) const {
  out->resize(size_);
  if (absl::Status st = ReadAt(0, size_, out->data()); !st.ok()) {
    *out = std::string();
    return st;
  }
  char extra;
  ssize_t got;
  do {
    got = ::pread(fd_, &extra, 1, static_cast<off_t>(size_));
  } while (got < 0 && errno == EINTR);
  if (got > 0) {
    *out = std::string();
    return absl::DataLossError(absl::StrCat(path_, ": the file grew while it was being read"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path, uint64_t max_bytes) {
  absl::StatusOr<RegularFile> f = RegularFile::Open(path, max_bytes);
  if (!f.ok()) return f.status();
  std::string out;
  if (absl::Status st = f->ReadAll(&out); !st.ok()) return st;
  return out;
}

}  // namespace gridroute
