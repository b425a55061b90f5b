// Copyright 2026 gridroute authors.
#include "model/layers.h"

#include <algorithm>
#include <numeric>

namespace gridroute {

Layers::Layers(std::vector<Layer> attrs, GridGeometry geometry)
    : geometry_(std::move(geometry)) {
  const int32_t n = static_cast<int32_t>(attrs.size());
  std::vector<int32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    if (attrs[a].priority != attrs[b].priority)
      return attrs[a].priority > attrs[b].priority;
    return attrs[a].code < attrs[b].code;
  });
  rank_.resize(n);
  for (int32_t i = 0; i < n; ++i) rank_[order[i]] = i;
  by_code_.resize(n);
  std::iota(by_code_.begin(), by_code_.end(), 0);
  std::stable_sort(by_code_.begin(), by_code_.end(), [&](int32_t a, int32_t b) {
    return attrs[a].code < attrs[b].code;
  });
  priority_.reserve(n);
  for (const Layer& l : attrs) {
    codes_.Add(l.code);
    names_.Add(l.name);
    kinds_.Add(l.kind);
    owners_.Add(l.owner);
    contacts_.Add(l.owner_contact);
    priority_.push_back(l.priority);
  }
  for (StringTable* t : {&codes_, &names_, &kinds_, &owners_, &contacts_})
    t->ShrinkToFit();
  index_ = std::make_unique<BoxIndex>(geometry_.ComputeBoxes());
}

int32_t Layers::Find(absl::string_view code) const {
  // The first layer with this code (codes are unique in a loaded pack).
  auto it = std::lower_bound(
      by_code_.begin(), by_code_.end(), code,
      [&](int32_t l, absl::string_view c) { return codes_.Get(l) < c; });
  return it != by_code_.end() && codes_.Get(*it) == code ? *it : -1;
}

void Layers::Hits(IPoint p, std::vector<int32_t>* out) const {
  if (!index_) return;
  const size_t first = out->size();
  index_->VisitContaining(p, [&](uint32_t l) {
    if (geometry_.Classify(l, p) != Side::kOutside)
      out->push_back(static_cast<int32_t>(l));
  });
  std::sort(out->begin() + first, out->end(),
            [&](int32_t a, int32_t b) { return rank_[a] < rank_[b]; });
}

void Layers::VisitBoxesIntersecting(const IBox& b,
                                    absl::FunctionRef<void(int32_t)> f) const {
  if (!index_) return;
  index_->VisitIntersecting(b, [&](uint32_t l) {
    const IBox lb = geometry_.box(l);
    if (lb.min_x <= b.max_x && b.min_x <= lb.max_x && lb.min_y <= b.max_y &&
        b.min_y <= lb.max_y) {
      f(static_cast<int32_t>(l));
    }
  });
}

size_t Layers::MemoryBytes() const {
  return geometry_.MemoryBytes() + (index_ ? index_->MemoryBytes() : 0) +
         codes_.MemoryBytes() + names_.MemoryBytes() + kinds_.MemoryBytes() +
         owners_.MemoryBytes() + contacts_.MemoryBytes() +
         (priority_.capacity() + rank_.capacity() + by_code_.capacity()) *
             sizeof(int32_t);
}

}  // namespace gridroute
