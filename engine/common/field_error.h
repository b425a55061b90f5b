// Copyright 2026 gridroute authors.
//
// A status about one input field that says which field as data, not only as
// the start of its message, so a layer that knows the field under another
// name (the case engine's source_id is a detection's camera_id) renames it
// without parsing text.
//
//   absl::Status s = FieldError(absl::StatusCode::kInvalidArgument, "source_id",
//                               "300 bytes (at most 256)");
//   s.message();                       // "source_id: 300 bytes (at most 256)"
//   ErrorField(s);                     // "source_id"
//   RenameErrorField(s, "camera_id");  // "camera_id: 300 bytes (at most 256)"
//
// The field travels as a status payload (kFieldErrorPayload), which copies of
// the status keep. Thread-safety: plain functions on values.
#ifndef GRIDROUTE_COMMON_FIELD_ERROR_H_
#define GRIDROUTE_COMMON_FIELD_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace gridroute {

// The payload's type URL; its value is the field's name.
inline constexpr char kFieldErrorPayload[] = "type.gridroute/field";

// Status `code` with message "<field>: <detail>" and the field as payload.
// REQUIRES: code is not kOk.
absl::Status FieldError(absl::StatusCode code, absl::string_view field, absl::string_view detail);

// The field a FieldError names; empty for any other status.
std::string ErrorField(const absl::Status& s);

// A FieldError naming `field` again as `new_name` (same code, message
// "<new_name>: <detail>"); any other status is returned unchanged.
absl::Status RenameErrorField(const absl::Status& s, absl::string_view field,
                              absl::string_view new_name);

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_FIELD_ERROR_H_
