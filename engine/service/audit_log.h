// Copyright 2026 gridroute authors.
//
// AuditLog: one JSON line per privileged or refused call, appended and
// fsync'ed before the call is answered.
//
//   absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open("/var/log/gridroute/audit.jsonl");
//   (*log)->Write({.principal = "ops", .peer = "ipv4:127.0.0.1:5000",
//                  .method = "AdminService/Reload", .target = "/srv/city-v2", .outcome = "OK"});
//   (*log)->Reopen();  // after logrotate renamed the file (the server: on SIGHUP)
//
// A line: {"time":"2026-04-17T08:00:00.123456Z","principal":"ops","peer":"...",
// "method":"...","target":"...","outcome":"OK"}. Every string is JSON-escaped
// (control characters as \u00XX) and cut to 256 bytes (outcome: 512) on a
// UTF-8 character boundary, so a client cannot forge lines or grow them.
// The file is opened O_APPEND (never truncated or rewritten) and each line is
// written with one write(2) then fdatasync(2).
//
// Rotation (等保 2.0 keeps audit records for months: they must be rotated,
// never lost). Two ways, both line-safe (a line goes whole to one file, under
// the same mutex as Write, and is synced before Write returns):
//  - logrotate renames the file, then signals the server (SIGHUP), which
//    calls Reopen(): the next lines go to a new file at the configured path.
//    Lines written between the rename and the Reopen land, complete, in the
//    renamed file. No copytruncate (that loses lines written during the copy).
//  - AuditLogOptions::max_bytes: the log rotates itself, FILE -> FILE.1 ->
//    ... -> FILE.<keep> (the oldest deleted), once FILE reaches max_bytes.
//
// No gRPC here. Thread-safety: Write and Reopen are safe from any thread (one
// mutex).
#ifndef GRIDROUTE_SERVICE_AUDIT_LOG_H_
#define GRIDROUTE_SERVICE_AUDIT_LOG_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gridroute {

struct AuditEvent {
  absl::string_view principal;  // "" when unauthenticated
  absl::string_view peer;
  absl::string_view method;     // e.g. "gridroute.v1.AdminService/Reload", "SIGHUP/tokens"
  absl::string_view target;     // pack dir, case id, token file ...
  absl::string_view outcome;    // "OK" or "CODE: message"
};

struct AuditLogOptions {
  // Rotate by itself once the file holds at least this many bytes (checked
  // after each line, so a file ends on a whole line and exceeds the size by
  // less than one line, < 10 KiB). 0 (default): never; rotate with
  // logrotate and Reopen() (SIGHUP).
  uint64_t max_bytes = 0;
  // Rotated files kept with max_bytes: FILE.1 (newest) .. FILE.<keep>; the
  // one past it is deleted. Default 10; 1..1000.
  int keep = 10;
};

// `s` as a JSON string literal (quotes included), cut to `max_bytes` of input.
std::string JsonString(absl::string_view s, size_t max_bytes);

class AuditLog {
 public:
  // Errors: PermissionDenied "--audit-log <path>: cannot open for appending:
  // <reason>"; InvalidArgument for options.keep out of range.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path,
                                                        const AuditLogOptions& options = {});
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one line and syncs it. Returns false (and keeps serving) if the
  // write failed; failures are counted.
  bool Write(const AuditEvent& e, absl::Time now = absl::Now());
  int64_t failures() const;

  // Opens the path again (creating it) and sends the next lines there; the
  // previous file is closed. On error the previous file stays in use and the
  // error is returned (PermissionDenied, as Open). Cost: one open(2).
  absl::Status Reopen();
  const std::string& path() const { return path_; }

 private:
  AuditLog(std::string path, const AuditLogOptions& options, int fd, uint64_t size)
      : path_(std::move(path)), options_(options), fd_(fd), size_(size) {}
  // REQUIRES: mu_ held. Renames FILE.<i> to FILE.<i+1>, FILE to FILE.1 and
  // opens a fresh FILE.
  void RotateLocked();

  const std::string path_;
  const AuditLogOptions options_;
  mutable std::mutex mu_;
  int fd_;                // guarded by mu_
  uint64_t size_;         // guarded by mu_: bytes in the current file
  int64_t failures_ = 0;  // guarded by mu_
};

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_AUDIT_LOG_H_
