// Copyright 2026 gridroute authors.
//
// SnapCodec for the string tables, geometry, manifest, hierarchy and
// calendar.
#include <algorithm>
#include <utility>

#include "snapshot/snap_codec.h"

namespace gridroute {

bool IsCsr(SnapReader& r, absl::Span<const uint32_t> begin, uint64_t size,
           const char* what) {
  if (begin.empty() || begin.front() != 0 || begin.back() != size)
    return r.Fail(what);
  for (size_t i = 1; i < begin.size(); ++i) {
    if (begin[i] < begin[i - 1]) return r.Fail(what);
  }
  return true;
}

bool InLattice(int64_t v) { return v >= -kMaxLatticeUnits && v <= kMaxLatticeUnits; }

void SnapCodec::Save(const StringTable& t, SnapWriter& w) {
  w.PutU64(t.width_);
  w.PutU32(t.count_);
  w.PutString(absl::string_view(t.chars_.data(), t.chars_.size()));
  w.PutArray(t.offsets_);
  w.PutArray(t.wraps_);
}

bool SnapCodec::Load(SnapReader& r, StringTable* t) {
  uint64_t width = 0;
  r.GetU64(&width);
  r.GetU32(&t->count_);
  r.GetString(&t->chars_);
  r.GetArray(&t->offsets_);
  r.GetArray(&t->wraps_);
  if (!r.ok()) return false;
  t->width_ = width;
  // Files hold tables below 4 GiB of characters (no wraps).
  if (!t->wraps_.empty()) return r.Fail("a string table over 4 GiB");
  if (t->offsets_.empty()) {
    if (width == StringTable::kMixed) {
      if (t->count_ != 0) return r.Fail("a string table without offsets");
    } else if (width > t->chars_.size() ||
               (width > 0 && t->count_ != t->chars_.size() / width) ||
               width * t->count_ != t->chars_.size()) {
      return r.Fail("a string table's size does not match its width");
    }
    return true;
  }
  if (width != StringTable::kMixed || t->offsets_.size() != t->count_) {
    return r.Fail("a string table's offsets do not match its count");
  }
  if (t->offsets_[t->offsets_.size() - 1] != t->chars_.size())
    return r.Fail("a string table's last offset");
  for (size_t i = 1; i < t->offsets_.size(); ++i) {
    if (t->offsets_[i] < t->offsets_[i - 1])
      return r.Fail("a string table's offsets decrease");
  }
  return true;
}

void SnapCodec::Save(const GridGeometry& g, SnapWriter& w) {
  w.PutArray(g.points_.span());
  w.PutArray(g.ring_begin_);
  w.PutArray(g.ring_is_hole_);
  w.PutArray(g.grid_ring_begin_);
}

bool SnapCodec::Load(SnapReader& r, GridGeometry* g) {
  absl::Span<const IPoint> points;
  if (r.GetSpan(&points)) {
    if (r.backing() != nullptr) {
      g->points_.Borrow(points, r.backing());  // LoadOptions::view_in_place
    } else {
      g->points_.owned().assign(points.begin(), points.end());
    }
  }
  r.GetArray(&g->ring_begin_, uint64_t{1} << 32);
  r.GetArray(&g->ring_is_hole_);
  r.GetArray(&g->grid_ring_begin_, uint64_t{1} << 32);
  if (!r.ok()) return false;
  if (g->points_.size() >= (uint64_t{1} << 32))
    return r.Fail("geometry: too many points");
  // Empty grid ring offsets: grid g is ring g (GridGeometryBuilder::Compact).
  if (!IsCsr(r, g->ring_begin_, g->points_.size(), "geometry: ring offsets") ||
      (!g->grid_ring_begin_.empty() &&
       !IsCsr(r, g->grid_ring_begin_, g->ring_begin_.size() - 1,
              "geometry: grid ring offsets"))) {
    return false;
  }
  // ClassifyRings reads a ring's last vertex first: no empty ring.
  for (size_t i = 1; i < g->ring_begin_.size(); ++i) {
    if (g->ring_begin_[i] - g->ring_begin_[i - 1] < 3)
      return r.Fail("geometry: a ring under 3 vertices");
  }
  if (!g->ring_is_hole_.empty() && g->ring_is_hole_.size() != g->ring_begin_.size() - 1) {
    return r.Fail("geometry: array sizes disagree");
  }
  // Every vertex (hence every box) inside the lattice a pack can produce, so the
  // metric frame's and the predicates' differences stay far from int64's
  // range (found by the grsnap fuzz target: a vertex at -9.2e18 overflowed
  // MetricFrame::X).
  for (const IPoint& p : g->points_) {
    if (!InLattice(p.x) || !InLattice(p.y)) return r.Fail("geometry: a vertex outside the lattice");
  }
  return true;
}

void SnapCodec::Save(const PackManifest& m, SnapWriter& w) {
  for (const std::string* s :
       {&m.name, &m.version, &m.crs, &m.regions_file, &m.grids_file,
        &m.attr_code, &m.attr_parent, &m.attr_name, &m.departments_file,
        &m.categories_file, &m.rules_file, &m.teams_file, &m.components_file,
        &m.layers_file, &m.calendar_file, &m.encoding}) {
    w.PutString(*s);
  }
  w.PutBool(m.geographic);
  w.PutStrings(m.levels);
  w.PutF64(m.overlap_tolerance_m2);
  w.PutU8(static_cast<uint8_t>(m.precedence));
  w.PutBool(m.has_checksums);
  w.PutU64(m.checksums.size());
  for (const FileChecksum& c : m.checksums) {
    w.PutString(c.file);
    w.PutU64(c.bytes);
    w.PutString(c.sha256);
  }
}

bool SnapCodec::Load(SnapReader& r, PackManifest* m) {
  for (std::string* s :
       {&m->name, &m->version, &m->crs, &m->regions_file, &m->grids_file,
        &m->attr_code, &m->attr_parent, &m->attr_name, &m->departments_file,
        &m->categories_file, &m->rules_file, &m->teams_file,
        &m->components_file, &m->layers_file, &m->calendar_file,
        &m->encoding}) {
    r.GetString(s);
  }
  r.GetBool(&m->geographic);
  r.GetStrings(&m->levels);
  r.GetF64(&m->overlap_tolerance_m2);
  uint8_t precedence = 0;
  r.GetU8(&precedence);
  r.GetBool(&m->has_checksums);
  uint64_t n = 0;
  r.GetU64(&n);
  if (!r.ok()) return false;
  if (precedence > static_cast<uint8_t>(Precedence::kCategoryFirst)) {
    return r.Fail("manifest: unknown rule precedence");
  }
  m->precedence = static_cast<Precedence>(precedence);
  if (m->levels.empty()) return r.Fail("manifest: no levels");
  if (n > r.remaining() / 24)
    return r.Fail("manifest: truncated checksum list");
  m->checksums.resize(n);
  for (FileChecksum& c : m->checksums) {
    r.GetString(&c.file);
    r.GetU64(&c.bytes);
    r.GetString(&c.sha256);
  }
  return r.ok();
}

void SnapCodec::Save(const Hierarchy& h, SnapWriter& w) {
  w.PutStrings(h.levels_);
  w.PutU64(h.regions_.size());
  for (const Region& g : h.regions_) {
    w.PutString(g.code);
    w.PutString(g.name);
    w.PutI32(g.level);
    w.PutI32(g.parent);
  }
  w.PutArray(h.chains_);
}

bool SnapCodec::Load(SnapReader& r, Hierarchy* h) {
  uint64_t n = 0;
  r.GetStrings(&h->levels_);
  r.GetU64(&n);
  if (!r.ok()) return false;
  if (n > r.remaining() / 24 || n >= (uint64_t{1} << 31))
    return r.Fail("hierarchy: truncated");
  const int64_t levels = static_cast<int64_t>(h->levels_.size());
  h->regions_.resize(n);
  for (Region& g : h->regions_) {
    r.GetString(&g.code);
    r.GetString(&g.name);
    r.GetI32(&g.level);
    r.GetI32(&g.parent);
    if (!r.ok()) return false;
    if (g.level < 0 || g.level >= levels || g.parent < -1 ||
        g.parent >= static_cast<int64_t>(n)) {
      return r.Fail("hierarchy: a region's level or parent out of range");
    }
  }
  r.GetArray(&h->chains_);
  if (!r.ok()) return false;
  if (h->chains_.size() != n * h->levels_.size())
    return r.Fail("hierarchy: chain table size");
  if (!AllInRange(r, h->chains_, -1, static_cast<int64_t>(n),
                  "hierarchy: a chain entry")) {
    return false;
  }
  h->by_code_.reserve(n);
  for (size_t i = 0; i < n; ++i)
    h->by_code_.emplace(h->regions_[i].code, static_cast<int32_t>(i));
  return true;
}

namespace {
// Days since 1970-01-01 (absl::CivilDay difference).
int64_t DayNumber(absl::CivilDay d) { return d - absl::CivilDay(1970, 1, 1); }
absl::CivilDay FromDayNumber(int64_t n) {
  return absl::CivilDay(1970, 1, 1) + n;
}
}  // namespace

// The calendar as the options it was created from (the time zone by name;
// the tables are rebuilt by WorkingCalendar::Create: ~10 ms).
void SnapCodec::Save(const WorkingCalendar& c, SnapWriter& w) {
  w.PutString(c.utc8_fallback_ ? std::string("Asia/Shanghai") : c.zone_.name());
  for (const std::vector<OfficeInterval>& day : c.hours_) w.PutArray(day);
  std::vector<int64_t> holidays;
  for (absl::CivilDay d : c.holidays_) holidays.push_back(DayNumber(d));
  w.PutArray(holidays);
  w.PutU64(c.workdays_.size());
  for (const MakeUpWorkday& m : c.workdays_) {
    w.PutI64(DayNumber(m.date));
    w.PutU8(static_cast<uint8_t>(m.works_as));
  }
}

bool SnapCodec::Load(SnapReader& r, WorkingCalendar* c) {
  WorkingCalendarOptions o = WorkingCalendar::DefaultOptions();
  r.GetString(&o.time_zone, 256);
  for (std::vector<OfficeInterval>& day : o.office_hours)
    r.GetArray(&day, 1440);
  std::vector<int64_t> holidays;
  r.GetArray(&holidays, 1 << 20);
  uint64_t n = 0;
  r.GetU64(&n);
  if (!r.ok()) return false;
  if (n > r.remaining() / 9) return r.Fail("calendar: truncated workday list");
  // Day numbers within +-1e6 days keep CivilDay arithmetic far from overflow.
  constexpr int64_t kMaxDays = 1000000;
  o.holidays.clear();
  for (int64_t d : holidays) {
    if (d < -kMaxDays || d > kMaxDays)
      return r.Fail("calendar: a holiday out of range");
    o.holidays.push_back(FromDayNumber(d));
  }
  o.workdays.clear();
  for (uint64_t i = 0; i < n; ++i) {
    int64_t d = 0;
    uint8_t wd = 0;
    r.GetI64(&d);
    r.GetU8(&wd);
    if (!r.ok()) return false;
    if (d < -kMaxDays || d > kMaxDays || wd > 6)
      return r.Fail("calendar: a workday out of range");
    o.workdays.push_back(
        MakeUpWorkday{FromDayNumber(d), static_cast<absl::Weekday>(wd)});
  }
  absl::StatusOr<WorkingCalendar> cal = WorkingCalendar::Create(std::move(o));
  if (!cal.ok()) return r.Fail(cal.status().message());
  *c = *std::move(cal);
  return true;
}

}  // namespace gridroute
