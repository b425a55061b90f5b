// Copyright 2026 gridroute authors.
//
// CodesTables: the codes a CODES answer copies, compiled once per published
// snapshot into protobuf wire fragments in one dense arena, so writing a
// decision (service/codes_wire.h) is a few memcpys of ready bytes instead of
// a tag, a length and a string copy per field, each from a std::string
// scattered over the snapshot's model objects.
//
//   CodesTables t = CodesTables::Build(snapshot);     // ServedSnapshot does it
//   out.append(t.region_chain(region));   // every region code, top first
//   out.append(t.rule_routing(rule));     // rule id, lead and helpers
//
// Fragments (routing.proto DecisionCodes field numbers):
// - region_chain(r): region_codes (5) of r's chain, top level first, levels
//   the chain skips left out: what a decision located in a grid of r writes;
// - rule_id(r) (6) and rule_routing(r) = rule_id + lead (7) + helpers (8),
//   the latter for every decision whose departments are the rule's (not a
//   component fault, which goes to the component's own departments);
// - department_lead(d) (7), department_helper(d) (8);
// - category(c) (13), urgency(u) (14);
// - specialty(s): TeamRef.specialty (2).
// Grid codes and person ids stay where they are (one dense StringTable
// each, in grid and person order): copying them would double their memory.
//
// Exactness: codes_wire_test compares the answers written from these
// tables with the field-by-field writer on every grid of a generated city.
// Memory: the fragments (~15 bytes per region code per level below it,
// ~0.5 MB at 200k grids) plus 4 bytes per entry.
// Thread-safety: immutable after Build(); safe to share.
#ifndef GRIDROUTE_SERVICE_CODES_TABLES_H_
#define GRIDROUTE_SERVICE_CODES_TABLES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "snapshot/snapshot.h"

namespace gridroute {

class CodesTables {
 public:
  CodesTables() = default;
  // O(regions + rules + departments): one pass over each; run with the
  // Router when a snapshot is published, off the request path.
  static CodesTables Build(const Snapshot& s);

  absl::string_view region_chain(int32_t region) const { return Get(region_begin_, region); }
  const char* region_chain_data(int32_t region) const {
    return arena_.data() + region_begin_[region];
  }
  absl::string_view rule_id(uint32_t r) const {
    return absl::string_view(arena_.data() + rule_begin_[r], rule_id_end_[r] - rule_begin_[r]);
  }
  absl::string_view rule_routing(uint32_t r) const { return Get(rule_begin_, r); }
  const char* rule_data(uint32_t r) const { return arena_.data() + rule_begin_[r]; }
  absl::string_view department_lead(int32_t d) const { return Get(lead_begin_, d); }
  absl::string_view department_helper(int32_t d) const { return Get(helper_begin_, d); }
  absl::string_view category(int32_t c) const { return Get(category_begin_, c); }
  absl::string_view urgency(int32_t u) const { return Get(urgency_begin_, u); }
  absl::string_view specialty(int32_t s) const { return Get(specialty_begin_, s); }
  uint32_t num_specialties() const { return static_cast<uint32_t>(specialty_begin_.size() - 1); }

  size_t MemoryBytes() const;

 private:
  // Entry i of a table: arena_[begin[i], begin[i + 1]).
  absl::string_view Get(const std::vector<uint32_t>& begin, int64_t i) const {
    return absl::string_view(arena_.data() + begin[i], begin[i + 1] - begin[i]);
  }

  std::string arena_;
  std::vector<uint32_t> region_begin_, rule_begin_, rule_id_end_, lead_begin_, helper_begin_,
      category_begin_, urgency_begin_, specialty_begin_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_CODES_TABLES_H_
