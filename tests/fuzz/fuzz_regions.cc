// Copyright 2026 gridroute authors.
//
// regions.csv, through LoadPack: the fixed pack with its regions.csv
// replaced by the input (the hierarchy the grids, rules and teams then
// refer to). A pack that loads has every region's chain checked.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  fuzz::WriteFileOrDie(fuzz::ScratchPack() + "/regions.csv",
                       absl::string_view(reinterpret_cast<const char*>(data), size));
  LoadOptions o;
  o.threads = 1;
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(fuzz::ScratchPack(), o);
  fuzz::CheckNotInternal(s.status(), "LoadPack");
  if (!s.ok()) return 0;
  const Hierarchy& h = (*s)->hierarchy();
  std::vector<int32_t> chain(h.levels().size());
  for (int32_t r = 0; r < h.num_regions(); ++r) {
    fuzz::Check(h.Find(h.region(r).code) == r, "Hierarchy::Find(region(r).code) == r");
    h.Chain(r, chain);
    fuzz::Check(chain[h.region(r).level] == r, "a region is in its own chain");
  }
  return 0;
}
