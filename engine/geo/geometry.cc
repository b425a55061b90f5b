// Copyright 2026 gridroute authors.
#include "geo/geometry.h"

namespace gridroute {

bool SegmentsIntersect(IPoint a, IPoint b, IPoint c, IPoint d) {
  const int o1 = Orient(a, b, c), o2 = Orient(a, b, d);
  const int o3 = Orient(c, d, a), o4 = Orient(c, d, b);
  if (o1 * o2 < 0 && o3 * o4 < 0) return true;
  return (o1 == 0 && OnSegment(a, b, c)) || (o2 == 0 && OnSegment(a, b, d)) ||
         (o3 == 0 && OnSegment(c, d, a)) || (o4 == 0 && OnSegment(c, d, b));
}

bool SegmentsCrossProperly(IPoint a, IPoint b, IPoint c, IPoint d) {
  return Orient(a, b, c) * Orient(a, b, d) < 0 &&
         Orient(c, d, a) * Orient(c, d, b) < 0;
}

Side ClassifyRings(const IPoint* pts, const uint32_t* ring_begin,
                   uint32_t first_ring, uint32_t last_ring, IPoint p) {
  bool inside = false;
  for (uint32_t r = first_ring; r < last_ring; ++r) {
    const uint32_t begin = ring_begin[r], end = ring_begin[r + 1];
    IPoint a = pts[end - 1];
    for (uint32_t i = begin; i < end; ++i) {
      const IPoint b = pts[i];
      const bool a_above = a.y > p.y, b_above = b.y > p.y;
      if (a_above != b_above) {
        const int s = Orient(a, b, p);
        if (s == 0) return Side::kBoundary;
        // The ray from p towards +x crosses an upward edge with p on its left
        // and a downward edge with p on its right.
        if ((b.y > a.y) == (s > 0)) inside = !inside;
      } else if ((a.y == p.y || b.y == p.y) &&
                 Orient(a, b, p) == 0 && OnSegment(a, b, p)) {
        return Side::kBoundary;  // horizontal edge or vertex at p's height
      }
      a = b;
    }
  }
  return inside ? Side::kInside : Side::kOutside;
}

__int128 TwiceSignedArea(const IPoint* pts, uint32_t n) {
  __int128 s = 0;
  for (uint32_t i = 0, j = n - 1; i < n; j = i++) {
    s += static_cast<__int128>(pts[j].x) * pts[i].y -
         static_cast<__int128>(pts[i].x) * pts[j].y;
  }
  return s;
}

}  // namespace gridroute
