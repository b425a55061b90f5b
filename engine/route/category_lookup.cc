// Copyright 2026 gridroute authors.
#include "route/category_lookup.h"

namespace gridroute {

bool CategoryLookup::Key(CategoryType type, absl::string_view code, uint64_t* key) {
  if (code.size() > 7) return false;
  // Low byte: length (0..7) | 8 | type << 4: never 0, so 0 marks an empty slot.
  uint64_t k = code.size() | 8u | (static_cast<uint64_t>(type) << 4);
  for (size_t i = 0; i < code.size(); ++i) {
    k |= static_cast<uint64_t>(static_cast<uint8_t>(code[i])) << (8 * (i + 1));
  }
  *key = k;
  return true;
}

CategoryLookup CategoryLookup::Compile(const Categories& categories, const Teams& teams) {
  CategoryLookup l;
  l.categories_ = &categories;
  const int32_t n = categories.size();
  l.by_index_.resize(n);
  size_t size = 4;
  int bits = 2;
  while (size < static_cast<size_t>(n) * 2) {
    size *= 2;
    ++bits;
  }
  l.slots_.resize(size);
  l.shift_ = 64 - bits;
  for (int32_t c = 0; c < n; ++c) {
    const Category& cat = categories.at(c);
    Hot& h = l.by_index_[c];
    h.index = c;
    h.urgency_mask = cat.urgency_mask;
    h.type = cat.type;
    if (!cat.specialty.empty()) h.team_specialty = teams.FindSpecialty(cat.specialty);
    for (int32_t u = 0; u < kMaxUrgencies; ++u) {
      if (cat.AllowsUrgency(u)) {
        h.default_urgency = static_cast<int8_t>(u);
        break;
      }
    }
    uint64_t key;
    if (!Key(cat.type, cat.code, &key)) continue;
    size_t i = l.SlotOf(key);
    while (l.slots_[i].key != 0) i = (i + 1) & (size - 1);
    l.slots_[i] = Slot{key, h};
  }
  for (const std::string& u : categories.urgencies()) {
    uint64_t key = 0;
    if (!Key(CategoryType::kEvent, u, &key)) {
      key = 0;
      l.long_urgency_ = true;
    }
    l.urgency_keys_.push_back(key);
  }
  return l;
}

const CategoryLookup::Hot* CategoryLookup::Find(CategoryType type, absl::string_view code) const {
  uint64_t key;
  if (!Key(type, code, &key)) {
    const int32_t c = categories_ == nullptr ? -1 : categories_->Find(type, code);
    return c < 0 ? nullptr : &by_index_[c];
  }
  const size_t mask = slots_.size() - 1;
  for (size_t i = SlotOf(key);; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.key == key) return &s.hot;
    if (s.key == 0) return nullptr;
  }
}

int32_t CategoryLookup::FindUrgency(absl::string_view name) const {
  uint64_t key;
  if (!Key(CategoryType::kEvent, name, &key)) {
    return long_urgency_ && categories_ != nullptr ? categories_->FindUrgency(name) : -1;
  }
  for (size_t u = 0; u < urgency_keys_.size(); ++u) {
    if (urgency_keys_[u] == key) return static_cast<int32_t>(u);
  }
  return -1;
}

}  // namespace gridroute
