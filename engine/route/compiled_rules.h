// Copyright 2026 gridroute authors.
//
// CompiledRules: what Router::Finish reads of the rule table, compiled when
// the Router is built (off the request path) into small dense arrays, so the
// rule choice and the deadline cost one probe of the (region, category)
// table plus reads of arrays that stay in cache, and no floating point or
// absl::Duration arithmetic.
//
//   CompiledRules c = CompiledRules::Compile(snapshot.rules(), num_urgencies);
//   uint32_t list = rules.AreaListId(grid, region, category, grid_has_rules);
//   uint32_t r = c.winner(list);           // kScan: walk ListById(list)
//   const CompiledRules::HotRule& h = c.rule(r);   // lead, helpers, key
//   CompiledRules::Deadline dl = c.deadline(r, urgency);  // whole s or days
//
// - winner(list): a candidate list whose best rule has no time window is
//   won by that rule at every minute (Router takes the first candidate in
//   its window), so the list's answer is compiled; lists starting with a
//   windowed rule (the night/day rules) say kScan.
// - rule(r): precedence key, lead, helpers and window next to each other
//   (16 bytes, vs ~400 bytes of model::Rule with its id, scope and every
//   urgency's double deadline).
// - deadline(r, u): the DeadlineSpec as an integer: whole seconds for the
//   hour and minute units, a day count for working days; kGeneral when the
//   amount is not a whole number of seconds (or too large), which Router
//   answers with the DeadlineSpec as before.
//
// Exactness: tests/route/compiled_rules_test.cc compares every list's
// winner with the window scan at every minute, every deadline with the
// DeadlineSpec path; the rule-precedence oracle passes unchanged.
// Memory: 4 bytes per distinct candidate list, 20 bytes per rule plus its
// helpers, 8 bytes per (rule, urgency of the pack) (~40 KB for 1,000 rules).
// Thread-safety: immutable after Compile(); safe to share.
#ifndef GRIDROUTE_ROUTE_COMPILED_RULES_H_
#define GRIDROUTE_ROUTE_COMPILED_RULES_H_

#include <cstdint>
#include <vector>

#include "absl/types/span.h"
#include "model/rules.h"

namespace gridroute {

class CompiledRules {
 public:
  static constexpr uint32_t kScan = ~0u;

  struct HotRule {
    uint32_t key = 0;  // Rule::key (precedence: larger wins)
    int32_t lead = -1;
    uint32_t helpers_begin = 0;  // into helpers()
    uint16_t num_helpers = 0;
    int16_t window_begin = -1;  // minutes of the local day; -1: no window
    int16_t window_end = 0;
    uint16_t unused = 0;
    bool has_window() const { return window_begin >= 0; }
    // Rule::InWindow. REQUIRES: 0 <= minute < 1440.
    bool InWindow(int minute) const {
      if (window_begin < 0) return true;
      return window_begin <= window_end ? minute >= window_begin && minute < window_end
                                        : minute >= window_begin || minute < window_end;
    }
  };
  static_assert(sizeof(HotRule) == 20);

  enum class DeadlineKind : uint8_t {
    kNone = 0,          // no deadline for this urgency (the loader rejects it where allowed)
    kWorkingSeconds,    // WorkingCalendar::AddWorkingHours, amount in seconds
    kWorkingDays,       // WorkingCalendar::AddWorkingDays, amount in days
    kCalendarSeconds,   // reported_at + amount seconds
    kGeneral,           // use the rule's DeadlineSpec (fractional seconds, huge)
  };
  struct Deadline {
    DeadlineKind kind = DeadlineKind::kNone;
    int64_t amount = 0;
  };

  CompiledRules() = default;
  // `num_urgencies`: Categories::urgencies().size() (urgency ids below it).
  static CompiledRules Compile(const RuleTable& rules, int num_urgencies);

  // The rule that wins list `list` at any minute, or kScan.
  uint32_t winner(uint32_t list) const { return winners_[list]; }
  const HotRule& rule(uint32_t r) const { return rules_[r]; }
  absl::Span<const int32_t> helpers(const HotRule& h) const {
    return absl::Span<const int32_t>(helpers_.data() + h.helpers_begin, h.num_helpers);
  }
  Deadline deadline(uint32_t r, int32_t urgency) const {
    const uint64_t v = deadlines_[static_cast<size_t>(r) * stride_ + urgency];
    return Deadline{static_cast<DeadlineKind>(v & 7), static_cast<int64_t>(v >> 3)};
  }
  // Compiles one spec (exposed for tests).
  static Deadline CompileDeadline(const DeadlineSpec& spec);

  size_t MemoryBytes() const;

 private:
  std::vector<uint32_t> winners_;  // per RuleTable list id
  std::vector<HotRule> rules_;
  std::vector<int32_t> helpers_;
  uint32_t stride_ = 1;              // urgencies per rule
  std::vector<uint64_t> deadlines_;  // amount << 3 | kind, per (rule, urgency)
};

}  // namespace gridroute

#endif  // GRIDROUTE_ROUTE_COMPILED_RULES_H_
