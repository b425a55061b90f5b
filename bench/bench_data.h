// Copyright 2026 gridroute authors.
//
// Datasets and query points shared by gridroute_bench and gridroute-pgbench.
//
//   ASSIGN_OR_RETURN(std::string dir, EnsurePack(200000));   // generated once
//   ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> s, LoadPack(dir));
//   QueryPoints q = MakeQueryPoints(*s, 1'000'000, kPointSeed);
//
// Packs come from the generator library (GenerateCity + WriteCityPack, seed 1;
// GenerateProvince above 5M grids, see BenchCities) and are cached under GRIDROUTE_BENCH_DATA (default <build>/bench-data), one
// directory per grid count; they are never committed.
//
// Query points are uniform over the covered area (rejection sampling of the
// bounding box against the engine's locator) with a fixed seed; the sequence
// does not depend on how many are drawn, so a shorter run (gridroute-pgbench
// --points N) uses a prefix of the same points.
//
// Thread-safety: all functions are reentrant. Not on any request path.
#ifndef GRIDROUTE_BENCH_BENCH_DATA_H_
#define GRIDROUTE_BENCH_BENCH_DATA_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "geo/geometry.h"
#include "snapshot/snapshot.h"

namespace gridroute::bench {

inline constexpr uint64_t kCitySeed = 1;
inline constexpr uint64_t kPointSeed = 20260601;
inline constexpr uint64_t kGatePointSeed = 20260602;

// Grid counts of the standard datasets.
inline const std::vector<int64_t>& StandardSizes() {
  static const std::vector<int64_t> sizes = {2000, 200000, 2000000};
  return sizes;
}

// Packs above gen::kMaxGrids (one city's limit) are provinces
// (gen/province_generator.h) of ceil(grids / kGridsPerBenchCity) cities:
// 10,000,000 grids are 5 cities of 2,000,000.
inline constexpr int64_t kGridsPerBenchCity = 2'000'000;

// Cities of the pack with `grids` grids: 1 up to gen::kMaxGrids, else as
// above.
int BenchCities(int64_t grids);

// LoadPack options for the benchmark packs: the defaults with the file size
// limits raised 4x, since a 10M-grid pack's grids.geojson (~3.4 GB) and
// components.csv (~1.3 GB) exceed the defaults (PACK.md "Limits") that a
// server applies.
LoadOptions BenchLoadOptions();

// Parses "2000,200000"; InvalidArgument names the bad element. Sizes up to
// gen::kMaxProvinceGrids.
absl::StatusOr<std::vector<int64_t>> ParseSizes(const std::string& text);

// Root of the dataset cache: $GRIDROUTE_BENCH_DATA or <build>/bench-data.
std::string DataRoot();

// Directory of the pack with `grids` grids (seed kCitySeed, BenchCities
// cities; the files `gridroute-gen --grids G --cities C --seed 1 --points 0
// --out DIR` writes, so a pack made by the CLI and given a .complete stamp is
// reused), generating it
// first if it is missing. Generation writes into a temporary directory and
// renames it, so an interrupted run never leaves a half-written pack.
absl::StatusOr<std::string> EnsurePack(int64_t grids);

// The pack of `grids` grids compiled to a snapshot file (`gridroute compile`,
// SNAPSHOT_FORMAT.md) beside its directory, <dir>.grsnap, compiling it first
// if it is missing (loads the directory: the time and memory of a directory
// load).
absl::StatusOr<std::string> EnsureSnapshotFile(int64_t grids);

// A query point: the lattice point the engine sees and the same position as
// doubles for the peers (exactly q.ToX(pt.x), q.ToY(pt.y), so every
// implementation answers for the identical point; see MakeQueryPoints).
struct QueryPoint {
  double lon = 0;
  double lat = 0;
  IPoint pt;
};

// Number of timed points for a dataset: 100k up to 10k grids, else 1M.
// $GRIDROUTE_BENCH_POINTS overrides.
size_t DefaultPointCount(int64_t grids);

// `n` points uniform over the area covered by the snapshot's grids.
std::vector<QueryPoint> MakeQueryPoints(const Snapshot& snapshot, size_t n,
                                        uint64_t seed);
// `n` points uniform over the bounding box grown by 1% on each side, so that
// some are outside coverage: used only by the correctness gate.
std::vector<QueryPoint> MakeBoxPoints(const Snapshot& snapshot, size_t n,
                                      uint64_t seed);

// Bytes currently allocated through malloc (all arenas + mmapped chunks), from
// mallinfo2(). Used for the peers' memory estimates.
size_t MallocBytes();

}  // namespace gridroute::bench

#endif  // GRIDROUTE_BENCH_BENCH_DATA_H_
