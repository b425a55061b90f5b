// Copyright 2026 gridroute authors.
//
// The compiled rule table against a brute-force oracle that scans every rule
// for every event, on a generated city with the generator's catalogue (city
// defaults, district/street/grid exceptions, layer rules, night windows).
#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "route/router.h"
#include "testing/generated_city.h"

namespace gridroute {
namespace {

// Precedence as PACK.md states it, written independently of RuleTable's keys:
// (scope class, scope detail, category specificity, type-specific, window),
// compared lexicographically; layers of equal priority: smaller code wins.
struct Rank {
  int scope_class;   // 0 city, 1 region, 2 grid, 3 layer
  int scope_detail;  // region level, or layer priority
  int pattern;       // 0 any, 1 major, 2 exact
  int typed;
  int windowed;
  std::string layer_code;  // for layer ties: smaller wins
};

bool Better(const Rank& a, const Rank& b) {  // a beats b?
  auto ta = std::make_tuple(a.scope_class, a.scope_detail, a.pattern, a.typed, a.windowed);
  auto tb = std::make_tuple(b.scope_class, b.scope_detail, b.pattern, b.typed, b.windowed);
  if (ta != tb) return ta > tb;
  return a.layer_code < b.layer_code;
}

TEST(RulePrecedenceTest, CompiledTableMatchesScanOfAllRules) {
  const auto& c = testing::GetGeneratedCity(20'000, 3);
  const Snapshot& s = *c.snapshot;
  ASSERT_TRUE(s.routes());
  Router router(c.snapshot);
  const RuleTable& rules = s.rules();
  const Categories& cats = s.categories();
  const absl::TimeZone zone = absl::FixedTimeZone(8 * 3600);
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> lon(c.city.bbox_min.lon * 1e-7, c.city.bbox_max.lon * 1e-7);
  std::uniform_real_distribution<double> lat(c.city.bbox_min.lat * 1e-7, c.city.bbox_max.lat * 1e-7);
  std::uniform_int_distribution<int> cat_pick(0, cats.size() - 1);
  std::uniform_int_distribution<int> minute_pick(0, 1439);
  // Points inside layers are rare at random; take every layer-rule scope's
  // neighbourhood too by sampling near component positions (on streets).
  int checked = 0, by_layer = 0, by_grid = 0, by_region = 0, windowed = 0, not_found = 0;
  std::vector<int32_t> hits;
  for (int i = 0; i < 30'000; ++i) {
    Event e;
    if (i % 3 == 0 && s.components().size() > 0) {
      const IPoint p = s.components().at(static_cast<int32_t>(rng() % s.components().size())).point;
      e.x = s.quantizer().ToX(p.x) + (static_cast<int>(rng() % 201) - 100) * 1e-7;
      e.y = s.quantizer().ToY(p.y) + (static_cast<int>(rng() % 201) - 100) * 1e-7;
    } else {
      e.x = lon(rng);
      e.y = lat(rng);
    }
    const int32_t ci = cat_pick(rng);
    e.category_type = cats.at(ci).type;
    e.category = cats.at(ci).code;
    const int minute = minute_pick(rng);
    e.reported_at = absl::FromCivil(absl::CivilMinute(2026, 5, 12, minute / 60, minute % 60), zone);
    Decision d;
    const absl::Status st = router.Route(e, {}, &d);
    if (st.ok() && d.outcome == Outcome::kOutsideCoverage) continue;
    ASSERT_TRUE(st.ok() || st.code() == absl::StatusCode::kNotFound) << st;

    // Oracle: every rule whose scope contains the point and whose pattern
    // matches the category and whose window contains the minute.
    const uint32_t grid = d.location.grid;
    std::vector<int32_t> chain;
    for (int32_t r = s.grid_parent(grid); r >= 0; r = s.hierarchy().region(r).parent) chain.push_back(r);
    hits.clear();
    s.layers().Hits(s.quantizer().Quantize(e.x, e.y), &hits);
    const Category& cat = cats.at(ci);
    int best = -1;
    Rank best_rank{};
    for (uint32_t r = 0; r < rules.num_rules(); ++r) {
      const Rule& rule = rules.rule(r);
      Rank rank{0, 0, 0, rule.type >= 0 ? 1 : 0, rule.has_window ? 1 : 0, ""};
      switch (rule.scope_kind) {
        case ScopeKind::kCity: break;
        case ScopeKind::kRegion:
          if (std::find(chain.begin(), chain.end(), rule.scope) == chain.end()) continue;
          rank.scope_class = 1;
          rank.scope_detail = s.hierarchy().region(rule.scope).level;
          break;
        case ScopeKind::kGrid:
          if (static_cast<uint32_t>(rule.scope) != grid) continue;
          rank.scope_class = 2;
          break;
        case ScopeKind::kLayer:
          if (std::find(hits.begin(), hits.end(), rule.scope) == hits.end()) continue;
          rank.scope_class = 3;
          rank.scope_detail = s.layers().at(rule.scope).priority;
          rank.layer_code = s.layers().at(rule.scope).code;
          break;
      }
      if (rule.type >= 0 && rule.type != static_cast<int>(cat.type)) continue;
      if (rule.pattern == Rule::kExact) {
        if (rule.value != cat.code) continue;
        rank.pattern = 2;
      } else if (rule.pattern == Rule::kMajor) {
        if (rule.value != cat.major) continue;
        rank.pattern = 1;
      }
      if (rule.has_window) {
        const bool in = rule.window_begin <= rule.window_end
                            ? (minute >= rule.window_begin && minute < rule.window_end)
                            : (minute >= rule.window_begin || minute < rule.window_end);
        if (!in) continue;
      }
      if (best < 0 || Better(rank, best_rank)) {
        best = static_cast<int>(r);
        best_rank = rank;
      }
    }
    ++checked;
    if (best < 0) {
      EXPECT_EQ(st.code(), absl::StatusCode::kNotFound) << "event " << i;
      ++not_found;
      continue;
    }
    ASSERT_TRUE(st.ok()) << "event " << i << ": oracle picked " << rules.rule(best).id << ", router: " << st;
    EXPECT_EQ(rules.rule(d.rule).id, rules.rule(best).id) << "event " << i << " category " << cat.code;
    by_layer += best_rank.scope_class == 3;
    by_grid += best_rank.scope_class == 2;
    by_region += best_rank.scope_class == 1;
    windowed += best_rank.windowed;
  }
  // The sample must exercise every kind of precedence.
  EXPECT_GT(checked, 15'000);
  EXPECT_GT(by_layer, 10);
  EXPECT_GT(by_grid, 0);
  EXPECT_GT(by_region, 100);
  EXPECT_GT(windowed, 10);
  EXPECT_GT(not_found, 10);
}

// The (region, category) table shares rows between regions whose lists
// agree for every category; each region's answer is still the list a scan
// of its own and its ancestors' rules gives (same oracle as above, without
// windows: the list holds every candidate, best first).
TEST(RulePrecedenceTest, SharedRegionRowsAnswerEveryRegion) {
  const auto& c = testing::GetGeneratedCity(20'000, 3);
  const Snapshot& s = *c.snapshot;
  const RuleTable& rules = s.rules();
  const Categories& cats = s.categories();
  const Hierarchy& h = s.hierarchy();
  ASSERT_GT(h.num_regions(), 10);
  EXPECT_LT(rules.num_region_rows(), static_cast<uint32_t>(h.num_regions()) / 2)
      << "the generated city's communities inherit their streets' rules";
  EXPECT_GT(rules.num_region_rows(), 1u);
  for (int32_t r = 0; r < h.num_regions(); ++r) {
    std::vector<int32_t> chain;
    for (int32_t a = r; a >= 0; a = h.region(a).parent) chain.push_back(a);
    for (int32_t ci = 0; ci < cats.size(); ++ci) {
      const Category& cat = cats.at(ci);
      std::vector<std::pair<Rank, uint32_t>> want;
      for (uint32_t i = 0; i < rules.num_rules(); ++i) {
        const Rule& rule = rules.rule(i);
        Rank rank{0, 0, 0, rule.type >= 0 ? 1 : 0, rule.has_window ? 1 : 0, ""};
        if (rule.scope_kind == ScopeKind::kRegion) {
          if (std::find(chain.begin(), chain.end(), rule.scope) == chain.end()) continue;
          rank.scope_class = 1;
          rank.scope_detail = h.region(rule.scope).level;
        } else if (rule.scope_kind != ScopeKind::kCity) {
          continue;
        }
        if (rule.type >= 0 && rule.type != static_cast<int>(cat.type)) continue;
        if (rule.pattern == Rule::kExact) {
          if (rule.value != cat.code) continue;
          rank.pattern = 2;
        } else if (rule.pattern == Rule::kMajor) {
          if (rule.value != cat.major) continue;
          rank.pattern = 1;
        }
        want.emplace_back(rank, i);
      }
      std::stable_sort(want.begin(), want.end(),
                       [](const auto& a, const auto& b) { return Better(a.first, b.first); });
      std::vector<uint32_t> want_ids;
      for (const auto& [rank, i] : want) want_ids.push_back(i);
      const absl::Span<const uint32_t> got = rules.AreaCandidates(~0u, r, ci);
      ASSERT_EQ(std::vector<uint32_t>(got.begin(), got.end()), want_ids)
          << "region " << h.region(r).code << " category " << cat.code;
    }
  }
}

}  // namespace
}  // namespace gridroute
