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
// over a BoxIndex the locator holds (its own, or one shared with the caller),
// exactly as the R-tree locator does.
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

#include "absl/status/statusor.h"
#include "common/snap_io.h"
#include "geo/geometry.h"
#include "geo/grid_geometry.h"
#include "index/box_index.h"
#include "index/locator.h"

namespace gridroute {

// Build-time options. Every setting gives the same answers; they trade
// memory, build time and query time. The defaults were set with a sweep over
// generated cities of 2k / 200k / 2M grids; the figures behind each default
// are in CELL_LOCATOR.md, "Tuning" and "Option defaults".
struct CellLocatorOptions {
  // Target number of grids per top-level cell (the side is rounded to a power
  // of two: 0.5 and 1 both give 2^20 units in the generated cities, 0.25
  // gives 2^19, 2 gives 2^21). The top array holds one 4-byte entry per top
  // cell: ~4 / grids_per_top_cell bytes per grid, more where the city's box
  // is not covered by grids. Smaller: a larger top array, one node level less
  // per query (faster single points); larger: a smaller array, one more node
  // level per query. Default 1 (~100 m cells in the generated cities).
  double grids_per_top_cell = 1.0;
  // A cell crossed by more distinct edges than this is split 4 x 4. Smaller:
  // more interior cells and shorter leaves (less work per point), but more
  // nodes, so more memory and build time; larger: fewer, longer leaves.
  // Default 10, matched to the AVX2 leaf test (4 edges a step) and to
  // LocateBatch prefetching 4 leaf cache lines; the scalar leaf test prefers
  // 6.
  int max_leaf_edges = 10;
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
  double build_seconds = 0;  // cell structure (+ the snap BoxIndex if built)
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
  // REQUIRES: geometry->num_grids() < 2^30. `snap_index`: a BoxIndex over
  // geometry->boxes() to snap with (kept alive by the locator), e.g. the one
  // the snapshot's overlap check built; null: the locator builds its own on
  // a thread beside the cells.
  static std::unique_ptr<CellLocator> Build(
      const GridGeometry* geometry, const Quantizer& quantizer,
      const CellLocatorOptions& options,
      std::shared_ptr<const BoxIndex> snap_index = nullptr);
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

  // The index as a section of a compiled snapshot
  // (snapshot/SNAPSHOT_FORMAT.md): the top grid's placement, the top, node
  // and leaf arrays, the stats.
  void Save(SnapWriter& w) const;
  // Reads what Save() wrote, for `geometry` (borrowed, as in Build()). The
  // whole structure is checked before it is returned: every entry's tag and
  // payload (grid ids < num_grids, node and leaf references inside their
  // arrays, each node reached once and no deeper than the split levels
  // allow), every leaf's length and candidate ids, every unpacked edge
  // offset below 2^30. So a damaged section is refused or answers
  // differently; no lookup reads outside the arrays. Cost: one pass over
  // the arrays (memory speed).
  static absl::StatusOr<std::unique_ptr<CellLocator>> Load(
      SnapReader& r, const GridGeometry* geometry, const Quantizer& quantizer,
      std::shared_ptr<const BoxIndex> snap_index);
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
    const CellLocatorOptions& options = {},
    std::shared_ptr<const BoxIndex> snap_index = nullptr);

}  // namespace gridroute

#endif  // GRIDROUTE_INDEX_CELL_LOCATOR_H_
