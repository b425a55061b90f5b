// Copyright 2026 gridroute authors.
#include "service/codes_tables.h"

#include <cstdlib>
#include <limits>

#include "service/wire_writer.h"

namespace gridroute {
namespace {

// routing.proto numbers (DecisionCodes, TeamRef): the same as codes_wire.cc.
constexpr int kRegionCodes = 5, kRuleId = 6, kLead = 7, kHelpers = 8, kCategory = 13,
              kUrgency = 14, kTeamSpecialty = 2;

// Closes entry of `begin` (the arena offset past it).
void Close(const std::string& arena, std::vector<uint32_t>* begin) {
  begin->push_back(static_cast<uint32_t>(arena.size()));
}

}  // namespace

CodesTables CodesTables::Build(const Snapshot& s) {
  CodesTables t;
  std::string& a = t.arena_;
  WireWriter w(&a);
  const Hierarchy& h = s.hierarchy();
  const size_t levels = h.levels().size();
  t.region_begin_.push_back(0);
  for (int32_t r = 0; r < h.num_regions(); ++r) {
    const int32_t* chain = h.chain_data(r);
    for (size_t l = 0; l < levels; ++l) {
      if (chain[l] >= 0) w.Bytes(kRegionCodes, h.region(chain[l]).code);
    }
    Close(a, &t.region_begin_);
  }
  const Departments& deps = s.departments();
  t.rule_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (uint32_t r = 0; r < s.rules().num_rules(); ++r) {
    const Rule& rule = s.rules().rule(r);
    w.String(kRuleId, rule.id);
    t.rule_id_end_.push_back(static_cast<uint32_t>(a.size()));
    if (rule.lead >= 0) w.String(kLead, deps.at(rule.lead).code);
    for (int32_t d : rule.helpers) w.Bytes(kHelpers, deps.at(d).code);
    Close(a, &t.rule_begin_);
  }
  t.lead_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t d = 0; d < deps.size(); ++d) {
    w.String(kLead, deps.at(d).code);
    Close(a, &t.lead_begin_);
  }
  t.helper_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t d = 0; d < deps.size(); ++d) {
    w.Bytes(kHelpers, deps.at(d).code);
    Close(a, &t.helper_begin_);
  }
  const Categories& cats = s.categories();
  t.category_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (int32_t c = 0; c < cats.size(); ++c) {
    w.String(kCategory, cats.at(c).code);
    Close(a, &t.category_begin_);
  }
  t.urgency_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (const std::string& u : cats.urgencies()) {
    w.String(kUrgency, u);
    Close(a, &t.urgency_begin_);
  }
  t.specialty_begin_.push_back(static_cast<uint32_t>(a.size()));
  for (const std::string& sp : s.teams().specialties()) {
    w.String(kTeamSpecialty, sp);
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
