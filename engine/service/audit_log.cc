// Copyright 2026 gridroute authors.
#include "service/audit_log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridroute {

std::string JsonString(absl::string_view s, size_t max_bytes) {
  bool cut = false;
  if (s.size() > max_bytes) {
    size_t n = max_bytes;
    // Back up to the start of a UTF-8 character.
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    s = s.substr(0, n);
    cut = true;
  }
  std::string out = "\"";
  out.reserve(s.size() + 8);
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      absl::StrAppendFormat(&out, "\\u%04x", u);
    } else {
      out += c;
    }
  }
  if (cut) out += "...";
  out += '"';
  return out;
}

namespace {

absl::StatusOr<int> OpenForAppend(const std::string& path, uint64_t* size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    return absl::PermissionDeniedError(
        absl::StrCat("--audit-log ", path, ": cannot open for appending: ", std::strerror(err)));
  }
  *size = static_cast<uint64_t>(st.st_size);
  return fd;
}

// Makes renames in the file's directory durable (best effort).
void SyncDirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path,
                                                         const AuditLogOptions& options) {
  if (options.keep < 1 || options.keep > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("--audit-log-keep: ", options.keep, " is not in 1..1000"));
  }
  uint64_t size = 0;
  absl::StatusOr<int> fd = OpenForAppend(path, &size);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<AuditLog>(new AuditLog(path, options, *fd, size));
}

AuditLog::~AuditLog() { ::close(fd_); }

absl::Status AuditLog::Reopen() {
  uint64_t size = 0;
  absl::StatusOr<int> fd = OpenForAppend(path_, &size);
  if (!fd.ok()) return fd.status();
  std::lock_guard<std::mutex> lock(mu_);
  ::close(fd_);  // every line written to it was synced by its Write
  fd_ = *fd;
  size_ = size;
  return absl::OkStatus();
}

void AuditLog::RotateLocked() {
  for (int i = options_.keep - 1; i >= 1; --i) {
    // A missing FILE.<i> (fewer rotations so far) is no error.
    ::rename(absl::StrCat(path_, ".", i).c_str(), absl::StrCat(path_, ".", i + 1).c_str());
  }
  if (::rename(path_.c_str(), absl::StrCat(path_, ".1").c_str()) != 0) {
    ++failures_;  // keeps appending to FILE: nothing is lost
    return;
  }
  uint64_t size = 0;
  absl::StatusOr<int> fd = OpenForAppend(path_, &size);
  SyncDirectoryOf(path_);
  if (!fd.ok()) {
    ++failures_;  // keeps appending to FILE.1 (the open file): nothing is lost
    return;
  }
  ::close(fd_);
  fd_ = *fd;
  size_ = size;
}

bool AuditLog::Write(const AuditEvent& e, absl::Time now) {
  const std::string line = absl::StrCat(
      "{\"time\":\"", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", now, absl::UTCTimeZone()),
      "\",\"principal\":", JsonString(e.principal, 256), ",\"peer\":", JsonString(e.peer, 256),
      ",\"method\":", JsonString(e.method, 256), ",\"target\":", JsonString(e.target, 256),
      ",\"outcome\":", JsonString(e.outcome, 512), "}\n");
  std::lock_guard<std::mutex> lock(mu_);
  const ssize_t n = ::write(fd_, line.data(), line.size());
  const bool ok = n == static_cast<ssize_t>(line.size()) && ::fdatasync(fd_) == 0;
  if (!ok) ++failures_;
  if (n > 0) size_ += static_cast<uint64_t>(n);
  if (options_.max_bytes > 0 && size_ >= options_.max_bytes) RotateLocked();
  return ok;
}

int64_t AuditLog::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

}  // namespace gridroute
