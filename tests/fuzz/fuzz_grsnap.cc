// Copyright 2026 gridroute authors.
//
// A compiled snapshot file (.grsnap, engine/snapshot/SNAPSHOT_FORMAT.md)
// through LoadPack with VerifyMode::kNone: no section checksum is checked,
// so every mutation reaches the section readers and the structural checks
// (a fuzzer cannot fix a CRC32C). A file that loads is then queried: points
// over and around the grids located (with snapping) and routed for every
// category. Any crash, leak or ASan report is a reader that trusted the
// file. Seed: tests/fuzz/pack compiled (corpus/grsnap/fuzz_pack.grsnap;
// `gridroute compile --pack tests/fuzz/pack --out ...`).
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "route/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  const std::string path = fuzz::WriteScratch("input.grsnap", data, size);
  LoadOptions o;
  o.threads = 1;
  o.verify = VerifyMode::kNone;
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(path, o);
  fuzz::CheckNotInternal(s.status(), "LoadPack(.grsnap)");
  if (!s.ok()) return 0;
  const Snapshot& snap = **s;
  (void)snap.MemoryBytes();
  Router router(*s);
  IBox all;
  for (uint32_t g = 0; g < snap.num_grids(); ++g)
    all.Expand(snap.geometry().box(g));
  if (all.empty()) return 0;
  const int64_t wx = all.max_x / 4 - all.min_x / 4,
                wy = all.max_y / 4 - all.min_y / 4;
  for (int i = -1; i <= 5; ++i) {
    for (int j = -1; j <= 5; ++j) {
      const IPoint p{all.min_x + i * wx, all.min_y + j * wy};
      (void)snap.locator().Locate(p, {.snap_m = 500});
      for (int32_t c = 0; c < snap.categories().size(); ++c) {
        Event e;
        e.x = snap.quantizer().ToX(p.x);
        e.y = snap.quantizer().ToY(p.y);
        e.category_type = snap.categories().at(c).type;
        e.category = snap.categories().at(c).code;
        e.reported_at = absl::FromUnixSeconds(1767225600);
        Decision d;
        (void)router.Route(e, {.snap_m = 100, .component_radius_m = 500}, &d);
      }
    }
  }
  for (int32_t i = 0; i < snap.components().size(); ++i) {
    (void)snap.components().FindCode(snap.components().code(i));
  }
  return 0;
}
