// Copyright 2026 gridroute authors.
//
// The longest string a client may send in each request field, and the check
// that enforces it. The proto comments (proto/gridroute/v1/*.proto) document
// the same numbers; a longer value is INVALID_ARGUMENT naming the field and
// its length, never echoing it:
//
//   RETURN_IF_ERROR(CheckLength(req.category(), kMaxCodeBytes, "category"));
//   // -> "category: 20000 bytes; at most 64"
//
// Why: every string a request carries may end up in a journal record, a log
// line or an error message. Bounding it at the door keeps those bounded (a
// journal record has a hard 16 MiB limit, a grpc-message must stay small
// enough for every client to receive it).
//
// Cost: one size comparison per field; no allocation unless it fails.
#ifndef GRIDROUTE_SERVICE_FIELD_LIMITS_H_
#define GRIDROUTE_SERVICE_FIELD_LIMITS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace gridroute {

// Point.crs: "wgs84", "cgcs2000", "gcj02", "bd09", "EPSG:<n>".
inline constexpr size_t kMaxCrsBytes = 32;
// Codes and names of the pack: category, urgency, component_code, lead,
// department, grid, region, group_by; case ids.
inline constexpr size_t kMaxCodeBytes = 64;
// Caller-chosen identifiers: correlation_id, camera_id, actor.
inline constexpr size_t kMaxIdBytes = 128;
// Snapshot version (DirectoryRequest.version).
inline constexpr size_t kMaxVersionBytes = 256;
// Page tokens (as the server hands them out, they are far shorter).
inline constexpr size_t kMaxPageTokenBytes = 512;
// Free text: UpdateCaseRequest.note.
inline constexpr size_t kMaxNoteBytes = 4096;
// ReloadRequest.pack_dir (Linux PATH_MAX).
inline constexpr size_t kMaxPathBytes = 4096;

// The largest status message the gRPC layer sends (status and per-item
// error messages are cut with CapMessage beyond it).
inline constexpr size_t kMaxStatusMessageBytes = 1024;

// OK if `value` has at most `max` bytes; else InvalidArgument
// "<field>: N bytes; at most <max>".
inline absl::Status CheckLength(absl::string_view value, size_t max, absl::string_view field) {
  if (value.size() <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": ", value.size(), " bytes; at most ", max));
}

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_FIELD_LIMITS_H_
