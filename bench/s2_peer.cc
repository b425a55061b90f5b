// Copyright 2026 gridroute authors.
//
// S2 peer (libs2 0.10): one S2LaxPolygonShape per grid in a
// MutableS2ShapeIndex, queried with S2ContainsPointQuery under
// S2VertexModel::CLOSED; the smallest containing shape id wins.
#include <algorithm>
#include <utility>
#include <vector>

#include <s2/mutable_s2shape_index.h>
#include <s2/s2contains_point_query.h>
#include <s2/s2latlng.h>
#include <s2/s2lax_polygon_shape.h>
#include <s2/s2point.h>

#include "index/locator.h"
#include "peer.h"

namespace gridroute::bench {
namespace {

class S2Peer final : public PeerIndex {
 public:
  S2Peer(const GridGeometry& g, const Quantizer& q) {
    const uint32_t n = g.num_grids();
    for (uint32_t id = 0; id < n; ++id) {
      std::vector<std::vector<S2Point>> loops;
      for (uint32_t r = g.grid_ring_begin(id); r < g.grid_ring_begin(id + 1); ++r) {
        const IPoint* pts = g.ring(r);
        const uint32_t size = g.ring_size(r);
        // S2 wants the interior on the left: shells counter-clockwise, holes
        // clockwise (the pack accepts either orientation).
        const bool ccw = TwiceSignedArea(pts, size) > 0;
        const bool reverse = g.ring_is_hole(r) ? ccw : !ccw;
        std::vector<S2Point> loop;
        loop.reserve(size);
        for (uint32_t k = 0; k < size; ++k) {
          const IPoint p = pts[reverse ? size - 1 - k : k];
          loop.push_back(S2LatLng::FromDegrees(q.ToY(p.y), q.ToX(p.x)).ToPoint());
        }
        loops.push_back(std::move(loop));
      }
      const int shape_id = index_.Add(std::make_unique<S2LaxPolygonShape>(loops));
      (void)shape_id;  // == id: shapes are numbered in insertion order
    }
    // The index builds lazily on the first query; build it now so the build
    // is timed here and concurrent queries only read.
    index_.ForceBuild();
  }

  class S2Query final : public Query {
   public:
    explicit S2Query(const MutableS2ShapeIndex* index)
        : query_(index, S2ContainsPointQueryOptions(S2VertexModel::CLOSED)) {}
    uint32_t Locate(double lon, double lat) override {
      const S2Point p = S2LatLng::FromDegrees(lat, lon).ToPoint();
      uint32_t best = kNoGrid;
      query_.VisitContainingShapes(p, [&](S2Shape* shape) {
        best = std::min(best, static_cast<uint32_t>(shape->id()));
        return true;
      });
      return best;
    }

   private:
    S2ContainsPointQuery<MutableS2ShapeIndex> query_;
  };

  std::unique_ptr<Query> NewQuery() const override {
    return std::make_unique<S2Query>(&index_);
  }
  size_t ReportedBytes() const override { return index_.SpaceUsed(); }

 private:
  MutableS2ShapeIndex index_;
};

}  // namespace

std::unique_ptr<PeerIndex> BuildS2Peer(const GridGeometry& g, const Quantizer& q) {
  return std::make_unique<S2Peer>(g, q);
}

}  // namespace gridroute::bench
