// Copyright 2026 gridroute authors.
//
// A generated city (tools/gen) written to a temporary pack and loaded, cached
// per (grids, seed) for the life of the test binary.
//
//   const GeneratedCity& c = GetGeneratedCity(2000, 1);
//   c.snapshot->locator().Locate(...);   c.city.vertices ...
#ifndef GRIDROUTE_TESTS_TESTING_GENERATED_CITY_H_
#define GRIDROUTE_TESTS_TESTING_GENERATED_CITY_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "gen/city_generator.h"
#include "snapshot/snapshot.h"

namespace gridroute::testing {

struct GeneratedCity {
  gen::City city;  // the generator's own in-memory city (the oracle's input)
  std::string dir;  // the written pack
  std::shared_ptr<const Snapshot> snapshot;
};

// Aborts the test binary (with a message) if generation or loading fails.
const GeneratedCity& GetGeneratedCity(int64_t grids, uint64_t seed);

// A point inside grid g of `s` (a sample of its box that the locator puts in
// g; 64 tries), else its box's centre.
IPoint PointInGrid(const Snapshot& s, uint32_t g, std::mt19937_64& rng);

}  // namespace gridroute::testing

#endif  // GRIDROUTE_TESTS_TESTING_GENERATED_CITY_H_
