// Copyright 2026 gridroute authors.
#include "cases/fold_index.h"

#include <algorithm>

#include <cmath>

namespace gridroute {

uint64_t FoldIndex::NodeKey(uint32_t e, int k) const {
  const Entry& en = entries_[e];
  if (en.component) return ComponentKey(en.cat, en.grid);
  // Nodes enumerate the covered cells x-major: with span bits sx, sy the
  // cells are (cx0 + i, cy0 + j) for i <= sx, j <= sy.
  const Cold& c = cold_[e];
  const int sy = c.span >> 1;
  const int i = k >> sy, j = k & sy;
  return CellKey(en.cat, c.cx0 + i, c.cy0 + j);
}

uint32_t FoldIndex::NewEntry() {
  uint32_t e;
  if (!free_.empty()) {
    e = free_.back();
    free_.pop_back();
  } else {
    e = static_cast<uint32_t>(entries_.size());
    entries_.emplace_back();
    cold_.emplace_back();
  }
  ++live_;
  return e;
}

void FoldIndex::Link(uint32_t node, uint64_t key,
                     cases_internal::CellTable& heads) {
  Prev(node) = kNone;
  bool inserted;
  uint32_t* head = heads.FindOrInsert(key, node, &inserted);
  if (inserted) {
    Next(node) = kNone;
  } else {
    Next(node) = *head;
    Prev(*head) = node;
    *head = node;
  }
}

void FoldIndex::Unlink(uint32_t node, uint64_t key,
                       cases_internal::CellTable& heads) {
  const uint32_t next = Next(node), prev = Prev(node);
  if (prev != kNone) {
    Next(prev) = next;
  } else if (next != kNone) {
    bool inserted;
    *heads.FindOrInsert(key, next, &inserted) = next;
  } else {
    heads.Erase(key);
  }
  if (next != kNone) Prev(next) = prev;
}

void FoldIndex::Enqueue(uint32_t e) {
  const Entry& en = entries_[e];
  const uint16_t wc = cold_[e].window_class;
  if (queues_.size() <= wc) queues_.resize(wc + 1);
  queues_[wc].push_back(Queued{e, en.case_idx, en.last_ns});
  std::push_heap(queues_[wc].begin(), queues_[wc].end(), QueuedLater());
}

uint32_t FoldIndex::InsertPoint(uint32_t case_idx, int32_t cat, double radius_m,
                                double x, double y, int32_t grid,
                                int64_t last_ns, int32_t window_class) {
  const uint32_t e = NewEntry();
  Entry& en = entries_[e];
  en.x = x;
  en.y = y;
  en.last_ns = last_ns;
  en.case_idx = case_idx;
  en.cat = cat;
  en.grid = grid;
  en.component = false;
  en.live = true;
  Cold& c = cold_[e];
  c.window_class = static_cast<uint16_t>(window_class);
  const double side = CellSide(radius_m), h = HalfBox(radius_m);
  c.cx0 = Cell(x - h, side);
  c.cy0 = Cell(y - h, side);
  // The box is narrower than a cell: it spans one or two cells per axis.
  c.span = static_cast<uint8_t>((Cell(x + h, side) != c.cx0 ? 1 : 0) |
                                (Cell(y + h, side) != c.cy0 ? 2 : 0));
  const int n = Nodes(e);
  for (int k = 0; k < n; ++k) Link(e << 2 | k, NodeKey(e, k), cells_);
  Enqueue(e);
  return e;
}

uint32_t FoldIndex::InsertComponent(uint32_t case_idx, int32_t cat,
                                    int32_t component, int64_t last_ns,
                                    int32_t window_class) {
  const uint32_t e = NewEntry();
  Entry& en = entries_[e];
  en.x = en.y = 0;
  en.last_ns = last_ns;
  en.case_idx = case_idx;
  en.cat = cat;
  en.grid = component;
  en.component = true;
  en.live = true;
  Cold& c = cold_[e];
  c.cx0 = c.cy0 = 0;
  c.span = 0;
  c.window_class = static_cast<uint16_t>(window_class);
  Link(e << 2, ComponentKey(cat, component), components_);
  Enqueue(e);
  return e;
}

void FoldIndex::Remove(uint32_t e) {
  Entry& en = entries_[e];
  cases_internal::CellTable& heads = en.component ? components_ : cells_;
  const int n = Nodes(e);
  for (int k = 0; k < n; ++k) Unlink(e << 2 | k, NodeKey(e, k), heads);
  en.live = false;
  free_.push_back(e);
  --live_;
}

uint32_t FoldIndex::FindNearest(int32_t cat, double radius_m, double x,
                                double y, int32_t grid,
                                int64_t min_last_ns) const {
  return FindNearest(PointKey(cat, radius_m, x, y), cat, radius_m, x, y, grid,
                     min_last_ns);
}

uint32_t FoldIndex::FindNearest(uint64_t key, int32_t cat, double radius_m,
                                double x, double y, int32_t grid,
                                int64_t min_last_ns) const {
  const uint32_t head = cells_.Find(key);
  if (head == kNone) return kNone;
  const double r2 = radius_m * radius_m;
  uint32_t best = kNone;
  double best_d2 = 0;
  for (uint32_t node = head; node != kNone;) {
    const Entry& en = entries_[node >> 2];
    node = en.next[node & 3];
    if (en.cat != cat || en.last_ns < min_last_ns) continue;
    if (grid != kAnyGrid && en.grid != grid) continue;
    const double ex = en.x - x, ey = en.y - y;
    const double d2 = ex * ex + ey * ey;
    if (d2 > r2) continue;
    if (best == kNone || d2 < best_d2 ||
        (d2 == best_d2 && en.case_idx < best)) {
      best = en.case_idx;
      best_d2 = d2;
    }
  }
  return best;
}

uint32_t FoldIndex::FindComponent(int32_t cat, int32_t component,
                                  int64_t min_last_ns) const {
  uint32_t best = kNone;
  for (uint32_t node = components_.Find(ComponentKey(cat, component));
       node != kNone;) {
    const Entry& en = entries_[node >> 2];
    node = en.next[0];
    if (en.cat != cat || en.grid != component || en.last_ns < min_last_ns)
      continue;
    if (en.case_idx < best) best = en.case_idx;
  }
  return best;
}

void FoldIndex::Clear() {
  entries_.clear();
  cold_.clear();
  free_.clear();
  live_ = 0;
  cells_.Clear();
  components_.Clear();
  queues_.clear();
}

}  // namespace gridroute
