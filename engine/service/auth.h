// Copyright 2026 gridroute authors.
//
// Who may call what: principals, roles and the token file (no gRPC here; the
// gRPC gate is GridrouteService::Gate in grpc_service.cc).
//
//   absl::StatusOr<std::shared_ptr<const TokenTable>> t = TokenTable::Load("tokens.csv");
//   const Principal* p = (*t)->FindToken("s3cret");   // null: unknown token
//   if (p != nullptr && p->Has(kRoleRoute)) ...
//
// The token file is a CSV with the header
//   token_sha256,principal,roles,departments
// token_sha256: the SHA-256 of the token as 64 hex digits (the file never
// holds a token itself; `printf %s TOKEN | sha256sum`). Empty: the row is a
// mutual-TLS principal, matched by the client certificate's subject CN equal
// to `principal`. roles: space-separated, from route, personal, cases-read,
// cases-write, admin. departments: optional, space-separated department
// codes; when given, cases-read and cases-write reach only cases whose lead
// is one of them. Lines starting with '#' and blank lines are skipped.
// Limits: 1 MiB, 10,000 rows, 256 bytes per field; every error names the
// file, line and field and echoes at most a short prefix of the bad value.
//
// Cost of a check: one SHA-256 of the presented token (O(token bytes)) and
// one hash lookup on the 32-byte digest, no allocation. Nothing about a
// token is cached. Thread-safety: a TokenTable is immutable; TokenFile swaps
// whole tables atomically.
#ifndef GRIDROUTE_SERVICE_AUTH_H_
#define GRIDROUTE_SERVICE_AUTH_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gridroute {

enum Role : uint32_t {
  kRoleRoute = 1u << 0,       // Locate, Route, RouteBatch, RouteStream, Info, Directory
  kRolePersonal = 1u << 1,    // names and phones in decisions and Directory
  kRoleCasesRead = 1u << 2,   // CaseService Get, List, Stats
  kRoleCasesWrite = 1u << 3,  // CaseService Update
  kRoleAdmin = 1u << 4,       // Reload, the full Info (pack_dir, last_reload_error)
};

// "route", "personal", ... for one role bit.
const char* RoleName(uint32_t role);
// The roles of `mask`, space-separated ("" for none).
std::string RoleNames(uint32_t mask);

struct Principal {
  std::string name;
  uint32_t roles = 0;
  // Department codes the case roles are limited to; empty: every department.
  std::vector<std::string> departments;

  bool Has(uint32_t role) const { return (roles & role) == role; }
  // True when the case roles reach a case led by `dept`.
  bool Reaches(absl::string_view dept) const;
};

// Lower-case hex SHA-256 of `data` (OpenSSL).
std::string Sha256Hex(absl::string_view data);

class TokenTable {
 public:
  static constexpr size_t kMaxBytes = 1 << 20;
  static constexpr int kMaxRows = 10000;
  static constexpr size_t kMaxField = 256;

  // Parses a token file's text; `file` names it in errors (InvalidArgument
  // "FILE:LINE: field 'roles': ...").
  static absl::StatusOr<std::shared_ptr<const TokenTable>> Parse(absl::string_view text,
                                                                  absl::string_view file);
  // Reads (at most kMaxBytes) and parses `path`.
  static absl::StatusOr<std::shared_ptr<const TokenTable>> Load(const std::string& path);

  // The principal of a presented bearer token, or null.
  const Principal* FindToken(absl::string_view token) const;
  // The principal of a verified client certificate's CN, or null.
  const Principal* FindCertName(absl::string_view cn) const;
  bool has_cert_names() const { return !by_cn_.empty(); }
  size_t size() const { return by_digest_.size() + by_cn_.size(); }

 private:
  absl::Status AddRow(const std::vector<absl::string_view>& cells, absl::string_view where);

  uint64_t id_ = 0;  // unique per parsed table (FindToken's per-thread cache)
  // Key: the 32 raw bytes of the token's SHA-256.
  absl::flat_hash_map<std::string, Principal> by_digest_;
  absl::flat_hash_map<std::string, Principal> by_cn_;
};

// The token file of a running server: loaded at start, reloaded on SIGHUP.
// A bad file on reload keeps the previous table (Reload returns why).
class TokenFile {
 public:
  explicit TokenFile(std::string path) : path_(std::move(path)) {}
  absl::Status Reload();
  // The table calls are checked against (pin it for the call).
  std::shared_ptr<const TokenTable> table() const { return table_.load(std::memory_order_acquire); }
  const std::string& path() const { return path_; }

 private:
  const std::string path_;
  std::atomic<std::shared_ptr<const TokenTable>> table_;
};

// Pack-root confinement for Reload: true when `dir`, with symlinks and ".."
// resolved (std::filesystem::weakly_canonical), is `root` (canonical) or
// inside it. *resolved receives the resolved path.
bool InsidePackRoot(const std::string& root, const std::string& dir, std::string* resolved);

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_AUTH_H_
