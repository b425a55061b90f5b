// Copyright 2026 gridroute authors.
//
// Geometry checks run by the loader before a pack may become a snapshot.
#ifndef GRIDROUTE_SNAPSHOT_VALIDATE_H_
#define GRIDROUTE_SNAPSHOT_VALIDATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "geo/geometry.h"
#include "geo/grid_geometry.h"
#include "index/box_index.h"

namespace gridroute {

// Checks one ring as read from GeoJSON (closing vertex included) and, if it is
// valid, rewrites it in place as an open ring with consecutive duplicate
// vertices removed. Returns "" or the problem: "ring is not closed", "ring has
// fewer than 3 distinct vertices", "ring self-intersects: edges i and j ...".
// Two edges that are not neighbours along the ring may share no point
// (crossing, touching, overlapping, a vertex visited twice); neighbours share
// only their common vertex (no fold-back).
// Cost: O(n log n) (a sweep line, geo/ring_sweep.h FindMeetingEdges), also
// for adversarial rings such as a star of long thin spikes; n is at most
// snapshot/geojson_reader.h kMaxRingVertices (BM_CleanRing,
// BM_CleanRingSpiked; measured times: PACK.md, "Rings and holes").
std::string CleanRing(std::vector<IPoint>& ring);

struct Overlap {
  uint32_t a = 0, b = 0;  // grid ids, a < b
  double area_m2 = 0;
};

struct OverlapReport {
  std::vector<Overlap> overlaps;   // pairs over the tolerance
  int64_t suspicious_pairs = 0;    // pairs whose area had to be computed
};

// Finds pairs of grids whose interiors intersect by more than `tolerance_m2`.
// Every pair with intersecting boxes gets an exact integer test (proper edge
// crossings, vertices and edge midpoints strictly inside the other, equal
// boxes); only pairs that fail it get their intersection area computed (with
// Boost.Geometry, in a local metric plane). Shared edges, T-junctions and
// shared vertices are never overlaps. Runs on `threads` threads; the result
// (sorted by grid ids) does not depend on the thread count. `index`: a
// BoxIndex over geometry.ComputeBoxes() (e.g. to share it with the cell locator);
// null: one is built for the call.
// Cost per pair: edge by edge (O(edges_a x edges_b) in the boxes'
// intersection) for ordinary pairs; pairs with more than 2^14 such edge
// pairs (two large grids along a long border) are tested indexed, in
// O(n log n) for real borders (figures: PACK.md). Not bounded yet: a grid of
// 1e6 vertices costs a walk of its vertices for each small neighbour (its
// vertex lookups and ray tests are per pair).
OverlapReport FindOverlaps(const GridGeometry& geometry, const Quantizer& q,
                           double tolerance_m2, int threads = 1,
                           const BoxIndex* index = nullptr);

namespace validate_internal {
// Test hook: pairs with more than `work` pairs of edges near each other take
// the indexed path (default 2^14; 0: every pair, SIZE_MAX: none). Both paths
// must give the same report. Not thread-safe; set before FindOverlaps.
void SetLargePairWorkForTesting(size_t work);
}  // namespace validate_internal

// Area in m² of the intersection of grids a and b (overlap_area.cc).
double IntersectionAreaM2(const GridGeometry& geometry, const Quantizer& q,
                          uint32_t a, uint32_t b);

// Area of grid g in m² (holes subtracted), in a local plane at its box centre.
double GridAreaM2(const GridGeometry& geometry, const Quantizer& q, uint32_t g);

}  // namespace gridroute

#endif  // GRIDROUTE_SNAPSHOT_VALIDATE_H_
