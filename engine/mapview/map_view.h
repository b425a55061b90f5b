// Copyright 2026 gridroute authors.
//
// MapView: the grids or region outlines inside a WGS-84 box, as a GeoJSON
// FeatureCollection in WGS-84, for drawing a city on a map (the console's
// GET /v1/grids).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<MapView> view, MapView::Build(snapshot));
//   ASSIGN_OR_RETURN(MapQuery q, ParseMapQuery("120.5,31.2,120.7,31.4", "street", "", view->levels()));
//   ASSIGN_OR_RETURN(MapAnswer a, view->Query(q, MapLimits{}));
//   Send(a.geojson);
//
// Levels: "grid" (the unit grids) or any level of the pack's hierarchy
// (gridroute-gen: "district", "street", "community"). A region is drawn as
// the union of its grids (mapview/outline.h), computed the first time any
// query needs it and kept for the life of the MapView (cache bounded by the
// pack: at most every region once).
//
// What a query returns: every grid whose bounding box meets the query box
// (at a region level: every region with such a grid), in the order of the spatial index (Hilbert order:
// a truncated answer is a compact patch, not a scatter), simplified with
// Douglas-Peucker at `simplify_deg`, until a limit of MapLimits would be
// passed; then `truncated` is true and the rest is left out.
//
// The FeatureCollection (RFC 7946, coordinates [lon, lat] with 7 decimals,
// ~1 cm) carries foreign members: "level", "truncated", "matched" (features
// the box met before any cut), "city_bbox" [minlon, minlat, maxlon, maxlat]
// and "levels" (["grid", ...hierarchy levels]). Each feature has
// "properties": {"code", "name", "level", and for every hierarchy level above
// it "<level>": code and "<level>_name": name}, e.g. a generated city's grid:
//   {"code":"320501001001001","name":"…第001网格","level":"grid",
//    "district":"320501","district_name":"…区","street":"320501001",…}
// Region features add "grids" (member count).
//
// Coordinates: the pack's CRS (wgs84, cgcs2000, gcj02, bd09 or EPSG) is
// converted to WGS-84 with CrsTransform; the query box is converted to the
// pack's CRS by its corners and edge midpoints, widened by 1 % of its span
// (exact for geographic packs; a projected or offset CRS bends the box, and
// the margin covers that at city scale).
//
// Thread-safety: Query() may be called from any number of threads at once;
// outlines are computed without a lock and published with one atomic
// compare-exchange (two threads may both compute one; one copy is kept).
// Cost: building: O(n levels) for the region member lists, plus one packed
// box index per hierarchy level (figures: tools/console/CONSOLE.md); a query:
// O(log n + k) index work plus formatting, see tools' numbers in README
// ("Look at it").
#ifndef GRIDROUTE_MAPVIEW_MAP_VIEW_H_
#define GRIDROUTE_MAPVIEW_MAP_VIEW_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "geo/crs.h"
#include "index/box_index.h"
#include "mapview/outline.h"
#include "snapshot/snapshot.h"

namespace gridroute {

// The size limits of one answer. A feature that would pass any of them is
// not written, and the answer says "truncated": true.
struct MapLimits {
  // Features per answer. 5,000 grids fill a 4K screen at the zoom where a
  // grid is a few pixels wide.
  size_t max_features = 5000;
  // Vertices (after simplification) per answer.
  size_t max_vertices = 200000;
  // Bytes of GeoJSON per answer (~60 bytes a vertex, ~300 a feature's
  // properties): 8 MiB.
  size_t max_bytes = size_t{8} << 20;
};

// The request limits ParseMapQuery enforces.
inline constexpr double kMaxSimplifyDeg = 1.0;

struct MapQuery {
  double min_lon = 0, min_lat = 0, max_lon = 0, max_lat = 0;  // WGS-84
  int level = -1;  // -1: grids; else a hierarchy level index (0 = top)
  // Douglas-Peucker tolerance in degrees (0: none). The console sends about
  // half a screen pixel.
  double simplify_deg = 0;
};

// Parses the HTTP parameters: bbox "minlon,minlat,maxlon,maxlat" (WGS-84,
// min <= max, lon in [-180, 180], lat in [-90, 90]), level "grid" or one of
// `levels` (empty: "grid"), simplify a non-negative number of degrees up to
// kMaxSimplifyDeg (empty: 0). Errors: InvalidArgument naming the parameter
// ("bbox", "level", "simplify") with a short echo of the value.
absl::StatusOr<MapQuery> ParseMapQuery(absl::string_view bbox, absl::string_view level,
                                       absl::string_view simplify,
                                       const std::vector<std::string>& levels);

struct MapAnswer {
  std::string geojson;   // the FeatureCollection
  size_t features = 0;   // written
  size_t matched = 0;    // met by the box (features + those cut)
  size_t vertices = 0;   // written
  bool truncated = false;
};

class MapView {
 public:
  // Errors: InvalidArgument if the pack's CRS cannot be converted to WGS-84.
  static absl::StatusOr<std::unique_ptr<MapView>> Build(
      std::shared_ptr<const Snapshot> snapshot);
  ~MapView();
  MapView(const MapView&) = delete;
  MapView& operator=(const MapView&) = delete;

  // REQUIRES: q.level < levels().size() - 1 ... i.e. a valid level index
  // (ParseMapQuery checks it).
  absl::StatusOr<MapAnswer> Query(const MapQuery& q, const MapLimits& limits) const;
  // A FeatureCollection with no features: only city_bbox and levels (the
  // console's first call, to know where the city is).
  std::string Meta() const;

  // "grid" first, then the hierarchy levels top first.
  const std::vector<std::string>& levels() const { return levels_; }
  // The city's box in WGS-84: min_lon, min_lat, max_lon, max_lat.
  const std::array<double, 4>& city_bbox() const { return city_bbox_; }
  const Snapshot& snapshot() const { return *snapshot_; }
  // Outlines computed so far (for tests and memory accounting).
  size_t cached_outlines() const { return cached_.load(std::memory_order_relaxed); }

 private:
  MapView() = default;
  struct LevelIndex;
  class Writer;

  // The pack-lattice box for a WGS-84 box.
  absl::StatusOr<IBox> PackBox(const MapQuery& q) const;
  // True if a member grid's box meets `box` (region_box: the region's).
  bool HasGridIn(int32_t region, const IBox& region_box, const IBox& box) const;
  const Outline& RegionOutline(int32_t region) const;
  void WriteGrid(uint32_t g, double tolerance, Writer* w) const;
  void WriteRegion(int32_t region, double tolerance, Writer* w) const;
  void WriteAncestors(int32_t region, int below_level, Writer* w) const;
  void WriteHeader(const char* level, std::string* out) const;

  // Constant after Build().
  std::shared_ptr<const Snapshot> snapshot_;
  std::unique_ptr<CrsTransform> to_wgs84_;
  std::unique_ptr<CrsTransform> from_wgs84_;
  std::vector<std::string> levels_;
  std::array<double, 4> city_bbox_{};
  double lattice_per_degree_ = 1e9;  // lattice units in one degree (about)
  std::vector<std::unique_ptr<LevelIndex>> level_index_;  // per hierarchy level
  std::vector<uint32_t> member_begin_;  // per region, into members_ (+1 at end)
  std::vector<uint32_t> members_;       // grid ids, by region
  // Outline cache, one slot per region; written once (compare-exchange).
  std::unique_ptr<std::atomic<const Outline*>[]> outlines_;
  mutable std::atomic<size_t> cached_{0};
};

}  // namespace gridroute

#endif  // GRIDROUTE_MAPVIEW_MAP_VIEW_H_
