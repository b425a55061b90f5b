// Copyright 2026 gridroute authors.
#include "service/full_tables.h"

#include <cstdlib>
#include <limits>

namespace gridroute {
namespace {

// routing.proto numbers the fragments carry.
constexpr int kRuleId = 3, kUrgency = 9, kCategory = 11, kCategoryName = 12, kChain = 5;

void Varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// A length-delimited field; proto3 leaves an empty singular string out
// (`always`: a set sub-message or a repeated element).
void Field(int field, absl::string_view s, bool always, std::string* out) {
  if (s.empty() && !always) return;
  Varint(static_cast<uint64_t>(field) << 3 | 2, out);
  Varint(s.size(), out);
  out->append(s.data(), s.size());
}

void Close(const std::string& arena, std::vector<uint32_t>* begin) {
  begin->push_back(static_cast<uint32_t>(arena.size()));
}

}  // namespace

FullTables FullTables::Build(const Snapshot& s) {
  FullTables t;
  std::string& a = t.arena_;
  std::string body;
  const Hierarchy& h = s.hierarchy();
  t.levels_ = h.levels().size();
  t.region_begin_.push_back(0);
  for (int32_t r = 0; r < h.num_regions(); ++r) {
    const Region& region = h.region(r);
    body.clear();
    Field(1, h.levels()[region.level], false, &body);
    Field(2, region.code, false, &body);
    Field(3, region.name, false, &body);
    Field(kChain, body, true, &a);
    Close(a, &t.region_begin_);
  }
  const Departments& deps = s.departments();
  t.department_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t d = 0; d < deps.size(); ++d) {
    Field(1, deps.at(d).code, false, &a);
    Field(2, deps.at(d).name, false, &a);
    Field(3, deps.at(d).channel, false, &a);
    Close(a, &t.department_begin_);
  }
  t.rule_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (uint32_t r = 0; r < s.rules().num_rules(); ++r) {
    Field(kRuleId, s.rules().rule(r).id, false, &a);
    Close(a, &t.rule_begin_);
  }
  const Categories& cats = s.categories();
  t.category_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t c = 0; c < cats.size(); ++c) {
    Field(kCategory, cats.at(c).code, false, &a);
    Field(kCategoryName, cats.at(c).name, false, &a);
    Close(a, &t.category_begin_);
  }
  t.urgency_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (const std::string& u : cats.urgencies()) {
    Field(kUrgency, u, false, &a);
    Close(a, &t.urgency_begin_);
  }
  const Layers& layers = s.layers();
  t.layer_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t l = 0; l < layers.size(); ++l) {
    Field(1, layers.code(l), false, &a);
    Field(2, layers.name(l), false, &a);
    Field(3, layers.kind(l), false, &a);
    Close(a, &t.layer_begin_);
    Field(4, layers.owner(l), false, &a);
    Field(5, layers.owner_contact(l), false, &a);
    Close(a, &t.layer_begin_);
  }
  t.specialty_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (const std::string& sp : s.teams().specialties()) {
    Field(2, sp, false, &a);
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
