// Copyright 2026 gridroute authors.
#include "route/compiled_rules.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gridroute {
namespace {

// Amounts above this (~18 million years of seconds) stay kGeneral: the
// packed form keeps 3 bits for the kind, and Router adds them to Unix
// seconds without overflow checks below it.
constexpr double kMaxAmount = static_cast<double>(int64_t{1} << 58);

}  // namespace

CompiledRules::Deadline CompiledRules::CompileDeadline(const DeadlineSpec& spec) {
  auto whole_seconds = [](double s, DeadlineKind kind) {
    // Router's old path: absl::Seconds(int64) for whole seconds, the double
    // constructor otherwise; only the first is compiled.
    if (!(s >= 0) || s > kMaxAmount || std::floor(s) != s) return Deadline{DeadlineKind::kGeneral, 0};
    return Deadline{kind, static_cast<int64_t>(s)};
  };
  switch (spec.unit) {
    case DeadlineUnit::kNone:
      return Deadline{};
    case DeadlineUnit::kWorkingHours:
      return whole_seconds(spec.amount * 3600, DeadlineKind::kWorkingSeconds);
    case DeadlineUnit::kCalendarHours:
      return whole_seconds(spec.amount * 3600, DeadlineKind::kCalendarSeconds);
    case DeadlineUnit::kCalendarMinutes:
      return whole_seconds(spec.amount * 60, DeadlineKind::kCalendarSeconds);
    case DeadlineUnit::kWorkingDays:
      // Router's old path: static_cast<int>(amount), defined for this range.
      if (!(spec.amount >= 0) || spec.amount >= std::numeric_limits<int>::max()) {
        return Deadline{DeadlineKind::kGeneral, 0};
      }
      return Deadline{DeadlineKind::kWorkingDays, static_cast<int>(spec.amount)};
  }
  return Deadline{DeadlineKind::kGeneral, 0};
}

CompiledRules CompiledRules::Compile(const RuleTable& rules, int num_urgencies) {
  CompiledRules c;
  const uint32_t n = rules.num_rules();
  c.rules_.resize(n);
  for (uint32_t r = 0; r < n; ++r) {
    const Rule& rule = rules.rule(r);
    HotRule& h = c.rules_[r];
    h.key = rule.key;
    h.lead = rule.lead;
    h.helpers_begin = static_cast<uint32_t>(c.helpers_.size());
    // More than 65535 helpers cannot come from one CSV field within the
    // pack's line limits; clamp rather than wrap if it ever did.
    const size_t k = std::min<size_t>(rule.helpers.size(), UINT16_MAX);
    h.num_helpers = static_cast<uint16_t>(k);
    c.helpers_.insert(c.helpers_.end(), rule.helpers.begin(), rule.helpers.begin() + k);
    if (rule.has_window) {
      h.window_begin = rule.window_begin;
      h.window_end = rule.window_end;
    }
  }
  c.stride_ = static_cast<uint32_t>(std::clamp(num_urgencies, 1, kMaxUrgencies));
  c.deadlines_.resize(static_cast<size_t>(n) * c.stride_);
  for (uint32_t r = 0; r < n; ++r) {
    for (uint32_t u = 0; u < c.stride_; ++u) {
      const Deadline d = CompileDeadline(rules.rule(r).deadlines[u]);
      c.deadlines_[static_cast<size_t>(r) * c.stride_ + u] =
          (static_cast<uint64_t>(d.amount) << 3) | static_cast<uint64_t>(d.kind);
    }
  }
  c.winners_.resize(rules.num_lists(), kScan);
  for (uint32_t l = 0; l < rules.num_lists(); ++l) {
    const absl::Span<const uint32_t> list = rules.ListById(l);
    if (!list.empty() && !rules.rule(list[0]).has_window) c.winners_[l] = list[0];
    // An empty list: no rule here; the scan finds none either (kScan).
  }
  return c;
}

size_t CompiledRules::MemoryBytes() const {
  return winners_.capacity() * sizeof(uint32_t) + rules_.capacity() * sizeof(HotRule) +
         helpers_.capacity() * sizeof(int32_t) + deadlines_.capacity() * sizeof(uint64_t);
}

}  // namespace gridroute
