// Copyright 2026 gridroute authors.
//
// Exact planar geometry on quantized integer coordinates.
//
// Every coordinate the engine stores or queries is quantized once, at the
// boundary, to a signed 64-bit integer: 1e-9 degree (about 0.1 mm) for a
// geographic CRS, 1e-4 metre for a projected one. All predicates below are
// then exact (products are taken in __int128), so "is this point on the shared
// edge of two grids" has one answer, independent of load order or rounding.
//
//   Quantizer q(/*geographic=*/true);
//   IPoint p = q.Quantize(120.6012345, 31.2987654);
//   if (Orient(a, b, p) == 0 && OnSegment(a, b, p)) { ... }
//
// Thread-safety: all functions are pure; Quantizer is immutable.
#ifndef GRIDROUTE_GEO_GEOMETRY_H_
#define GRIDROUTE_GEO_GEOMETRY_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace gridroute {

struct IPoint {
  int64_t x = 0;
  int64_t y = 0;
  friend bool operator==(const IPoint& a, const IPoint& b) {
    return a.x == b.x && a.y == b.y;
  }
};

// Closed axis-aligned box [min, max] on both axes.
struct IBox {
  int64_t min_x = std::numeric_limits<int64_t>::max();
  int64_t min_y = std::numeric_limits<int64_t>::max();
  int64_t max_x = std::numeric_limits<int64_t>::min();
  int64_t max_y = std::numeric_limits<int64_t>::min();

  void Expand(IPoint p) {
    min_x = std::min(min_x, p.x);
    min_y = std::min(min_y, p.y);
    max_x = std::max(max_x, p.x);
    max_y = std::max(max_y, p.y);
  }
  void Expand(const IBox& b) {
    min_x = std::min(min_x, b.min_x);
    min_y = std::min(min_y, b.min_y);
    max_x = std::max(max_x, b.max_x);
    max_y = std::max(max_y, b.max_y);
  }
  bool empty() const { return min_x > max_x; }
  bool Contains(IPoint p) const {
    return p.x >= min_x && p.x <= max_x && p.y >= min_y && p.y <= max_y;
  }
  bool Intersects(const IBox& b) const {
    return min_x <= b.max_x && b.min_x <= max_x && min_y <= b.max_y &&
           b.min_y <= max_y;
  }
};

// Converts CRS coordinates to and from the integer lattice.
class Quantizer {
 public:
  static constexpr double kGeographicScale = 1e9;  // units per degree
  static constexpr double kProjectedScale = 1e4;   // units per metre

  explicit Quantizer(bool geographic)
      : scale_(geographic ? kGeographicScale : kProjectedScale),
        geographic_(geographic) {}

  // REQUIRES: x and y finite and within the CRS's valid range (callers check
  // with CheckCoordinate first; the range keeps the products below in range).
  IPoint Quantize(double x, double y) const {
    return IPoint{Round(x * scale_), Round(y * scale_)};
  }
  // std::llround (halves away from zero) without the libm call, for |v| <
  // 2^63: add the double just below 0.5 with v's sign, truncate. The sum
  // rounds to nearest-even, which makes every case exact (v = 0.5: 1 - 2^-54
  // rounds to 1; v = 0.49999999999999994: stays below 1; integers above 2^52
  // stay put). It is the sequence g++ emits for llround under
  // -fno-math-errno -fno-trapping-math; tests/geo/geometry_test.cc compares
  // it with std::llround.
  static int64_t Round(double v) {
    return static_cast<int64_t>(v + std::copysign(0.49999999999999994, v));
  }
  double ToX(int64_t v) const { return static_cast<double>(v) / scale_; }
  double ToY(int64_t v) const { return static_cast<double>(v) / scale_; }
  double scale() const { return scale_; }
  bool geographic() const { return geographic_; }

 private:
  double scale_;
  bool geographic_;
};

// Sign of the cross product (b - a) x (c - a): +1 if c is left of a->b,
// -1 if right, 0 if collinear. Exact.
inline int Orient(IPoint a, IPoint b, IPoint c) {
  __int128 v = static_cast<__int128>(b.x - a.x) * (c.y - a.y) -
               static_cast<__int128>(b.y - a.y) * (c.x - a.x);
  return (v > 0) - (v < 0);
}

// REQUIRES: Orient(a, b, p) == 0. True if p lies on the closed segment a-b.
inline bool OnSegment(IPoint a, IPoint b, IPoint p) {
  return std::min(a.x, b.x) <= p.x && p.x <= std::max(a.x, b.x) &&
         std::min(a.y, b.y) <= p.y && p.y <= std::max(a.y, b.y);
}

// True if the closed segments a-b and c-d share at least one point.
bool SegmentsIntersect(IPoint a, IPoint b, IPoint c, IPoint d);
// True if the segments cross at a single point interior to both.
bool SegmentsCrossProperly(IPoint a, IPoint b, IPoint c, IPoint d);

enum class Side : uint8_t { kOutside = 0, kBoundary = 1, kInside = 2 };

// Where `p` lies relative to the region bounded by the rings
// [ring_begin[r], ring_begin[r+1]) of `pts` for r in [first_ring, last_ring),
// under the even-odd rule (so holes and the parts of a multipolygon need no
// flags). Rings are open: the closing edge is implicit. O(total vertices).
Side ClassifyRings(const IPoint* pts, const uint32_t* ring_begin,
                   uint32_t first_ring, uint32_t last_ring, IPoint p);

// Twice the signed area of an open ring in lattice units² (positive if CCW).
__int128 TwiceSignedArea(const IPoint* pts, uint32_t n);

}  // namespace gridroute

#endif  // GRIDROUTE_GEO_GEOMETRY_H_
