// Copyright 2026 gridroute authors.
//
// components.csv (model/components.h) against the fixed pack's categories,
// departments and grids. Input: the file, or "#big\n" + a file to repeat
// past 2 MiB (fuzz_util.h Amplify) so that it is parsed in chunks on 2
// threads. Components::Load answers Internal when its parallel pass and its
// sequential re-read disagree: checked as a crash. Then grids are assigned
// and every component is looked up by code and by position.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "model/components.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  const Snapshot& s = *fuzz::FixedSnapshot();
  // "#big\n" inputs: over 2 MiB, so the parallel chunks are used.
  const std::string text =
      fuzz::Amplify(absl::string_view(reinterpret_cast<const char*>(data), size), 2200 << 10);
  const std::string path = fuzz::WriteScratch(
      "components.csv", reinterpret_cast<const uint8_t*>(text.data()), text.size());
  absl::StatusOr<Components> c =
      Components::Load(path, s.categories(), s.departments(), s.quantizer(), 2);
  fuzz::CheckNotInternal(c.status(), "Components::Load");
  if (!c.ok()) return 0;
  for (int32_t i = 0; i < c->size(); ++i) {
    fuzz::Check(c->FindCode(c->code(i)) == i, "Components::FindCode(code(i)) == i");
    const Component comp = c->at(i);
    double d = -1;
    const int32_t near = c->Nearest(comp.point, comp.category, 30, &d);
    fuzz::Check(near >= 0 && d == 0, "a component is its own nearest at distance 0");
  }
  return 0;
}
