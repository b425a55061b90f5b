// Copyright 2026 gridroute authors.
//
// CategoryLookup: the report's category and urgency names to what routing
// needs of them, one probe each, compiled when the Router is built.
//
//   CategoryLookup l = CategoryLookup::Compile(snapshot.categories(), snapshot.teams());
//   const CategoryLookup::Hot* c = l.Find(CategoryType::kEvent, "0102");
//   c->index; c->urgency_mask; c->default_urgency; c->team_specialty;
//   int32_t u = l.FindUrgency("urgent");
//
// A code of up to 7 bytes (every CJ/T 214 code) is packed with its length
// and type into one integer and looked up in an open-addressed table whose
// slot holds the category's hot fields (16 bytes, next to the key), so a
// lookup is a multiply, one slot read (rarely two) and a compare; longer
// codes take Categories::Find. Urgency names of up to 7 bytes compare as
// integers against the pack's (at most kMaxUrgencies) names.
//
// Exactness: answers as Categories::Find / FindUrgency
// (tests/route/compiled_rules_test.cc checks every category and urgency and
// names that are not there). Thread-safety: immutable after Compile().
// Memory: 24 bytes per table slot (2-4 slots per category).
#ifndef GRIDROUTE_ROUTE_CATEGORY_LOOKUP_H_
#define GRIDROUTE_ROUTE_CATEGORY_LOOKUP_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "model/categories.h"
#include "model/teams.h"

namespace gridroute {

class CategoryLookup {
 public:
  struct Hot {
    int32_t index = -1;             // Categories index
    uint32_t urgency_mask = 0;      // Category::urgency_mask
    int32_t team_specialty = -1;    // Teams::specialties() index of the category's specialty
    int8_t default_urgency = -1;    // the lowest allowed urgency
    CategoryType type = CategoryType::kEvent;
    bool AllowsUrgency(int32_t u) const { return u >= 0 && (urgency_mask >> u) & 1; }
  };

  CategoryLookup() = default;
  static CategoryLookup Compile(const Categories& categories, const Teams& teams);

  // The category (type, code), or null.
  const Hot* Find(CategoryType type, absl::string_view code) const;
  // Categories::FindUrgency.
  int32_t FindUrgency(absl::string_view name) const;
  // REQUIRES: 0 <= c < number of categories.
  const Hot& at(int32_t c) const { return by_index_[c]; }

 private:
  struct Slot {
    uint64_t key = 0;  // 0: empty (a key always has its length byte set)
    Hot hot;
  };
  // (type, code) of up to 7 bytes as one integer, never 0; false if longer.
  static bool Key(CategoryType type, absl::string_view code, uint64_t* key);
  size_t SlotOf(uint64_t key) const { return (key * 0x9E3779B97F4A7C15ull) >> shift_; }

  const Categories* categories_ = nullptr;  // for codes longer than 7 bytes
  std::vector<Hot> by_index_;
  std::vector<Slot> slots_;  // power of two, at most half full
  int shift_ = 63;
  std::vector<uint64_t> urgency_keys_;  // per urgency; 0 for a name longer than 7 bytes
  bool long_urgency_ = false;
};

}  // namespace gridroute

#endif  // GRIDROUTE_ROUTE_CATEGORY_LOOKUP_H_
