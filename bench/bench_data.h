// Copyright 2026 gridroute authors.
//
// Datasets and query points shared by gridroute_bench and gridroute-pgbench.
//
//   ASSIGN_OR_RETURN(std::string dir, EnsurePack(200000));   // generated once
//   ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> s, LoadPack(dir));
//   QueryPoints q = MakeQueryPoints(*s, 1'000'000, kPointSeed);
//
// Packs come from the generator library (GenerateCity + WriteCityPack, seed 1)
// and are cached under GRIDROUTE_BENCH_DATA (default <build>/bench-data), one
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

// Parses "2000,200000"; InvalidArgument names the bad element.
absl::StatusOr<std::vector<int64_t>> ParseSizes(const std::string& text);

// Root of the dataset cache: $GRIDROUTE_BENCH_DATA or <build>/bench-data.
std::string DataRoot();

// Directory of the pack with `grids` grids (seed kCitySeed), generating it
// first if it is missing. Generation writes into a temporary directory and
// renames it, so an interrupted run never leaves a half-written pack.
absl::StatusOr<std::string> EnsurePack(int64_t grids);

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
