// Copyright 2026 gridroute authors.
#include "model/components.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/csv.h"
#include "common/status_macros.h"
#include "geo/metric.h"

namespace gridroute {
namespace {
// All-digit codes of up to 17 digits become value*32+length (no leading-zero
// collisions, fits in 64 bits); anything else is hashed as text.
bool NumericKey(absl::string_view code, uint64_t* key) {
  if (code.empty() || code.size() > 17) return false;
  uint64_t v = 0;
  for (char ch : code) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(ch))) return false;
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  *key = v * 32 + code.size();
  return true;
}
}  // namespace

int32_t Components::FindCode(absl::string_view code) const {
  uint64_t key;
  if (NumericKey(code, &key)) {
    auto it = by_numeric_code_.find(key);
    return it == by_numeric_code_.end() ? -1 : it->second;
  }
  auto it = by_text_code_.find(code);
  return it == by_text_code_.end() ? -1 : it->second;
}

size_t Components::MemoryBytes() const {
  return list_.capacity() * sizeof(Component) + codes_.MemoryBytes() + states_.MemoryBytes() +
         by_numeric_code_.capacity() * 17 + by_text_code_.capacity() * 40 +
         buckets_.capacity() * sizeof(buckets_[0]);
}

absl::StatusOr<Components> Components::Load(const std::string& path,
                                            const Categories& categories,
                                            const Departments& departments,
                                            const Quantizer& q) {
  ASSIGN_OR_RETURN(CsvTable t, CsvTable::Open(path, {"code", "category", "lon", "lat", "owner",
                                                     "property", "maintainer", "state"}));
  Components c;
  c.quantizer_ = q;
  c.cell_ = 500'000;  // 0.0005 degree (~50 m) or 50 m at 1e-4 m per unit
  std::vector<std::string> errors;
  while (t.Next()) {
    const std::string where = absl::StrCat(path, ":", t.line(), ": component '", t.Get(0), "'");
    auto fail = [&](const std::string& what) { errors.push_back(absl::StrCat(where, ": ", what)); };
    const absl::string_view code = t.Get(0);
    if (code.empty()) { fail("empty code"); continue; }
    Component comp;
    comp.category = categories.Find(CategoryType::kComponent, t.Get(1));
    if (comp.category < 0) { fail(absl::StrCat("unknown component category '", t.Get(1), "'")); continue; }
    double x, y;
    if (!absl::SimpleAtod(t.Get(2), &x) || !absl::SimpleAtod(t.Get(3), &y) || !std::isfinite(x) ||
        !std::isfinite(y) ||
        (q.geographic() ? (x < -180 || x > 180 || y < -90 || y > 90)
                        : (std::fabs(x) > 1e8 || std::fabs(y) > 1e8))) {
      fail(absl::StrCat("position (", t.Get(2), ", ", t.Get(3), ") is not a valid coordinate"));
      continue;
    }
    comp.point = q.Quantize(x, y);
    auto dept = [&](size_t col, bool required, int32_t* out) {
      if (t.Get(col).empty() && !required) return true;
      *out = departments.Find(t.Get(col));
      if (*out < 0) fail(absl::StrCat("department '", t.Get(col), "' does not exist"));
      return *out >= 0;
    };
    if (!dept(4, true, &comp.owner) | !dept(5, false, &comp.property) |
        !dept(6, false, &comp.maintainer)) {
      continue;
    }
    const int32_t idx = static_cast<int32_t>(c.list_.size());
    uint64_t key;
    const bool inserted = NumericKey(code, &key)
                              ? c.by_numeric_code_.emplace(key, idx).second
                              : c.by_text_code_.emplace(std::string(code), idx).second;
    if (!inserted) { fail("duplicate component code"); continue; }
    c.codes_.Add(code);
    c.states_.Add(t.Get(7));
    c.list_.push_back(comp);
  }
  RETURN_IF_ERROR(t.status());
  if (!errors.empty()) {
    const size_t n = errors.size();
    if (n > 50) {
      errors.resize(50);
      errors.push_back(absl::StrCat("... and ", n - 50, " more"));
    }
    return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  }
  c.buckets_.reserve(c.list_.size());
  for (int32_t i = 0; i < c.size(); ++i) {
    const IPoint p = c.list_[i].point;
    c.buckets_.emplace_back(c.CellKey(p.x / c.cell_ - (p.x < 0), p.y / c.cell_ - (p.y < 0)), i);
  }
  std::sort(c.buckets_.begin(), c.buckets_.end());
  return c;
}

int32_t Components::Nearest(IPoint p, int32_t category, double radius_m,
                            double* distance_m) const {
  const MetricFrame frame(quantizer_, p);
  const int64_t ux = frame.UnitsX(radius_m), uy = frame.UnitsY(radius_m);
  auto cell = [&](int64_t v) { return v / cell_ - (v < 0); };
  int32_t best = -1;
  double best_d = std::numeric_limits<double>::infinity();
  for (int64_t cx = cell(p.x - ux); cx <= cell(p.x + ux); ++cx) {
    for (int64_t cy = cell(p.y - uy); cy <= cell(p.y + uy); ++cy) {
      const uint64_t key = CellKey(cx, cy);
      auto it = std::lower_bound(buckets_.begin(), buckets_.end(),
                                 std::make_pair(key, std::numeric_limits<int32_t>::min()));
      for (; it != buckets_.end() && it->first == key; ++it) {
        const Component& c = list_[it->second];
        if (c.category != category) continue;
        const double dx = frame.X(c.point), dy = frame.Y(c.point);
        const double d = std::sqrt(dx * dx + dy * dy);
        if (d < best_d || (d == best_d && it->second < best)) {
          best_d = d;
          best = it->second;
        }
      }
    }
  }
  if (best < 0 || best_d > radius_m) return -1;
  if (distance_m) *distance_m = best_d;
  return best;
}

}  // namespace gridroute
