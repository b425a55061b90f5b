// Copyright 2026 gridroute authors.
//
// FoldIndex: the open cases that may still absorb a report, found with one
// hash probe. Point cases sit in a spatial hash of square cells of side
// ~2R (R: the category's fold radius) in a local metric plane, keyed by
// (category, cell); each case is linked into every cell its R-disk's
// bounding box touches (1 to 4), so a query reads only the report's own
// cell and still sees every case within R. Component cases sit under
// (category, component).
//
//   FoldIndex index;
//   uint32_t e = index.InsertPoint(case_idx, cat, radius_m, x, y, grid,
//                                  last_ns, window_class);
//   uint32_t best = index.FindNearest(cat, radius_m, x, y,
//                                     FoldIndex::kAnyGrid, min_last_ns);
//
// The index holds only what a decision needs (position, grid, last report
// time, the case's number); CaseEngine owns the cases and the rules. Entries
// whose last report fell out of their window are removed by Expire(), which
// the engine calls at Commit(): each entry is queued once per insertion in a
// min-heap (by last report time) of its window class and looked at again
// only when its queued time has expired (a fold since then re-queues it), so
// ageing costs O(log n) per insertion or fold, also when report times arrive
// out of order. Queries check the time themselves, so a late Expire never
// changes an answer, only memory.
//
// Why one probe into 2R cells rather than the 3x3 neighbourhood of R cells
// in an absl::flat_hash_map: folds are read-mostly (a camera sees the same
// problem again and again) and at 1e5-1e6 open cases every probe is a cache
// miss (two in absl: control bytes and slot). perf on BM_FoldDecide/100000
// put ~3/4 of the time in those misses; so a lookup is one probe into
// CellTable (keys beside values, one cache line), with 64-byte aligned
// entries on huge pages (the before/after figures: CASES.md, "Performance").
// Inserting a case costs up to 4 links.
//
// Cost: FindNearest is one hash probe plus the entries of that cell (a
// handful); no allocation in the steady state (entries are recycled).
//
// Thread-safety: not thread-safe; const methods may run concurrently.
#ifndef GRIDROUTE_CASES_FOLD_INDEX_H_
#define GRIDROUTE_CASES_FOLD_INDEX_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "absl/types/span.h"
#include "cases/internal/cell_table.h"
#include "cases/internal/huge_alloc.h"

namespace gridroute {

class FoldIndex {
 public:
  static constexpr uint32_t kNone = ~0u;
  // FindNearest's `grid` when the grid does not matter.
  static constexpr int32_t kAnyGrid = std::numeric_limits<int32_t>::min();

  // Adds a point case. `radius_m` must be the same for every call with
  // this `cat` (the cells are sized by it). Returns the entry handle.
  uint32_t InsertPoint(uint32_t case_idx, int32_t cat, double radius_m,
                       double x, double y, int32_t grid, int64_t last_ns,
                       int32_t window_class);
  // Adds a component case.
  uint32_t InsertComponent(uint32_t case_idx, int32_t cat, int32_t component,
                           int64_t last_ns, int32_t window_class);
  void Remove(uint32_t entry);
  // A fold moved the case's last report time.
  void SetLast(uint32_t entry, int64_t last_ns) {
    entries_[entry].last_ns = last_ns;
  }

  // The case to fold into: among the point entries of `cat` within
  // `radius_m` (inclusive) of (x, y), with last_ns >= min_last_ns and, unless
  // grid == kAnyGrid, the same grid: the nearest, then the smallest case_idx.
  // kNone if there is none. REQUIRES: radius_m as at insertion.
  uint32_t FindNearest(int32_t cat, double radius_m, double x, double y,
                       int32_t grid, int64_t min_last_ns) const;
  // The same with PointKey(cat, radius_m, x, y) computed by the caller.
  uint32_t FindNearest(uint64_t key, int32_t cat, double radius_m, double x,
                       double y, int32_t grid, int64_t min_last_ns) const;
  // Among the entries of (cat, component) with last_ns >= min_last_ns: the
  // smallest case_idx, or kNone.
  uint32_t FindComponent(int32_t cat, int32_t component,
                         int64_t min_last_ns) const;

  // Cache hints for a query made soon (CaseEngine::IntakeBatch pipelines
  // them a few reports ahead). Key of a point query / a component query:
  static uint64_t PointKey(int32_t cat, double radius_m, double x, double y) {
    const double side = CellSide(radius_m);
    return CellKey(cat, Cell(x, side), Cell(y, side));
  }
  static uint64_t ComponentQueryKey(int32_t cat, int32_t component) {
    return ComponentKey(cat, component);
  }
  // Stage 1: load the key's hash slot.
  void PrefetchSlot(bool component, uint64_t key) const {
    (component ? components_ : cells_).Prefetch(key);
  }
  // Stage 2 (the slot is cached by now): load the first entry of the list.
  void PrefetchFirst(bool component, uint64_t key) const {
    const uint32_t node = (component ? components_ : cells_).Find(key);
    if (node != kNone) __builtin_prefetch(&entries_[node >> 2]);
  }
  // Stage 3 (the entry is cached by now): the first entry's case, or kNone.
  uint32_t FirstCase(bool component, uint64_t key) const {
    const uint32_t node = (component ? components_ : cells_).Find(key);
    return node == kNone ? kNone : entries_[node >> 2].case_idx;
  }

  // Removes the entries whose last_ns < horizon_ns[their window class],
  // calling evicted(case_idx) for each. Amortised O(1) per queued entry.
  template <typename F>
  void Expire(absl::Span<const int64_t> horizon_ns, F evicted);

  // Live entries.
  size_t size() const { return live_; }
  void Clear();

  // For invariant checks: what entry `e` holds.
  struct EntryView {
    bool live = false;
    bool component = false;
    uint32_t case_idx = kNone;
    int32_t cat = -1;
    int32_t grid_or_component = -1;
    int64_t last_ns = 0;
    double x = 0, y = 0;
  };
  EntryView View(uint32_t e) const {
    const Entry& en = entries_[e];
    return EntryView{en.live, en.component, en.case_idx, en.cat,
                     en.grid, en.last_ns,   en.x,        en.y};
  }

 private:
  // A list node is (entry << 2 | k), k < 4: an entry sits in up to 4 lists.
  // What a query reads fills one aligned cache line; the rest is in Cold.
  struct alignas(64) Entry {
    double x = 0, y = 0;
    int64_t last_ns = 0;
    uint32_t case_idx = kNone;
    int32_t cat = -1;
    int32_t grid = -1;  // the component id for component entries
    uint32_t next[4];
    bool component = false;
    bool live = false;
  };
  struct Cold {
    int32_t cx0 = 0, cy0 = 0;  // first cell of a point entry
    uint32_t prev[4];
    uint16_t window_class = 0;
    uint8_t span = 0;  // bit 0: also cell cx0 + 1; bit 1: also cy0 + 1
  };
  struct Queued {
    uint32_t entry;
    uint32_t case_idx;
    int64_t last_ns;  // the entry's last_ns when queued
  };

  // Cells are a hair over 2R and a case covers its disk's bounding box
  // grown by a hair, so that rounding can never hide a case within R.
  static double CellSide(double radius_m) { return 2 * radius_m * (1 + 4e-6); }
  static double HalfBox(double radius_m) { return radius_m * (1 + 1e-6); }
  static int32_t Cell(double v, double side) {
    return static_cast<int32_t>(static_cast<int64_t>(std::floor(v / side)));
  }
  // 16 bits of category, 24 of each cell coordinate. Wrapping aliases far
  // cells onto one key; entries are checked in full, so that only costs time.
  static uint64_t CellKey(int32_t cat, int32_t cx, int32_t cy) {
    return (static_cast<uint64_t>(static_cast<uint16_t>(cat)) << 48) |
           (static_cast<uint64_t>(static_cast<uint32_t>(cx) & 0xFFFFFF) << 24) |
           (static_cast<uint64_t>(static_cast<uint32_t>(cy) & 0xFFFFFF));
  }
  static uint64_t ComponentKey(int32_t cat, int32_t component) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(cat)) << 32) |
           static_cast<uint32_t>(component);
  }
  // The key of node k of entry e.
  uint64_t NodeKey(uint32_t e, int k) const;
  int Nodes(uint32_t e) const {
    const uint8_t span = cold_[e].span;
    return entries_[e].component ? 1 : 1 << ((span & 1) + (span >> 1));
  }
  uint32_t& Next(uint32_t node) { return entries_[node >> 2].next[node & 3]; }
  uint32_t& Prev(uint32_t node) { return cold_[node >> 2].prev[node & 3]; }
  uint32_t NewEntry();
  void Link(uint32_t node, uint64_t key, cases_internal::CellTable& heads);
  void Unlink(uint32_t node, uint64_t key, cases_internal::CellTable& heads);
  void Enqueue(uint32_t e);

  std::vector<Entry, cases_internal::HugePageAllocator<Entry>> entries_;
  std::vector<Cold, cases_internal::HugePageAllocator<Cold>> cold_;
  std::vector<uint32_t> free_;
  size_t live_ = 0;
  cases_internal::CellTable cells_;         // cell key -> first node
  cases_internal::CellTable components_;    // component key -> first node
  // Per window class, a min-heap on last_ns (std::push_heap with
  // QueuedLater): report times need not arrive in order (a backlog, a
  // replayed export), and a FIFO would then stop at its first recent entry
  // and keep every older one behind it in the index for good.
  struct QueuedLater {
    bool operator()(const Queued& a, const Queued& b) const { return a.last_ns > b.last_ns; }
  };
  std::vector<std::vector<Queued>> queues_;
};

// ------------------------------------------------------------------ inline

template <typename F>
void FoldIndex::Expire(absl::Span<const int64_t> horizon_ns, F evicted) {
  for (size_t c = 0; c < queues_.size() && c < horizon_ns.size(); ++c) {
    std::vector<Queued>& q = queues_[c];
    const int64_t horizon = horizon_ns[c];
    while (!q.empty() && q.front().last_ns < horizon) {
      const Queued item = q.front();
      std::pop_heap(q.begin(), q.end(), QueuedLater());
      q.pop_back();
      Entry& e = entries_[item.entry];
      // Stale item: the entry was removed, or reused by another case.
      if (!e.live || e.case_idx != item.case_idx ||
          cold_[item.entry].window_class != c) {
        continue;
      }
      if (e.last_ns < horizon) {
        Remove(item.entry);
        evicted(item.case_idx);
      } else {
        q.push_back(Queued{item.entry, item.case_idx,
                           e.last_ns});  // folded since queued
        std::push_heap(q.begin(), q.end(), QueuedLater());
      }
    }
  }
}

}  // namespace gridroute

#endif  // GRIDROUTE_CASES_FOLD_INDEX_H_
