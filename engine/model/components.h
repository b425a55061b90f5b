// Copyright 2026 gridroute authors.
//
// City components (部件): manhole covers, lamp posts, bins … each with a code,
// a category, a position and its departments (主管 owner, 权属 property,
// 养护 maintainer). Found by code (one hash probe) or, for a point-only report,
// as the nearest component of a category within a radius (a bucket grid of
// >= 50 m cells; cost ~ the components in the cells the radius touches).
//
//   int32_t i = components.FindCode("3205080101000001");
//   int32_t j = components.Nearest(p, category, 30.0, &distance_m);
//
// Components are numbered in the order of the Nearest() cells (row-major,
// file order within a cell), not in file order: a cell's components are
// consecutive, so a search reads them sequentially and keeps no index array.
// Memory: O(components), ~39 bytes a component with 16-digit codes
// (figures: PACK.md, "Memory of the routing files"). Load: the file is
// read and parsed on `threads` threads (engine/model/csv_chunks.h).
//
// Thread-safety: immutable after Load(); safe to share.
#ifndef GRIDROUTE_MODEL_COMPONENTS_H_
#define GRIDROUTE_MODEL_COMPONENTS_H_

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/csv.h"
#include "common/pod_array.h"
#include "common/string_table.h"
#include "geo/geometry.h"
#include "model/categories.h"
#include "model/csv_chunks.h"
#include "model/departments.h"

namespace gridroute {

struct Component {
  int32_t category = -1;
  IPoint point;
  int32_t owner = -1, property = -1, maintainer = -1;  // departments
  // No grid: nothing routes by a component's grid, and storing one was 4
  // bytes a component (76 MiB of a 10M-grid province's 20M); locate `point`
  // for it.
};

class Locator;

class Components {
 public:
  Components() = default;
  // Errors: duplicate or empty code, unknown (component) category or
  // department, a position that is not a number or out of the CRS's range;
  // the first `max_errors` are listed, then "... and N more". The file is
  // parsed on `threads` threads; the messages (and their order) are those of
  // a sequential read.
  static absl::StatusOr<Components> Load(const std::string& path,
                                         const Categories& categories,
                                         const Departments& departments,
                                         const Quantizer& q, int threads = 2,
                                         const CsvFileOptions& file = {},
                                         int max_errors = 50);
  int32_t size() const { return static_cast<int32_t>(codes_.size()); }
  // By value: the fields are stored column-wise and packed (see below).
  Component at(int32_t i) const {
    const Attr& a = attrs_[attr(i)];
    return Component{a.category, point(i), a.owner, a.property, a.maintainer};
  }
  absl::string_view code(int32_t i) const { return codes_.Get(i); }
  void PrefetchCode(int32_t i) const { codes_.Prefetch(static_cast<uint32_t>(i)); }
  absl::string_view state(int32_t i) const {
    return states_.Get(attrs_[attr(i)].state);
  }
  // One probe of an open-addressing table (~2 slots and code compares).
  int32_t FindCode(absl::string_view code) const;
  // Nearest component of `category` within `radius_m` of p (ties: smaller
  // index), or -1. *distance_m receives the distance.
  int32_t Nearest(IPoint p, int32_t category, double radius_m,
                  double* distance_m) const;
  size_t MemoryBytes() const;

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  // The distinct (category, departments, state) combinations: a city has a
  // few thousand for millions of components.
  struct Attr {
    int32_t category, owner, property, maintainer;
    uint32_t state;  // states_ index
  };
  struct Builder;
  struct Box {  // of the components' points
    int64_t min_x = std::numeric_limits<int64_t>::max(), min_y = min_x;
    int64_t max_x = std::numeric_limits<int64_t>::min(), max_y = max_x;
  };
  // Load's steps (components.cc).
  static bool ReadRow(const Categories& categories, const Departments& departments,
                      const Quantizer& q, size_t chunk_lines, CsvChunks::Row& row,
                      Builder* b);
  std::pair<size_t, size_t> MergeAttributes(std::vector<Builder>& parts,
                                            std::vector<std::vector<uint32_t>>* remap);
  Box StoreColumns(std::vector<Builder>& parts,
                   const std::vector<std::vector<uint32_t>>& remap, size_t n, size_t chars);
  bool BuildCodeIndex(int threads);
  // Also renumbers the components in cell order.
  void BuildCellLattice(const Box& box, int threads);

  uint32_t attr(int32_t i) const {
    return attr16_.empty() ? attr32_[i] : attr16_[i];
  }
  IPoint point(int32_t i) const {
    return wide_.empty() ? IPoint{base_x_ + xy_[2 * static_cast<size_t>(i)],
                                  base_y_ + xy_[2 * static_cast<size_t>(i) + 1]}
                         : wide_[i];
  }

  // Per component (~40 bytes at 4M components, 16-character codes). The
  // large arrays are PodArrays: owned when built from a pack, viewed in a
  // compiled snapshot's mapping when loaded in place
  // (LoadOptions::view_in_place).
  PodArray<uint32_t> xy_;  // point - base, x then y (span < 2^32 units)
  PodArray<IPoint> wide_;  // points, instead of xy_, if the span is wider
  int64_t base_x_ = 0, base_y_ = 0;
  PodArray<uint16_t> attr16_;  // attrs_ index (attr32_ past 65536 combinations)
  PodArray<uint32_t> attr32_;
  StringTable codes_;
  // Open addressing, linear probing: component index + 1, 0 empty.
  PodArray<uint32_t> slots_;

  std::vector<Attr> attrs_;
  StringTable states_;  // distinct states

  // Nearest(): a dense lattice of square cells over the components' box,
  // `cell_` units on a side (~50 m, doubled until there are no more cells
  // than components); cell (cx, cy) holds components
  // [cell_begin_[c], cell_begin_[c+1]) with c = cy * nx_ + cx.
  Quantizer quantizer_{true};
  int64_t cell_ = 500'000;
  int64_t nx_ = 0, ny_ = 0;
  PodArray<uint32_t> cell_begin_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_MODEL_COMPONENTS_H_
