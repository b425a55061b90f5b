// Copyright 2026 gridroute authors.
//
// teams.csv (model/teams.h) against the fixed pack's regions and grids.
// Input: the file, or "#big\n" + a file to repeat past 2 MiB (fuzz_util.h
// Amplify) so that it is parsed in chunks on 2 threads. Teams::Load answers
// Internal when its parallel pass and its sequential re-read disagree: that
// is checked as a crash. Then every grid's team is resolved for every
// specialty.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "model/teams.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  const Snapshot& s = *fuzz::FixedSnapshot();
  // "#big\n" inputs: over 2 MiB, so the parallel chunks are used.
  const std::string text =
      fuzz::Amplify(absl::string_view(reinterpret_cast<const char*>(data), size), 2200 << 10);
  const std::string path = fuzz::WriteScratch(
      "teams.csv", reinterpret_cast<const uint8_t*>(text.data()), text.size());
  auto find_grid = [&s](absl::string_view code) { return s.FindGrid(code); };
  absl::StatusOr<Teams> t = Teams::Load(path, s.hierarchy(), s.num_grids(), find_grid, 2);
  fuzz::CheckNotInternal(t.status(), "Teams::Load");
  if (!t.ok()) return 0;
  std::vector<TeamAssignment> out;
  const int32_t specialties = static_cast<int32_t>(t->specialties().size());
  for (uint32_t g = 0; g < s.num_grids(); ++g) {
    for (int32_t sp = -1; sp < specialties; ++sp) {
      out.clear();
      t->Resolve(g, s.grid_parent(g), sp, &out);
      for (const TeamAssignment& a : out) {
        fuzz::Check(a.person >= 0 && a.person < t->num_people(), "assignment names a person");
        (void)t->person(a.person);
      }
    }
  }
  for (int32_t i = 0; i < t->num_people(); ++i) {
    fuzz::Check(!t->person_id(i).empty(), "person ids are not empty");
  }
  return 0;
}
