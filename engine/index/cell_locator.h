// Copyright 2026 gridroute authors.
//
// CellLocator: an adaptive cell index over the integer lattice that answers
// most points with one or two cache lines and no polygon walk.
//
//   std::unique_ptr<Locator> loc = BuildCellLocator(&geometry, quantizer);
//   LocateResult r = loc->Locate(quantizer.Quantize(120.61, 31.29));
//   loc->LocateBatch(points, n, {}, results);  // prefetches across the batch
//
// Structure (details and measurements in engine/index/CELL_LOCATOR.md):
// - a uniform top grid of square cells of 2^s lattice units over the city's
//   box, one 32-bit entry per cell;
// - an entry is EMPTY (no grid), INTERIOR (wholly inside one grid: the answer,
//   no geometry), NODE (a 4 x 4 split: 16 entries, one cache line) or LEAF;
// - a LEAF lists the candidate grids (closed region meets the cell, in id
//   order, cut after the first that covers the whole cell), a reference point
//   of the cell with its exact membership in each candidate, and each distinct
//   edge crossing the cell once, with a bit mask of the candidates it bounds
//   (4 words an edge, mask in the offsets' spare bits, when at most 8
//   candidates and offsets below 2^29; else 5 words).
//   A point is classified by counting, per candidate, the crossings of the
//   segment reference->point with those edges (exact int64 predicates with a
//   symbolic perturbation for segments through vertices): the answer is the
//   lowest candidate that is on-edge or inside, so the semantics are those of
//   Locator (locator.h) to the last lattice unit;
// - cells whose data cannot be packed that way (more than 32 candidates,
//   edges longer than 2^30 units, more than 65,535 edges) keep the candidate
//   ids and test each with GridGeometry::Classify.
// Points covered by no grid are snapped with SnapToNearest (index/snap.h),
// over a BoxIndex the locator owns, exactly as the R-tree locator does.
//
// Thread-safety: immutable after construction; Locate/LocateBatch may be
// called from any number of threads. Ownership: `geometry` is borrowed and
// must outlive the locator. Cost: build O(edges x cells they cross), two
// threads; Locate O(depth + edges in the leaf), no allocation.
#ifndef GRIDROUTE_INDEX_CELL_LOCATOR_H_
#define GRIDROUTE_INDEX_CELL_LOCATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>

#include "geo/geometry.h"
#include "geo/grid_geometry.h"
#include "index/locator.h"

namespace gridroute {

// Build-time options. The defaults were set with the scratch timing program
// described in CELL_LOCATOR.md ("Tuning"): uniform random points over the
// city's box, generated cities of 2k / 200k / 2M grids, R-tree in the same run.
struct CellLocatorOptions {
  // Target number of grids per top-level cell (the side is rounded to a power
  // of two). Larger: a smaller top array but one more node level per query.
  // Default 1 (~100 m cells, top array 9.7 MB at 2M): at 200k, 1 vs 2 gave
  // 3.6-3.9x vs 3.1x the R-tree's single-point speed in the same run.
  double grids_per_top_cell = 1.0;
  // A cell crossed by more distinct edges than this is split 4 x 4. Smaller:
  // more interior cells and shorter leaves, more memory. Default 6. At 2M:
  // 6 -> 343 B/grid, 4.0x the R-tree single, 23x batched; 10 -> 192 B/grid,
  // 3.6x / 26x (noisy machine); 3 -> ~560 B/grid for ~5 % more speed at 2k.
  // Use 10 when memory matters more than the last 15 % of speed. (Those
  // figures predate the packed leaves: 6 now gives ~278 B/grid, see
  // CELL_LOCATOR.md.)
  int max_leaf_edges = 6;
  // Maximum number of 4 x 4 split levels below the top grid (each divides the
  // side by 4). Default 5 (top/1024), far below any real edge spacing.
  int max_split_levels = 5;
  // Threads used to build (the result does not depend on it). Default 2.
  int threads = 2;
};

// Figures from the build, for logs and the measurements in CELL_LOCATOR.md.
struct CellLocatorStats {
  int top_shift = 0;       // top cell side = 2^top_shift lattice units
  uint64_t top_cells = 0;  // entries in the top array
  uint64_t nodes = 0;      // 4 x 4 nodes
  uint64_t interior_entries = 0;
  uint64_t empty_entries = 0;
  uint64_t leaves = 0;
  uint64_t fallback_leaves = 0;  // leaves answered with GridGeometry::Classify
  uint64_t leaf_edges = 0;       // distinct edges stored in leaves
  double build_seconds = 0;      // cell structure, incl. the snap BoxIndex
};

// What answered a point (for tests and the interior-share measurement).
enum class CellKind : uint8_t {
  kOutsideBox,
  kEmpty,
  kInterior,
  kLeaf,
  kFallbackLeaf
};

class CellLocator final : public Locator {
 public:
  // REQUIRES: geometry->num_grids() < 2^30.
  static std::unique_ptr<CellLocator> Build(const GridGeometry* geometry,
                                            const Quantizer& quantizer,
                                            const CellLocatorOptions& options);
  ~CellLocator() override;

  LocateResult Locate(IPoint p,
                      const LocateOptions& options = {}) const override;
  // Resolves the points in chunks, one tree level per pass over the chunk,
  // prefetching the next entry, node or leaf of every point of the chunk.
  void LocateBatch(const IPoint* p, size_t n, const LocateOptions& options,
                   LocateResult* out) const override;
  size_t MemoryBytes() const override;
  const char* name() const override { return "cell"; }

  const CellLocatorStats& stats() const;
  // Which kind of cell holds p. O(depth).
  CellKind Probe(IPoint p) const;

  struct Impl;

 private:
  explicit CellLocator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The factory LoadPack uses; same as CellLocator::Build.
std::unique_ptr<Locator> BuildCellLocator(
    const GridGeometry* geometry, const Quantizer& quantizer,
    const CellLocatorOptions& options = {});

}  // namespace gridroute

#endif  // GRIDROUTE_INDEX_CELL_LOCATOR_H_
