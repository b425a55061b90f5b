// Copyright 2026 gridroute authors.
//
// BoxIndex against a brute-force scan of the same boxes: exact results when
// the boxes span less than 2^32 units, a superset within 2^shift units when
// they span more, each id at most once, empty boxes never reported.
#include "index/box_index.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace gridroute {
namespace {

std::vector<uint32_t> Sorted(std::vector<uint32_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<IBox> RandomBoxes(std::mt19937_64& rng, int n, int64_t lo,
                              int64_t hi, int64_t max_side) {
  std::uniform_int_distribution<int64_t> pos(lo, hi), side(0, max_side);
  std::vector<IBox> boxes(n);
  for (IBox& b : boxes) {
    b.min_x = pos(rng);
    b.min_y = pos(rng);
    b.max_x = b.min_x + side(rng);
    b.max_y = b.min_y + side(rng);
  }
  return boxes;
}

// Checks every query box / point: no id twice, every true hit reported, and
// (when `slack` is 0) nothing else; otherwise nothing farther than `slack`.
void CheckQueries(const std::vector<IBox>& boxes, const BoxIndex& index,
                  const std::vector<IBox>& queries, int64_t slack) {
  for (const IBox& q : queries) {
    std::vector<uint32_t> want, got;
    for (uint32_t i = 0; i < boxes.size(); ++i) {
      if (!boxes[i].empty() && boxes[i].min_y <= boxes[i].max_y &&
          boxes[i].Intersects(q)) {
        want.push_back(i);
      }
    }
    index.VisitIntersecting(q, [&](uint32_t id) { got.push_back(id); });
    got = Sorted(got);
    ASSERT_TRUE(std::adjacent_find(got.begin(), got.end()) == got.end());
    ASSERT_TRUE(
        std::includes(got.begin(), got.end(), want.begin(), want.end()));
    if (slack == 0) {
      ASSERT_EQ(got, want);
    } else {
      IBox grown = q;
      grown.min_x -= slack;
      grown.min_y -= slack;
      grown.max_x += slack;
      grown.max_y += slack;
      for (uint32_t id : got) ASSERT_TRUE(boxes[id].Intersects(grown)) << id;
    }
    if (q.min_x == q.max_x && q.min_y == q.max_y) {
      std::vector<uint32_t> by_point;
      index.VisitContaining({q.min_x, q.min_y},
                            [&](uint32_t id) { by_point.push_back(id); });
      EXPECT_EQ(Sorted(by_point), got);
    }
  }
}

std::vector<IBox> Queries(std::mt19937_64& rng, int n, int64_t lo, int64_t hi,
                          int64_t max_side) {
  std::vector<IBox> q = RandomBoxes(rng, n, lo, hi, max_side);
  // Points, including ones on box corners.
  std::uniform_int_distribution<int64_t> pos(lo, hi);
  for (int i = 0; i < n; ++i) {
    const int64_t x = pos(rng), y = pos(rng);
    q.push_back(IBox{x, y, x, y});
  }
  return q;
}

TEST(BoxIndexTest, ExactWithinA32BitSpan) {
  std::mt19937_64 rng(7);
  for (int n : {0, 1, 2, 15, 16, 17, 255, 256, 257, 5000}) {
    // A city at 120°E, 31°N in 1e-9 degree units, boxes up to ~100 m.
    const int64_t x0 = 120'000'000'000, span = 3'000'000'000;
    std::vector<IBox> boxes = RandomBoxes(rng, n, x0, x0 + span, 2'000'000);
    BoxIndex index(boxes);
    EXPECT_EQ(index.shift(), 0);
    std::vector<IBox> queries =
        Queries(rng, 300, x0 - 5'000'000, x0 + span + 5'000'000, 20'000'000);
    for (int i = 0; i < std::min(n, 50);
         ++i) {  // corners and edges of stored boxes
      queries.push_back(
          IBox{boxes[i].max_x, boxes[i].max_y, boxes[i].max_x, boxes[i].max_y});
      queries.push_back(
          IBox{boxes[i].min_x, boxes[i].min_y, boxes[i].min_x, boxes[i].min_y});
      queries.push_back(IBox{boxes[i].max_x + 1, boxes[i].min_y,
                             boxes[i].max_x + 5, boxes[i].max_y});
    }
    SCOPED_TRACE(n);
    CheckQueries(boxes, index, queries, 0);
  }
}

TEST(BoxIndexTest, DuplicateAndDegenerateBoxes) {
  std::vector<IBox> boxes(40, IBox{10, 10, 10, 10});  // all one point
  boxes.push_back(IBox{10, 10, 20, 10});              // a segment
  BoxIndex index(boxes);
  std::vector<uint32_t> got;
  index.VisitContaining({10, 10}, [&](uint32_t id) { got.push_back(id); });
  EXPECT_EQ(got.size(), 41u);
  got.clear();
  index.VisitContaining({15, 10}, [&](uint32_t id) { got.push_back(id); });
  EXPECT_EQ(got, std::vector<uint32_t>{40});
  got.clear();
  index.VisitContaining({15, 11}, [&](uint32_t id) { got.push_back(id); });
  EXPECT_TRUE(got.empty());
}

TEST(BoxIndexTest, EmptyBoxesAreNeverReported) {
  std::vector<IBox> boxes = {IBox{0, 0, 10, 10}, IBox(), IBox{5, 5, 6, 6},
                             IBox{3, 3, 2, 4} /* min_x > max_x */};
  BoxIndex index(boxes);
  std::vector<uint32_t> got;
  index.VisitIntersecting(IBox{-100, -100, 100, 100},
                          [&](uint32_t id) { got.push_back(id); });
  EXPECT_EQ(Sorted(got), (std::vector<uint32_t>{0, 2}));
  got.clear();
  index.VisitIntersecting(IBox(), [&](uint32_t id) { got.push_back(id); });
  EXPECT_TRUE(got.empty());

  BoxIndex none(std::vector<IBox>{IBox(), IBox()});
  none.VisitContaining({0, 0}, [&](uint32_t id) { got.push_back(id); });
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(BoxIndex(std::vector<IBox>{}).shift(), 0);
}

TEST(BoxIndexTest, WideSpansAreASupersetWithinTheShift) {
  std::mt19937_64 rng(11);
  // The whole world in 1e-9 degrees: 360e9 units, 7 bits shifted.
  const int64_t lo = -180'000'000'000, hi = 180'000'000'000;
  std::vector<IBox> boxes =
      RandomBoxes(rng, 3000, lo, hi - 50'000'000'000, 40'000'000'000);
  boxes.push_back(IBox{lo, lo, lo, lo});
  boxes.push_back(IBox{hi, hi, hi, hi});
  BoxIndex index(boxes);
  ASSERT_GT(index.shift(), 0);
  const int64_t slack = int64_t{1} << index.shift();
  CheckQueries(boxes, index,
               Queries(rng, 300, lo - 1000, hi + 1000, 1'000'000'000), slack);
  // Points just outside the boxes' extent find nothing.
  std::vector<uint32_t> got;
  index.VisitContaining({hi + 1, hi}, [&](uint32_t id) { got.push_back(id); });
  index.VisitContaining({lo, lo - 1}, [&](uint32_t id) { got.push_back(id); });
  EXPECT_TRUE(got.empty());
}

TEST(BoxIndexTest, ExtremeCoordinatesDoNotOverflow) {
  const int64_t kMin = std::numeric_limits<int64_t>::min() / 2;
  const int64_t kMax = std::numeric_limits<int64_t>::max() / 2;
  std::vector<IBox> boxes = {IBox{kMin, kMin, kMin + 10, kMin + 10},
                             IBox{kMax - 10, kMax - 10, kMax, kMax},
                             IBox{0, 0, 1, 1}};
  BoxIndex index(boxes);
  std::vector<uint32_t> got;
  index.VisitContaining({kMax, kMax}, [&](uint32_t id) { got.push_back(id); });
  EXPECT_EQ(got, std::vector<uint32_t>{1});
  got.clear();
  index.VisitContaining({kMin, kMin}, [&](uint32_t id) { got.push_back(id); });
  EXPECT_EQ(got, std::vector<uint32_t>{0});
  got.clear();
  index.VisitContaining({0, 0}, [&](uint32_t id) { got.push_back(id); });
  EXPECT_EQ(got, std::vector<uint32_t>{2});
}

}  // namespace
}  // namespace gridroute
