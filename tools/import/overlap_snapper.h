// Copyright 2026 gridroute authors.
//
// --fix for overlaps below the pack's tolerance: the grid with the larger
// code gives the contested sliver to its neighbour (its boundary is snapped
// to the neighbour's edge), so the engine's answers do not change (a point
// in the sliver already resolved to the smaller code) and the pack has no
// overlap left.
//
//   std::vector<OverlapPair> pairs = ...;       // from FindOverlaps(..., 0.0)
//   SnapOverlaps(pairs, /*lattice_scale=*/1e9, checker, &fixes, &problems,
//                &warnings);
//
// Thread-safety: not thread-safe (uses the checker's GEOS context).
// Cost: one GEOS overlay per pair, then the checker on the result.
#ifndef GRIDROUTE_TOOLS_IMPORT_OVERLAP_SNAPPER_H_
#define GRIDROUTE_TOOLS_IMPORT_OVERLAP_SNAPPER_H_

#include <string>
#include <vector>

#include "import/geometry_checker.h"
#include "import/source_grid.h"

namespace gridroute::import {

struct OverlapPair {
  const SourceGrid* keep = nullptr;  // the smaller code
  SourceGrid* trim = nullptr;        // the larger code; loses the overlap
  double area_m2 = 0;                // the overlap as the loader measured it
};

// Replaces each pair's `trim` geometry by trim − keep, computed by GEOS's
// overlay with snap-rounding on the pack's lattice (`lattice_scale` units per
// CRS unit: 1e9 per degree or 1e4 per metre, what the loader quantizes to),
// so the new vertices are exactly lattice points (and print as short
// decimals). Pairs are processed in ascending code of `trim`, so a
// keeper trimmed itself is final before it trims others. The result is
// re-checked (validity, slivers); a failure goes to `problems`, a sliver
// left behind to `warnings` (to `problems` if the checker is strict). Each
// change goes to `fixes`, naming both features and the area moved.
void SnapOverlaps(std::vector<OverlapPair> pairs, double lattice_scale,
                  GeometryChecker& checker, std::vector<std::string>* fixes,
                  std::vector<std::string>* problems,
                  std::vector<std::string>* warnings);

}  // namespace gridroute::import

#endif  // GRIDROUTE_TOOLS_IMPORT_OVERLAP_SNAPPER_H_
