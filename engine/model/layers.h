// Copyright 2026 gridroute authors.
//
// Overlay layers: 门前三包 frontage strips, construction sites, parks,
// markets … polygons with an owner, which may overlap each other and the
// grids. Every layer containing a point takes part in routing.
//
//   layers.Hits(p, &hits);  // every layer whose closed polygon covers p
//
// Thread-safety: immutable after construction; safe to share.
#ifndef GRIDROUTE_MODEL_LAYERS_H_
#define GRIDROUTE_MODEL_LAYERS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "common/string_table.h"
#include "geo/grid_geometry.h"
#include "index/box_index.h"

namespace gridroute {

struct Layer {
  std::string code, name, kind, owner, owner_contact;
  int32_t priority = 0;
};

class Layers {
 public:
  Layers() = default;
  // REQUIRES: geometry.num_grids() == attrs.size() (polygon i is layer i)
  // and codes unique (the loader checks).
  Layers(std::vector<Layer> attrs, GridGeometry geometry);

  int32_t size() const { return static_cast<int32_t>(priority_.size()); }
  // By value: the attributes are stored as string tables (~60 bytes a layer
  // instead of ~210 as std::strings).
  Layer at(int32_t i) const {
    return Layer{std::string(codes_.Get(i)),    std::string(names_.Get(i)),
                 std::string(kinds_.Get(i)),    std::string(owners_.Get(i)),
                 std::string(contacts_.Get(i)), priority_[i]};
  }
  // The same attributes without copies (views into the tables; valid while
  // the Layers live).
  absl::string_view code(int32_t i) const { return codes_.Get(i); }
  absl::string_view name(int32_t i) const { return names_.Get(i); }
  absl::string_view kind(int32_t i) const { return kinds_.Get(i); }
  absl::string_view owner(int32_t i) const { return owners_.Get(i); }
  absl::string_view owner_contact(int32_t i) const { return contacts_.Get(i); }
  int32_t priority(int32_t i) const { return priority_[i]; }
  // Layer i's bounding box, its place in Hits() order, and whether it covers
  // p (closed polygon). model/grid_routes.h precomputes per grid which
  // layers may cover it.
  IBox box(int32_t i) const { return geometry_.box(static_cast<uint32_t>(i)); }
  int32_t rank(int32_t i) const { return rank_[i]; }
  bool Covers(int32_t i, IPoint p) const {
    return geometry_.Classify(static_cast<uint32_t>(i), p) != Side::kOutside;
  }
  // Binary search of the codes (load-time lookups: rules' layer scopes).
  int32_t Find(absl::string_view code) const;
  // Calls f(l) for every layer whose box intersects b (closed).
  void VisitBoxesIntersecting(const IBox& b, absl::FunctionRef<void(int32_t)> f) const;
  // Appends every layer covering p, highest priority first, then by code.
  void Hits(IPoint p, std::vector<int32_t>* out) const;
  size_t MemoryBytes() const;

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  StringTable codes_, names_, kinds_, owners_, contacts_;
  std::vector<int32_t> priority_;
  std::vector<int32_t> rank_;     // position in (priority desc, code asc) order
  std::vector<int32_t> by_code_;  // layer indices, codes ascending
  GridGeometry geometry_;
  std::unique_ptr<BoxIndex> index_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_MODEL_LAYERS_H_
