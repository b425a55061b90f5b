// Copyright 2026 gridroute authors.
#include "service/full_tables.h"

#include <cstdlib>
#include <limits>

#include "service/wire_writer.h"

namespace gridroute {
namespace {

// routing.proto numbers the fragments carry.
constexpr int kRuleId = 3, kUrgency = 9, kCategory = 11, kCategoryName = 12, kChain = 5;

void Close(const std::string& arena, std::vector<uint32_t>* begin) {
  begin->push_back(static_cast<uint32_t>(arena.size()));
}

}  // namespace

FullTables FullTables::Build(const Snapshot& s) {
  FullTables t;
  std::string& a = t.arena_;
  WireWriter w(&a);
  std::string body;
  WireWriter wb(&body);
  const Hierarchy& h = s.hierarchy();
  t.levels_ = h.levels().size();
  t.region_begin_.push_back(0);
  for (int32_t r = 0; r < h.num_regions(); ++r) {
    const Region& region = h.region(r);
    body.clear();
    wb.String(1, h.levels()[region.level]);
    wb.String(2, region.code);
    wb.String(3, region.name);
    w.Bytes(kChain, body);
    Close(a, &t.region_begin_);
  }
  const Departments& deps = s.departments();
  t.department_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t d = 0; d < deps.size(); ++d) {
    w.String(1, deps.at(d).code);
    w.String(2, deps.at(d).name);
    w.String(3, deps.at(d).channel);
    Close(a, &t.department_begin_);
  }
  t.rule_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (uint32_t r = 0; r < s.rules().num_rules(); ++r) {
    w.String(kRuleId, s.rules().rule(r).id);
    Close(a, &t.rule_begin_);
  }
  const Categories& cats = s.categories();
  t.category_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t c = 0; c < cats.size(); ++c) {
    w.String(kCategory, cats.at(c).code);
    w.String(kCategoryName, cats.at(c).name);
    Close(a, &t.category_begin_);
  }
  t.urgency_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (const std::string& u : cats.urgencies()) {
    w.String(kUrgency, u);
    Close(a, &t.urgency_begin_);
  }
  const Layers& layers = s.layers();
  t.layer_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t l = 0; l < layers.size(); ++l) {
    w.String(1, layers.code(l));
    w.String(2, layers.name(l));
    w.String(3, layers.kind(l));
    Close(a, &t.layer_begin_);
    w.String(4, layers.owner(l));
    w.String(5, layers.owner_contact(l));
    Close(a, &t.layer_begin_);
  }
  t.specialty_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (const std::string& sp : s.teams().specialties()) {
    w.String(2, sp);
    Close(a, &t.specialty_begin_);
  }
  // 32-bit offsets: the pack limits (PACK.md "Limits") keep these names far
  // below 4 GiB; a larger arena would be a loader bug.
  if (a.size() > std::numeric_limits<uint32_t>::max()) std::abort();
  a.shrink_to_fit();
  return t;
}

size_t FullTables::MemoryBytes() const {
  size_t n = arena_.capacity();
  for (const auto* v : {&region_begin_, &department_begin_, &rule_begin_, &category_begin_,
                        &urgency_begin_, &layer_begin_, &specialty_begin_}) {
    n += v->capacity() * sizeof(uint32_t);
  }
  return n;
}

}  // namespace gridroute
