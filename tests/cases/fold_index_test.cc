// Copyright 2026 gridroute authors.
//
// The fold index's parts against brute force: the cell table (insert,
// find, backward-shift erase under churn) and FoldIndex queries with cases
// on cell boundaries, negative coordinates, several radii and removals.
#include "cases/fold_index.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "cases/internal/cell_table.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

TEST(CellTableTest, MatchesAMapUnderChurn) {
  cases_internal::CellTable t;
  std::map<uint64_t, uint32_t> ref;
  std::mt19937_64 rng(3);
  for (int step = 0; step < 200000; ++step) {
    // Few distinct keys with clustered hashes: long probe runs, many erases.
    const uint64_t key = rng() % 3000 * (step % 2 ? 1 : 0x100000001ull);
    const int op = static_cast<int>(rng() % 3);
    if (op == 0) {
      bool inserted;
      uint32_t* v = t.FindOrInsert(key, static_cast<uint32_t>(step), &inserted);
      EXPECT_EQ(inserted, !ref.count(key));
      if (!inserted) *v = static_cast<uint32_t>(step);
      ref[key] = static_cast<uint32_t>(step);
    } else if (op == 1 && ref.count(key)) {
      t.Erase(key);
      ref.erase(key);
    } else {
      auto it = ref.find(key);
      ASSERT_EQ(t.Find(key), it == ref.end() ? cases_internal::CellTable::kEmpty
                                             : it->second)
          << "step " << step;
    }
    ASSERT_EQ(t.size(), ref.size());
  }
  for (const auto& [k, v] : ref) EXPECT_EQ(t.Find(k), v);
}

struct Item {
  uint32_t case_idx;
  int32_t cat;
  double x, y;
  int32_t grid;
  int64_t last;
  uint32_t entry;
  bool live;
};

TEST(FoldIndexTest, FindNearestMatchesBruteForce) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(-300, 300);
  const double radius[3] = {50, 7.5, 123.25};
  FoldIndex index;
  std::vector<Item> items;
  for (int step = 0; step < 30000; ++step) {
    const int32_t cat = static_cast<int32_t>(rng() % 3);
    const double r = radius[cat];
    // Points on multiples of the cell side (2r, widened a hair) and of r
    // land on cell boundaries; others anywhere.
    auto coord = [&] {
      switch (rng() % 3) {
        case 0:
          return std::round(u(rng) / r) * r;
        case 1:
          return std::round(u(rng) / (2 * r)) * 2 * r;
        default:
          return u(rng);
      }
    };
    if (rng() % 4 != 0 || items.empty()) {
      Item it{static_cast<uint32_t>(items.size()),
              cat,
              coord(),
              coord(),
              static_cast<int32_t>(rng() % 3),
              static_cast<int64_t>(rng() % 100),
              0,
              true};
      it.entry = index.InsertPoint(it.case_idx, cat, r, it.x, it.y, it.grid,
                                   it.last, cat);
      items.push_back(it);
    } else {
      Item& it = items[rng() % items.size()];
      if (it.live) {
        index.Remove(it.entry);
        it.live = false;
      }
    }
    // A query.
    const double qx = rng() % 2
                          ? coord()
                          : items[rng() % items.size()].x + (rng() % 2 ? r : 0);
    const double qy = coord();
    const int32_t grid =
        rng() % 2 ? FoldIndex::kAnyGrid : static_cast<int32_t>(rng() % 3);
    const int64_t min_last = static_cast<int64_t>(rng() % 100);
    uint32_t best = FoldIndex::kNone;
    double best_d2 = 0;
    for (const Item& it : items) {
      if (!it.live || it.cat != cat || it.last < min_last) continue;
      if (grid != FoldIndex::kAnyGrid && it.grid != grid) continue;
      const double ex = it.x - qx, ey = it.y - qy, d2 = ex * ex + ey * ey;
      if (d2 > r * r) continue;
      if (best == FoldIndex::kNone || d2 < best_d2)
        best = it.case_idx, best_d2 = d2;
    }
    ASSERT_EQ(index.FindNearest(cat, r, qx, qy, grid, min_last), best)
        << "step " << step;
  }
  size_t live = 0;
  for (const Item& it : items) live += it.live;
  EXPECT_EQ(index.size(), live);
}

TEST(FoldIndexTest, ExpireDropsOnlyOutOfWindowEntries) {
  FoldIndex index;
  std::vector<uint32_t> entries;
  for (uint32_t i = 0; i < 100; ++i) {
    entries.push_back(index.InsertPoint(i, 0, 50, i * 1000.0, 0, -1, /*last=*/i,
                                        /*class=*/i % 2));
  }
  index.SetLast(entries[3], 1000);  // folded since: stays
  std::vector<uint32_t> evicted;
  const int64_t horizon[2] = {
      50, 20};  // class 0 keeps last >= 50, class 1 last >= 20
  index.Expire(horizon, [&](uint32_t c) { evicted.push_back(c); });
  std::vector<uint32_t> expect;
  for (uint32_t i = 0; i < 100; ++i) {
    if (i == 3) continue;
    if ((i % 2 == 0 && i < 50) || (i % 2 == 1 && i < 20)) expect.push_back(i);
  }
  std::sort(evicted.begin(), evicted.end());
  EXPECT_EQ(evicted, expect);
  EXPECT_EQ(index.size(), 100 - expect.size());
  EXPECT_EQ(index.FindNearest(0, 50, 3000, 0, FoldIndex::kAnyGrid, 0), 3u);
  EXPECT_EQ(index.FindNearest(0, 50, 2000, 0, FoldIndex::kAnyGrid, 0),
            FoldIndex::kNone);
}

// Report times out of order (a backlog): every entry past the horizon goes,
// whatever was inserted before it (a FIFO kept them behind a recent head).
TEST(FoldIndexTest, ExpireHandlesOutOfOrderTimes) {
  FoldIndex index;
  std::mt19937_64 rng(5);
  std::vector<int64_t> last(2000);
  for (uint32_t i = 0; i < last.size(); ++i) {
    last[i] = static_cast<int64_t>(rng() % 100000);
    index.InsertPoint(i, 0, 50, i * 1000.0, 0, -1, last[i], 0);
  }
  const int64_t horizon[1] = {60000};
  std::vector<uint32_t> evicted;
  index.Expire(horizon, [&](uint32_t c) { evicted.push_back(c); });
  std::vector<uint32_t> expect;
  for (uint32_t i = 0; i < last.size(); ++i) {
    if (last[i] < horizon[0]) expect.push_back(i);
  }
  std::sort(evicted.begin(), evicted.end());
  EXPECT_EQ(evicted, expect);
  EXPECT_EQ(index.size(), last.size() - expect.size());
}

}  // namespace
}  // namespace gridroute
