// Copyright 2026 gridroute authors.
#include "common/field_error.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace gridroute {

absl::Status FieldError(absl::StatusCode code, absl::string_view field,
                        absl::string_view detail) {
  absl::Status s(code, absl::StrCat(field, ": ", detail));
  s.SetPayload(kFieldErrorPayload, absl::Cord(field));
  return s;
}

std::string ErrorField(const absl::Status& s) {
  absl::optional<absl::Cord> field = s.GetPayload(kFieldErrorPayload);
  return field.has_value() ? std::string(*field) : std::string();
}

absl::Status RenameErrorField(const absl::Status& s, absl::string_view field,
                              absl::string_view new_name) {
  if (s.ok() || ErrorField(s) != field || s.message().size() < field.size() + 2) return s;
  // FieldError wrote "<field>: <detail>": the detail follows the field.
  const absl::string_view detail = s.message().substr(field.size() + 2);
  return FieldError(s.code(), new_name, detail);
}

}  // namespace gridroute
