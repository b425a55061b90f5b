// Copyright 2026 gridroute authors.
#include "index/box_index.h"

#include <utility>

#include <boost/function_output_iterator.hpp>
#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

namespace gridroute {
namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;

using BPoint = bg::model::point<int64_t, 2, bg::cs::cartesian>;
using BBox = bg::model::box<BPoint>;
using Value = std::pair<BBox, uint32_t>;

struct BoxIndex::Impl {
  bgi::rtree<Value, bgi::quadratic<16>> tree;
  size_t size = 0;
};

namespace {
BBox ToBBox(const IBox& b) {
  return BBox(BPoint(b.min_x, b.min_y), BPoint(b.max_x, b.max_y));
}
}  // namespace

BoxIndex::BoxIndex(const std::vector<IBox>& boxes) : impl_(new Impl) {
  std::vector<Value> values;
  values.reserve(boxes.size());
  for (uint32_t i = 0; i < boxes.size(); ++i) {
    values.emplace_back(ToBBox(boxes[i]), i);
  }
  // The range constructor bulk-loads with the packing (STR) algorithm.
  impl_->tree = bgi::rtree<Value, bgi::quadratic<16>>(values.begin(), values.end());
  impl_->size = boxes.size();
}

BoxIndex::~BoxIndex() = default;

void BoxIndex::VisitContaining(IPoint p, absl::FunctionRef<void(uint32_t)> f) const {
  impl_->tree.query(bgi::intersects(BPoint(p.x, p.y)),
                    boost::make_function_output_iterator(
                        [&](const Value& v) { f(v.second); }));
}

void BoxIndex::VisitIntersecting(const IBox& b,
                                 absl::FunctionRef<void(uint32_t)> f) const {
  impl_->tree.query(bgi::intersects(ToBBox(b)),
                    boost::make_function_output_iterator(
                        [&](const Value& v) { f(v.second); }));
}

size_t BoxIndex::MemoryBytes() const {
  // Leaves hold the values; a packed tree with fan-out 16 adds ~1/15 for the
  // internal nodes, and each node carries a small header.
  return static_cast<size_t>(impl_->size * sizeof(Value) * 16 / 15 +
                             impl_->size / 16 * 64);
}

}  // namespace gridroute
