// Copyright 2026 gridroute authors.
//
// Derives the region hierarchy (codes, names, parents) from the attributes
// each grid carries about its ancestors, as city exports do: a grid row says
// its community code and name, its street code and name, its district code.
//
//   DerivedHierarchy h = DeriveHierarchy(grids, levels);  // nearest first
//   if (!h.errors.empty()) ...  // contradictions, each naming both features
//   h.levels;                   // top first: {"district", "street", ...}
//
// A contradiction is one region code that two features describe differently:
// with two different parents, at two different levels, or with two different
// non-empty names. Each is reported once, naming both features (FID + code).
// Thread-safety: a pure function. Cost: O(grids x levels) hash lookups.
#ifndef GRIDROUTE_TOOLS_IMPORT_HIERARCHY_DERIVER_H_
#define GRIDROUTE_TOOLS_IMPORT_HIERARCHY_DERIVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "import/source_grid.h"

namespace gridroute::import {

struct DerivedRegion {
  std::string code, name;
  int level = 0;       // index into DerivedHierarchy::levels (0 = top)
  std::string parent;  // "" at the top level
};

struct DerivedHierarchy {
  std::vector<std::string> levels;     // top first (the pack's `levels`)
  std::vector<DerivedRegion> regions;  // by level (top first), then code
  std::vector<int64_t> counts;         // regions per level, top first
  std::vector<std::string> errors;
  // SourceGrid::index of every feature that contradicted an earlier one (the
  // importer leaves them out of its validation pack: the engine would only
  // repeat the contradiction in its own words).
  std::vector<int64_t> contradicting;
};

// Uses the grids with attributes_ok only (the others are already reported).
DerivedHierarchy DeriveHierarchy(const std::vector<SourceGrid>& grids,
                                 const std::vector<LevelSpec>& levels);

}  // namespace gridroute::import

#endif  // GRIDROUTE_TOOLS_IMPORT_HIERARCHY_DERIVER_H_
