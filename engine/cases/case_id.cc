// Copyright 2026 gridroute authors.
#include "cases/case_id.h"

#include "absl/time/civil_time.h"

namespace gridroute {
namespace {

bool IsCodeChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
         (c >= 'a' && c <= 'z') || c == '_';
}

bool ParseDigits(absl::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

bool IsValidDistrictCode(absl::string_view code) {
  if (code.empty() || code.size() > kMaxDistrictCodeLength) return false;
  for (char c : code) {
    if (!IsCodeChar(c)) return false;
  }
  return true;
}

void AppendCaseId(absl::string_view district, int32_t ymd, uint32_t seq,
                  std::string* out) {
  // Hand-rolled: this runs once per report on the fold path (~10 ns).
  char buf[32];
  char* p = buf;
  *p++ = '-';
  uint32_t d = static_cast<uint32_t>(ymd);
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<char>('0' + d % 10);
    d /= 10;
  }
  p += 8;
  *p++ = '-';
  char digits[10];
  int n = 0;
  for (uint32_t s = seq; s != 0; s /= 10)
    digits[n++] = static_cast<char>('0' + s % 10);
  for (int i = n; i < 6; ++i) *p++ = '0';
  while (n > 0) *p++ = digits[--n];
  out->append(district.data(), district.size());
  out->append(buf, static_cast<size_t>(p - buf));
}

bool ParseCaseId(absl::string_view id, CaseIdParts* out) {
  const size_t dash2 = id.rfind('-');
  if (dash2 == absl::string_view::npos || dash2 < 10) return false;
  const size_t dash1 = dash2 - 9;
  if (id[dash1] != '-') return false;
  const absl::string_view district = id.substr(0, dash1);
  const absl::string_view date = id.substr(dash1 + 1, 8);
  const absl::string_view seq = id.substr(dash2 + 1);
  if (!IsValidDistrictCode(district)) return false;
  uint64_t ymd = 0, s = 0;
  if (!ParseDigits(date, &ymd) || !ParseDigits(seq, &s)) return false;
  if (s == 0 || s > 0xFFFFFFFFu) return false;
  // Canonical: 6 digits, or more without a leading zero.
  if (seq.size() < 6 || (seq.size() > 6 && seq[0] == '0')) return false;
  const int m = static_cast<int>(ymd / 100 % 100),
            day = static_cast<int>(ymd % 100);
  if (ymd < 10000101 || m < 1 || m > 12 || day < 1 || day > 31) return false;
  out->district = district;
  out->ymd = static_cast<int32_t>(ymd);
  out->seq = static_cast<uint32_t>(s);
  return true;
}

int32_t YmdOf(absl::Time t, const absl::TimeZone& tz) {
  const absl::CivilDay d = absl::ToCivilDay(t, tz);
  return static_cast<int32_t>(d.year() * 10000 + d.month() * 100 + d.day());
}

}  // namespace gridroute
