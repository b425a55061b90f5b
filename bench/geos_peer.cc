// Copyright 2026 gridroute authors.
//
// GEOS peer (C++ API, GEOS 3.11): a TemplateSTRtree of envelopes and a
// PreparedGeometry per grid, queried with PreparedGeometry::covers(Point) —
// what a GEOS user writes for point-in-polygon over many polygons.
#include <algorithm>
#include <utility>
#include <vector>

#include <geos/geom/Coordinate.h>
#include <geos/geom/CoordinateSequence.h>
#include <geos/geom/CoordinateSequenceFactory.h>
#include <geos/geom/Envelope.h>
#include <geos/geom/Geometry.h>
#include <geos/geom/GeometryFactory.h>
#include <geos/geom/LinearRing.h>
#include <geos/geom/MultiPolygon.h>
#include <geos/geom/Point.h>
#include <geos/geom/Polygon.h>
#include <geos/geom/prep/PreparedGeometry.h>
#include <geos/geom/prep/PreparedGeometryFactory.h>
#include <geos/index/strtree/TemplateSTRtree.h>

#include "index/locator.h"
#include "peer.h"

namespace gridroute::bench {
namespace {

namespace gg = geos::geom;

class GeosPeer final : public PeerIndex {
 public:
  GeosPeer(const GridGeometry& g, const Quantizer& q) : factory_(gg::GeometryFactory::create()) {
    const uint32_t n = g.num_grids();
    geoms_.reserve(n);
    prepared_.reserve(n);
    for (uint32_t id = 0; id < n; ++id) {
      std::vector<std::unique_ptr<gg::Polygon>> polys;
      std::unique_ptr<gg::LinearRing> shell;
      std::vector<std::unique_ptr<gg::LinearRing>> holes;
      auto flush = [&] {
        if (shell) polys.push_back(factory_->createPolygon(std::move(shell), std::move(holes)));
        shell.reset();
        holes.clear();
      };
      for (uint32_t r = g.grid_ring_begin(id); r < g.grid_ring_begin(id + 1); ++r) {
        const IPoint* pts = g.ring(r);
        const uint32_t size = g.ring_size(r);
        std::vector<gg::Coordinate> coords;
        coords.reserve(size + 1);
        for (uint32_t k = 0; k <= size; ++k) {
          const IPoint p = pts[k % size];
          coords.emplace_back(q.ToX(p.x), q.ToY(p.y));
        }
        auto ring = factory_->createLinearRing(std::move(coords));
        if (!g.ring_is_hole(r)) {
          flush();
          shell = std::move(ring);
        } else {
          holes.push_back(std::move(ring));
        }
      }
      flush();
      std::unique_ptr<gg::Geometry> geom;
      if (polys.size() == 1) {
        geom = std::move(polys[0]);
      } else {
        geom = factory_->createMultiPolygon(std::move(polys));
      }
      prepared_.push_back(gg::prep::PreparedGeometryFactory::prepare(geom.get()));
      tree_.insert(*geom->getEnvelopeInternal(), id);
      // PreparedPolygon builds its point-in-area index on the first covers()
      // call, and that lazy build is not thread-safe: force it here (a vertex
      // is inside the envelope, so the call reaches the index).
      std::unique_ptr<gg::Point> probe(
          factory_->createPoint(*geom->getCoordinate()));
      (void)prepared_.back()->covers(probe.get());
      geoms_.push_back(std::move(geom));
    }
    tree_.build();
  }

  class GeosQuery final : public Query {
   public:
    explicit GeosQuery(GeosPeer* peer)
        : peer_(peer), factory_(gg::GeometryFactory::create()) {}
    uint32_t Locate(double lon, double lat) override {
      // A point per query, as the API requires. Created from a per-thread
      // factory: GeometryFactory's reference count is not atomic.
      const gg::Coordinate c(lon, lat);
      std::unique_ptr<gg::Point> point(factory_->createPoint(c));
      uint32_t best = kNoGrid;
      peer_->tree_.query(gg::Envelope(c), [&](uint32_t id) {
        if (id < best && peer_->prepared_[id]->covers(point.get())) best = id;
      });
      return best;
    }

   private:
    GeosPeer* peer_;
    gg::GeometryFactory::Ptr factory_;
  };

  std::unique_ptr<Query> NewQuery() const override {
    // TemplateSTRtree::query is non-const only because of its lazy build,
    // which the constructor has already done.
    return std::make_unique<GeosQuery>(const_cast<GeosPeer*>(this));
  }

 private:
  gg::GeometryFactory::Ptr factory_;
  std::vector<std::unique_ptr<gg::Geometry>> geoms_;
  std::vector<std::unique_ptr<gg::prep::PreparedGeometry>> prepared_;
  geos::index::strtree::TemplateSTRtree<uint32_t> tree_;
};

}  // namespace

std::unique_ptr<PeerIndex> BuildGeosPeer(const GridGeometry& g, const Quantizer& q) {
  return std::make_unique<GeosPeer>(g, q);
}

}  // namespace gridroute::bench
