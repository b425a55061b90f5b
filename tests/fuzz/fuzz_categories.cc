// Copyright 2026 gridroute authors.
//
// categories.csv (model/categories.h). Input: the file.
// Invariant checked: every loaded category is found by type and code, and
// allows at least one urgency of the pack.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "model/categories.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  const std::string path = fuzz::WriteScratch("categories.csv", data, size);
  absl::StatusOr<Categories> c = Categories::Load(path);
  fuzz::CheckNotInternal(c.status(), "Categories::Load");
  if (!c.ok()) return 0;
  const int32_t urgencies = static_cast<int32_t>(c->urgencies().size());
  fuzz::Check(urgencies <= kMaxUrgencies, "at most kMaxUrgencies urgencies");
  for (int32_t i = 0; i < c->size(); ++i) {
    const Category& cat = c->at(i);
    fuzz::Check(c->Find(cat.type, cat.code) == i, "Categories::Find(type, code) == i");
    bool any = false;
    for (int32_t u = 0; u < urgencies; ++u) any = any || cat.AllowsUrgency(u);
    fuzz::Check(any, "a category allows an urgency");
    if (!cat.specialty.empty()) {
      fuzz::Check(c->FindSpecialty(cat.specialty) == cat.specialty_id, "specialty id");
    }
  }
  return 0;
}
