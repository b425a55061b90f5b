// Copyright 2026 gridroute authors.
#include "index/box_index.h"

#include <algorithm>
#include <limits>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace gridroute {

namespace {

constexpr uint32_t kFanout = 16;

// A box in offset space (see box_index.h), closed.
struct QBox {
  uint32_t min_x, min_y, max_x, max_y;
};

// The children of one node (or 16 boxes of level 0), coordinates biased by
// -2^31 so that signed 32-bit compares (all SSE2 has) order them as unsigned.
struct alignas(64) Block {
  int32_t min_x[kFanout], min_y[kFanout], max_x[kFanout], max_y[kFanout];
};

inline int32_t Bias(uint32_t v) {
  return static_cast<int32_t>(v ^ 0x80000000u);
}

// Bit i set if entry i of `b` meets the (biased) query box.
inline uint32_t MatchMask(const Block& b, int32_t qx0, int32_t qy0, int32_t qx1,
                          int32_t qy1) {
#ifdef __SSE2__
  const __m128i x0 = _mm_set1_epi32(qx0), y0 = _mm_set1_epi32(qy0);
  const __m128i x1 = _mm_set1_epi32(qx1), y1 = _mm_set1_epi32(qy1);
  uint32_t miss = 0;
  for (uint32_t i = 0; i < kFanout; i += 4) {
    auto load = [&](const int32_t* v) {
      return _mm_load_si128(reinterpret_cast<const __m128i*>(v + i));
    };
    const __m128i m =
        _mm_or_si128(_mm_or_si128(_mm_cmpgt_epi32(load(b.min_x), x1),
                                  _mm_cmpgt_epi32(x0, load(b.max_x))),
                     _mm_or_si128(_mm_cmpgt_epi32(load(b.min_y), y1),
                                  _mm_cmpgt_epi32(y0, load(b.max_y))));
    miss |= static_cast<uint32_t>(_mm_movemask_ps(_mm_castsi128_ps(m))) << i;
  }
  return ~miss & 0xFFFFu;
#else
  uint32_t hit = 0;
  for (uint32_t i = 0; i < kFanout; ++i) {
    hit |= static_cast<uint32_t>(b.min_x[i] <= qx1 && qx0 <= b.max_x[i] &&
                                 b.min_y[i] <= qy1 && qy0 <= b.max_y[i])
           << i;
  }
  return hit;
#endif
}

// Position of (x, y) (16 bits each) along the Hilbert curve of order 16
// ("Fast Hilbert curve generation, sorting, and range queries",
// rawrunprotected, public domain; as in mourner/flatbush).
uint32_t Hilbert(uint32_t x, uint32_t y) {
  uint32_t a = x ^ y;
  uint32_t b = 0xFFFF ^ a;
  uint32_t c = 0xFFFF ^ (x | y);
  uint32_t d = x & (y ^ 0xFFFF);
  uint32_t A = a | (b >> 1);
  uint32_t B = (a >> 1) ^ a;
  uint32_t C = ((c >> 1) ^ (b & (d >> 1))) ^ c;
  uint32_t D = ((a & (c >> 1)) ^ (d >> 1)) ^ d;
  a = A;
  b = B;
  c = C;
  d = D;
  A = ((a & (a >> 2)) ^ (b & (b >> 2)));
  B = ((a & (b >> 2)) ^ (b & ((a ^ b) >> 2)));
  C ^= ((a & (c >> 2)) ^ (b & (d >> 2)));
  D ^= ((b & (c >> 2)) ^ ((a ^ b) & (d >> 2)));
  a = A;
  b = B;
  c = C;
  d = D;
  A = ((a & (a >> 4)) ^ (b & (b >> 4)));
  B = ((a & (b >> 4)) ^ (b & ((a ^ b) >> 4)));
  C ^= ((a & (c >> 4)) ^ (b & (d >> 4)));
  D ^= ((b & (c >> 4)) ^ ((a ^ b) & (d >> 4)));
  a = A;
  b = B;
  c = C;
  d = D;
  C ^= ((a & (c >> 8)) ^ (b & (d >> 8)));
  D ^= ((b & (c >> 8)) ^ ((a ^ b) & (d >> 8)));
  a = C ^ (C >> 1);
  b = D ^ (D >> 1);
  uint32_t i0 = x ^ y;
  uint32_t i1 = b | (0xFFFF ^ (i0 | a));
  i0 = (i0 | (i0 << 8)) & 0x00FF00FF;
  i0 = (i0 | (i0 << 4)) & 0x0F0F0F0F;
  i0 = (i0 | (i0 << 2)) & 0x33333333;
  i0 = (i0 | (i0 << 1)) & 0x55555555;
  i1 = (i1 | (i1 << 8)) & 0x00FF00FF;
  i1 = (i1 | (i1 << 4)) & 0x0F0F0F0F;
  i1 = (i1 | (i1 << 2)) & 0x33333333;
  i1 = (i1 | (i1 << 1)) & 0x55555555;
  return (i1 << 1) | i0;
}

}  // namespace

struct BoxIndex::Impl {
  int64_t origin_x = 0, origin_y = 0;  // minimum corner of all boxes
  int64_t limit_x = 0, limit_y = 0;    // maximum corner
  int shift = 0;
  // Level 0 holds the boxes in Hilbert order, level L > 0 one box per 16
  // entries of level L - 1, up to a single root. Level L's entry k sits at
  // blocks[block_begin[L] + k / 16], lane k % 16 (the last block of a level
  // is partly unused).
  std::vector<Block> blocks;
  std::vector<uint32_t> block_begin;  // per level, + one past the end
  std::vector<uint32_t> level_size;   // entries per level
  std::vector<uint32_t> ids;          // box id of level-0 entry k

  // Monotone (x <= y implies Map(x) <= Map(y)), so every true intersection
  // survives the mapping.
  uint32_t Map(int64_t v, int64_t origin, int64_t limit) const {
    if (v <= origin) return 0;
    if (v > limit) v = limit;
    return static_cast<uint32_t>(
        (static_cast<uint64_t>(v) - static_cast<uint64_t>(origin)) >> shift);
  }
  QBox MapBox(const IBox& b) const {
    return QBox{
        Map(b.min_x, origin_x, limit_x), Map(b.min_y, origin_y, limit_y),
        Map(b.max_x, origin_x, limit_x), Map(b.max_y, origin_y, limit_y)};
  }
  void Set(uint32_t level, uint32_t k, const QBox& q) {
    Block& b = blocks[block_begin[level] + k / kFanout];
    b.min_x[k % kFanout] = Bias(q.min_x);
    b.min_y[k % kFanout] = Bias(q.min_y);
    b.max_x[k % kFanout] = Bias(q.max_x);
    b.max_y[k % kFanout] = Bias(q.max_y);
  }

  void Query(const QBox& q, absl::FunctionRef<void(uint32_t)> f) const {
    if (ids.empty()) return;
    const int32_t x0 = Bias(q.min_x), y0 = Bias(q.min_y);
    const int32_t x1 = Bias(q.max_x), y1 = Bias(q.max_y);
    const uint32_t top = static_cast<uint32_t>(level_size.size()) - 1;
    struct Item {
      uint32_t level, node;  // visit the children of `node` of `level` (> 0)
    };
    // Each pop pushes at most kFanout; depth <= 8 for 2^32 boxes.
    Item stack[kFanout * 10];
    int sp = 0;
    auto scan = [&](uint32_t level, uint32_t block) {
      // Entries of `level` in `block`.
      const uint32_t first = block * kFanout;
      const uint32_t n = std::min(kFanout, level_size[level] - first);
      uint32_t mask =
          MatchMask(blocks[block_begin[level] + block], x0, y0, x1, y1) &
          ((1u << n) - 1);
      while (mask != 0) {
        const uint32_t k = first + static_cast<uint32_t>(__builtin_ctz(mask));
        mask &= mask - 1;
        if (level == 0) {
          f(ids[k]);
        } else {
          stack[sp++] = {level, k};
        }
      }
    };
    scan(top, 0);  // the root's level has one block
    while (sp > 0) {
      const Item it = stack[--sp];
      scan(it.level - 1, it.node);
    }
  }
};

BoxIndex::BoxIndex(const std::vector<IBox>& boxes) : impl_(new Impl) {
  Impl& m = *impl_;
  IBox all;
  uint32_t n = 0;
  for (const IBox& b : boxes) {
    if (b.empty() || b.min_y > b.max_y) continue;
    all.Expand(b);
    ++n;
  }
  if (n == 0) return;
  m.origin_x = all.min_x;
  m.origin_y = all.min_y;
  m.limit_x = all.max_x;
  m.limit_y = all.max_y;
  const uint64_t span = std::max(
      static_cast<uint64_t>(all.max_x) - static_cast<uint64_t>(all.min_x),
      static_cast<uint64_t>(all.max_y) - static_cast<uint64_t>(all.min_y));
  while ((span >> m.shift) > std::numeric_limits<uint32_t>::max()) ++m.shift;
  const QBox root = m.MapBox(all);

  // Hilbert keys of the box centres on a 2^16 x 2^16 grid over the root box;
  // ties (and equal keys) in id order, so the tree does not depend on sorting.
  std::vector<uint64_t> keys;
  keys.reserve(n);
  const uint64_t wx = std::max<uint64_t>(1, root.max_x),
                 wy = std::max<uint64_t>(1, root.max_y);
  for (uint32_t i = 0; i < boxes.size(); ++i) {
    const IBox& b = boxes[i];
    if (b.empty() || b.min_y > b.max_y) continue;
    const QBox q = m.MapBox(b);
    const uint64_t cx = (uint64_t{q.min_x} + q.max_x) / 2;
    const uint64_t cy = (uint64_t{q.min_y} + q.max_y) / 2;
    const uint32_t h = Hilbert(static_cast<uint32_t>(cx * 0xFFFF / wx),
                               static_cast<uint32_t>(cy * 0xFFFF / wy));
    keys.push_back(uint64_t{h} << 32 | i);
  }
  std::sort(keys.begin(), keys.end());

  uint32_t num_blocks = 0;
  for (uint32_t size = n;; size = (size + kFanout - 1) / kFanout) {
    m.block_begin.push_back(num_blocks);
    m.level_size.push_back(size);
    num_blocks += (size + kFanout - 1) / kFanout;
    if (size == 1) break;
  }
  m.block_begin.push_back(num_blocks);
  m.blocks.resize(num_blocks);
  m.ids.reserve(n);
  std::vector<QBox> level;  // the current level's boxes, to build the next
  level.reserve(n);
  for (uint64_t k : keys) {
    const uint32_t id = static_cast<uint32_t>(k);
    m.ids.push_back(id);
    level.push_back(m.MapBox(boxes[id]));
  }
  keys = std::vector<uint64_t>();
  for (uint32_t l = 0;; ++l) {
    for (uint32_t k = 0; k < level.size(); ++k) m.Set(l, k, level[k]);
    if (level.size() == 1) break;
    std::vector<QBox> up;
    up.reserve((level.size() + kFanout - 1) / kFanout);
    for (size_t i = 0; i < level.size(); i += kFanout) {
      QBox u = level[i];
      for (size_t j = i + 1; j < std::min<size_t>(i + kFanout, level.size());
           ++j) {
        u.min_x = std::min(u.min_x, level[j].min_x);
        u.min_y = std::min(u.min_y, level[j].min_y);
        u.max_x = std::max(u.max_x, level[j].max_x);
        u.max_y = std::max(u.max_y, level[j].max_y);
      }
      up.push_back(u);
    }
    level = std::move(up);
  }
}

BoxIndex::BoxIndex() : impl_(new Impl) {}
BoxIndex::~BoxIndex() = default;

void BoxIndex::Save(SnapWriter& w) const {
  const Impl& m = *impl_;
  w.PutI64(m.origin_x);
  w.PutI64(m.origin_y);
  w.PutI64(m.limit_x);
  w.PutI64(m.limit_y);
  w.PutI32(m.shift);
  w.PutArray(m.ids);
  w.PutArray(m.blocks);
}

absl::StatusOr<std::unique_ptr<BoxIndex>> BoxIndex::Load(SnapReader& r, uint32_t num_boxes) {
  std::unique_ptr<BoxIndex> index(new BoxIndex());
  Impl& m = *index->impl_;
  r.GetI64(&m.origin_x);
  r.GetI64(&m.origin_y);
  r.GetI64(&m.limit_x);
  r.GetI64(&m.limit_y);
  r.GetI32(&m.shift);
  r.GetArray(&m.ids, num_boxes);
  r.GetArray(&m.blocks);
  if (!r.ok()) return r.status();
  if (m.shift < 0 || m.shift > 32) r.Fail("box index shift out of range");
  for (uint32_t id : m.ids) {
    if (id >= num_boxes) {
      r.Fail("a box id past the last box");
      break;
    }
  }
  // The levels follow from the count, as the constructor lays them out.
  uint32_t num_blocks = 0;
  if (!m.ids.empty()) {
    for (uint32_t size = static_cast<uint32_t>(m.ids.size());;
         size = (size + kFanout - 1) / kFanout) {
      m.block_begin.push_back(num_blocks);
      m.level_size.push_back(size);
      num_blocks += (size + kFanout - 1) / kFanout;
      if (size == 1) break;
    }
    m.block_begin.push_back(num_blocks);
  }
  if (m.blocks.size() != num_blocks) r.Fail("box index blocks do not match its id count");
  if (!r.ok()) return r.status();
  return index;
}

void BoxIndex::VisitContaining(IPoint p,
                               absl::FunctionRef<void(uint32_t)> f) const {
  if (p.x < impl_->origin_x || p.x > impl_->limit_x || p.y < impl_->origin_y ||
      p.y > impl_->limit_y) {
    return;
  }
  const uint32_t x = impl_->Map(p.x, impl_->origin_x, impl_->limit_x);
  const uint32_t y = impl_->Map(p.y, impl_->origin_y, impl_->limit_y);
  impl_->Query(QBox{x, y, x, y}, f);
}

void BoxIndex::VisitIntersecting(const IBox& b,
                                 absl::FunctionRef<void(uint32_t)> f) const {
  if (b.empty() || b.min_y > b.max_y || b.max_x < impl_->origin_x ||
      b.min_x > impl_->limit_x || b.max_y < impl_->origin_y ||
      b.min_y > impl_->limit_y) {
    return;
  }
  impl_->Query(impl_->MapBox(b), f);
}

int BoxIndex::shift() const { return impl_->shift; }

size_t BoxIndex::MemoryBytes() const {
  return sizeof(Impl) + impl_->blocks.capacity() * sizeof(Block) +
         impl_->ids.capacity() * sizeof(uint32_t) +
         (impl_->block_begin.capacity() + impl_->level_size.capacity()) *
             sizeof(uint32_t);
}

}  // namespace gridroute
