// Copyright 2026 gridroute authors.
//
// rules.csv (model/rules.h) against the fixed pack's categories,
// departments, regions, grids and layers, as LoadPack builds it. Input: one
// byte (bit 0: category_first precedence), then the file. Then every
// candidate list is read.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "model/rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  if (size < 1) return 0;
  const Snapshot& s = *fuzz::FixedSnapshot();
  const std::string path = fuzz::WriteScratch("rules.csv", data + 1, size - 1);
  RuleContext ctx;
  ctx.categories = &s.categories();
  ctx.departments = &s.departments();
  ctx.hierarchy = &s.hierarchy();
  ctx.num_grids = s.num_grids();
  ctx.find_grid = [&s](absl::string_view code) { return s.FindGrid(code); };
  ctx.grid_parent = [&s](uint32_t g) { return s.grid_parent(g); };
  ctx.find_layer = [&s](absl::string_view code) { return s.layers().Find(code); };
  ctx.layer_priority = [&s](int32_t l) { return s.layers().priority(l); };
  ctx.precedence = (data[0] & 1) ? Precedence::kCategoryFirst : Precedence::kScopeFirst;
  std::vector<std::string> warnings;
  absl::StatusOr<RuleTable> t = RuleTable::Build(path, ctx, &warnings);
  fuzz::CheckNotInternal(t.status(), "RuleTable::Build");
  if (!t.ok()) return 0;
  const int32_t categories = s.categories().size();
  auto check = [&](absl::Span<const uint32_t> list) {
    for (uint32_t r : list) {
      fuzz::Check(r < t->num_rules(), "candidate is a rule");
      const Rule& rule = t->rule(r);
      for (int minute : {0, 359, 360, 1439}) (void)rule.InWindow(minute);
    }
  };
  for (int32_t c = 0; c < categories; ++c) {
    (void)t->uncovered(c);
    check(t->AreaCandidates(0, -1, c));
    for (uint32_t g = 0; g < s.num_grids(); ++g) check(t->AreaCandidates(g, s.grid_parent(g), c));
    for (int32_t r = 0; r < s.hierarchy().num_regions(); ++r) check(t->AreaCandidates(~0u, r, c));
    for (int32_t l = 0; l < s.layers().size(); ++l) check(t->LayerCandidates(l, c));
  }
  return 0;
}
