// Copyright 2026 gridroute authors.
//
// FullTables: the parts of a FULL decision that depend only on the snapshot
// (a region's RegionRef, a department's Department body, a rule's id, a
// category's code and name, an urgency, a layer's owner fields, a
// specialty), compiled once per published snapshot into protobuf wire
// fragments in one dense arena, so writing a decision (service/full_wire.h)
// copies ready bytes. The FULL counterpart of service/codes_tables.h.
//
//   FullTables t = FullTables::Build(snapshot);   // ServedSnapshot does it
//   out.append(t.region_ref(region));             // Location.chain entry
//
// Person names, phones and ids and grid codes and names stay in the
// snapshot's string tables (copying them would double their memory).
// Memory: ~40 bytes per region, department, rule, category and layer.
// Exactness: full_wire_test compares whole decisions with protobuf's bytes.
// Thread-safety: immutable after Build(); safe to share.
#ifndef GRIDROUTE_SERVICE_FULL_TABLES_H_
#define GRIDROUTE_SERVICE_FULL_TABLES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "snapshot/snapshot.h"

namespace gridroute {

class FullTables {
 public:
  FullTables() = default;
  // O(regions + rules + departments + categories + layers); run when a
  // snapshot is published, off the request path.
  static FullTables Build(const Snapshot& s);

  // Location.chain (5): region r's RegionRef {level, code, name}, tag and
  // length included.
  absl::string_view region_ref(int32_t r) const { return Get(region_begin_, r); }
  // A Department message's body {code, name, channel} (no tag or length).
  absl::string_view department(int32_t d) const { return Get(department_begin_, d); }
  // Decision.rule_id (3) of rule r (empty for an empty id).
  absl::string_view rule_id(uint32_t r) const { return Get(rule_begin_, r); }
  // Decision.category (11) and category_name (12) of category c.
  absl::string_view category(int32_t c) const { return Get(category_begin_, c); }
  // Decision.urgency (9).
  absl::string_view urgency(int32_t u) const { return Get(urgency_begin_, u); }
  // LayerOwner's public fields {layer_code, layer_name, kind} and its
  // personal ones {owner, owner_contact}.
  absl::string_view layer_public(int32_t l) const { return Get(layer_begin_, 2 * int64_t{l}); }
  absl::string_view layer_personal(int32_t l) const {
    return Get(layer_begin_, 2 * int64_t{l} + 1);
  }
  // TeamMember.specialty (2) of specialty s; num_specialties() of them.
  absl::string_view specialty(int32_t s) const { return Get(specialty_begin_, s); }
  uint32_t num_specialties() const { return static_cast<uint32_t>(specialty_begin_.size() - 1); }
  // The level names' count: the deepest chain a Location can have.
  size_t levels() const { return levels_; }

  size_t MemoryBytes() const;

 private:
  absl::string_view Get(const std::vector<uint32_t>& begin, int64_t i) const {
    return absl::string_view(arena_.data() + begin[i], begin[i + 1] - begin[i]);
  }

  std::string arena_;
  std::vector<uint32_t> region_begin_, department_begin_, rule_begin_, category_begin_,
      urgency_begin_, layer_begin_, specialty_begin_;
  size_t levels_ = 0;
};

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_FULL_TABLES_H_
