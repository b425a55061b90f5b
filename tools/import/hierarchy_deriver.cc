// Copyright 2026 gridroute authors.
#include "import/hierarchy_deriver.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace gridroute::import {
namespace {

struct Seen {
  int spec_level = 0;  // index into the LevelSpec list (nearest first)
  std::string parent, name;
  const SourceGrid* first = nullptr;  // the feature that introduced the code
  const SourceGrid* name_from = nullptr;  // the feature that gave the name
};

}  // namespace

DerivedHierarchy DeriveHierarchy(const std::vector<SourceGrid>& grids,
                                 const std::vector<LevelSpec>& levels) {
  DerivedHierarchy out;
  const int n = static_cast<int>(levels.size());
  for (int l = n - 1; l >= 0; --l) out.levels.push_back(levels[l].level);
  out.counts.assign(n, 0);

  absl::flat_hash_map<std::string, Seen> seen;
  std::vector<std::string> order;  // codes in first-seen order
  absl::flat_hash_set<std::string> reported;
  const SourceGrid* current = nullptr;
  auto report_once = [&](std::string key, std::string message) {
    if (out.contradicting.empty() ||
        out.contradicting.back() != current->index) {
      out.contradicting.push_back(current->index);
    }
    if (reported.insert(std::move(key)).second)
      out.errors.push_back(std::move(message));
  };
  for (const SourceGrid& g : grids) {
    if (!g.attributes_ok) continue;
    current = &g;
    for (int l = 0; l < n; ++l) {
      const std::string& code = g.level_codes[l];
      const std::string parent = l + 1 < n ? g.level_codes[l + 1] : "";
      const std::string& name = g.level_names[l];
      auto [it, inserted] = seen.try_emplace(code);
      Seen& s = it->second;
      if (inserted) {
        s = Seen{l, parent, name, &g, name.empty() ? nullptr : &g};
        order.push_back(code);
        continue;
      }
      if (s.spec_level != l) {
        report_once(
            absl::StrCat("level|", code),
            absl::StrCat(FeatureLabel(g), ": ", levels[l].level, " code ", code,
                         " is also a ", levels[s.spec_level].level, " code at ",
                         FeatureLabel(*s.first),
                         " (region codes must be unique across levels)"));
        continue;
      }
      if (s.parent != parent) {
        report_once(absl::StrCat("parent|", code, "|", parent),
                    absl::StrCat(levels[l].level, " ", code, " has two ",
                                 levels[l + 1].level, "s: ", s.parent, " at ",
                                 FeatureLabel(*s.first), " and ", parent,
                                 " at ", FeatureLabel(g)));
        continue;
      }
      if (!name.empty()) {
        if (s.name.empty()) {
          s.name = name;
          s.name_from = &g;
        } else if (s.name != name) {
          report_once(
              absl::StrCat("name|", code, "|", name),
              absl::StrCat(levels[l].level, " ", code, " has two names: '",
                           s.name, "' at ", FeatureLabel(*s.name_from),
                           " and '", name, "' at ", FeatureLabel(g)));
        }
      }
    }
  }
  out.regions.reserve(order.size());
  for (const std::string& code : order) {
    const Seen& s = seen[code];
    const int level = n - 1 - s.spec_level;
    out.regions.push_back(DerivedRegion{code, s.name, level, s.parent});
    ++out.counts[level];
  }
  std::sort(out.regions.begin(), out.regions.end(),
            [](const DerivedRegion& a, const DerivedRegion& b) {
              return std::tie(a.level, a.code) < std::tie(b.level, b.code);
            });
  return out;
}

}  // namespace gridroute::import
