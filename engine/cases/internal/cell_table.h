// Copyright 2026 gridroute authors.
//
// CellTable: the fold index's uint64 key -> uint32 value hash table. Open
// addressing with linear probing and keys stored beside their values, so a
// lookup is one cache miss (absl::flat_hash_map keeps control bytes and
// slots apart: two). Load factor <= 1/2; deletion by backward shift (no
// tombstones), so long-running churn never degrades it.
//
// Why not absl: BM_FoldDecide/100000 spent most of its time in three cache
// misses (control byte, slot, entry); this removes one (CASES.md).
//
// Thread-safety: not thread-safe; const methods may run concurrently.
#ifndef GRIDROUTE_CASES_INTERNAL_CELL_TABLE_H_
#define GRIDROUTE_CASES_INTERNAL_CELL_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cases/internal/huge_alloc.h"

namespace gridroute::cases_internal {

class CellTable {
 public:
  static constexpr uint32_t kEmpty = ~0u;  // a value never stored

  CellTable() { Clear(); }

  // The value of `key`, or kEmpty.
  uint32_t Find(uint64_t key) const {
    for (size_t i = Home(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.value == kEmpty) return kEmpty;
      if (s.key == key) return s.value;
    }
  }
  // Hints the CPU to load `key`'s home slot.
  void Prefetch(uint64_t key) const { __builtin_prefetch(&slots_[Home(key)]); }

  // The value slot of `key`, inserted with `value` if absent (*inserted
  // says which). The pointer is valid until the next insertion or erase.
  // REQUIRES: value != kEmpty.
  uint32_t* FindOrInsert(uint64_t key, uint32_t value, bool* inserted) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    size_t i = Home(key);
    for (;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.value == kEmpty) break;
      if (s.key == key) {
        *inserted = false;
        return &s.value;
      }
    }
    slots_[i] = Slot{key, value};
    ++size_;
    *inserted = true;
    return &slots_[i].value;
  }

  // Removes `key` (which must be present).
  void Erase(uint64_t key) {
    size_t i = Home(key);
    while (slots_[i].key != key || slots_[i].value == kEmpty)
      i = (i + 1) & mask_;
    // Backward shift: pull later members of the run into the hole unless
    // their home lies cyclically in (hole, j].
    for (size_t j = (i + 1) & mask_; slots_[j].value != kEmpty;
         j = (j + 1) & mask_) {
      const size_t h = Home(slots_[j].key);
      const bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i].value = kEmpty;
    --size_;
  }

  size_t size() const { return size_; }
  void Clear() {
    slots_.assign(16, Slot{0, kEmpty});
    mask_ = 15;
    size_ = 0;
  }

 private:
  struct Slot {
    uint64_t key;
    uint32_t value;
  };

  size_t Home(uint64_t k) const {
    k ^= k >> 33;  // murmur3 finalizer
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return static_cast<size_t>(k) & mask_;
  }
  using Slots = std::vector<Slot, HugePageAllocator<Slot>>;
  void Grow() {
    Slots old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{0, kEmpty});
    mask_ = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.value == kEmpty) continue;
      size_t i = Home(s.key);
      while (slots_[i].value != kEmpty) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }

  Slots slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace gridroute::cases_internal

#endif  // GRIDROUTE_CASES_INTERNAL_CELL_TABLE_H_
