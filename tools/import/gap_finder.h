// Copyright 2026 gridroute authors.
//
// Gaps between neighbouring grids: uncovered slivers inside the area the
// grids cover, a classic digitising fault (two neighbours digitised apart
// instead of sharing their edge). The grids are put on the pack's lattice,
// vertices closer than 1 mm merged (and, if the coverage union needs it,
// T-junctions noded: moves below the noise width, so that neighbours share
// their edges exactly), then unioned; every
// hole of the union, less any island grid inside it, is uncovered land
// inside the coverage and is sorted into one of three kinds (IMPORT.md "Gaps
// between grids"):
//
//   noise      area < 0.01 m² or mean width < 1 mm: coordinates that should
//              coincide differ in their last digits; counted, not listed
//   gap        area < max_area_m2 or mean width < max_width_m: listed with
//              area, mean width, a point inside it and the grids around it
//   uncovered  anything bigger: a lake, an area nobody manages; counted
//
// A gap that opens onto the outside of the coverage is a notch in its
// boundary, not a hole, and is not found.
//
//   GapReport r = FindGaps(grids, {.geographic = true, .grid_size = 1e-9});
//   for (const Gap& g : r.gaps) ...   // g.area_m2, g.at, g.neighbours
//
// Thread-safety: a function of its arguments; uses options.threads threads,
// each with its own GEOS context.
// Cost: O(V) hash lookups in the grids' vertices V, then GEOS's coverage
// union (linear) per block of 1,024 grids and over the blocks' outlines;
// with T-junctions, an O(V log V) noding and a second union; a block the
// coverage union cannot do (overlapping grids) takes GEOS's snap-rounded
// union, much slower (IMPORT.md "Speed").
#ifndef GRIDROUTE_TOOLS_IMPORT_GAP_FINDER_H_
#define GRIDROUTE_TOOLS_IMPORT_GAP_FINDER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "import/source_grid.h"

namespace gridroute::import {

// Holes below either limit are float noise (not listed).
inline constexpr double kGapNoiseAreaM2 = 0.01;
inline constexpr double kGapNoiseWidthM = 0.001;
// A gap names at most this many of the grids around it.
inline constexpr size_t kGapMaxNeighbours = 4;

struct GapOptions {
  // Coordinates in degrees (metres measured in a local plane at each hole);
  // false: projected, CRS units taken as metres.
  bool geographic = true;
  // The union's snap-rounding grid in CRS units: the pack's lattice (1e-9
  // degree or 1e-4 m), so that what the engine cannot tell apart is not a
  // hole.
  double grid_size = 1e-9;
  // A hole is a gap (not an uncovered area) if its area is below
  // max_area_m2 or its mean width 2 * area / perimeter below max_width_m.
  double max_area_m2 = 100;
  double max_width_m = 2;
  int threads = 2;  // >= 1
  // Try GEOS's coverage union first (linear; exact for a clean coverage,
  // checked, and replaced by the snap-rounded union where the check fails).
  // false: the snap-rounded union only (tests compare the two).
  bool coverage_union = true;
};

struct Gap {
  double area_m2 = 0;
  double width_m = 0;  // mean width, 2 * area / perimeter
  XY at;               // a point inside the gap, in the grids' CRS
  // Indexes (into FindGaps' `grids`) of the grids whose boundary touches
  // the gap, ascending, at most kGapMaxNeighbours; `more_neighbours` counts
  // the rest.
  std::vector<size_t> neighbours;
  size_t more_neighbours = 0;
};

struct GapReport {
  std::vector<Gap> gaps;  // largest first
  int64_t noise = 0;      // holes below the noise limits
  int64_t uncovered = 0;  // holes above the gap limits
  double uncovered_area_m2 = 0;
  double largest_uncovered_m2 = 0;
  std::string error;  // GEOS could not compute the union ("": it did)
  // Unions (per block of grids, and the final one) that the coverage union
  // could not do: the data has overlaps, crossing edges or T-junctions there.
  int64_t robust_unions = 0;
};

// REQUIRES: every grid's polygons passed GeometryChecker (valid, RFC 7946
// orientation).
GapReport FindGaps(const std::vector<const SourceGrid*>& grids,
                   const GapOptions& options);

}  // namespace gridroute::import

#endif  // GRIDROUTE_TOOLS_IMPORT_GAP_FINDER_H_
