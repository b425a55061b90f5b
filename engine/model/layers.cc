// Copyright 2026 gridroute authors.
#include "model/layers.h"

#include <algorithm>
#include <numeric>

namespace gridroute {

Layers::Layers(std::vector<Layer> attrs, GridGeometry geometry)
    : attrs_(std::move(attrs)), geometry_(std::move(geometry)) {
  std::vector<int32_t> order(attrs_.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    if (attrs_[a].priority != attrs_[b].priority) return attrs_[a].priority > attrs_[b].priority;
    return attrs_[a].code < attrs_[b].code;
  });
  rank_.resize(attrs_.size());
  for (size_t i = 0; i < order.size(); ++i) rank_[order[i]] = static_cast<int32_t>(i);
  for (int32_t i = 0; i < size(); ++i) by_code_.emplace(attrs_[i].code, i);
  index_ = std::make_unique<BoxIndex>(geometry_.boxes());
}

int32_t Layers::Find(absl::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? -1 : it->second;
}

void Layers::Hits(IPoint p, std::vector<int32_t>* out) const {
  if (!index_) return;
  const size_t first = out->size();
  index_->VisitContaining(p, [&](uint32_t l) {
    if (geometry_.Classify(l, p) != Side::kOutside) out->push_back(static_cast<int32_t>(l));
  });
  std::sort(out->begin() + first, out->end(),
            [&](int32_t a, int32_t b) { return rank_[a] < rank_[b]; });
}

size_t Layers::MemoryBytes() const {
  size_t s = geometry_.MemoryBytes() + (index_ ? index_->MemoryBytes() : 0);
  for (const Layer& l : attrs_) s += sizeof(Layer) + l.code.capacity() + l.name.capacity() + l.owner.capacity();
  return s;
}

}  // namespace gridroute
