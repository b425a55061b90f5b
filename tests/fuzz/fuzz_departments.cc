// Copyright 2026 gridroute authors.
//
// departments.csv (model/departments.h). Input: the file.
// Invariant checked: every loaded department is found by its code, and the
// parent chains end (the loader rejects cycles).
#include <cstddef>
#include <cstdint>

#include "fuzz_util.h"
#include "model/departments.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  const std::string path = fuzz::WriteScratch("departments.csv", data, size);
  absl::StatusOr<Departments> d = Departments::Load(path);
  fuzz::CheckNotInternal(d.status(), "Departments::Load");
  if (!d.ok()) return 0;
  for (int32_t i = 0; i < d->size(); ++i) {
    fuzz::Check(d->Find(d->at(i).code) == i, "Departments::Find(at(i).code) == i");
    int32_t steps = 0;
    for (int32_t p = d->at(i).parent; p >= 0; p = d->at(p).parent) {
      fuzz::Check(p < d->size() && ++steps <= d->size(), "department parents end");
    }
  }
  return 0;
}
