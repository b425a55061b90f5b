// Copyright 2026 gridroute authors.
#include "model/components.h"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <limits>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "common/echo.h"
#include "common/error_list.h"
#include "common/status_macros.h"
#include "geo/metric.h"
#include "index/locator.h"
#include "model/csv_chunks.h"

namespace gridroute {
namespace {

const std::vector<std::string> kColumns = {"code",       "category", "lon",
                                           "lat",        "owner",    "property",
                                           "maintainer", "state"};

bool ValidPosition(const Quantizer& q, absl::string_view xs,
                   absl::string_view ys, double* x, double* y) {
  return absl::SimpleAtod(xs, x) && absl::SimpleAtod(ys, y) &&
         std::isfinite(*x) && std::isfinite(*y) &&
         !(q.geographic() ? (*x < -180 || *x > 180 || *y < -90 || *y > 90)
                          : (std::fabs(*x) > 1e8 || std::fabs(*y) > 1e8));
}

// The original sequential reader (CsvTable, one row at a time), kept to word
// the errors: Load() runs it only once its parallel pass has failed.
absl::Status ReportErrors(const std::string& path, const Categories& categories,
                          const Departments& departments, const Quantizer& q,
                          const CsvFileOptions& csv, int max_errors) {
  ASSIGN_OR_RETURN(CsvTable t, CsvTable::Open(path, kColumns, {}, csv));
  ErrorList errors(max_errors);
  absl::flat_hash_set<std::string> seen;
  while (t.Next()) {
    const std::string where =
        absl::StrCat(path, ":", t.line(), ": component '", Echo(t.Get(0)), "'");
    auto fail = [&](const std::string& what) {
      errors.Add(absl::StrCat(where, ": ", what));
    };
    const absl::string_view code = t.Get(0);
    if (code.empty()) {
      fail("empty code");
      continue;
    }
    const int32_t category =
        categories.Find(CategoryType::kComponent, t.Get(1));
    if (category < 0) {
      fail(absl::StrCat("unknown component category '", Echo(t.Get(1)), "'"));
      continue;
    }
    double x, y;
    if (!ValidPosition(q, t.Get(2), t.Get(3), &x, &y)) {
      fail(absl::StrCat("position (", t.Get(2), ", ", t.Get(3),
                        ") is not a valid coordinate"));
      continue;
    }
    auto dept = [&](size_t col, bool required) {
      if (t.Get(col).empty() && !required) return true;
      if (departments.Find(t.Get(col)) >= 0) return true;
      fail(absl::StrCat("department '", Echo(t.Get(col)), "' does not exist"));
      return false;
    };
    if (!dept(4, true) | !dept(5, false) | !dept(6, false)) continue;
    if (!seen.emplace(code).second) {
      fail("duplicate component code");
      continue;
    }
  }
  return SequentialReadErrors(t.status(), errors, path, "Components::Load");
}

// A fixed hash, not absl::Hash (seeded per process): the code index is
// stored in compiled snapshot files (snapshot/SNAPSHOT_FORMAT.md) and must
// mean the same in the process that reads it. Changing it changes that
// format. 8 bytes a step, murmur3's finalizer as the mix.
uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDull;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ull;
  return x ^ (x >> 33);
}
uint64_t CodeHash(absl::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t v;
    std::memcpy(&v, s.data() + i, 8);
    h = Mix(h ^ v);
  }
  uint64_t v = 0;
  std::memcpy(&v, s.data() + i, s.size() - i);
  return Mix(h ^ v);
}

size_t Home(absl::string_view code, size_t slots) {
  const uint64_t h = CodeHash(code);
  return static_cast<size_t>((static_cast<unsigned __int128>(h) * slots) >> 64);
}

}  // namespace

// What one chunk of the file produced (a "raw key" is the text of the
// category, department and state fields; equal text, equal Attr).
struct Components::Builder {
  StringTable codes;
  std::vector<IPoint> points;
  std::vector<uint32_t> attr;  // into attrs
  std::vector<Attr> attrs;     // state: index into states
  std::vector<std::string> states;
  absl::flat_hash_map<std::string, uint32_t> attr_of_raw, state_ids;
  bool failed = false;
};

int32_t Components::FindCode(absl::string_view code) const {
  if (slots_.empty()) return -1;
  for (size_t p = Home(code, slots_.size());;) {
    const uint32_t v = slots_[p];
    if (v == 0) return -1;
    if (codes_.Get(v - 1) == code) return static_cast<int32_t>(v - 1);
    if (++p == slots_.size()) p = 0;
  }
}

size_t Components::MemoryBytes() const {
  return xy_.MemoryBytes() + wide_.MemoryBytes() +
         attr16_.MemoryBytes() + attr32_.MemoryBytes() + codes_.MemoryBytes() +
         slots_.MemoryBytes() + attrs_.capacity() * sizeof(Attr) + states_.MemoryBytes() +
         cell_begin_.MemoryBytes();
}

// Phase 1: one chunk's row into its Builder (false: a bad row; the
// sequential read words the error).
bool Components::ReadRow(const Categories& categories, const Departments& departments,
                         const Quantizer& q, size_t chunk_lines, CsvChunks::Row& row,
                         Builder* b) {
  if (b->points.capacity() == 0) {
    b->points.reserve(chunk_lines);
    b->attr.reserve(chunk_lines);
    b->codes.Reserve(chunk_lines, 0);
  }
  const absl::string_view code = row.Get(0);
  double x, y;
  if (code.empty() || !ValidPosition(q, row.Get(2), row.Get(3), &x, &y)) return false;
  thread_local std::string raw;
  raw.clear();
  for (size_t col : {1, 4, 5, 6, 7}) {
    const absl::string_view f = row.Get(col);
    const uint32_t len = static_cast<uint32_t>(f.size());
    raw.append(reinterpret_cast<const char*>(&len), sizeof(len));
    raw.append(f.data(), f.size());
  }
  auto it = b->attr_of_raw.find(raw);
  if (it == b->attr_of_raw.end()) {
    Attr a;
    a.category = categories.Find(CategoryType::kComponent, row.Get(1));
    a.owner = departments.Find(row.Get(4));
    a.property = row.Get(5).empty() ? -1 : departments.Find(row.Get(5));
    a.maintainer = row.Get(6).empty() ? -1 : departments.Find(row.Get(6));
    if (a.category < 0 || a.owner < 0 || (a.property < 0 && !row.Get(5).empty()) ||
        (a.maintainer < 0 && !row.Get(6).empty())) {
      return false;
    }
    auto [s, added] = b->state_ids.emplace(row.Get(7), static_cast<uint32_t>(b->states.size()));
    if (added) b->states.emplace_back(row.Get(7));
    a.state = s->second;
    b->attrs.push_back(a);
    it = b->attr_of_raw.emplace(raw, static_cast<uint32_t>(b->attrs.size() - 1)).first;
  }
  b->codes.Add(code);
  b->points.push_back(q.Quantize(x, y));
  b->attr.push_back(it->second);
  return true;
}

// Merges the chunks' attribute combinations into attrs_/states_; remap[k]
// maps chunk k's Attr indices to attrs_. Returns the number of components
// and of code characters.
std::pair<size_t, size_t> Components::MergeAttributes(std::vector<Builder>& parts,
                                                      std::vector<std::vector<uint32_t>>* remap) {
  absl::flat_hash_map<std::tuple<int32_t, int32_t, int32_t, int32_t, uint32_t>, uint32_t>
      attr_ids;
  absl::flat_hash_map<std::string, uint32_t> state_ids;
  remap->assign(parts.size(), {});
  size_t n = 0, chars = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    Builder& b = parts[k];
    n += b.points.size();
    for (uint32_t i = 0; i < b.codes.size(); ++i) chars += b.codes.Get(i).size();
    for (Attr a : b.attrs) {
      auto [s, added] = state_ids.emplace(b.states[a.state], states_.size());
      if (added) states_.Add(b.states[a.state]);
      a.state = s->second;
      auto [it, fresh] = attr_ids.emplace(
          std::make_tuple(a.category, a.owner, a.property, a.maintainer, a.state),
          static_cast<uint32_t>(attrs_.size()));
      if (fresh) attrs_.push_back(a);
      (*remap)[k].push_back(it->second);
    }
  }
  return {n, chars};
}

// Concatenates the chunks' codes, attributes and points (relative to the
// components' box when its span fits 32 bits), releasing the chunks'.
Components::Box Components::StoreColumns(std::vector<Builder>& parts,
                                         const std::vector<std::vector<uint32_t>>& remap,
                                         size_t n, size_t chars) {
  const bool narrow = attrs_.size() <= 65536;
  (narrow ? attr16_.owned().reserve(n) : attr32_.owned().reserve(n));
  codes_.Reserve(n, chars);
  Box box;
  for (size_t k = 0; k < parts.size(); ++k) {
    Builder& b = parts[k];
    for (uint32_t i = 0; i < b.codes.size(); ++i) codes_.Add(b.codes.Get(i));
    for (uint32_t a : b.attr) {
      narrow ? attr16_.owned().push_back(static_cast<uint16_t>(remap[k][a]))
             : attr32_.owned().push_back(remap[k][a]);
    }
    for (const IPoint& p : b.points) {
      box.min_x = std::min(box.min_x, p.x);
      box.max_x = std::max(box.max_x, p.x);
      box.min_y = std::min(box.min_y, p.y);
      box.max_y = std::max(box.max_y, p.y);
    }
    b.codes = StringTable();
    b.attr = std::vector<uint32_t>();
  }
  base_x_ = n == 0 ? 0 : box.min_x;
  base_y_ = n == 0 ? 0 : box.min_y;
  const bool fits = n == 0 || (static_cast<uint64_t>(box.max_x - box.min_x) <= 0xffffffffu &&
                               static_cast<uint64_t>(box.max_y - box.min_y) <= 0xffffffffu);
  if (fits) {
    xy_.owned().reserve(2 * n);
  } else {
    wide_.owned().reserve(n);
  }
  for (Builder& b : parts) {
    for (const IPoint& p : b.points) {
      if (fits) {
        xy_.owned().push_back(static_cast<uint32_t>(p.x - base_x_));
        xy_.owned().push_back(static_cast<uint32_t>(p.y - base_y_));
      } else {
        wide_.owned().push_back(p);
      }
    }
    b.points = std::vector<IPoint>();
  }
  return box;
}

// The code index. Slots are filled in order of home slot (a counting sort),
// so each run is written left to right; equal codes share a home. False if
// two codes are equal.
bool Components::BuildCodeIndex(int threads) {
  const size_t n = codes_.size();
  const size_t slots = std::max<size_t>(n + n / 2, 16);
  std::vector<uint32_t> home(n);
  ParallelRanges(n, threads, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) home[i] = static_cast<uint32_t>(Home(codes_.Get(i), slots));
  });
  std::vector<uint32_t> end(slots + 1, 0);  // end[h]: end of home h's run in `sorted`
  for (uint32_t h : home) ++end[h + 1];
  for (size_t h = 0; h < slots; ++h) end[h + 1] += end[h];
  std::vector<uint32_t> sorted(n);
  for (uint32_t i = 0; i < n; ++i) sorted[end[home[i]]++] = i;  // end[h] now ends run h
  home = std::vector<uint32_t>();
  std::vector<uint32_t>& out = slots_.owned();
  out.assign(slots, 0);
  std::vector<uint32_t> wrapped;
  size_t next = 0, begin = 0;
  for (size_t h = 0; h < slots; ++h) {
    for (size_t k = begin; k < end[h]; ++k) {
      const uint32_t i = sorted[k];
      for (size_t j = begin; j < k; ++j) {
        if (codes_.Get(sorted[j]) == codes_.Get(i)) return false;
      }
      const size_t p = std::max(h, next);
      if (p < slots) {
        out[p] = i + 1;
        next = p + 1;
      } else {
        wrapped.push_back(i);
      }
    }
    begin = end[h];
  }
  size_t p = 0;
  for (uint32_t i : wrapped) {
    while (out[p] != 0) ++p;
    out[p] = i + 1;
  }
  return true;
}

// The cell lattice for Nearest() over the components' box.
void Components::BuildCellLattice(const Box& box, int threads) {
  const size_t n = codes_.size();
  if (n == 0) return;
  const uint64_t span_x = static_cast<uint64_t>(box.max_x - box.min_x);
  const uint64_t span_y = static_cast<uint64_t>(box.max_y - box.min_y);
  const uint64_t limit = std::max<uint64_t>(n, 1024);
  uint64_t cell = 500'000;  // 0.0005 degree (~50 m) or 50 m at 1e-4 m per unit
  while ((span_x / cell + 1) > limit || (span_y / cell + 1) > limit ||
         (span_x / cell + 1) * (span_y / cell + 1) > limit) {
    cell *= 2;
  }
  cell_ = static_cast<int64_t>(cell);
  nx_ = static_cast<int64_t>(span_x / cell + 1);
  ny_ = static_cast<int64_t>(span_y / cell + 1);
  const size_t cells = static_cast<size_t>(nx_ * ny_);
  std::vector<uint32_t> cell_of(n);
  ParallelRanges(n, threads, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      const IPoint p = point(static_cast<int32_t>(i));
      cell_of[i] = static_cast<uint32_t>(static_cast<uint64_t>(p.y - box.min_y) / cell * nx_ +
                                         static_cast<uint64_t>(p.x - box.min_x) / cell);
    }
  });
  std::vector<uint32_t>& begin = cell_begin_.owned();
  begin.assign(cells + 1, 0);
  for (uint32_t k : cell_of) ++begin[k + 1];
  for (size_t k = 0; k < cells; ++k) begin[k + 1] += begin[k];
  // New index k is old index order[k]: cells in order, file order within.
  std::vector<uint32_t> order(n);
  {
    std::vector<uint32_t> fill(begin.begin(), begin.end() - 1);
    for (uint32_t i = 0; i < n; ++i) order[fill[cell_of[i]]++] = i;
  }
  cell_of = std::vector<uint32_t>();
  auto permute = [&](auto& column, size_t width) {
    if (column.empty()) return;
    auto& old = column.owned();
    std::remove_reference_t<decltype(old)> out(old.size());
    for (size_t k = 0; k < n; ++k) {
      for (size_t w = 0; w < width; ++w) out[k * width + w] = old[order[k] * width + w];
    }
    old.swap(out);
  };
  permute(xy_, 2);
  permute(wide_, 1);
  permute(attr16_, 1);
  permute(attr32_, 1);
  StringTable codes;
  size_t chars = 0;
  for (uint32_t i = 0; i < n; ++i) chars += codes_.Get(i).size();
  codes.Reserve(n, chars);
  for (uint32_t i : order) codes.Add(codes_.Get(i));
  codes.ShrinkToFit();
  codes_ = std::move(codes);
}

absl::StatusOr<Components> Components::Load(const std::string& path,
                                            const Categories& categories,
                                            const Departments& departments,
                                            const Quantizer& q, int threads,
                                            const CsvFileOptions& csv, int max_errors) {
  ASSIGN_OR_RETURN(CsvChunks file, CsvChunks::Open(path, kColumns, threads, {}, csv));
  std::vector<Builder> parts(file.num_chunks());
  const absl::Status read = file.ParallelForEach([&](int chunk, CsvChunks::Row& row) {
    Builder& b = parts[chunk];
    const size_t lines = b.points.capacity() == 0 ? file.CountLines(chunk) : 0;
    if (!ReadRow(categories, departments, q, lines, row, &b)) {
      b.failed = true;
      return false;
    }
    return true;
  });
  bool failed = !read.ok();
  for (const Builder& b : parts) failed = failed || b.failed;
  file.Close();
  if (failed) return ReportErrors(path, categories, departments, q, csv, max_errors);
  Components c;
  c.quantizer_ = q;
  std::vector<std::vector<uint32_t>> remap;
  const auto [n, chars] = c.MergeAttributes(parts, &remap);
  if (n >= std::numeric_limits<int32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": more than 2^31 components"));
  }
  const Box box = c.StoreColumns(parts, remap, n, chars);
  parts.clear();
  c.BuildCellLattice(box, threads);  // renumbers: before the code index
  if (!c.BuildCodeIndex(threads)) {
    return ReportErrors(path, categories, departments, q, csv, max_errors);  // a duplicate
  }
  return c;
}

int32_t Components::Nearest(IPoint p, int32_t category, double radius_m,
                            double* distance_m) const {
  if (cell_begin_.empty()) return -1;
  const MetricFrame frame(quantizer_, p);
  const int64_t ux = frame.UnitsX(radius_m), uy = frame.UnitsY(radius_m);
  // Cells overlapping [p - u, p + u], clamped to the lattice.
  auto range = [&](int64_t lo, int64_t hi, int64_t base, int64_t n, int64_t* a,
                   int64_t* b) {
    if (hi < base) return false;
    *a = lo <= base ? 0 : (lo - base) / cell_;
    *b = std::min(n - 1, (hi - base) / cell_);
    return *a <= *b;
  };
  int64_t cx0, cx1, cy0, cy1;
  if (!range(p.x - ux, p.x + ux, base_x_, nx_, &cx0, &cx1) ||
      !range(p.y - uy, p.y + uy, base_y_, ny_, &cy0, &cy1)) {
    return -1;
  }
  int32_t best = -1;
  double best_d = std::numeric_limits<double>::infinity();
  for (int64_t cy = cy0; cy <= cy1; ++cy) {
    for (int64_t cx = cx0; cx <= cx1; ++cx) {
      const size_t cell = static_cast<size_t>(cy * nx_ + cx);
      for (uint32_t k = cell_begin_[cell]; k < cell_begin_[cell + 1]; ++k) {
        const int32_t i = static_cast<int32_t>(k);
        if (attrs_[attr(i)].category != category) continue;
        const IPoint q = point(i);
        const double dx = frame.X(q), dy = frame.Y(q);
        const double d = std::sqrt(dx * dx + dy * dy);
        if (d < best_d || (d == best_d && i < best)) {
          best_d = d;
          best = i;
        }
      }
    }
  }
  if (best < 0 || best_d > radius_m) return -1;
  if (distance_m) *distance_m = best_d;
  return best;
}

}  // namespace gridroute
