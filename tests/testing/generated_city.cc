// Copyright 2026 gridroute authors.
#include "testing/generated_city.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <utility>

#include "testing/test_pack.h"

namespace gridroute::testing {

const GeneratedCity& GetGeneratedCity(int64_t grids, uint64_t seed) {
  static std::mutex mu;
  static std::map<std::pair<int64_t, uint64_t>, std::unique_ptr<GeneratedCity>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto& slot = cache[{grids, seed}];
  if (slot) return *slot;
  auto c = std::make_unique<GeneratedCity>();
  gen::CityOptions options;
  options.num_grids = grids;
  options.seed = seed;
  auto city = gen::GenerateCity(options);
  if (!city.ok()) {
    std::fprintf(stderr, "GenerateCity: %s\n", std::string(city.status().message()).c_str());
    std::abort();
  }
  c->city = std::move(*city);
  c->dir = MakeTempDir("city");
  auto written = gen::WriteCityPack(c->city, {.out_dir = c->dir, .num_points = 0, .num_events = 0});
  if (!written.ok()) {
    std::fprintf(stderr, "WriteCityPack: %s\n", std::string(written.status().message()).c_str());
    std::abort();
  }
  auto snapshot = LoadPack(c->dir);
  if (!snapshot.ok()) {
    std::fprintf(stderr, "LoadPack: %s\n", std::string(snapshot.status().message()).c_str());
    std::abort();
  }
  c->snapshot = std::move(*snapshot);
  slot = std::move(c);
  return *slot;
}

IPoint PointInGrid(const Snapshot& s, uint32_t g, std::mt19937_64& rng) {
  const IBox b = s.geometry().box(g);
  for (int k = 0; k < 64; ++k) {
    const IPoint p{b.min_x + static_cast<int64_t>(rng() % (uint64_t(b.max_x - b.min_x) + 1)),
                   b.min_y + static_cast<int64_t>(rng() % (uint64_t(b.max_y - b.min_y) + 1))};
    if (s.locator().Locate(p).grid == g) return p;
  }
  return IPoint{b.min_x + (b.max_x - b.min_x) / 2, b.min_y + (b.max_y - b.min_y) / 2};
}

}  // namespace gridroute::testing
