// Copyright 2026 gridroute authors.
//
// Interners for the case store: codes (categories, grids, departments,
// regions, ...) are kept once and cases hold small ids. Ids are dense and
// follow first-interning order, so the same sequence of records gives the
// same ids; nothing observable depends on them (queries answer codes).
//
// Thread-safety: not thread-safe; const methods may run concurrently.
#ifndef GRIDROUTE_CASES_INTERNAL_DICT_H_
#define GRIDROUTE_CASES_INTERNAL_DICT_H_

#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace gridroute::cases_internal {

// Strings <-> dense ids. The empty string is id -1 and is never stored.
class Dict {
 public:
  int32_t Find(absl::string_view s) const {
    if (s.empty()) return -1;
    auto it = ids_.find(s);
    return it == ids_.end() ? kMissing : it->second;
  }
  int32_t Intern(absl::string_view s) {
    if (s.empty()) return -1;
    auto it = ids_.find(s);
    if (it != ids_.end()) return it->second;
    // The deque never moves its strings, so the map's keys stay valid.
    strings_.emplace_back(s);
    const int32_t id = static_cast<int32_t>(strings_.size() - 1);
    ids_.emplace(strings_.back(), id);
    return id;
  }
  absl::string_view Get(int32_t id) const {
    return id < 0 ? absl::string_view() : absl::string_view(strings_[id]);
  }
  int32_t size() const { return static_cast<int32_t>(strings_.size()); }

  // Find() of a non-empty string never interned.
  static constexpr int32_t kMissing = -2;

 private:
  std::deque<std::string> strings_;
  absl::flat_hash_map<absl::string_view, int32_t> ids_;
};

// Lists of int32 ids <-> dense ids (region chains, helper sets): a city has
// few distinct ones, so a case holds one int instead of a vector.
class ListPool {
 public:
  ListPool() { Intern({}); }  // id 0: the empty list

  int32_t Intern(absl::Span<const int32_t> list) {
    key_.assign(reinterpret_cast<const char*>(list.data()),
                list.size() * sizeof(int32_t));
    auto it = ids_.find(key_);
    if (it != ids_.end()) return it->second;
    const int32_t id = static_cast<int32_t>(lists_.size());
    lists_.emplace_back(list.begin(), list.end());
    ids_.emplace(key_, id);
    return id;
  }
  absl::Span<const int32_t> Get(int32_t id) const { return lists_[id]; }

 private:
  std::deque<std::vector<int32_t>> lists_;
  absl::flat_hash_map<std::string, int32_t> ids_;
  std::string key_;  // scratch
};

}  // namespace gridroute::cases_internal

#endif  // GRIDROUTE_CASES_INTERNAL_DICT_H_
