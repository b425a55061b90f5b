// Copyright 2026 gridroute authors.
//
// A GEOS (C API, reentrant) context and conversions between the importer's
// polygons and GEOS geometries.
//
//   GeosContext geos;
//   GeosPtr g = geos.Make(polygons);        // null + geos.last_error() on
//   failure std::vector<Polygon> back = geos.Polygons(g.get());
//
// Thread-safety: one GeosContext per thread (GEOS handles are not shared).
#ifndef GRIDROUTE_TOOLS_IMPORT_GEOS_UTIL_H_
#define GRIDROUTE_TOOLS_IMPORT_GEOS_UTIL_H_

#include <geos_c.h>

#include <memory>
#include <string>
#include <vector>

#include "import/source_grid.h"

namespace gridroute::import {

class GeosContext {
 public:
  GeosContext();
  ~GeosContext();
  GeosContext(const GeosContext&) = delete;
  GeosContext& operator=(const GeosContext&) = delete;

  struct Deleter {
    GEOSContextHandle_t h;
    void operator()(GEOSGeometry* g) const {
      if (g) GEOSGeom_destroy_r(h, g);
    }
  };
  using GeosPtr = std::unique_ptr<GEOSGeometry, Deleter>;

  GEOSContextHandle_t handle() const { return h_; }
  GeosPtr Wrap(GEOSGeometry* g) const { return GeosPtr(g, Deleter{h_}); }

  // A Polygon (one part) or MultiPolygon. REQUIRES: every ring closed with
  // >= 4 points. Null on failure, with the reason in last_error().
  GeosPtr Make(const std::vector<Polygon>& polygons);
  // The polygonal parts of g (lines and points of a collection are dropped),
  // rings closed, in GEOS's orientation.
  std::vector<Polygon> Polygons(const GEOSGeometry* g) const;

  // The last error GEOS reported on this context.
  const std::string& last_error() const { return last_error_; }

 private:
  static void OnError(const char* message, void* self);
  GEOSGeometry* MakeRing(const Ring& ring);

  GEOSContextHandle_t h_;
  std::string last_error_;
};

using GeosPtr = GeosContext::GeosPtr;

}  // namespace gridroute::import

#endif  // GRIDROUTE_TOOLS_IMPORT_GEOS_UTIL_H_
