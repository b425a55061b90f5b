// Copyright 2026 gridroute authors.
//
// The events CSV of `gridroute route --in` (tools/cli/route_command.h,
// common/csv.h), routed on the fixed pack. Input: one options byte, then
// the file.
//   bit 0: --crs gcj02 instead of wgs84 for rows without a crs
//   bit 1: --snap-m 50
//   bit 2: --component-radius-m 0
// Invariant checked: CsvReader gives the same records, lines and status
// reading the file as reading the same bytes from memory.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/route_command.h"
#include "common/csv.h"
#include "fuzz_util.h"

namespace gridroute {
namespace {

void CheckReadersAgree(const std::string& path, absl::string_view text) {
  absl::StatusOr<CsvReader> file = CsvReader::Open(path);
  fuzz::Check(file.ok(), "CsvReader::Open of a written file");
  CsvReader mem = CsvReader::FromString(std::string(text), path);
  std::vector<std::string> a, b;
  for (;;) {
    const bool more_a = file->Next(a);
    const bool more_b = mem.Next(b);
    fuzz::Check(more_a == more_b, "CsvReader: file and memory end together");
    if (!more_a) break;
    fuzz::Check(a == b, "CsvReader: file and memory give the same fields");
    fuzz::Check(file->line() == mem.line(), "CsvReader: file and memory give the same line");
  }
  fuzz::Check(file->status() == mem.status(), "CsvReader: file and memory give the same status");
}

}  // namespace
}  // namespace gridroute

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  if (size < 1) return 0;
  static const Router* router = new Router(fuzz::FixedSnapshot());
  const uint8_t mode = data[0];
  const absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string path = fuzz::WriteScratch("events.csv", data + 1, size - 1);
  CheckReadersAgree(path, text);
  RouteCommandOptions o;
  o.in = path;
  o.out = "/dev/null";
  o.quiet = true;
  o.crs = (mode & 1) ? "gcj02" : "wgs84";
  o.snap_m = (mode & 2) ? 50 : 0;
  o.component_radius_m = (mode & 4) ? 0 : 30;
  absl::StatusOr<RouteCommandStats> stats = RunRoute(*router, o);
  fuzz::CheckNotInternal(stats.status(), "RunRoute");
  return 0;
}
