// Copyright 2026 gridroute authors.
#include "import/geos_util.h"

#include <string>
#include <vector>

namespace gridroute::import {

GeosContext::GeosContext() : h_(GEOS_init_r()) {
  GEOSContext_setErrorMessageHandler_r(h_, &GeosContext::OnError, this);
}

GeosContext::~GeosContext() { GEOS_finish_r(h_); }

void GeosContext::OnError(const char* message, void* self) {
  static_cast<GeosContext*>(self)->last_error_ = message;
}

GEOSGeometry* GeosContext::MakeRing(const Ring& ring) {
  std::vector<double> buf;
  buf.reserve(ring.size() * 2);
  for (const XY& p : ring) {
    buf.push_back(p.x);
    buf.push_back(p.y);
  }
  GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(
      h_, buf.data(), static_cast<unsigned>(ring.size()), 0, 0);
  if (seq == nullptr) return nullptr;
  return GEOSGeom_createLinearRing_r(h_, seq);  // takes seq, even on failure
}

GeosPtr GeosContext::Make(const std::vector<Polygon>& polygons) {
  std::vector<GEOSGeometry*> parts;
  auto fail = [&] {
    for (GEOSGeometry* p : parts) GEOSGeom_destroy_r(h_, p);
    return Wrap(nullptr);
  };
  for (const Polygon& poly : polygons) {
    if (poly.rings.empty()) continue;
    GEOSGeometry* shell = MakeRing(poly.rings[0]);
    if (shell == nullptr) return fail();
    std::vector<GEOSGeometry*> holes;
    for (size_t r = 1; r < poly.rings.size(); ++r) {
      GEOSGeometry* hole = MakeRing(poly.rings[r]);
      if (hole == nullptr) {
        GEOSGeom_destroy_r(h_, shell);
        for (GEOSGeometry* h : holes) GEOSGeom_destroy_r(h_, h);
        return fail();
      }
      holes.push_back(hole);
    }
    GEOSGeometry* p = GEOSGeom_createPolygon_r(
        h_, shell, holes.data(), static_cast<unsigned>(holes.size()));
    if (p == nullptr) return fail();
    parts.push_back(p);
  }
  if (parts.size() == 1) return Wrap(parts[0]);
  return Wrap(GEOSGeom_createCollection_r(h_, GEOS_MULTIPOLYGON, parts.data(),
                                          static_cast<unsigned>(parts.size())));
}

namespace {

Ring RingOf(GEOSContextHandle_t h, const GEOSGeometry* ring) {
  Ring out;
  const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, ring);
  unsigned n = 0;
  if (seq == nullptr || !GEOSCoordSeq_getSize_r(h, seq, &n)) return out;
  std::vector<double> buf(2 * static_cast<size_t>(n));
  GEOSCoordSeq_copyToBuffer_r(h, seq, buf.data(), 0, 0);
  out.reserve(n);
  for (unsigned i = 0; i < n; ++i) out.push_back({buf[2 * i], buf[2 * i + 1]});
  return out;
}

void Collect(GEOSContextHandle_t h, const GEOSGeometry* g,
             std::vector<Polygon>& out) {
  const int type = GEOSGeomTypeId_r(h, g);
  if (type == GEOS_POLYGON) {
    if (GEOSisEmpty_r(h, g)) return;
    Polygon p;
    p.rings.push_back(RingOf(h, GEOSGetExteriorRing_r(h, g)));
    const int holes = GEOSGetNumInteriorRings_r(h, g);
    for (int i = 0; i < holes; ++i)
      p.rings.push_back(RingOf(h, GEOSGetInteriorRingN_r(h, g, i)));
    out.push_back(std::move(p));
  } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
    const int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; ++i) Collect(h, GEOSGetGeometryN_r(h, g, i), out);
  }
}

}  // namespace

std::vector<Polygon> GeosContext::Polygons(const GEOSGeometry* g) const {
  std::vector<Polygon> out;
  if (g != nullptr) Collect(h_, g, out);
  return out;
}

}  // namespace gridroute::import
