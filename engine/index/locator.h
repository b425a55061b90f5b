// Copyright 2026 gridroute authors.
//
// Locator: which unit grid covers a point.
//
//   std::unique_ptr<Locator> loc = BuildRtreeLocator(&geometry, quantizer);
//   LocateResult r = loc->Locate(quantizer.Quantize(120.61, 31.29), {.snap_m = 30});
//   if (r.how != How::kOutside) { ... r.grid ... }
//
// Semantics every implementation must keep (tests/index/locator_test.cc runs
// each implementation against a brute-force oracle):
// - grid ids are ranks of the grid codes in byte-wise order, so "the smallest
//   code" is "the smallest id";
// - a point strictly inside one grid gets it (kInside);
// - a point covered by several closed grids (a shared edge or vertex) gets the
//   smallest id among them; kOnEdge if it lies on that grid's boundary;
// - a point covered by no grid is kOutside, unless snap_m > 0 and some grid
//   lies within snap_m metres: then the nearest such grid (ties: smallest id)
//   with its distance in metres (kSnapped).
//
// Thread-safety: implementations are immutable after construction; Locate may
// be called from any number of threads at once.
#ifndef GRIDROUTE_INDEX_LOCATOR_H_
#define GRIDROUTE_INDEX_LOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>

#include "geo/geometry.h"
#include "geo/grid_geometry.h"

namespace gridroute {

inline constexpr uint32_t kNoGrid = std::numeric_limits<uint32_t>::max();

enum class How : uint8_t { kInside = 0, kOnEdge = 1, kSnapped = 2, kOutside = 3 };
const char* HowName(How how);  // "inside", "on_edge", "snapped", "outside"

struct LocateResult {
  uint32_t grid = kNoGrid;
  How how = How::kOutside;
  double distance_m = 0;  // > 0 only for kSnapped

  friend bool operator==(const LocateResult& a, const LocateResult& b) {
    return a.grid == b.grid && a.how == b.how && a.distance_m == b.distance_m;
  }
};

// Per-request options.
// A caller's per-grid array (record g at base + g * stride bytes) that the
// locator may prefetch as soon as it knows the candidate grids, so the
// caller's first read of the answer's record overlaps the leaf's edge test
// instead of following it (route/router.cc: GridRoutes' records). A hint
// only: answers never depend on it, and a locator may ignore it.
struct RecordPrefetch {
  const void* base = nullptr;
  uint32_t stride = 0;
};

struct LocateOptions {
  // Maximum distance in metres at which a point outside every grid is snapped
  // to the nearest one. 0 (default) disables snapping. Snapping costs a box
  // query and a distance to every edge of the grids in range, so it grows
  // with snap_m; only points outside every grid pay it.
  double snap_m = 0;
  RecordPrefetch prefetch{};
};

class Locator {
 public:
  virtual ~Locator() = default;
  virtual LocateResult Locate(IPoint p, const LocateOptions& options = {}) const = 0;
  // Locates n points; out[i] answers p[i]. The default loops over Locate().
  virtual void LocateBatch(const IPoint* p, size_t n, const LocateOptions& options,
                           LocateResult* out) const;
  // Heap bytes of the index (not counting the GridGeometry it reads).
  virtual size_t MemoryBytes() const = 0;
  virtual const char* name() const = 0;
};

// The baseline: a packed Boost.Geometry R-tree over grid boxes plus the exact
// even-odd test. `geometry` must outlive the locator.
std::unique_ptr<Locator> BuildRtreeLocator(const GridGeometry* geometry,
                                           const Quantizer& quantizer);

}  // namespace gridroute

#endif  // GRIDROUTE_INDEX_LOCATOR_H_
