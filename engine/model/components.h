// Copyright 2026 gridroute authors.
//
// City components (部件): manhole covers, lamp posts, bins … each with a code,
// a category, a position and its departments (主管 owner, 权属 property,
// 养护 maintainer). Found by code (one hash probe) or, for a point-only report,
// as the nearest component of a category within a radius (a bucket grid of
// ~50 m cells; cost ~ the components in the cells the radius touches).
//
//   int32_t i = components.FindCode("3205080101000001");
//   int32_t j = components.Nearest(p, category, 30.0, &distance_m);
//
// Thread-safety: immutable after Load(); safe to share.
#ifndef GRIDROUTE_MODEL_COMPONENTS_H_
#define GRIDROUTE_MODEL_COMPONENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/string_table.h"
#include "geo/geometry.h"
#include "model/categories.h"
#include "model/departments.h"

namespace gridroute {

struct Component {
  int32_t category = -1;
  IPoint point;
  int32_t owner = -1, property = -1, maintainer = -1;  // departments
  uint32_t grid = ~0u;  // filled by the loader (locate of `point`)
};

class Components {
 public:
  Components() = default;
  // Errors: duplicate or empty code, unknown (component) category or
  // department, a position that is not a number or out of the CRS's range.
  static absl::StatusOr<Components> Load(const std::string& path, const Categories& categories,
                                         const Departments& departments, const Quantizer& q);

  int32_t size() const { return static_cast<int32_t>(list_.size()); }
  const Component& at(int32_t i) const { return list_[i]; }
  Component& mutable_at(int32_t i) { return list_[i]; }
  absl::string_view code(int32_t i) const { return codes_.Get(i); }
  absl::string_view state(int32_t i) const { return states_.Get(i); }
  int32_t FindCode(absl::string_view code) const;
  // Nearest component of `category` within `radius_m` of p (ties: smaller
  // index), or -1. *distance_m receives the distance.
  int32_t Nearest(IPoint p, int32_t category, double radius_m, double* distance_m) const;
  size_t MemoryBytes() const;

 private:
  uint64_t CellKey(int64_t cx, int64_t cy) const {
    return (static_cast<uint64_t>(cx) << 32) ^ static_cast<uint32_t>(cy);
  }
  std::vector<Component> list_;
  StringTable codes_, states_;
  absl::flat_hash_map<uint64_t, int32_t> by_numeric_code_;  // codes of <= 17 digits
  absl::flat_hash_map<std::string, int32_t> by_text_code_;  // any other code
  Quantizer quantizer_{true};
  int64_t cell_ = 500'000;  // lattice units per bucket side (~50 m)
  std::vector<std::pair<uint64_t, int32_t>> buckets_;  // sorted (cell key, index)
};

}  // namespace gridroute

#endif  // GRIDROUTE_MODEL_COMPONENTS_H_
