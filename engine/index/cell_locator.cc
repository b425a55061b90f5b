// Copyright 2026 gridroute authors.
//
// CellLocator lookups: Locate, LocateBatch, Probe over the structure of
// cell_layout.h (built by cell_builder.cc; see CELL_LOCATOR.md).
#include "index/cell_locator.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>

#include "index/cell_layout.h"
#include "index/snap.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define GRIDROUTE_CELL_AVX2 1
#else
#define GRIDROUTE_CELL_AVX2 0
#endif

#define GRIDROUTE_ALWAYS_INLINE inline __attribute__((always_inline))

namespace gridroute {
namespace {

// Exact answer of an exact leaf for the point (px, py) relative to the
// cell's min corner. Returns the candidate index | 0x100 if on edge, or -1.
template <bool kPacked>
inline int LeafCandidateT(const uint32_t* w, int64_t px, int64_t py,
                          int shift) {
  const uint32_t header = w[0];
  const uint32_t nedges = header >> 15;
  // p relative to the reference point c.
  const int64_t mid = CellMid(shift);
  const int64_t x = px - mid - (static_cast<int64_t>(header >> 8 & 7) - 3);
  const int64_t y = py - mid - (static_cast<int64_t>(header >> 11 & 7) - 3);
  const uint32_t k = header & 0xFF;
  const uint32_t* e = w + kHeaderWords + k;
  // 30-bit two's complement offset of a packed word.
  auto off = [](uint32_t v) -> int64_t {
    return kPacked ? static_cast<int32_t>(v << 2) >> 2
                   : static_cast<int32_t>(v);
  };
  uint32_t toggle = 0, on = 0;
  for (uint32_t i = 0; i < nedges;
       ++i, e += kPacked ? kPackedEdgeWords : kEdgeWords) {
    const int64_t ax = off(e[0]), ay = off(e[1]);
    const int64_t bx = off(e[2]), by = off(e[3]);
    const uint32_t mask = kPacked ? (e[0] >> 30 | (e[1] >> 30) << 2 |
                                     (e[2] >> 30) << 4 | (e[3] >> 30) << 6)
                                  : e[4];
    // Sides of a and b relative to the line c->p; a zero counts as left, which
    // is the line shifted by an infinitesimal: exact for c and p off the
    // boundary (c by construction; p is caught by `on` below).
    const bool sa = x * ay - y * ax >= 0;
    const bool sb = x * by - y * bx >= 0;
    // Sides of p and c relative to the line a->b.
    const int64_t op = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    const int64_t oc = ax * by - ay * bx;
    const bool crosses = (sa != sb) & ((op > 0 && oc < 0) | (op < 0 && oc > 0));
    const bool on_edge = (op == 0) & (std::min(ax, bx) <= x) &
                         (x <= std::max(ax, bx)) & (std::min(ay, by) <= y) &
                         (y <= std::max(ay, by));
    toggle ^= crosses ? mask : 0u;
    on |= on_edge ? mask : 0u;
  }
  const uint32_t covered = on | (w[1] ^ toggle);
  if (covered == 0) return -1;
  const int i = __builtin_ctz(covered);
  return i | ((on >> i & 1) << 8);
}

#if GRIDROUTE_CELL_AVX2
// The packed leaf test with AVX2, 4 edges a step, the same answer as
// LeafCandidateT<true> for every point (tests/index/cell_locator_test.cc runs
// both on the same points). Bounds: packed offsets are below 2^29
// (kPackedOffsetLimit) and the query point is in the cell, whose side is at
// most 2^kMaxTopShift = 2^29, so |x|, |y|, |ax|, ... < 2^29 fit int32 and
// `_mm256_mul_epi32` (signed 32 x 32 -> 64) gives exact products (< 2^58).
// With Sa = p x a, Sb = p x b (the sides of a and b relative to c->p; c is
// the origin) and oc = a x b, the scalar `op = (b - a) x (p - a)` is
// Sa - Sb + oc (|op| < 2^61): 6 products an edge instead of 8, exact.
// Crossing: the scalar rule is `(Sa >= 0) != (Sb >= 0)` and op, oc nonzero
// with opposite signs. Here it is the sign bit of (Sa ^ Sb) & (op ^ oc),
// which differs from the scalar rule only where op == 0 or oc == 0:
// - oc == 0 (c on the line a-b, not on the segment, a, b != c): a = t d,
//   b = u d with t, u of one sign, so Sa, Sb have one sign or are both 0:
//   Sa ^ Sb >= 0, no crossing either way;
// - op == 0 and p off the segment: the lines c-p and a-b meet only at p
//   (c is off the line a-b, else Sa = Sb = 0 as above), so a and b are
//   strictly on one side of c-p: Sa ^ Sb >= 0;
// - op == 0 and p on the segment: the edge may toggle its mask here, but
//   every bit of its mask is in `on`, and `covered = on | (ref ^ toggle)`
//   does not look at toggle's bits under `on`: the same answer.
// On edge: op == 0 and p in the edge's box, tested only when some lane has
// op == 0 (rare for random points).
static_assert(kPackedOffsetLimit <= (int64_t{1} << 29) && kMaxTopShift <= 29,
              "the AVX2 leaf test needs offsets and cell sides below 2^29");

// The 8-bit candidate masks of the edges in ra (raw ax, ay words) and rb
// (raw bx, by words), XORed (or ORed) over the lanes: bits 30-31 of the words
// ax, ay, bx, by are mask bits 0-1, 2-3, 4-5, 6-7.
__attribute__((target("avx2"))) GRIDROUTE_ALWAYS_INLINE uint32_t
MaskBits(__m256i ra, __m256i rb, bool xor_lanes) {
  // Per dword: bits 0-1 from ra's word, 2-3 from rb's.
  const __m256i t =
      _mm256_or_si256(_mm256_srli_epi32(ra, 30),
                      _mm256_slli_epi32(_mm256_srli_epi32(rb, 30), 2));
  const __m128i lo = _mm256_castsi256_si128(t);
  const __m128i hi = _mm256_extracti128_si256(t, 1);
  const __m128i h = xor_lanes ? _mm_xor_si128(lo, hi) : _mm_or_si128(lo, hi);
  const __m128i h2 = _mm_unpackhi_epi64(h, h);
  const uint64_t x = static_cast<uint64_t>(_mm_cvtsi128_si64(
      xor_lanes ? _mm_xor_si128(h, h2) : _mm_or_si128(h, h2)));
  // Low dword: ax (bits 0-1), bx (2-3); high dword: ay, by.
  return static_cast<uint32_t>((x & 3) | (x << 2 & 0x30) | (x >> 30 & 0xC) |
                               (x >> 28 & 0xC0));
}

// One step of 4 edges: v0 = edges 0, 1 and v1 = edges 2, 3 (16 raw words).
// Crossing edges XOR their raw words into *toggle_a (ax, ay) and *toggle_b
// (bx, by), whose top 2 bits per word are the mask bits (MaskBits at the
// end); on-edge masks go straight to *on (rare).
__attribute__((target("avx2"))) GRIDROUTE_ALWAYS_INLINE void Avx2Edges(
    __m256i v0, __m256i v1, __m256i pxy, __m256i py, __m256i valid,
    __m256i* toggle_a, __m256i* toggle_b, uint32_t* on) {
  const __m256i zero = _mm256_setzero_si256();
  // Per 64-bit lane (edges 0, 2, 1, 3): ra = raw (ax, ay), rb = raw (bx, by).
  const __m256i ra = _mm256_unpacklo_epi64(v0, v1);
  const __m256i rb = _mm256_unpackhi_epi64(v0, v1);
  // 30-bit two's complement -> int32 (dword pairs (x, y)).
  const __m256i a = _mm256_srai_epi32(_mm256_slli_epi32(ra, 2), 2);
  const __m256i b = _mm256_srai_epi32(_mm256_slli_epi32(rb, 2), 2);
  // y coordinates moved to the low dword (what _mm256_mul_epi32 reads).
  const __m256i ay = _mm256_shuffle_epi32(a, _MM_SHUFFLE(3, 3, 1, 1));
  const __m256i by = _mm256_shuffle_epi32(b, _MM_SHUFFLE(3, 3, 1, 1));
  // pxy's low dword is x.
  const __m256i sa =
      _mm256_sub_epi64(_mm256_mul_epi32(pxy, ay), _mm256_mul_epi32(py, a));
  const __m256i sb =
      _mm256_sub_epi64(_mm256_mul_epi32(pxy, by), _mm256_mul_epi32(py, b));
  const __m256i oc =
      _mm256_sub_epi64(_mm256_mul_epi32(a, by), _mm256_mul_epi32(ay, b));
  const __m256i op = _mm256_add_epi64(_mm256_sub_epi64(sa, sb), oc);
  const __m256i cross = _mm256_and_si256(
      valid,
      _mm256_cmpgt_epi64(zero, _mm256_and_si256(_mm256_xor_si256(sa, sb),
                                                _mm256_xor_si256(op, oc))));
  *toggle_a = _mm256_xor_si256(*toggle_a, _mm256_and_si256(cross, ra));
  *toggle_b = _mm256_xor_si256(*toggle_b, _mm256_and_si256(cross, rb));
  const __m256i opz = _mm256_and_si256(valid, _mm256_cmpeq_epi64(op, zero));
  if (__builtin_expect(!_mm256_testz_si256(opz, opz), 0)) {
    // p in the box [min(a, b), max(a, b)], x and y at once.
    const __m256i out =
        _mm256_or_si256(_mm256_cmpgt_epi32(_mm256_min_epi32(a, b), pxy),
                        _mm256_cmpgt_epi32(pxy, _mm256_max_epi32(a, b)));
    const __m256i hit = _mm256_and_si256(opz, _mm256_cmpeq_epi64(out, zero));
    *on |= MaskBits(_mm256_and_si256(hit, ra), _mm256_and_si256(hit, rb),
                    /*xor_lanes=*/false);
  }
}

// Word masks for the last 1-4 edges: 4r valid words from kTailMask + 16 - 4r.
alignas(64) constexpr int32_t kTailMask[32] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0};

// Valid lanes (slots 0, 2, 1, 3 of a step) when only the last r slots are.
alignas(32) constexpr int64_t kLaneValid[5][4] = {{0, 0, 0, 0},
                                                  {0, 0, 0, -1},
                                                  {0, -1, 0, -1},
                                                  {0, -1, -1, -1},
                                                  {-1, -1, -1, -1}};

// Same contract as LeafCandidateT<true>; `base` is the start of the leaf
// array. Not always_inline: the generic FromLeafT<true> that calls it has no
// target attribute (gcc refuses that); the target("avx2") lookup functions
// below inline it with `flatten`.
__attribute__((target("avx2"))) inline int PackedLeafCandidateAvx2(
    const uint32_t* w, const uint32_t* base, int64_t px, int64_t py,
    int shift) {
  const uint32_t header = w[0];
  uint32_t n = header >> 15;
  const int64_t mid = CellMid(shift);
  const int64_t x = px - mid - (static_cast<int64_t>(header >> 8 & 7) - 3);
  const int64_t y = py - mid - (static_cast<int64_t>(header >> 11 & 7) - 3);
  const uint32_t* e = w + kHeaderWords + (header & 0xFF);
  const __m256i pxy = _mm256_set1_epi64x(static_cast<int64_t>(
      (static_cast<uint64_t>(static_cast<uint32_t>(y)) << 32) |
      static_cast<uint32_t>(x)));
  const __m256i pyv = _mm256_set1_epi64x(y);
  __m256i ta = _mm256_setzero_si256(), tb = ta;
  const __m256i all = _mm256_set1_epi64x(-1);
  uint32_t on = 0;
  for (; n > 4; n -= 4, e += 4 * kPackedEdgeWords) {
    Avx2Edges(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(e)),
              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(e + 8)), pxy,
              pyv, all, &ta, &tb, &on);
  }
  if (__builtin_expect(n > 0 && (e - base) + 4 * n >= 16, 1)) {
    // The last 1-4 edges as the 16 words ending at the leaf's end, the
    // slots before them (this leaf's header or ids, or an earlier leaf's
    // words) masked off. Plain loads: masked loads were 25 % slower in
    // LocateBatch at 200k grids (leaf lines still in flight).
    const uint32_t* g = e + 4 * n - 16;
    Avx2Edges(
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g)),
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + 8)), pxy, pyv,
        _mm256_load_si256(reinterpret_cast<const __m256i*>(kLaneValid[n])), &ta,
        &tb, &on);
  } else if (n > 0) {
    // Within 16 words of the array's start: masked loads, the missing edges
    // load as zeros, a = b = c, which never crosses and has an empty mask.
    const int32_t* m = kTailMask + 16 - 4 * n;
    Avx2Edges(_mm256_maskload_epi32(
                  reinterpret_cast<const int*>(e),
                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(m))),
              _mm256_maskload_epi32(
                  reinterpret_cast<const int*>(e + 8),
                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(m + 8))),
              pxy, pyv, all, &ta, &tb, &on);
  }
  const uint32_t toggle = MaskBits(ta, tb, /*xor_lanes=*/true);
  const uint32_t covered = on | (w[1] ^ toggle);
  if (covered == 0) return -1;
  const int i = __builtin_ctz(covered);
  return i | ((on >> i & 1) << 8);
}
#endif  // GRIDROUTE_CELL_AVX2

inline int LeafCandidate(const uint32_t* w, int64_t px, int64_t py, int shift) {
  return (w[0] & kPackedBit) ? LeafCandidateT<true>(w, px, py, shift)
                             : LeafCandidateT<false>(w, px, py, shift);
}

// Whether the lookups use the AVX2 leaf test: resolved once from the CPU
// (cpu_init first: this runs during static initialisation), switchable by
// the test hook below.
bool CpuHasAvx2() {
#if GRIDROUTE_CELL_AVX2
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2");
#else
  return false;
#endif
}
const bool kCpuHasAvx2 = CpuHasAvx2();
std::atomic<bool> use_avx2{kCpuHasAvx2};

// The lookup paths, instantiated once per leaf test (kAvx2: compiled into
// functions with target("avx2"), so the AVX2 leaf test inlines into them).
template <bool kAvx2>
GRIDROUTE_ALWAYS_INLINE LocateResult FromLeafT(const CellLocator::Impl& m,
                                               const uint32_t* w, uint64_t dx,
                                               uint64_t dy, int shift,
                                               IPoint p) {
  const uint32_t header = w[0];
  if (__builtin_expect(header & kFallbackBit, 0)) {
    const uint32_t n = header & ~kFallbackBit;
    for (uint32_t i = 0; i < n; ++i) {
      const Side s = m.geometry->Classify(w[1 + i], p);
      if (s != Side::kOutside) {
        return {w[1 + i], s == Side::kBoundary ? How::kOnEdge : How::kInside,
                0};
      }
    }
    return {};
  }
  const uint64_t low = (uint64_t{1} << shift) - 1;
  const int64_t px = static_cast<int64_t>(dx & low);
  const int64_t py = static_cast<int64_t>(dy & low);
  int c;
#if GRIDROUTE_CELL_AVX2
  if constexpr (kAvx2) {
    c = __builtin_expect((header & kPackedBit) != 0, 1)
            ? PackedLeafCandidateAvx2(w, m.leaves.data(), px, py, shift)
            : LeafCandidateT<false>(w, px, py, shift);
  } else {
    c = LeafCandidate(w, px, py, shift);
  }
#else
  c = LeafCandidate(w, px, py, shift);
#endif
  if (c < 0) return {};
  return {w[kHeaderWords + (c & 0xFF)], (c >> 8) ? How::kOnEdge : How::kInside,
          0};
}

// The tree walk shared by ResolveT, LocateBatchT and Probe: p's offset from
// the top grid's origin (false if p is outside the top grid), the top entry
// of the cell it is in, and node `e`'s child entry holding it at `shift`
// (the child's; its parent's minus 2).
GRIDROUTE_ALWAYS_INLINE bool TopOffset(const CellLocator::Impl& m, IPoint p,
                                       uint64_t* dx, uint64_t* dy) {
  *dx = static_cast<uint64_t>(p.x) - static_cast<uint64_t>(m.origin.x);
  *dy = static_cast<uint64_t>(p.y) - static_cast<uint64_t>(m.origin.y);
  return *dx < m.width && *dy < m.height;
}
GRIDROUTE_ALWAYS_INLINE const uint32_t* TopEntry(const CellLocator::Impl& m,
                                                 uint64_t dx, uint64_t dy) {
  return m.top.data() + (dy >> m.top_shift) * m.nx + (dx >> m.top_shift);
}
GRIDROUTE_ALWAYS_INLINE const uint32_t* ChildEntry(const CellLocator::Impl& m,
                                                   uint32_t e, uint64_t dx,
                                                   uint64_t dy, int shift) {
  return m.nodes.data() + (e & kPayloadMask) * 16 + ((dy >> shift) & 3) * 4 +
         ((dx >> shift) & 3);
}
// The entry (interior, empty or leaf) of the cell holding the point at
// offset (dx, dy), and its side 2^*shift.
GRIDROUTE_ALWAYS_INLINE uint32_t WalkToEntry(const CellLocator::Impl& m,
                                             uint64_t dx, uint64_t dy,
                                             int* shift) {
  *shift = m.top_shift;
  uint32_t e = *TopEntry(m, dx, dy);
  while (Tag(e) == kTagNode) {
    *shift -= 2;
    e = *ChildEntry(m, e, dx, dy, *shift);
  }
  return e;
}

// The caller's record of grid g (LocateOptions::prefetch_base).
GRIDROUTE_ALWAYS_INLINE void PrefetchRecord(const RecordPrefetch& pf, uint32_t g) {
  __builtin_prefetch(static_cast<const char*>(pf.base) + size_t{g} * pf.stride);
}

template <bool kAvx2>
GRIDROUTE_ALWAYS_INLINE LocateResult ResolveT(const CellLocator::Impl& m,
                                              IPoint p, const RecordPrefetch& pf) {
  uint64_t dx, dy;
  if (!TopOffset(m, p, &dx, &dy)) return {};
  int shift;
  const uint32_t e = WalkToEntry(m, dx, dy, &shift);
  if (e == kEmpty) return {};
  if (Tag(e) == kTagInterior) {
    if (pf.base != nullptr) PrefetchRecord(pf, e);
    return {e, How::kInside, 0};
  }
  const uint32_t* w = m.leaves.data() + (e & kPayloadMask);
  // The edges usually reach the next line: fetch it beside the header's.
  __builtin_prefetch(w + 16);
  if (pf.base != nullptr) {
    // The first two candidates' records (most leaves have 1-3), from the
    // header's line: their misses overlap the edge test below.
    const uint32_t header = w[0];
    const uint32_t* ids = w + ((header & kFallbackBit) ? 1 : kHeaderWords);
    const uint32_t n = (header & kFallbackBit) ? (header & ~kFallbackBit) : (header & 0xFF);
    if (n > 0) PrefetchRecord(pf, ids[0]);
    if (n > 1) PrefetchRecord(pf, ids[1]);
  }
  return FromLeafT<kAvx2>(m, w, dx, dy, shift, p);
}

template <bool kAvx2>
GRIDROUTE_ALWAYS_INLINE void LocateBatchT(const CellLocator::Impl& m,
                                          const IPoint* p, size_t n,
                                          const LocateOptions& options,
                                          LocateResult* out) {
  // One pass per tree level over a chunk: every point of the chunk has its
  // next line in flight while the others are decoded (memory-level
  // parallelism instead of one dependent miss after another).
  constexpr size_t kChunk = 32;
  const uint32_t* addr[kChunk];
  uint64_t dx[kChunk], dy[kChunk];
  int8_t shift[kChunk];
  uint8_t active[kChunk];
  for (size_t base = 0; base < n; base += kChunk) {
    const size_t c = std::min(kChunk, n - base);
    size_t na = 0;
    for (size_t i = 0; i < c; ++i) {
      const IPoint q = p[base + i];
      out[base + i] = LocateResult{};
      if (!TopOffset(m, q, &dx[i], &dy[i])) continue;
      shift[i] = static_cast<int8_t>(m.top_shift);
      addr[i] = TopEntry(m, dx[i], dy[i]);
      __builtin_prefetch(addr[i]);
      active[na++] = static_cast<uint8_t>(i);
    }
    // Walk down: entries to interior/empty resolve, nodes prefetch the child
    // entry, leaves prefetch their first four lines (a 6-edge leaf is 28-34
    // words, so it spans 3 lines about 70 % of the time; the third line took
    // LocateBatch from 100 to 76 ns/pt at 200k grids, same process; with up
    // to 10 edges a leaf (the default) the fourth took 2M from 72.9 to 64.2
    // ns/pt, and costs 8 edges 3-7 %, same process, CELL_LOCATOR.md).
    size_t nleaf = 0;
    uint8_t leaf[kChunk];
    while (na > 0) {
      size_t next = 0;
      for (size_t j = 0; j < na; ++j) {
        const size_t i = active[j];
        const uint32_t e = *addr[i];
        if (Tag(e) == kTagNode) {
          shift[i] = static_cast<int8_t>(shift[i] - 2);
          addr[i] = ChildEntry(m, e, dx[i], dy[i], shift[i]);
          __builtin_prefetch(addr[i]);
          active[next++] = static_cast<uint8_t>(i);
        } else if (e == kEmpty) {
          // stays kOutside
        } else if (Tag(e) == kTagInterior) {
          out[base + i] = {e, How::kInside, 0};
        } else {
          addr[i] = m.leaves.data() + (e & kPayloadMask);
          __builtin_prefetch(addr[i]);
          __builtin_prefetch(addr[i] + 16);
          __builtin_prefetch(addr[i] + 32);
          __builtin_prefetch(addr[i] + 48);
          leaf[nleaf++] = static_cast<uint8_t>(i);
        }
      }
      na = next;
    }
    for (size_t j = 0; j < nleaf; ++j) {
      const size_t i = leaf[j];
      out[base + i] =
          FromLeafT<kAvx2>(m, addr[i], dx[i], dy[i], shift[i], p[base + i]);
    }
    if (options.snap_m > 0) {
      for (size_t i = 0; i < c; ++i) {
        out[base + i] = m.Finish(out[base + i], p[base + i], options);
      }
    }
  }
}

// flatten: the leaf tests inlined into each lookup path.
__attribute__((flatten)) LocateResult ResolveScalar(const CellLocator::Impl& m,
                                                    IPoint p, const RecordPrefetch& pf) {
  return ResolveT<false>(m, p, pf);
}
__attribute__((flatten)) void LocateBatchScalar(const CellLocator::Impl& m,
                                                const IPoint* p, size_t n,
                                                const LocateOptions& options,
                                                LocateResult* out) {
  LocateBatchT<false>(m, p, n, options, out);
}
#if GRIDROUTE_CELL_AVX2
// (gcc kept PackedLeafCandidateAvx2 out of line without flatten: the call
// cost ~10 % in LocateBatch at 200k grids, same-process A/B.)
__attribute__((target("avx2"), flatten)) LocateResult ResolveAvx2(
    const CellLocator::Impl& m, IPoint p, const RecordPrefetch& pf) {
  return ResolveT<true>(m, p, pf);
}
__attribute__((target("avx2"), flatten)) void LocateBatchAvx2(
    const CellLocator::Impl& m, const IPoint* p, size_t n,
    const LocateOptions& options, LocateResult* out) {
  LocateBatchT<true>(m, p, n, options, out);
}
#endif

inline bool UseAvx2() {
  return GRIDROUTE_CELL_AVX2 && use_avx2.load(std::memory_order_relaxed);
}

}  // namespace

namespace cell_locator_internal {
// Test hook (declared in cell_layout.h): `avx2` false
// forces the scalar leaf test, true restores the automatic choice. Returns
// whether the AVX2 leaf test is now in use (false on a CPU without AVX2).
bool UseAvx2LeafTestForTesting(bool avx2) {
  use_avx2.store(avx2 && kCpuHasAvx2, std::memory_order_relaxed);
  return UseAvx2();
}
}  // namespace cell_locator_internal

LocateResult CellLocator::Impl::FromLeaf(const uint32_t* w, uint64_t dx,
                                         uint64_t dy, int shift,
                                         IPoint p) const {
  return FromLeafT<false>(*this, w, dx, dy, shift, p);
}

LocateResult CellLocator::Impl::Resolve(IPoint p, const RecordPrefetch& pf) const {
#if GRIDROUTE_CELL_AVX2
  if (UseAvx2()) return ResolveAvx2(*this, p, pf);
#endif
  return ResolveScalar(*this, p, pf);
}

CellLocator::CellLocator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CellLocator::~CellLocator() = default;

LocateResult CellLocator::Locate(IPoint p, const LocateOptions& options) const {
  return impl_->Finish(impl_->Resolve(p, options.prefetch), p, options);
}

void CellLocator::LocateBatch(const IPoint* p, size_t n,
                              const LocateOptions& options,
                              LocateResult* out) const {
#if GRIDROUTE_CELL_AVX2
  if (UseAvx2()) return LocateBatchAvx2(*impl_, p, n, options, out);
#endif
  LocateBatchScalar(*impl_, p, n, options, out);
}
size_t CellLocator::MemoryBytes() const {
  return impl_->top.bytes() + impl_->nodes.bytes() + impl_->leaves.bytes() +
         impl_->snap_index->MemoryBytes();
}

const CellLocatorStats& CellLocator::stats() const { return impl_->stats; }

CellKind CellLocator::Probe(IPoint p) const {
  const Impl& m = *impl_;
  uint64_t dx, dy;
  if (!TopOffset(m, p, &dx, &dy)) return CellKind::kOutsideBox;
  int shift;
  const uint32_t e = WalkToEntry(m, dx, dy, &shift);
  if (e == kEmpty) return CellKind::kEmpty;
  if (Tag(e) == kTagInterior) return CellKind::kInterior;
  return (m.leaves.data()[e & kPayloadMask] & kFallbackBit)
             ? CellKind::kFallbackLeaf
             : CellKind::kLeaf;
}

std::unique_ptr<Locator> BuildCellLocator(
    const GridGeometry* geometry, const Quantizer& quantizer,
    const CellLocatorOptions& options,
    std::shared_ptr<const BoxIndex> snap_index) {
  return CellLocator::Build(geometry, quantizer, options,
                            std::move(snap_index));
}

}  // namespace gridroute
