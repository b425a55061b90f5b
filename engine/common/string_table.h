// Copyright 2026 gridroute authors.
//
// An append-only table of strings packed into one buffer: two allocations for
// millions of grid codes and names instead of one per string.
//
//   StringTable t;
//   uint32_t id = t.Add("320501001001001");
//   absl::string_view s = t.Get(id);
//
// Thread-safety: const methods are safe to share once filling is done.
#ifndef GRIDROUTE_COMMON_STRING_TABLE_H_
#define GRIDROUTE_COMMON_STRING_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace gridroute {

class StringTable {
 public:
  StringTable() { offsets_.push_back(0); }
  uint32_t Add(absl::string_view s) {
    chars_.append(s.data(), s.size());
    offsets_.push_back(chars_.size());
    return static_cast<uint32_t>(offsets_.size() - 2);
  }
  absl::string_view Get(uint32_t i) const {
    return absl::string_view(chars_.data() + offsets_[i],
                             offsets_[i + 1] - offsets_[i]);
  }
  uint32_t size() const { return static_cast<uint32_t>(offsets_.size() - 1); }
  void Reserve(size_t strings, size_t chars) {
    offsets_.reserve(strings + 1);
    chars_.reserve(chars);
  }
  size_t MemoryBytes() const {
    return chars_.capacity() + offsets_.capacity() * sizeof(uint64_t);
  }

 private:
  std::string chars_;
  std::vector<uint64_t> offsets_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_STRING_TABLE_H_
