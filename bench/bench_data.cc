// Copyright 2026 gridroute authors.
#include "bench_data.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <system_error>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gen/city_generator.h"
#include "gen/province_generator.h"
#include "snapshot/snap_file.h"

#ifndef GRIDROUTE_BENCH_DEFAULT_DATA
#define GRIDROUTE_BENCH_DEFAULT_DATA "bench-data"
#endif

namespace gridroute::bench {

namespace fs = std::filesystem;

absl::StatusOr<std::vector<int64_t>> ParseSizes(const std::string& text) {
  std::vector<int64_t> sizes;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int64_t v = 0;
    if (!absl::SimpleAtoi(part, &v) || v < 1 || v > gen::kMaxProvinceGrids) {
      return absl::InvalidArgumentError(
          absl::StrCat("bench sizes: '", part, "' is not a grid count in 1..",
                       gen::kMaxProvinceGrids));
    }
    sizes.push_back(v);
  }
  if (sizes.empty()) return absl::InvalidArgumentError("bench sizes: empty list");
  return sizes;
}

int BenchCities(int64_t grids) {
  if (grids <= gen::kMaxGrids) return 1;
  return static_cast<int>((grids + kGridsPerBenchCity - 1) / kGridsPerBenchCity);
}

LoadOptions BenchLoadOptions() {
  LoadOptions o;
  PackLimits& l = o.limits;
  for (uint64_t* bytes : {&l.regions_bytes, &l.grids_bytes, &l.layers_bytes, &l.rules_bytes,
                          &l.teams_bytes, &l.components_bytes}) {
    *bytes *= 4;
  }
  return o;
}

std::string DataRoot() {
  const char* env = std::getenv("GRIDROUTE_BENCH_DATA");
  return env != nullptr && *env != '\0' ? env : GRIDROUTE_BENCH_DEFAULT_DATA;
}

absl::StatusOr<std::string> EnsurePack(int64_t grids) {
  const fs::path dir = fs::path(DataRoot()) / std::to_string(grids);
  // The stamp is written last: its presence means the pack is complete.
  const fs::path stamp = dir / ".complete";
  if (fs::exists(stamp)) return dir.string();

  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create ", dir.parent_path().string(), ": ", ec.message()));
  }
  const fs::path tmp = dir.parent_path() /
                       absl::StrCat(".tmp-", grids, "-", static_cast<int>(getpid()));
  fs::remove_all(tmp, ec);
  const int cities = BenchCities(grids);
  std::fprintf(stderr, "bench: generating %lld-grid %s (%d cities, seed %llu) into %s\n",
               static_cast<long long>(grids), cities > 1 ? "province" : "city", cities,
               static_cast<unsigned long long>(kCitySeed), dir.c_str());
  gen::ProvinceOptions options;
  options.num_grids = grids;
  options.num_cities = cities;
  options.seed = kCitySeed;
  absl::StatusOr<gen::Province> province = gen::GenerateProvince(options);
  if (!province.ok()) return province.status();
  absl::StatusOr<gen::PackStats> written =
      gen::WriteCityPack(province->city, {.out_dir = tmp.string(), .num_points = 0});
  province->city = gen::City();  // the geometry is written: free it before the stamp
  if (!written.ok()) {
    fs::remove_all(tmp, ec);
    return written.status();
  }
  {
    std::ofstream out(tmp / ".complete");
    out << "gridroute-gen grids=" << grids << " cities=" << cities << " seed=" << kCitySeed
        << "\n";
  }
  fs::remove_all(dir, ec);
  fs::rename(tmp, dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot rename ", tmp.string(), " to ", dir.string(), ": ", ec.message()));
  }
  return dir.string();
}

absl::StatusOr<std::string> EnsureSnapshotFile(int64_t grids) {
  absl::StatusOr<std::string> dir = EnsurePack(grids);
  if (!dir.ok()) return dir.status();
  const std::string file = *dir + ".grsnap";
  if (fs::exists(file)) {
    // A file of another format version (an older build's) is compiled again.
    absl::StatusOr<std::shared_ptr<SnapFile>> f = SnapFile::Open(file, VerifyMode::kNone);
    if (f.ok() || f.status().code() != absl::StatusCode::kFailedPrecondition) return file;
    std::fprintf(stderr, "bench: %s\n", std::string(f.status().message()).c_str());
  }
  std::fprintf(stderr, "bench: compiling %s into %s\n", dir->c_str(), file.c_str());
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(*dir, BenchLoadOptions());
  if (!s.ok()) return s.status();
  // Written to a temporary file and renamed: present means complete.
  if (absl::Status st = CompileSnapshot(**s, *dir, file); !st.ok()) return st;
  s->reset();
  malloc_trim(0);
  return file;
}

size_t DefaultPointCount(int64_t grids) {
  if (const char* env = std::getenv("GRIDROUTE_BENCH_POINTS"); env != nullptr) {
    int64_t v = 0;
    if (absl::SimpleAtoi(env, &v) && v > 0) return static_cast<size_t>(v);
  }
  return grids <= 10000 ? 100'000 : 1'000'000;
}

namespace {

IBox Bounds(const Snapshot& snapshot) {
  IBox box;
  for (const IPoint& p : snapshot.geometry().points()) box.Expand(p);
  return box;
}

// Random doubles are quantized with the snapshot's Quantizer, and the peers
// get the lattice point back as doubles. Without this a point within ~0.05 mm
// of an edge (the rounding of a 1e-9 degree lattice) could legitimately
// differ between the engine and a double-precision peer: at 1M points and the
// generator's edge density that happens a few times per run.
QueryPoint Make(const Quantizer& q, double lon, double lat) {
  QueryPoint p;
  p.pt = q.Quantize(lon, lat);
  p.lon = q.ToX(p.pt.x);
  p.lat = q.ToY(p.pt.y);
  return p;
}

}  // namespace

std::vector<QueryPoint> MakeQueryPoints(const Snapshot& snapshot, size_t n,
                                        uint64_t seed) {
  const Quantizer& q = snapshot.quantizer();
  const IBox box = Bounds(snapshot);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(q.ToX(box.min_x), q.ToX(box.max_x));
  std::uniform_real_distribution<double> uy(q.ToY(box.min_y), q.ToY(box.max_y));
  std::vector<QueryPoint> out;
  out.reserve(n);
  while (out.size() < n) {
    const double lon = ux(rng);
    const double lat = uy(rng);
    QueryPoint p = Make(q, lon, lat);
    if (snapshot.locator().Locate(p.pt).grid != kNoGrid) out.push_back(p);
  }
  return out;
}

std::vector<QueryPoint> MakeBoxPoints(const Snapshot& snapshot, size_t n,
                                      uint64_t seed) {
  const Quantizer& q = snapshot.quantizer();
  const IBox box = Bounds(snapshot);
  const double w = q.ToX(box.max_x) - q.ToX(box.min_x);
  const double h = q.ToY(box.max_y) - q.ToY(box.min_y);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> ux(q.ToX(box.min_x) - 0.01 * w,
                                            q.ToX(box.max_x) + 0.01 * w);
  std::uniform_real_distribution<double> uy(q.ToY(box.min_y) - 0.01 * h,
                                            q.ToY(box.max_y) + 0.01 * h);
  std::vector<QueryPoint> out;
  out.reserve(n);
  while (out.size() < n) {
    const double lon = ux(rng);
    const double lat = uy(rng);
    out.push_back(Make(q, lon, lat));
  }
  return out;
}

size_t MallocBytes() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

}  // namespace gridroute::bench
