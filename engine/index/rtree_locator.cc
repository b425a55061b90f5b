// Copyright 2026 gridroute authors.
//
// The baseline locator: packed R-tree over grid boxes + exact even-odd test.
#include <algorithm>
#include <memory>

#include "geo/metric.h"
#include "index/box_index.h"
#include "index/locator.h"
#include "index/snap.h"

namespace gridroute {
namespace {

class RtreeLocator final : public Locator {
 public:
  RtreeLocator(const GridGeometry* geometry, const Quantizer& q)
      : geometry_(geometry), quantizer_(q), index_(geometry->ComputeBoxes()) {}

  LocateResult Locate(IPoint p, const LocateOptions& options) const override {
    uint32_t best = kNoGrid;
    Side best_side = Side::kOutside;
    index_.VisitContaining(p, [&](uint32_t g) {
      if (g >= best) return;
      Side s = geometry_->Classify(g, p);
      if (s != Side::kOutside) {
        best = g;
        best_side = s;
      }
    });
    if (best != kNoGrid) {
      return {best, best_side == Side::kBoundary ? How::kOnEdge : How::kInside, 0};
    }
    if (options.snap_m > 0) {
      return SnapToNearest(*geometry_, index_, quantizer_, p, options.snap_m);
    }
    return {};
  }

  size_t MemoryBytes() const override { return index_.MemoryBytes(); }
  const char* name() const override { return "rtree"; }

 private:
  const GridGeometry* geometry_;
  Quantizer quantizer_;
  BoxIndex index_;
};

}  // namespace

std::unique_ptr<Locator> BuildRtreeLocator(const GridGeometry* geometry,
                                           const Quantizer& quantizer) {
  return std::make_unique<RtreeLocator>(geometry, quantizer);
}

}  // namespace gridroute
