// Copyright 2026 gridroute authors.
//
// The peers gridroute is measured against, each built from the same grid
// polygons (the loaded snapshot's GridGeometry, converted to the peer's own
// double-precision geometry) and queried with the same lon/lat doubles.
//
//   std::unique_ptr<PeerIndex> peer = BuildGeosPeer(snapshot->geometry(), q);
//   std::unique_ptr<PeerIndex::Query> query = peer->NewQuery();  // per thread
//   uint32_t grid = query->Locate(120.61, 31.29);  // kNoGrid if none
//
// Every peer answers like the engine: among the grids whose closed polygon
// covers the point, the smallest id (= smallest code), or kNoGrid.
//
// Each peer lives in its own .cc so the heavy headers (Boost.Geometry R-tree,
// GEOS, S2) are compiled once, in one translation unit each.
//
// Thread-safety: a PeerIndex is immutable after Build*() returns (lazy
// internal indexes are forced during the build); Query objects are not
// thread-safe, make one per thread (cheap).
#ifndef GRIDROUTE_BENCH_PEER_H_
#define GRIDROUTE_BENCH_PEER_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "geo/geometry.h"
#include "geo/grid_geometry.h"

namespace gridroute::bench {

class PeerIndex {
 public:
  class Query {
   public:
    virtual ~Query() = default;
    // Smallest grid id whose closed polygon covers (lon, lat), or kNoGrid.
    virtual uint32_t Locate(double lon, double lat) = 0;
  };

  virtual ~PeerIndex() = default;
  virtual std::unique_ptr<Query> NewQuery() const = 0;
  // The peer's own size estimate if it has one (S2's SpaceUsed()), else 0.
  virtual size_t ReportedBytes() const { return 0; }
};

// Packed Boost.Geometry R-tree of boxes + bg::covered_by on Boost
// (multi)polygons in double lon/lat: the naive baseline.
std::unique_ptr<PeerIndex> BuildBoostRtreePeer(const GridGeometry& g, const Quantizer& q);

// GEOS TemplateSTRtree of envelopes + PreparedGeometry::covers.
std::unique_ptr<PeerIndex> BuildGeosPeer(const GridGeometry& g, const Quantizer& q);

// S2 MutableS2ShapeIndex of S2LaxPolygonShape + S2ContainsPointQuery with
// S2VertexModel::CLOSED. S2 edges are geodesics, the pack's are straight in
// lon/lat: answers may differ within ~1 mm of a boundary.
std::unique_ptr<PeerIndex> BuildS2Peer(const GridGeometry& g, const Quantizer& q);

}  // namespace gridroute::bench

#endif  // GRIDROUTE_BENCH_PEER_H_
