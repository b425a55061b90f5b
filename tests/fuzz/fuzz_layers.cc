// Copyright 2026 gridroute authors.
//
// layers.geojson, through LoadPack: the fixed pack with its layers replaced
// by the input (duplicate codes, priorities, the rules that name a layer,
// the per-grid layer candidates). A pack that loads routes one event at
// every layer vertex.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "route/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  fuzz::WriteFileOrDie(fuzz::ScratchPack() + "/layers.geojson",
                       absl::string_view(reinterpret_cast<const char*>(data), size));
  LoadOptions o;
  o.threads = 1;
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(fuzz::ScratchPack(), o);
  fuzz::CheckNotInternal(s.status(), "LoadPack");
  if (!s.ok()) return 0;
  const Snapshot& snap = **s;
  std::vector<int32_t> hits;
  for (int32_t l = 0; l < snap.layers().size() && l < 16; ++l) {
    const IBox& b = snap.layers().box(l);
    hits.clear();
    snap.layers().Hits(IPoint{b.min_x, b.min_y}, &hits);
    fuzz::Check(snap.layers().Find(snap.layers().code(l)) == l, "Layers::Find(code(l)) == l");
  }
  Router router(*s);
  Event e;
  e.category = "0102";
  e.reported_at = absl::FromUnixSeconds(1772589600);
  Decision d;
  for (double x : {120.0003, 120.00021, 120.0015}) {
    e.x = x;
    e.y = 31.0003;
    fuzz::CheckNotInternal(router.Route(e, {}, &d), "Router::Route");
  }
  return 0;
}
