// Copyright 2026 gridroute authors.
//
// An allocator for the case engine's big, randomly read arrays (cases, fold
// entries, the cell table): blocks of 2 MB or more are 2 MB-aligned with
// transparent huge pages requested (madvise), smaller ones 64-byte aligned.
// With 4 KB pages a random read of a 100+ MB array also misses the TLB;
// the same trick as index/cell_locator.cc's HugeArray.
//
// Thread-safety: stateless.
#ifndef GRIDROUTE_CASES_INTERNAL_HUGE_ALLOC_H_
#define GRIDROUTE_CASES_INTERNAL_HUGE_ALLOC_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace gridroute::cases_internal {

template <typename T>
struct HugePageAllocator {
  using value_type = T;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding

  T* allocate(size_t n) {
    constexpr size_t kHuge = size_t{2} << 20;
    const size_t bytes = n * sizeof(T);
    const bool huge = bytes >= kHuge;
    const size_t align = huge ? kHuge : 64;
    const size_t alloc = (bytes + align - 1) / align * align;
    void* p = std::aligned_alloc(align, alloc == 0 ? align : alloc);
    if (p == nullptr) throw std::bad_alloc();
    if (huge) madvise(p, alloc, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) { std::free(p); }

  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
  template <typename U>
  bool operator!=(const HugePageAllocator<U>&) const {
    return false;
  }
};

}  // namespace gridroute::cases_internal

#endif  // GRIDROUTE_CASES_INTERNAL_HUGE_ALLOC_H_
