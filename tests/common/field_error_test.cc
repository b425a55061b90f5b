// Copyright 2026 gridroute authors.
#include "common/field_error.h"

#include "gtest/gtest.h"

namespace gridroute {
namespace {

TEST(FieldErrorTest, CarriesTheFieldAsDataAndLeadsTheMessageWithIt) {
  const absl::Status s =
      FieldError(absl::StatusCode::kInvalidArgument, "source_id", "300 bytes (at most 256)");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "source_id: 300 bytes (at most 256)");
  EXPECT_EQ(ErrorField(s), "source_id");
  const absl::Status copy = s;  // copies keep the payload
  EXPECT_EQ(ErrorField(copy), "source_id");
}

TEST(FieldErrorTest, RenameKeepsTheCodeAndDetail) {
  const absl::Status s =
      FieldError(absl::StatusCode::kInvalidArgument, "source_id", "300 bytes (at most 256)");
  const absl::Status r = RenameErrorField(s, "source_id", "camera_id");
  EXPECT_EQ(r.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.message(), "camera_id: 300 bytes (at most 256)");
  EXPECT_EQ(ErrorField(r), "camera_id");
  // Another field: unchanged.
  EXPECT_EQ(RenameErrorField(s, "key", "report_id"), s);
}

// Fault guarded: the service rewrote any message that merely began with
// "source_id:"; only a FieldError about that field is renamed now.
TEST(FieldErrorTest, PlainStatusesAreNeverRenamed) {
  const absl::Status plain = absl::InvalidArgumentError("source_id: looks like a field");
  EXPECT_EQ(ErrorField(plain), "");
  EXPECT_EQ(RenameErrorField(plain, "source_id", "camera_id"), plain);
  EXPECT_EQ(RenameErrorField(absl::OkStatus(), "source_id", "camera_id"), absl::OkStatus());
}

}  // namespace
}  // namespace gridroute
