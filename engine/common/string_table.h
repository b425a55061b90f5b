// Copyright 2026 gridroute authors.
//
// An append-only table of strings packed into one buffer: two allocations for
// millions of grid codes and names instead of one per string.
//
//   StringTable t;
//   uint32_t id = t.Add("320501001001001");
//   absl::string_view s = t.Get(id);
//
// Memory: the characters, plus 4 bytes per string for its end offset, or
// nothing at all while every string has the same length (codes usually do):
// the offsets are only materialised when a string of another length arrives.
// Past 4 GiB of characters the offsets wrap; `wraps_` records where (one
// entry per 4 GiB, so Get() stays a few instructions).
//
// Thread-safety: const methods are safe to share once filling is done.
#ifndef GRIDROUTE_COMMON_STRING_TABLE_H_
#define GRIDROUTE_COMMON_STRING_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/pod_array.h"

namespace gridroute {

class StringTable {
 public:
  StringTable() = default;
  uint32_t Add(absl::string_view s) {
    if (count_ == 0 && offsets_.empty()) width_ = s.size();
    if (uniform() && s.size() != width_) Materialize();
    chars_.owned().insert(chars_.owned().end(), s.data(), s.data() + s.size());
    if (!uniform()) {
      const uint64_t end = chars_.size();
      if ((end >> 32) != wraps_.size()) {
        // The end offset of string `count_` is the first past this 4 GiB.
        while ((end >> 32) > wraps_.size()) wraps_.push_back(count_);
      }
      offsets_.owned().push_back(static_cast<uint32_t>(end));
    }
    return count_++;
  }
  absl::string_view Get(uint32_t i) const {
    if (uniform()) return absl::string_view(chars_.data() + width_ * i, width_);
    const uint64_t b = i == 0 ? 0 : End(i - 1);
    return absl::string_view(chars_.data() + b, End(i) - b);
  }
  uint32_t size() const { return count_; }
  // Starts fetching string i's characters (or, when lengths vary, where its
  // offsets are), for a caller that will Get() many strings soon.
  void Prefetch(uint32_t i) const {
    if (uniform()) {
      __builtin_prefetch(chars_.data() + width_ * i);
    } else if (i < offsets_.size()) {
      __builtin_prefetch(offsets_.data() + i);
    }
  }
  void Reserve(size_t strings, size_t chars) {
    if (!uniform()) offsets_.owned().reserve(strings);
    chars_.owned().reserve(chars);
  }
  // Releases spare capacity (after filling).
  void ShrinkToFit() {
    chars_.owned().shrink_to_fit();
    offsets_.owned().shrink_to_fit();
  }
  size_t MemoryBytes() const {
    return chars_.MemoryBytes() + offsets_.MemoryBytes() +
           wraps_.capacity() * sizeof(uint32_t);
  }

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  // True while all strings so far have length width_ (no offsets stored).
  bool uniform() const { return offsets_.empty() && width_ != kMixed; }
  uint64_t End(uint32_t i) const {
    uint64_t high = 0;
    for (uint32_t w : wraps_) {  // empty below 4 GiB of characters
      if (i < w) break;
      high += uint64_t{1} << 32;
    }
    return high + offsets_[i];
  }
  void Materialize() {
    offsets_.owned().reserve(count_ + 1);
    for (uint32_t i = 0; i < count_; ++i) {
      const uint64_t end = width_ * (i + 1);
      while ((end >> 32) > wraps_.size()) wraps_.push_back(i);
      offsets_.owned().push_back(static_cast<uint32_t>(end));
    }
    width_ = kMixed;
  }

  static constexpr size_t kMixed = ~size_t{0};
  // Owned while filling; viewed in a compiled snapshot's mapping when it is
  // loaded in place (LoadOptions::view_in_place).
  PodArray<char> chars_;
  size_t width_ = 0;  // common length while uniform(), else kMixed
  uint32_t count_ = 0;
  PodArray<uint32_t> offsets_;  // end of string i (mod 2^32), if !uniform()
  std::vector<uint32_t> wraps_;  // k-th: first i whose end is >= (k+1) * 4 GiB
};

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_STRING_TABLE_H_
