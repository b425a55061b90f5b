// Copyright 2026 gridroute authors.
#include "service/codes_tables.h"

#include <cstdlib>
#include <limits>

namespace gridroute {
namespace {

// routing.proto numbers (DecisionCodes, TeamRef): the same as codes_wire.cc.
constexpr int kRegionCodes = 5, kRuleId = 6, kLead = 7, kHelpers = 8, kCategory = 13,
              kUrgency = 14, kTeamSpecialty = 2;

void Varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// A length-delimited field; proto3 leaves an empty singular string out
// (`always`: a repeated element, written even when empty).
void Field(int field, absl::string_view s, bool always, std::string* out) {
  if (s.empty() && !always) return;
  Varint(static_cast<uint64_t>(field) << 3 | 2, out);
  Varint(s.size(), out);
  out->append(s.data(), s.size());
}

// Closes entry of `begin` (the arena offset past it).
void Close(const std::string& arena, std::vector<uint32_t>* begin) {
  begin->push_back(static_cast<uint32_t>(arena.size()));
}

}  // namespace

CodesTables CodesTables::Build(const Snapshot& s) {
  CodesTables t;
  std::string& a = t.arena_;
  const Hierarchy& h = s.hierarchy();
  const size_t levels = h.levels().size();
  t.region_begin_.push_back(0);
  for (int32_t r = 0; r < h.num_regions(); ++r) {
    const int32_t* chain = h.chain_data(r);
    for (size_t l = 0; l < levels; ++l) {
      if (chain[l] >= 0) Field(kRegionCodes, h.region(chain[l]).code, true, &a);
    }
    Close(a, &t.region_begin_);
  }
  const Departments& deps = s.departments();
  t.rule_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (uint32_t r = 0; r < s.rules().num_rules(); ++r) {
    const Rule& rule = s.rules().rule(r);
    Field(kRuleId, rule.id, false, &a);
    t.rule_id_end_.push_back(static_cast<uint32_t>(a.size()));
    if (rule.lead >= 0) Field(kLead, deps.at(rule.lead).code, false, &a);
    for (int32_t d : rule.helpers) Field(kHelpers, deps.at(d).code, true, &a);
    Close(a, &t.rule_begin_);
  }
  t.lead_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t d = 0; d < deps.size(); ++d) {
    Field(kLead, deps.at(d).code, false, &a);
    Close(a, &t.lead_begin_);
  }
  t.helper_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t d = 0; d < deps.size(); ++d) {
    Field(kHelpers, deps.at(d).code, true, &a);
    Close(a, &t.helper_begin_);
  }
  const Categories& cats = s.categories();
  t.category_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t c = 0; c < cats.size(); ++c) {
    Field(kCategory, cats.at(c).code, false, &a);
    Close(a, &t.category_begin_);
  }
  t.urgency_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (const std::string& u : cats.urgencies()) {
    Field(kUrgency, u, false, &a);
    Close(a, &t.urgency_begin_);
  }
  t.specialty_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (const std::string& sp : s.teams().specialties()) {
    Field(kTeamSpecialty, sp, false, &a);
    Close(a, &t.specialty_begin_);
  }
  // Offsets are 32-bit: a pack's codes are bounded far below 4 GiB by the
  // pack limits (PACK.md "Limits"); a larger arena would be a loader bug.
  if (a.size() > std::numeric_limits<uint32_t>::max()) std::abort();
  a.shrink_to_fit();
  return t;
}

size_t CodesTables::MemoryBytes() const {
  size_t n = arena_.capacity();
  for (const auto* v : {&region_begin_, &rule_begin_, &rule_id_end_, &lead_begin_, &helper_begin_,
                        &category_begin_, &urgency_begin_, &specialty_begin_}) {
    n += v->capacity() * sizeof(uint32_t);
  }
  return n;
}

}  // namespace gridroute
