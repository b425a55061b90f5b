// Copyright 2026 gridroute authors.
//
// Region outlines: the union of a set of grids' polygons, computed by edge
// cancellation, and Douglas-Peucker simplification of rings.
//
//   Outline o = DissolveGrids(snapshot.geometry(), member_grids);
//   for (const OutlinePolygon& p : o.polygons) { ... p.rings[0] is outer ... }
//
// Dissolve: every ring of every member grid is oriented (outer rings CCW,
// holes CW); an edge a->b whose reverse b->a also occurs is shared by two
// members and cancels. What is left is the union's boundary, chained into
// closed rings: CCW rings are outer rings, CW rings holes, each hole given to
// the smallest outer ring around it. Where neighbours share their vertices
// (gridroute-gen's cities, and packs cleaned by a GIS topology check) every
// inner edge cancels. Where they do not (a T-junction: one grid's long edge
// against two shorter ones), those edges stay, as a zero-width slit inside a
// ring: the area is still exact (even-odd and the ring's winding agree), a map
// only draws the inner edge. Edge cancellation keeps in-degree equal to
// out-degree at every vertex, so the edges always chain into closed rings;
// should they not, the outline is the member rings, undissolved
// (`dissolved == false`).
//
// Cost: O(E) hash operations for E member edges, plus O(H * R * V) to place
// H holes among R outer rings (holes are rare); measured times:
// tools/console/CONSOLE.md.
// Thread-safety: pure functions.
#ifndef GRIDROUTE_MAPVIEW_OUTLINE_H_
#define GRIDROUTE_MAPVIEW_OUTLINE_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "geo/geometry.h"
#include "geo/grid_geometry.h"

namespace gridroute {

// One polygon: rings[0] the outer ring (CCW), the rest its holes (CW). Rings
// are open (the closing vertex is not repeated), on the pack's lattice.
struct OutlinePolygon {
  std::vector<std::vector<IPoint>> rings;
};

struct Outline {
  std::vector<OutlinePolygon> polygons;
  IBox box;
  bool dissolved = true;  // false: the member rings, undissolved (see above)
  size_t num_vertices() const;
};

// The union of `grids` (ids into `geometry`). Empty input: empty outline.
Outline DissolveGrids(const GridGeometry& geometry,
                      absl::Span<const uint32_t> grids);

// Douglas-Peucker on an open ring: keeps the vertices whose removal would move
// the ring by more than `tolerance` lattice units, always at least 3 (the two
// farthest-apart vertices and the one farthest from their chord). The result
// is a subsequence of `ring`. tolerance <= 0 or fewer than 4 vertices: a copy.
// Returns an empty vector when the whole ring lies within `tolerance` of a
// segment (a sliver or a tiny hole, invisible at this tolerance).
std::vector<IPoint> SimplifyRing(absl::Span<const IPoint> ring,
                                 double tolerance);

}  // namespace gridroute

#endif  // GRIDROUTE_MAPVIEW_OUTLINE_H_
