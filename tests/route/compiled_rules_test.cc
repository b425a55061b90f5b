// Copyright 2026 gridroute authors.
//
// CompiledRules (route/compiled_rules.h) against the rule table it is
// compiled from: every candidate list's winner against the window scan at
// every minute of the day, every rule's hot fields, every deadline; and
// Router's deadlines against the DeadlineSpec arithmetic it replaced.
#include "route/compiled_rules.h"

#include "route/category_lookup.h"

#include <cmath>
#include <random>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "route/router.h"
#include "testing/generated_city.h"

namespace gridroute {
namespace {

TEST(CompiledRulesTest, WinnersAreTheWindowScanAtEveryMinute) {
  const auto& c = testing::GetGeneratedCity(20'000, 3);
  const RuleTable& rules = c.snapshot->rules();
  const CompiledRules compiled =
      CompiledRules::Compile(rules, static_cast<int>(c.snapshot->categories().urgencies().size()));
  int compiled_lists = 0, scanned_lists = 0;
  for (uint32_t l = 0; l < rules.num_lists(); ++l) {
    const absl::Span<const uint32_t> list = rules.ListById(l);
    const uint32_t w = compiled.winner(l);
    if (w == CompiledRules::kScan) {
      ++scanned_lists;
      continue;
    }
    ++compiled_lists;
    for (int minute = 0; minute < 1440; ++minute) {
      uint32_t want = ~0u;
      for (uint32_t r : list) {
        if (rules.rule(r).InWindow(minute)) {
          want = r;
          break;
        }
      }
      ASSERT_EQ(w, want) << "list " << l << " minute " << minute;
    }
  }
  // The generated catalogue has both kinds (night-window rules too).
  EXPECT_GT(compiled_lists, 0);
  EXPECT_GT(scanned_lists, 0);
}

TEST(CompiledRulesTest, HotRulesAndDeadlinesAreTheRules) {
  const auto& c = testing::GetGeneratedCity(20'000, 3);
  const RuleTable& rules = c.snapshot->rules();
  const int num_urgencies = static_cast<int>(c.snapshot->categories().urgencies().size());
  const CompiledRules compiled = CompiledRules::Compile(rules, num_urgencies);
  int windowed = 0;
  for (uint32_t r = 0; r < rules.num_rules(); ++r) {
    const Rule& rule = rules.rule(r);
    const CompiledRules::HotRule& h = compiled.rule(r);
    ASSERT_EQ(h.key, rule.key);
    ASSERT_EQ(h.lead, rule.lead);
    const absl::Span<const int32_t> helpers = compiled.helpers(h);
    ASSERT_EQ(std::vector<int32_t>(helpers.begin(), helpers.end()), rule.helpers) << rule.id;
    ASSERT_EQ(h.has_window(), rule.has_window) << rule.id;
    windowed += rule.has_window;
    for (int minute = 0; minute < 1440; ++minute) {
      ASSERT_EQ(h.InWindow(minute), rule.InWindow(minute)) << rule.id << " " << minute;
    }
    for (int u = 0; u < num_urgencies; ++u) {
      const DeadlineSpec& spec = rule.deadlines[u];
      const CompiledRules::Deadline d = compiled.deadline(r, u);
      switch (spec.unit) {
        case DeadlineUnit::kNone:
          EXPECT_EQ(d.kind, CompiledRules::DeadlineKind::kNone);
          break;
        case DeadlineUnit::kWorkingHours:
          EXPECT_EQ(d.kind, CompiledRules::DeadlineKind::kWorkingSeconds) << rule.id;
          EXPECT_EQ(d.amount, std::llround(spec.amount * 3600)) << rule.id;
          break;
        case DeadlineUnit::kWorkingDays:
          EXPECT_EQ(d.kind, CompiledRules::DeadlineKind::kWorkingDays) << rule.id;
          EXPECT_EQ(d.amount, std::llround(spec.amount)) << rule.id;
          break;
        case DeadlineUnit::kCalendarHours:
          EXPECT_EQ(d.kind, CompiledRules::DeadlineKind::kCalendarSeconds) << rule.id;
          EXPECT_EQ(d.amount, std::llround(spec.amount * 3600)) << rule.id;
          break;
        case DeadlineUnit::kCalendarMinutes:
          EXPECT_EQ(d.kind, CompiledRules::DeadlineKind::kCalendarSeconds) << rule.id;
          EXPECT_EQ(d.amount, std::llround(spec.amount * 60)) << rule.id;
          break;
      }
    }
  }
  EXPECT_GT(windowed, 0);
}

TEST(CompiledRulesTest, FractionalAndHugeAmountsStayGeneral) {
  using K = CompiledRules::DeadlineKind;
  EXPECT_EQ(CompiledRules::CompileDeadline({DeadlineUnit::kWorkingHours, 1.5}).kind, K::kWorkingSeconds);
  EXPECT_EQ(CompiledRules::CompileDeadline({DeadlineUnit::kWorkingHours, 1.5}).amount, 5400);
  EXPECT_EQ(CompiledRules::CompileDeadline({DeadlineUnit::kWorkingHours, 1.0 / 7}).kind, K::kGeneral);
  EXPECT_EQ(CompiledRules::CompileDeadline({DeadlineUnit::kCalendarMinutes, 0.25}).amount, 15);
  EXPECT_EQ(CompiledRules::CompileDeadline({DeadlineUnit::kCalendarMinutes, 0.01}).kind, K::kGeneral);
  EXPECT_EQ(CompiledRules::CompileDeadline({DeadlineUnit::kCalendarHours, 1e300}).kind, K::kGeneral);
  EXPECT_EQ(CompiledRules::CompileDeadline({DeadlineUnit::kCalendarHours, -1}).kind, K::kGeneral);
  EXPECT_EQ(CompiledRules::CompileDeadline({DeadlineUnit::kWorkingDays, 3e9}).kind, K::kGeneral);
}

// Router's deadline (integer seconds on the calendar's table) against the
// absl::Time arithmetic on the winning rule's DeadlineSpec, for reports over
// 1990-2101 (both sides of the table's ends) with sub-second parts.
TEST(CompiledRulesTest, RouterDeadlinesAreTheSpecArithmetic) {
  const auto& c = testing::GetGeneratedCity(20'000, 3);
  const Snapshot& s = *c.snapshot;
  Router router(c.snapshot);
  const Categories& cats = s.categories();
  const WorkingCalendar& cal = s.calendar();
  std::mt19937_64 rng(15);
  std::uniform_real_distribution<double> lon(c.city.bbox_min.lon * 1e-7, c.city.bbox_max.lon * 1e-7);
  std::uniform_real_distribution<double> lat(c.city.bbox_min.lat * 1e-7, c.city.bbox_max.lat * 1e-7);
  const int64_t lo = absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(1990, 6, 1), cal.time_zone()));
  const int64_t hi = absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2101, 1, 1), cal.time_zone()));
  const int64_t recent = absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2026, 1, 1), cal.time_zone()));
  int checked = 0;
  for (int i = 0; i < 20'000; ++i) {
    Event e;
    e.x = lon(rng);
    e.y = lat(rng);
    const int32_t ci = static_cast<int32_t>(rng() % cats.size());
    e.category_type = cats.at(ci).type;
    e.category = cats.at(ci).code;
    for (int32_t u = 0; u < static_cast<int32_t>(cats.urgencies().size()); ++u) {
      if (cats.at(ci).AllowsUrgency(u) && rng() % 2) e.urgency = cats.urgencies()[u];
    }
    // Mostly recent (the table's fast path), some anywhere in 1990..2100.
    const int64_t sec = i % 4 == 0 ? lo + static_cast<int64_t>(rng() % (hi - lo))
                                   : recent + static_cast<int64_t>(rng() % (2 * 365 * 86400));
    e.reported_at = absl::FromUnixSeconds(sec) + absl::Nanoseconds(rng() % 3 == 0 ? 0 : rng() % 1000000000);
    Decision d;
    const absl::Status st = router.Route(e, {}, &d);
    if (!st.ok() || d.outcome != Outcome::kRouted) continue;
    const DeadlineSpec& spec = s.rules().rule(d.rule).deadlines[d.urgency];
    absl::Time want = absl::InfiniteFuture();
    switch (spec.unit) {
      case DeadlineUnit::kWorkingHours:
        want = cal.AddWorkingHours(e.reported_at, absl::Seconds(spec.amount * 3600));
        break;
      case DeadlineUnit::kWorkingDays:
        want = cal.AddWorkingDays(e.reported_at, static_cast<int>(spec.amount));
        break;
      case DeadlineUnit::kCalendarHours:
        want = e.reported_at + absl::Seconds(spec.amount * 3600);
        break;
      case DeadlineUnit::kCalendarMinutes:
        want = e.reported_at + absl::Seconds(spec.amount * 60);
        break;
      case DeadlineUnit::kNone:
        break;
    }
    ASSERT_EQ(d.deadline, want) << "rule " << s.rules().rule(d.rule).id << " at "
                                << absl::FormatTime(e.reported_at, cal.time_zone());
    ++checked;
  }
  EXPECT_GT(checked, 10'000);
}

TEST(CategoryLookupTest, AnswersAsCategoriesFind) {
  const auto& c = testing::GetGeneratedCity(20'000, 3);
  const Categories& cats = c.snapshot->categories();
  const Teams& teams = c.snapshot->teams();
  const CategoryLookup l = CategoryLookup::Compile(cats, teams);
  ASSERT_GT(cats.size(), 10);
  for (int32_t i = 0; i < cats.size(); ++i) {
    const Category& cat = cats.at(i);
    for (CategoryType type : {CategoryType::kEvent, CategoryType::kComponent}) {
      const CategoryLookup::Hot* h = l.Find(type, cat.code);
      const int32_t want = cats.Find(type, cat.code);
      ASSERT_EQ(h == nullptr ? -1 : h->index, want) << cat.code;
    }
    const CategoryLookup::Hot& h = l.at(i);
    EXPECT_EQ(h.index, i);
    EXPECT_EQ(h.type, cat.type);
    EXPECT_EQ(h.urgency_mask, cat.urgency_mask);
    EXPECT_EQ(h.team_specialty, cat.specialty.empty() ? -1 : teams.FindSpecialty(cat.specialty));
    int32_t lowest = 0;
    while (!cat.AllowsUrgency(lowest)) ++lowest;
    EXPECT_EQ(h.default_urgency, lowest) << cat.code;
    // Neighbours of the code that are not categories.
    for (const std::string& other : {cat.code + "0", cat.code.substr(0, cat.code.size() - 1),
                                     std::string(cat.code).replace(0, 1, "Z"), cat.code + "0000000"}) {
      const CategoryLookup::Hot* o = l.Find(cat.type, other);
      ASSERT_EQ(o == nullptr ? -1 : o->index, cats.Find(cat.type, other)) << other;
    }
  }
  EXPECT_EQ(l.Find(CategoryType::kEvent, ""), nullptr);
  for (size_t u = 0; u < cats.urgencies().size(); ++u) {
    EXPECT_EQ(l.FindUrgency(cats.urgencies()[u]), static_cast<int32_t>(u));
  }
  for (const char* name : {"", "Normal", "urgen", "urgent!", "emergency-now", "normal\0"}) {
    EXPECT_EQ(l.FindUrgency(name), cats.FindUrgency(name)) << name;
  }
}

}  // namespace
}  // namespace gridroute
