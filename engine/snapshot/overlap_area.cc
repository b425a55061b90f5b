// Copyright 2026 gridroute authors.
//
// Intersection areas with Boost.Geometry (kept in its own translation unit:
// the overlay headers are heavy). Only called for the rare suspicious pairs.
//
// Without rescaling: Boost 1.74 rescales overlay input to an integer grid by
// default, and that fails on two grids whose shared edge differs by a lattice
// unit or two (float noise in a GIS export): it reported one 10,550 m² grid
// as lying wholly inside its neighbour (tests/snapshot/overlap_area_test.cc).
// Boost itself dropped rescaling as the default in later releases.
#define BOOST_GEOMETRY_NO_ROBUSTNESS
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point_xy.hpp>
#include <boost/geometry/geometries/polygon.hpp>

#include "geo/metric.h"
#include "snapshot/validate.h"

namespace gridroute {
namespace bg = boost::geometry;
using BPoint = bg::model::d2::point_xy<double>;
using BPolygon = bg::model::polygon<BPoint>;
using BMulti = bg::model::multi_polygon<BPolygon>;

namespace {
BMulti ToMulti(const GridGeometry& geo, const MetricFrame& f, uint32_t g) {
  BMulti out;
  for (uint32_t r = geo.grid_ring_begin(g); r < geo.grid_ring_begin(g + 1); ++r) {
    const IPoint* p = geo.ring(r);
    const uint32_t n = geo.ring_size(r);
    bg::model::ring<BPoint> ring;
    for (uint32_t i = 0; i < n; ++i) ring.push_back(BPoint(f.X(p[i]), f.Y(p[i])));
    ring.push_back(ring.front());
    if (!geo.ring_is_hole(r) || out.empty()) {
      out.emplace_back();
      out.back().outer() = std::move(ring);
    } else {
      out.back().inners().push_back(std::move(ring));
    }
  }
  bg::correct(out);
  return out;
}
}  // namespace

double IntersectionAreaM2(const GridGeometry& geometry, const Quantizer& q,
                          uint32_t a, uint32_t b) {
  const IBox& box = geometry.box(a);
  const MetricFrame frame(
      q, IPoint{box.min_x / 2 + box.max_x / 2, box.min_y / 2 + box.max_y / 2});
  BMulti ma = ToMulti(geometry, frame, a), mb = ToMulti(geometry, frame, b);
  BMulti out;
  bg::intersection(ma, mb, out);
  return bg::area(out);
}

}  // namespace gridroute
