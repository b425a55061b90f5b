// Copyright 2026 gridroute authors.
//
// manifest.json, through LoadPack: the fixed pack with its manifest replaced
// by the input, so a manifest that parses goes on to load what it names
// (levels against regions.csv, attribute names, CRS, tolerance, precedence,
// which routing files exist).
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  fuzz::WriteFileOrDie(fuzz::ScratchPack() + "/manifest.json",
                       absl::string_view(reinterpret_cast<const char*>(data), size));
  LoadOptions o;
  o.threads = 1;
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(fuzz::ScratchPack(), o);
  fuzz::CheckNotInternal(s.status(), "LoadPack");
  if (s.ok()) (void)(*s)->MemoryBytes();
  return 0;
}
