// Copyright 2026 gridroute authors.
//
// The naive baseline: what a C++ developer writes with Boost.Geometry alone.
// Double lon/lat polygons, a packed (bulk-loaded STR) R-tree of their boxes,
// and bg::covered_by on every candidate. Not the engine's code.
#include <algorithm>
#include <utility>
#include <vector>

#include <boost/iterator/function_output_iterator.hpp>
#include <boost/geometry.hpp>
#include <boost/geometry/geometries/multi_polygon.hpp>
#include <boost/geometry/geometries/point.hpp>
#include <boost/geometry/geometries/polygon.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "index/locator.h"
#include "peer.h"

namespace gridroute::bench {
namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

using BPoint = bg::model::point<double, 2, bg::cs::cartesian>;
using BPolygon = bg::model::polygon<BPoint, /*ClockWise=*/false, /*Closed=*/true>;
using BMulti = bg::model::multi_polygon<BPolygon>;
using BBox = bg::model::box<BPoint>;
using Value = std::pair<BBox, uint32_t>;
using Tree = bgi::rtree<Value, bgi::quadratic<16>>;

class BoostRtreePeer final : public PeerIndex {
 public:
  BoostRtreePeer(const GridGeometry& g, const Quantizer& q) {
    const uint32_t n = g.num_grids();
    polygons_.resize(n);
    std::vector<Value> values;
    values.reserve(n);
    for (uint32_t id = 0; id < n; ++id) {
      BMulti& multi = polygons_[id];
      for (uint32_t r = g.grid_ring_begin(id); r < g.grid_ring_begin(id + 1); ++r) {
        bg::model::ring<BPoint, false, true> ring;
        const IPoint* pts = g.ring(r);
        const uint32_t size = g.ring_size(r);
        ring.reserve(size + 1);
        for (uint32_t k = 0; k <= size; ++k) {
          const IPoint p = pts[k % size];
          ring.push_back(BPoint(q.ToX(p.x), q.ToY(p.y)));
        }
        if (!g.ring_is_hole(r)) {
          multi.emplace_back();
          multi.back().outer() = std::move(ring);
        } else {
          multi.back().inners().push_back(std::move(ring));
        }
      }
      bg::correct(multi);  // orientation as the polygon type declares
      values.emplace_back(bg::return_envelope<BBox>(multi), id);
    }
    // The range constructor bulk-loads with the packing (STR) algorithm.
    tree_ = Tree(values.begin(), values.end());
  }

  class BoostQuery final : public Query {
   public:
    explicit BoostQuery(const BoostRtreePeer* peer) : peer_(peer) {}
    uint32_t Locate(double lon, double lat) override {
      const BPoint p(lon, lat);
      uint32_t best = kNoGrid;
      peer_->tree_.query(bgi::intersects(p),
                         boost::make_function_output_iterator([&](const Value& v) {
                           if (v.second < best &&
                               bg::covered_by(p, peer_->polygons_[v.second])) {
                             best = v.second;
                           }
                         }));
      return best;
    }

   private:
    const BoostRtreePeer* peer_;
  };

  std::unique_ptr<Query> NewQuery() const override {
    return std::make_unique<BoostQuery>(this);
  }

 private:
  std::vector<BMulti> polygons_;
  Tree tree_;
};

}  // namespace

std::unique_ptr<PeerIndex> BuildBoostRtreePeer(const GridGeometry& g, const Quantizer& q) {
  return std::make_unique<BoostRtreePeer>(g, q);
}

}  // namespace gridroute::bench
