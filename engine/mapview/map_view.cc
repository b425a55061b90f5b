// Copyright 2026 gridroute authors.
#include "mapview/map_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/echo.h"
#include "common/json_string.h"
#include "common/status_macros.h"

namespace gridroute {

// A packed box index over the regions of one hierarchy level.
struct MapView::LevelIndex {
  std::vector<int32_t> regions;  // entry i of the index is regions[i]
  std::vector<IBox> boxes;
  std::unique_ptr<BoxIndex> index;
};

namespace {

// v with 7 decimals (~1 cm in degrees), without printf's cost.
void AppendCoord(double v, std::string* out) {
  int64_t n = static_cast<int64_t>(std::llround(v * 1e7));
  if (n < 0) {
    out->push_back('-');
    n = -n;
  }
  char buf[32];
  char* end = buf + sizeof(buf);
  char* p = end;
  int64_t frac = n % 10000000;
  for (int i = 0; i < 7; ++i, frac /= 10) *--p = static_cast<char>('0' + frac % 10);
  *--p = '.';
  int64_t whole = n / 10000000;
  do {
    *--p = static_cast<char>('0' + whole % 10);
    whole /= 10;
  } while (whole > 0);
  out->append(p, end);
}

void AppendBbox(const std::array<double, 4>& b, std::string* out) {
  out->push_back('[');
  for (int i = 0; i < 4; ++i) {
    if (i > 0) out->push_back(',');
    AppendCoord(b[i], out);
  }
  out->push_back(']');
}

absl::Status BadParam(absl::string_view name, absl::string_view value,
                      absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": ", why, " (got '", Echo(value), "')"));
}

}  // namespace

// Writes features into one answer and enforces MapLimits.
class MapView::Writer {
 public:
  Writer(const MapView& view, const MapLimits& limits, MapAnswer* answer)
      : view_(view), limits_(limits), a_(answer), out_(&answer->geojson) {}

  // False once a limit was hit: nothing more is written.
  bool open() const { return !a_->truncated; }

  void BeginFeature() {
    mark_ = out_->size();
    mark_vertices_ = a_->vertices;
    out_->append(a_->features == 0 ? "{" : ",{");
  }
  // Keeps the feature, or rolls it back and closes the answer if it passed a
  // limit.
  void EndFeature() {
    out_->push_back('}');
    if (a_->features + 1 > limits_.max_features || a_->vertices > limits_.max_vertices ||
        out_->size() > limits_.max_bytes) {
      out_->resize(mark_);
      a_->vertices = mark_vertices_;
      a_->truncated = true;
      return;
    }
    ++a_->features;
  }
  // A closed GeoJSON ring from an open lattice ring.
  void Ring(absl::Span<const IPoint> ring) {
    out_->push_back('[');
    for (size_t i = 0; i <= ring.size(); ++i) {
      if (i > 0) out_->push_back(',');
      Point(ring[i % ring.size()]);
    }
    out_->push_back(']');
    a_->vertices += ring.size() + 1;
  }
  std::string* out() { return out_; }

 private:
  void Point(IPoint p) {
    const Quantizer& q = view_.snapshot_->quantizer();
    double x = q.ToX(p.x), y = q.ToY(p.y);
    if (!view_.to_wgs84_->is_identity()) {
      absl::StatusOr<LonLat> ll = view_.to_wgs84_->Apply(x, y);
      if (ll.ok()) x = ll->lon, y = ll->lat;
    }
    out_->push_back('[');
    AppendCoord(x, out_);
    out_->push_back(',');
    AppendCoord(y, out_);
    out_->push_back(']');
  }

  const MapView& view_;
  const MapLimits& limits_;
  MapAnswer* a_;
  std::string* out_;
  size_t mark_ = 0;
  size_t mark_vertices_ = 0;
};

absl::StatusOr<MapQuery> ParseMapQuery(absl::string_view bbox, absl::string_view level,
                                       absl::string_view simplify,
                                       const std::vector<std::string>& levels) {
  MapQuery q;
  std::vector<absl::string_view> parts = absl::StrSplit(bbox, ',');
  double v[4];
  if (parts.size() != 4) {
    return BadParam("bbox", bbox, "want minlon,minlat,maxlon,maxlat");
  }
  for (int i = 0; i < 4; ++i) {
    if (!absl::SimpleAtod(parts[i], &v[i]) || !std::isfinite(v[i])) {
      return BadParam("bbox", bbox, "not a number");
    }
  }
  if (v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90) {
    return BadParam("bbox", bbox, "lon must be in [-180, 180] and lat in [-90, 90]");
  }
  if (v[0] > v[2] || v[1] > v[3]) return BadParam("bbox", bbox, "min above max");
  q.min_lon = v[0], q.min_lat = v[1], q.max_lon = v[2], q.max_lat = v[3];
  if (!level.empty() && level != "grid") {
    auto it = std::find(levels.begin() + (levels.empty() ? 0 : 1), levels.end(), level);
    if (it == levels.end()) {
      return BadParam("level", level,
                      absl::StrCat("want one of ", absl::StrJoin(levels, "|")));
    }
    q.level = static_cast<int>(it - levels.begin()) - 1;
  }
  if (!simplify.empty()) {
    if (!absl::SimpleAtod(simplify, &q.simplify_deg) || !std::isfinite(q.simplify_deg) ||
        q.simplify_deg < 0 || q.simplify_deg > kMaxSimplifyDeg) {
      return BadParam("simplify", simplify, "want degrees in [0, 1]");
    }
  }
  return q;
}

MapView::~MapView() {
  if (!outlines_) return;
  for (int32_t r = 0; r < snapshot_->hierarchy().num_regions(); ++r) {
    delete outlines_[r].load(std::memory_order_relaxed);
  }
}

absl::StatusOr<std::unique_ptr<MapView>> MapView::Build(
    std::shared_ptr<const Snapshot> snapshot) {
  std::unique_ptr<MapView> v(new MapView());
  const Snapshot& s = *snapshot;
  v->snapshot_ = std::move(snapshot);
  ASSIGN_OR_RETURN(Crs pack, ParseCrs(s.manifest().crs));
  const Crs wgs84{};
  ASSIGN_OR_RETURN(v->to_wgs84_, CrsTransform::Create(pack, wgs84));
  ASSIGN_OR_RETURN(v->from_wgs84_, CrsTransform::Create(wgs84, pack));
  v->levels_.push_back("grid");
  for (const std::string& l : s.hierarchy().levels()) v->levels_.push_back(l);
  v->lattice_per_degree_ = s.quantizer().scale() * (s.quantizer().geographic() ? 1 : 111320);

  // Region member lists (CSR), every level at once.
  const Hierarchy& h = s.hierarchy();
  const size_t nlevels = h.levels().size();
  const int32_t nregions = h.num_regions();
  v->member_begin_.assign(nregions + 1, 0);
  auto for_each_region = [&](uint32_t g, auto&& f) {
    const int32_t parent = s.grid_parent(g);
    if (parent < 0) return;
    const int32_t* chain = h.chain_data(parent);
    for (size_t l = 0; l < nlevels; ++l) {
      if (chain[l] >= 0) f(chain[l]);
    }
  };
  for (uint32_t g = 0; g < s.num_grids(); ++g) {
    for_each_region(g, [&](int32_t r) { ++v->member_begin_[r + 1]; });
  }
  for (int32_t r = 0; r < nregions; ++r) v->member_begin_[r + 1] += v->member_begin_[r];
  v->members_.resize(v->member_begin_[nregions]);
  std::vector<uint32_t> fill(v->member_begin_.begin(), v->member_begin_.end() - 1);
  for (uint32_t g = 0; g < s.num_grids(); ++g) {
    for_each_region(g, [&](int32_t r) { v->members_[fill[r]++] = g; });
  }

  // One box index per level over its regions' boxes.
  for (size_t l = 0; l < nlevels; ++l) {
    auto li = std::make_unique<LevelIndex>();
    for (int32_t r = 0; r < nregions; ++r) {
      if (h.region(r).level != static_cast<int32_t>(l)) continue;
      if (v->member_begin_[r] == v->member_begin_[r + 1]) continue;
      IBox box;
      for (uint32_t i = v->member_begin_[r]; i < v->member_begin_[r + 1]; ++i) {
        box.Expand(s.geometry().box(v->members_[i]));
      }
      li->regions.push_back(r);
      li->boxes.push_back(box);
    }
    li->index = std::make_unique<BoxIndex>(li->boxes);
    v->level_index_.push_back(std::move(li));
  }
  v->outlines_ = std::make_unique<std::atomic<const Outline*>[]>(nregions);
  for (int32_t r = 0; r < nregions; ++r) v->outlines_[r].store(nullptr);

  // The city's box in WGS-84 (corners converted; the margin covers offsets).
  IBox city;
  for (const IPoint& p : s.geometry().points()) city.Expand(p);
  if (!city.empty()) {
    const Quantizer& q = s.quantizer();
    v->city_bbox_ = {180, 90, -180, -90};
    for (int64_t x : {city.min_x, city.max_x}) {
      for (int64_t y : {city.min_y, city.max_y}) {
        absl::StatusOr<LonLat> ll = v->to_wgs84_->Apply(q.ToX(x), q.ToY(y));
        if (!ll.ok()) continue;
        v->city_bbox_[0] = std::min(v->city_bbox_[0], ll->lon);
        v->city_bbox_[1] = std::min(v->city_bbox_[1], ll->lat);
        v->city_bbox_[2] = std::max(v->city_bbox_[2], ll->lon);
        v->city_bbox_[3] = std::max(v->city_bbox_[3], ll->lat);
      }
    }
  }
  return v;
}

absl::StatusOr<IBox> MapView::PackBox(const MapQuery& q) const {
  const Quantizer& quant = snapshot_->quantizer();
  IBox box;
  if (to_wgs84_->is_identity()) {
    box.Expand(quant.Quantize(q.min_lon, q.min_lat));
    box.Expand(quant.Quantize(q.max_lon, q.max_lat));
    return box;
  }
  // Clamp to the city (widened) so that a world-wide box stays inside the
  // pack CRS's domain, then convert a 3x3 lattice of the box's points.
  const double mx = (city_bbox_[2] - city_bbox_[0]) * 0.05 + 0.01;
  const double my = (city_bbox_[3] - city_bbox_[1]) * 0.05 + 0.01;
  const double x0 = std::max(q.min_lon, city_bbox_[0] - mx);
  const double y0 = std::max(q.min_lat, city_bbox_[1] - my);
  const double x1 = std::min(q.max_lon, city_bbox_[2] + mx);
  const double y1 = std::min(q.max_lat, city_bbox_[3] + my);
  if (x0 > x1 || y0 > y1) return IBox{};  // empty
  for (int i = 0; i <= 2; ++i) {
    for (int j = 0; j <= 2; ++j) {
      ASSIGN_OR_RETURN(LonLat p, from_wgs84_->Apply(x0 + (x1 - x0) * i / 2,
                                                    y0 + (y1 - y0) * j / 2));
      box.Expand(quant.Quantize(p.lon, p.lat));
    }
  }
  const int64_t wx = (box.max_x - box.min_x) / 100 + 1, wy = (box.max_y - box.min_y) / 100 + 1;
  box.min_x -= wx, box.max_x += wx, box.min_y -= wy, box.max_y += wy;
  return box;
}

bool MapView::HasGridIn(int32_t region, const IBox& region_box, const IBox& box) const {
  if (box.min_x <= region_box.min_x && region_box.max_x <= box.max_x &&
      box.min_y <= region_box.min_y && region_box.max_y <= box.max_y) {
    return true;  // the region lies inside the box
  }
  const GridGeometry& geo = snapshot_->geometry();
  for (uint32_t i = member_begin_[region]; i < member_begin_[region + 1]; ++i) {
    if (geo.box(members_[i]).Intersects(box)) return true;
  }
  return false;
}

const Outline& MapView::RegionOutline(int32_t region) const {
  std::atomic<const Outline*>& slot = outlines_[region];
  const Outline* have = slot.load(std::memory_order_acquire);
  if (have != nullptr) return *have;
  auto made = std::make_unique<Outline>(DissolveGrids(
      snapshot_->geometry(),
      absl::MakeConstSpan(members_.data() + member_begin_[region],
                          member_begin_[region + 1] - member_begin_[region])));
  if (slot.compare_exchange_strong(have, made.get(), std::memory_order_acq_rel)) {
    cached_.fetch_add(1, std::memory_order_relaxed);
    return *made.release();
  }
  return *have;  // another thread published first
}

void MapView::WriteAncestors(int32_t region, int below_level, Writer* w) const {
  if (region < 0) return;
  const Hierarchy& h = snapshot_->hierarchy();
  const int32_t* chain = h.chain_data(region);
  for (int l = 0; l < below_level; ++l) {
    if (chain[l] < 0) continue;
    const Region& r = h.region(chain[l]);
    std::string* out = w->out();
    out->push_back(',');
    AppendJsonString(h.levels()[l], out);
    out->push_back(':');
    AppendJsonString(r.code, out);
    out->push_back(',');
    AppendJsonString(absl::StrCat(h.levels()[l], "_name"), out);
    out->push_back(':');
    AppendJsonString(r.name, out);
  }
}

namespace {

// Writes "geometry":{...} for polygons, simplified; false if nothing is left.
bool WriteGeometry(const std::vector<OutlinePolygon>& polygons, double tolerance,
                   std::string* out, absl::FunctionRef<void(absl::Span<const IPoint>)> ring) {
  std::vector<std::vector<std::vector<IPoint>>> kept;
  for (const OutlinePolygon& p : polygons) {
    std::vector<std::vector<IPoint>> rings;
    for (const auto& r : p.rings) {
      std::vector<IPoint> s = SimplifyRing(r, tolerance);
      if (s.empty()) {
        if (rings.empty()) break;  // the outer ring vanished: drop the part
        continue;
      }
      rings.push_back(std::move(s));
    }
    if (!rings.empty()) kept.push_back(std::move(rings));
  }
  if (kept.empty()) return false;
  const bool multi = kept.size() > 1;
  out->append(multi ? "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":["
                    : "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":");
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->push_back('[');
    for (size_t j = 0; j < kept[i].size(); ++j) {
      if (j > 0) out->push_back(',');
      ring(kept[i][j]);
    }
    out->push_back(']');
  }
  out->append(multi ? "]}" : "}");
  return true;
}

}  // namespace

void MapView::WriteGrid(uint32_t g, double tolerance, Writer* w) const {
  const Snapshot& s = *snapshot_;
  const GridGeometry& geo = s.geometry();
  std::vector<OutlinePolygon> polygons;
  uint32_t outers = 0;
  for (uint32_t r = geo.grid_ring_begin(g); r < geo.grid_ring_begin(g + 1); ++r) {
    outers += geo.ring_is_hole(r) ? 0 : 1;
  }
  if (outers == 1) {
    // The common case: one polygon, its outer ring first.
    OutlinePolygon p;
    for (uint32_t r = geo.grid_ring_begin(g); r < geo.grid_ring_begin(g + 1); ++r) {
      std::vector<IPoint> ring(geo.ring(r), geo.ring(r) + geo.ring_size(r));
      const __int128 a = TwiceSignedArea(ring.data(), static_cast<uint32_t>(ring.size()));
      if ((geo.ring_is_hole(r) && a > 0) || (!geo.ring_is_hole(r) && a < 0)) {
        std::reverse(ring.begin(), ring.end());
      }
      auto at = geo.ring_is_hole(r) ? p.rings.end() : p.rings.begin();
      p.rings.insert(at, std::move(ring));
    }
    polygons.push_back(std::move(p));
  } else {
    const uint32_t one[1] = {g};
    polygons = DissolveGrids(geo, one).polygons;
  }
  w->BeginFeature();
  std::string* out = w->out();
  out->append("\"type\":\"Feature\",\"properties\":{\"code\":");
  const absl::string_view code = s.grid_code(g), name = s.grid_name(g);
  AppendJsonString(std::string_view(code.data(), code.size()), out);
  out->append(",\"name\":");
  AppendJsonString(std::string_view(name.data(), name.size()), out);
  out->append(",\"level\":\"grid\"");
  WriteAncestors(s.grid_parent(g), static_cast<int>(s.hierarchy().levels().size()), w);
  out->append("},");
  if (!WriteGeometry(polygons, tolerance, out, [&](auto ring) { w->Ring(ring); })) {
    out->append("\"geometry\":null");
  }
  w->EndFeature();
}

void MapView::WriteRegion(int32_t region, double tolerance, Writer* w) const {
  const Hierarchy& h = snapshot_->hierarchy();
  const Region& r = h.region(region);
  const Outline& outline = RegionOutline(region);
  w->BeginFeature();
  std::string* out = w->out();
  out->append("\"type\":\"Feature\",\"properties\":{\"code\":");
  AppendJsonString(r.code, out);
  out->append(",\"name\":");
  AppendJsonString(r.name, out);
  out->append(",\"level\":");
  AppendJsonString(h.levels()[r.level], out);
  WriteAncestors(region, r.level, w);
  absl::StrAppend(out, ",\"grids\":", member_begin_[region + 1] - member_begin_[region]);
  if (!outline.dissolved) out->append(",\"dissolved\":false");
  out->append("},");
  if (!WriteGeometry(outline.polygons, tolerance, out, [&](auto ring) { w->Ring(ring); })) {
    out->append("\"geometry\":null");
  }
  w->EndFeature();
}

void MapView::WriteHeader(const char* level, std::string* out) const {
  out->append("{\"type\":\"FeatureCollection\",\"level\":");
  AppendJsonString(level, out);
  out->append(",\"city_bbox\":");
  AppendBbox(city_bbox_, out);
  out->append(",\"levels\":[");
  for (size_t i = 0; i < levels_.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(levels_[i], out);
  }
  out->append("],\"features\":[");
}

std::string MapView::Meta() const {
  std::string out;
  WriteHeader("grid", &out);
  out.append("],\"matched\":0,\"truncated\":false}");
  return out;
}

absl::StatusOr<MapAnswer> MapView::Query(const MapQuery& q, const MapLimits& limits) const {
  if (q.level < -1 || q.level >= static_cast<int>(level_index_.size())) {
    return absl::InvalidArgumentError("level: out of range");
  }
  MapAnswer a;
  WriteHeader(levels_[q.level + 1].c_str(), &a.geojson);
  ASSIGN_OR_RETURN(IBox box, PackBox(q));
  const double tolerance = q.simplify_deg * lattice_per_degree_;
  Writer w(*this, limits, &a);
  if (!box.empty()) {
    if (q.level < 0) {
      std::vector<uint32_t> hits;
      const GridGeometry& geo = snapshot_->geometry();
      snapshot_->grid_boxes().VisitIntersecting(box, [&](uint32_t g) {
        if (geo.box(g).Intersects(box)) hits.push_back(g);
      });
      a.matched = hits.size();
      for (uint32_t g : hits) {
        if (!w.open()) break;
        WriteGrid(g, tolerance, &w);
      }
    } else {
      const LevelIndex& li = *level_index_[q.level];
      std::vector<int32_t> hits;
      li.index->VisitIntersecting(box, [&](uint32_t i) {
        if (li.boxes[i].Intersects(box) && HasGridIn(li.regions[i], li.boxes[i], box)) {
          hits.push_back(li.regions[i]);
        }
      });
      a.matched = hits.size();
      for (int32_t r : hits) {
        if (!w.open()) break;
        WriteRegion(r, tolerance, &w);
      }
    }
  }
  absl::StrAppend(&a.geojson, "],\"matched\":", a.matched,
                  ",\"truncated\":", a.truncated ? "true" : "false", "}");
  return a;
}

}  // namespace gridroute
