// Copyright 2026 gridroute authors.
//
// Case ids: "<district>-<yyyymmdd>-<seq>", e.g. "110101-20261129-000042":
// the district code (the 6-digit statistical division code in most packs),
// the report date in the city's time zone, and the district's daily
// sequence, zero-padded to 6 digits (a 1,000,000th case of one district on
// one day gets 7 digits). Readable on the phone, sortable by day, and
// stable: the same sequence of inputs always yields the same ids.
//
//   std::string id;
//   AppendCaseId("110101", 20261129, 42, &id);  // "110101-20261129-000042"
//   CaseIdParts p;
//   bool ok = ParseCaseId(id, &p);              // p.district == "110101"
//
// Thread-safety: pure functions.
#ifndef GRIDROUTE_CASES_CASE_ID_H_
#define GRIDROUTE_CASES_CASE_ID_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gridroute {

struct CaseIdParts {
  absl::string_view district;  // points into the parsed id
  int32_t ymd = 0;             // e.g. 20261129
  uint32_t seq = 0;            // >= 1
};

// Longest district code accepted.
inline constexpr size_t kMaxDistrictCodeLength = 32;

// A district code usable in an id: 1..32 characters of [0-9A-Za-z_].
bool IsValidDistrictCode(absl::string_view code);

// Appends the id to `out`. REQUIRES: IsValidDistrictCode(district), seq >= 1,
// ymd an 8-digit date.
void AppendCaseId(absl::string_view district, int32_t ymd, uint32_t seq,
                  std::string* out);

// Parses an id written by AppendCaseId. False for anything else, including
// non-canonical forms (a sequence with extra leading zeros), so that one
// case has exactly one id.
bool ParseCaseId(absl::string_view id, CaseIdParts* out);

// yyyymmdd of `t` in `tz`.
int32_t YmdOf(absl::Time t, const absl::TimeZone& tz);

}  // namespace gridroute

#endif  // GRIDROUTE_CASES_CASE_ID_H_
