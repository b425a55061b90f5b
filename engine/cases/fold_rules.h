// Copyright 2026 gridroute authors.
//
// Folding rules (并单): when does a report join an open case instead of
// opening a new one? Per category: same category, within `radius_m` of the
// case's location (its first report), within `window` of the case's last
// report, and optionally in the same grid. A report naming a component folds
// on the component (any distance).
//
//   ASSIGN_OR_RETURN(FoldRules rules,
//                    LoadFoldRules(pack_dir, snap.categories()));
//   const FoldRule& r = rules.Find(CategoryType::kEvent, "0102");
//
// Defaults (a pack without folding.csv): events 50 m / 60 min, components
// 30 m (point-only component reports; matches the router's default
// component radius) / 24 h; same_grid off. The file format is in CASES.md.
//
// Thread-safety: immutable after construction; safe to share.
#ifndef GRIDROUTE_CASES_FOLD_RULES_H_
#define GRIDROUTE_CASES_FOLD_RULES_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "model/categories.h"

namespace gridroute {

struct FoldRule {
  // Two reports closer than this (metres, inclusive) may be one problem.
  // Range (0, 10000].
  double radius_m = 50;
  // A case stops folding once its last report is older than this. Range
  // (0, 30 days].
  absl::Duration window = absl::Minutes(60);
  // Only fold into cases located in the same grid (reports on both sides of
  // a grid boundary then stay separate cases for their own grids' teams).
  bool same_grid = false;

  friend bool operator==(const FoldRule& a, const FoldRule& b) {
    return a.radius_m == b.radius_m && a.window == b.window &&
           a.same_grid == b.same_grid;
  }
};

class FoldRules {
 public:
  // The documented defaults above.
  FoldRules();

  // The rule for categories without their own.
  void SetDefault(CategoryType type, const FoldRule& rule) {
    default_[static_cast<int>(type)] = rule;
  }
  // A category's own rule.
  void Set(CategoryType type, absl::string_view code, const FoldRule& rule) {
    exact_[static_cast<int>(type)][std::string(code)] = rule;
  }
  // The category's rule, else the default of its type. One hash lookup.
  const FoldRule& Find(CategoryType type, absl::string_view code) const;

 private:
  FoldRule default_[2];
  absl::flat_hash_map<std::string, FoldRule> exact_[2];
};

// Reads `<pack_dir>/folding.csv` if it exists (defaults otherwise):
//   category_type,category,radius_m,window_min[,same_grid]
//   event,*,50,60,false
//   event,01*,80,120,
//   component,0101,30,1440,true
// `category_type` is event, component or *; `category` an exact code, a
// major class with a star (01*) or *. The most specific row wins: exact code
// over major over any, then a named type over *. Errors (all of them, each
// with file:line): unknown type, unknown exact code, values out of range or
// not numbers, a bad same_grid (true/false/1/0/yes/no/empty), a duplicate
// (type, category) pair. `file` gives the file's limits and encoding (the
// pack's, PackCsvOptions in snapshot/manifest.h); only a regular file is
// read.
absl::StatusOr<FoldRules> LoadFoldRules(const std::string& pack_dir,
                                        const Categories& categories,
                                        const CsvFileOptions& file = {});

// The same from the bytes of a folding.csv held in memory (the one compiled
// into a .grsnap: Snapshot::folding_csv()); `name` stands for its path in
// messages. The same checks and limits as LoadFoldRules.
absl::StatusOr<FoldRules> ParseFoldRules(std::string text, const std::string& name,
                                         const Categories& categories,
                                         const CsvFileOptions& file = {});

}  // namespace gridroute

#endif  // GRIDROUTE_CASES_FOLD_RULES_H_
