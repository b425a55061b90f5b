// Copyright 2026 gridroute authors.
//
// AuditLog: one JSON line per privileged or refused call, appended and
// fsync'ed before the call is answered.
//
//   absl::StatusOr<std::unique_ptr<AuditLog>> log = AuditLog::Open("/var/log/gridroute/audit.jsonl");
//   (*log)->Write({.principal = "ops", .peer = "ipv4:127.0.0.1:5000",
//                  .method = "AdminService/Reload", .target = "/srv/city-v2", .outcome = "OK"});
//
// A line: {"time":"2026-04-17T08:00:00.123456Z","principal":"ops","peer":"...",
// "method":"...","target":"...","outcome":"OK"}. Every string is JSON-escaped
// (control characters as \u00XX) and cut to 256 bytes (outcome: 512) on a
// UTF-8 character boundary, so a client cannot forge lines or grow them.
// The file is opened O_APPEND (never truncated or rewritten) and each line is
// written with one write(2) then fdatasync(2).
//
// No gRPC here. Thread-safety: Write is safe from any thread (one mutex).
#ifndef GRIDROUTE_SERVICE_AUDIT_LOG_H_
#define GRIDROUTE_SERVICE_AUDIT_LOG_H_

#include <memory>
#include <mutex>
#include <string>

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

// `s` as a JSON string literal (quotes included), cut to `max_bytes` of input.
std::string JsonString(absl::string_view s, size_t max_bytes);

class AuditLog {
 public:
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one line and syncs it. Returns false (and keeps serving) if the
  // write failed; failures are counted.
  bool Write(const AuditEvent& e, absl::Time now = absl::Now());
  int64_t failures() const;

 private:
  explicit AuditLog(int fd) : fd_(fd) {}
  const int fd_;
  mutable std::mutex mu_;
  int64_t failures_ = 0;  // guarded by mu_
};

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_AUDIT_LOG_H_
