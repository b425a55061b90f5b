// Copyright 2026 gridroute authors.
//
// AdminService.Directory as pure functions over a served snapshot (no gRPC,
// no locks): what every code of a CODES decision means.
//
//   DirectoryCursor c;
//   RETURN_IF_ERROR(CheckDirectoryRequest(served, req, &c));
//   DirectoryPageToProto(served, c, include_personal, &resp);
//
// One cursor runs over the regions (hierarchy order) and then the persons
// (Teams order); a page takes the next page_size of them. The first page
// (empty page_token) also carries the small sections whole. The token is
// "dir1.<generation>.<offset>.<version>", base64url-encoded: opaque to
// clients, checked on the way back in.
#ifndef GRIDROUTE_SERVICE_DIRECTORY_H_
#define GRIDROUTE_SERVICE_DIRECTORY_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "gridroute/v1/admin.pb.h"
#include "service/snapshot_store.h"

namespace gridroute {

inline constexpr int32_t kDirectoryMaxPageSize = 20000;
inline constexpr int32_t kDirectoryDefaultPageSize = 5000;

struct DirectoryCursor {
  int64_t offset = 0;  // into regions followed by persons
  int32_t page_size = kDirectoryDefaultPageSize;
  bool first_page = true;
};

// Validates `req` against the served snapshot and decodes its cursor.
//   FAILED_PRECONDITION  version/generation (or the token's) name a snapshot
//                        that is not served; the message names the served one.
//   INVALID_ARGUMENT     page_size outside 0..20000; a page_token that is
//                        malformed, points past the end or disagrees with the
//                        request's version/generation (at most its first 32
//                        characters are echoed).
absl::Status CheckDirectoryRequest(const ServedSnapshot& served, const v1::DirectoryRequest& req,
                                   DirectoryCursor* out);

// Fills one page. `include_personal` false: persons carry their id only.
void DirectoryPageToProto(const ServedSnapshot& served, const DirectoryCursor& cursor,
                          bool include_personal, v1::DirectoryResponse* out);

// The token of the page starting at `offset` (exposed for tests).
std::string DirectoryPageToken(const ServedSnapshot& served, int64_t offset);

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_DIRECTORY_H_
