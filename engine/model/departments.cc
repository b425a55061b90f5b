// Copyright 2026 gridroute authors.
#include "model/departments.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/csv.h"
#include "common/echo.h"
#include "common/status_macros.h"

namespace gridroute {

absl::StatusOr<Departments> Departments::Load(const std::string& path,
                                              const CsvFileOptions& file) {
  ASSIGN_OR_RETURN(CsvTable t, CsvTable::Open(path, {"code", "name", "kind", "parent", "channel"},
                                              {}, file));
  Departments d;
  std::vector<std::string> errors, parents;
  std::vector<int64_t> lines;
  while (t.Next()) {
    Department dep;
    dep.code = std::string(t.Get(0));
    dep.name = std::string(t.Get(1));
    dep.kind = std::string(t.Get(2));
    dep.channel = std::string(t.Get(4));
    if (dep.code.empty()) {
      errors.push_back(absl::StrCat(path, ":", t.line(), ": empty department code"));
      continue;
    }
    auto [it, inserted] = d.by_code_.emplace(dep.code, d.size());
    if (!inserted) {
      errors.push_back(absl::StrCat(path, ":", t.line(), ": department '", Echo(dep.code),
                                    "': duplicate code (first at line ", lines[it->second], ")"));
      continue;
    }
    parents.emplace_back(t.Get(3));
    lines.push_back(t.line());
    d.list_.push_back(std::move(dep));
  }
  RETURN_IF_ERROR(t.status());
  for (int32_t i = 0; i < d.size(); ++i) {
    if (parents[i].empty()) continue;
    const int32_t p = d.Find(parents[i]);
    if (p < 0) {
      errors.push_back(absl::StrCat(path, ":", lines[i], ": department '", Echo(d.list_[i].code),
                                    "': parent '", Echo(parents[i]), "' does not exist"));
    }
    d.list_[i].parent = p;
  }
  if (errors.empty()) {
    for (int32_t i = 0; i < d.size(); ++i) {
      int32_t steps = 0;
      for (int32_t p = d.list_[i].parent; p >= 0; p = d.list_[p].parent) {
        if (p == i || ++steps > d.size()) {
          errors.push_back(absl::StrCat(path, ":", lines[i], ": department '",
                                        Echo(d.list_[i].code), "': cycle of parents"));
          break;
        }
      }
    }
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  return d;
}

int32_t Departments::Find(absl::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? -1 : it->second;
}

}  // namespace gridroute
