// Copyright 2026 gridroute authors.
#include "cases/case_store.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cases/case_id.h"
#include "common/echo.h"
#include "cases/internal/time_ns.h"

namespace gridroute {

using cases_internal::Dict;
using cases_internal::FromNs;
using cases_internal::ToNs;

namespace {

constexpr absl::string_view kTokenPrefix = "c1.";

void Set(std::string* s, absl::string_view v) { s->assign(v.data(), v.size()); }

double Median(std::vector<double>& v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

OverdueInfo Overdue(const CaseView& c, absl::Time now,
                    const WorkingCalendar& calendar) {
  OverdueInfo info;
  if (c.due == absl::InfiniteFuture()) return info;
  const absl::Time end = c.state == CaseState::kClosed ? c.closed_at : now;
  if (end <= c.due) return info;
  info.overdue = true;
  info.working_late = calendar.WorkingTimeBetween(c.due, end);
  return info;
}

absl::Status CaseStore::Lookup(absl::string_view id, uint32_t* idx) const {
  CaseIdParts parts;
  if (!ParseCaseId(id, &parts)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "case_id '", Echo(id),
        "': not a case id (expected <district>-<yyyymmdd>-<6-digit seq>)"));
  }
  *idx = kNone;
  const int32_t district = districts_.Find(parts.district);
  if (district < 0) return absl::OkStatus();
  auto it = by_id_.find(IdKey{district, parts.ymd, parts.seq});
  if (it != by_id_.end()) *idx = it->second;
  return absl::OkStatus();
}

void CaseStore::AppendId(const Case& c, std::string* out) const {
  AppendCaseId(districts_.Get(c.district), c.ymd, c.seq, out);
}

void CaseStore::ToView(const Case& c, CaseView* out) const {
  out->id.clear();
  AppendId(c, &out->id);
  const int t = static_cast<int>(cat_type_[c.category]);
  out->category_type = cat_type_[c.category];
  Set(&out->category, category_dict_[t].Get(cat_code_[c.category]));
  Set(&out->component, components_.Get(c.component));
  Set(&out->grid, grids_.Get(c.grid));
  Set(&out->district, districts_.Get(c.district));
  const absl::Span<const int32_t> chain = lists_.Get(c.chain);
  out->chain.resize(chain.size());
  for (size_t i = 0; i < chain.size(); ++i)
    Set(&out->chain[i], regions_.Get(chain[i]));
  Set(&out->lead, departments_.Get(c.lead));
  const absl::Span<const int32_t> helpers = lists_.Get(c.helpers);
  out->helpers.resize(helpers.size());
  for (size_t i = 0; i < helpers.size(); ++i) {
    Set(&out->helpers[i], departments_.Get(helpers[i]));
  }
  out->has_point = c.has_point;
  out->lon = c.has_point ? c.lon : 0;
  out->lat = c.has_point ? c.lat : 0;
  out->first_report = FromNs(c.first_ns);
  out->last_report = FromNs(c.last_ns);
  out->due = FromNs(c.due_ns);
  out->closed_at = FromNs(c.closed_ns);
  out->report_count = c.count;
  out->state = c.state;
  out->source = c.source;
  Set(&out->source_id, names_.Get(c.source_id));
  out->history.resize(c.history.size());
  for (size_t i = 0; i < c.history.size(); ++i) {
    const History& h = c.history[i];
    HistoryEntry& o = out->history[i];
    o.state = h.state;
    Set(&o.actor, names_.Get(h.actor));
    o.at = FromNs(h.at_ns);
    o.note = h.note;
    Set(&o.lead, departments_.Get(h.lead));
  }
}

absl::Status CaseStore::Get(absl::string_view id, CaseView* out) const {
  uint32_t idx;
  if (absl::Status s = Lookup(id, &idx); !s.ok()) return s;
  if (idx == kNone)
    return absl::NotFoundError(absl::StrCat("case '", Echo(id), "' not found"));
  ToView(cases_[idx], out);
  return absl::OkStatus();
}

absl::Status CaseStore::List(const ListQuery& query, ListResult* out) const {
  out->cases.clear();
  out->next_page_token.clear();
  size_t begin = 0;
  if (!query.page_token.empty()) {
    uint64_t v;
    absl::string_view t = query.page_token;
    if (t.substr(0, kTokenPrefix.size()) != kTokenPrefix ||
        !absl::SimpleAtoi(t.substr(kTokenPrefix.size()), &v)) {
      return absl::InvalidArgumentError(
          absl::StrCat("page_token '", Echo(query.page_token),
                       "': malformed (pass next_page_token)"));
    }
    begin = static_cast<size_t>(v);
  }
  const size_t page =
      query.page_size <= 0 ? 100 : std::min(query.page_size, kMaxPageSize);
  // Filters as interned ids; a code never seen matches nothing.
  const int32_t dept = departments_.Find(query.department);
  const int32_t grid = grids_.Find(query.grid);
  const int32_t region = regions_.Find(query.region);
  if (dept == Dict::kMissing || grid == Dict::kMissing ||
      region == Dict::kMissing) {
    return absl::OkStatus();
  }
  auto matches = [&](const Case& c) {
    if (!query.department.empty() && c.lead != dept) return false;
    if (!query.grid.empty() && c.grid != grid) return false;
    if (query.state.has_value() && c.state != *query.state) return false;
    if (!query.region.empty()) {
      const absl::Span<const int32_t> chain = lists_.Get(c.chain);
      if (std::find(chain.begin(), chain.end(), region) == chain.end())
        return false;
    }
    return true;
  };
  for (size_t i = begin; i < cases_.size(); ++i) {
    if (!matches(cases_[i])) continue;
    if (out->cases.size() == page) {
      out->next_page_token = absl::StrCat(kTokenPrefix, i);
      break;
    }
    out->cases.emplace_back();
    ToView(cases_[i], &out->cases.back());
  }
  return absl::OkStatus();
}

absl::Status CaseStore::Stats(const StatsQuery& query,
                              const WorkingCalendar& calendar,
                              StatsResult* out) const {
  if (query.as_of == absl::InfinitePast() ||
      query.as_of == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError(
        "as_of: required (the time the figures are taken at)");
  }
  if (query.group_by == StatsGroup::kLevel && query.level < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("level ", query.level, ": must be >= 0"));
  }
  const int64_t from = ToNs(query.from), to = ToNs(query.to),
                as_of = ToNs(query.as_of);
  struct Acc {
    StatsRow row;
    std::vector<double> handling_h;
  };
  absl::flat_hash_map<int32_t, Acc> groups;
  Acc total;
  for (const Case& c : cases_) {
    if (c.first_ns < from || c.first_ns >= to) continue;
    int32_t key = -1;
    switch (query.group_by) {
      case StatsGroup::kAll:
        break;
      case StatsGroup::kDepartment:
        key = c.lead;
        break;
      case StatsGroup::kLevel: {
        const absl::Span<const int32_t> chain = lists_.Get(c.chain);
        if (static_cast<size_t>(query.level) < chain.size())
          key = chain[query.level];
        break;
      }
      case StatsGroup::kGrid:
        key = c.grid;
        break;
    }
    const bool closed = c.state == CaseState::kClosed && c.closed_ns <= as_of;
    const bool on_time = closed && c.closed_ns <= c.due_ns;
    const bool due = closed || c.due_ns <= as_of;
    const bool overdue_open = !closed && c.due_ns < as_of;
    double handling = -1;
    if (closed) {
      handling = absl::ToDoubleHours(
          calendar.WorkingTimeBetween(FromNs(c.first_ns), FromNs(c.closed_ns)));
    }
    for (Acc* acc : {&groups[key], &total}) {
      acc->row.reported += c.count;
      acc->row.filed += 1;
      acc->row.closed += closed;
      acc->row.on_time_closed += on_time;
      acc->row.due += due;
      acc->row.overdue_open += overdue_open;
      if (closed) acc->handling_h.push_back(handling);
    }
  }
  auto finish = [](Acc& acc, StatsRow* row) {
    acc.row.closure_rate =
        acc.row.filed > 0 ? double(acc.row.closed) / acc.row.filed : 0;
    acc.row.on_time_rate =
        acc.row.due > 0 ? double(acc.row.on_time_closed) / acc.row.due : 0;
    acc.row.median_handling_hours = Median(acc.handling_h);
    *row = std::move(acc.row);
  };
  out->rows.clear();
  for (auto& [key, acc] : groups) {
    out->rows.emplace_back();
    finish(acc, &out->rows.back());
    absl::string_view code;
    switch (query.group_by) {
      case StatsGroup::kAll:
        break;
      case StatsGroup::kDepartment:
        code = departments_.Get(key);
        break;
      case StatsGroup::kLevel:
        code = regions_.Get(key);
        break;
      case StatsGroup::kGrid:
        code = grids_.Get(key);
        break;
    }
    out->rows.back().key = std::string(code);
  }
  std::sort(out->rows.begin(), out->rows.end(),
            [](const StatsRow& a, const StatsRow& b) { return a.key < b.key; });
  finish(total, &out->total);
  out->total.key.clear();
  return absl::OkStatus();
}

}  // namespace gridroute
