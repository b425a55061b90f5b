// Copyright 2026 gridroute authors.
//
// PodArray<T>: a read-only array of trivially copyable T that either owns
// its elements (a std::vector, filled by a builder) or borrows them from
// memory someone else keeps alive (a compiled snapshot file's mapping,
// snapshot/SNAPSHOT_FORMAT.md), holding a reference to that owner.
//
//   PodArray<IPoint> a;
//   a.owned().push_back(p);                 // building
//   b.Borrow(span_into_mapping, mapping);   // loading in place
//   const IPoint* d = a.data();
//
// Thread-safety: const methods are safe to share. Copying copies owned
// elements, and shares a borrowed view and its owner.
#ifndef GRIDROUTE_COMMON_POD_ARRAY_H_
#define GRIDROUTE_COMMON_POD_ARRAY_H_

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/types/span.h"

namespace gridroute {

template <typename T>
class PodArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  PodArray() = default;

  // The owned elements, for a builder. REQUIRES: !borrowed().
  std::vector<T>& owned() { return owned_; }
  // Views `view` (not copied); `keep` keeps its memory alive. Drops any
  // owned elements.
  void Borrow(absl::Span<const T> view, std::shared_ptr<const void> keep) {
    owned_ = std::vector<T>();
    view_ = view;
    keep_ = std::move(keep);
  }
  bool borrowed() const { return keep_ != nullptr; }

  const T* data() const { return borrowed() ? view_.data() : owned_.data(); }
  size_t size() const { return borrowed() ? view_.size() : owned_.size(); }
  bool empty() const { return size() == 0; }
  const T& operator[](size_t i) const { return data()[i]; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }
  absl::Span<const T> span() const {
    return absl::Span<const T>(data(), size());
  }
  // Heap bytes held (owned capacity), or the bytes viewed (resident once
  // read).
  size_t MemoryBytes() const {
    return borrowed() ? view_.size() * sizeof(T)
                      : owned_.capacity() * sizeof(T);
  }

 private:
  std::vector<T> owned_;
  absl::Span<const T> view_;
  std::shared_ptr<const void> keep_;  // set iff borrowed
};

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_POD_ARRAY_H_
