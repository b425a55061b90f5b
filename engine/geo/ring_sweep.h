// Copyright 2026 gridroute authors.
//
// Sweep-line checks on rings of the integer lattice (geo/geometry.h), in
// O(n log n) whatever the shape: Shamos–Hoey for "do two edges of a ring
// meet", and a sweep that places many points against one simple ring at
// once. Both are exact (every decision is an Orient of lattice points).
//
//   uint32_t i, j;
//   if (FindMeetingEdges(ring.data(), ring.size(), &i, &j)) {
//     // edges i and j (edge k runs from vertex k to vertex k + 1) meet
//   }
//   std::vector<Side> where(points.size());
//   ClassifyPointsInRing(shell.data(), shell.size(), points.data(),
//                        points.size(), where.data());
//
// Both sweep a vertical line from left to right over the lexicographic
// (x, then y) order of the vertices, keeping the edges the line crosses in a
// balanced tree ordered bottom to top; vertical edges are handled as if the
// line were turned infinitesimally counter-clockwise, so no case is special.
// Cost: O((n + m) log n) time; ~100 bytes a vertex of transient memory
// (BM_FindMeetingEdges; measured times: PACK.md, "Rings and holes").
// Thread-safety: pure functions.
#ifndef GRIDROUTE_GEO_RING_SWEEP_H_
#define GRIDROUTE_GEO_RING_SWEEP_H_

#include <cstddef>
#include <cstdint>

#include "geo/geometry.h"

namespace gridroute {

// Looks for two non-adjacent edges of an open ring whose closed segments
// share a point: a crossing, a vertex touching another edge, a collinear
// overlap or a vertex visited twice. Adjacent edges (k and k + 1, and n - 1
// and 0) may share their common vertex only, which the REQUIRES below
// guarantees. Returns false if no such pair exists, else true with one such
// pair in *i < *j (not necessarily the first in any order).
// REQUIRES: n >= 4; no two cyclically consecutive vertices equal; no vertex
// where the ring folds back onto the edge it came along (Orient(a, b, c) == 0
// with b - a and c - b pointing opposite ways). CleanRing checks both first.
bool FindMeetingEdges(const IPoint* pts, size_t n, uint32_t* i, uint32_t* j);

// out[k] = where points[k] lies relative to the closed region bounded by the
// ring (Side::kBoundary on an edge or vertex), the same answer as
// ClassifyRings over this one ring.
// REQUIRES: the ring is simple (n >= 3 and FindMeetingEdges found nothing,
// or n == 3 with non-zero area), i.e. CleanRing accepted it.
void ClassifyPointsInRing(const IPoint* ring, size_t n, const IPoint* points,
                          size_t m, Side* out);

}  // namespace gridroute

#endif  // GRIDROUTE_GEO_RING_SWEEP_H_
