// Copyright 2026 gridroute authors.
#include "model/categories.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/csv.h"
#include "common/echo.h"
#include "common/status_macros.h"

namespace gridroute {
namespace {
int32_t IndexOf(const std::vector<std::string>& v, absl::string_view s) {
  auto it = std::find(v.begin(), v.end(), s);
  return it == v.end() ? -1 : static_cast<int32_t>(it - v.begin());
}
}  // namespace

const char* CategoryTypeName(CategoryType t) {
  return t == CategoryType::kEvent ? "event" : "component";
}

bool ParseCategoryType(absl::string_view s, CategoryType* out) {
  if (s == "event") {
    *out = CategoryType::kEvent;
  } else if (s == "component") {
    *out = CategoryType::kComponent;
  } else {
    return false;
  }
  return true;
}

absl::StatusOr<Categories> Categories::Load(const std::string& path,
                                            const CsvFileOptions& file) {
  ASSIGN_OR_RETURN(CsvTable t, CsvTable::Open(path, {"type", "code", "name", "major",
                                                     "standard", "urgencies", "specialty"},
                                              {}, file));
  Categories c;
  std::vector<std::string> errors;
  while (t.Next()) {
    const std::string where = absl::StrCat(path, ":", t.line(), ": category '", Echo(t.Get(1)), "'");
    Category cat;
    if (!ParseCategoryType(t.Get(0), &cat.type)) {
      errors.push_back(absl::StrCat(where, ": type '", Echo(t.Get(0)),
                                    "' is not 'event' or 'component'"));
      continue;
    }
    cat.code = std::string(t.Get(1));
    cat.name = std::string(t.Get(2));
    cat.major = std::string(t.Get(3));
    cat.standard = std::string(t.Get(4));
    cat.specialty = std::string(t.Get(6));
    if (cat.code.empty()) {
      errors.push_back(absl::StrCat(path, ":", t.line(), ": empty category code"));
      continue;
    }
    for (absl::string_view u : absl::StrSplit(t.Get(5), '|', absl::SkipEmpty())) {
      int32_t id = IndexOf(c.urgencies_, u);
      if (id < 0) {
        if (c.urgencies_.size() == kMaxUrgencies) {
          errors.push_back(absl::StrCat(where, ": more than ", kMaxUrgencies,
                                        " urgency levels in the pack"));
          break;
        }
        id = static_cast<int32_t>(c.urgencies_.size());
        c.urgencies_.emplace_back(u);
      }
      cat.urgency_mask |= 1u << id;
    }
    if (cat.urgency_mask == 0) {
      errors.push_back(absl::StrCat(where, ": no urgency levels (column 'urgencies', e.g. normal|urgent)"));
      continue;
    }
    if (!cat.specialty.empty()) {
      cat.specialty_id = IndexOf(c.specialties_, cat.specialty);
      if (cat.specialty_id < 0) {
        cat.specialty_id = static_cast<int32_t>(c.specialties_.size());
        c.specialties_.push_back(cat.specialty);
      }
    }
    auto [it, inserted] =
        c.by_code_[static_cast<int>(cat.type)].emplace(cat.code, c.size());
    if (!inserted) {
      errors.push_back(absl::StrCat(where, ": duplicate ", CategoryTypeName(cat.type),
                                    " category code"));
      continue;
    }
    if (uint64_t key; ShortKey(cat.code, &key)) {
      c.by_short_code_[static_cast<int>(cat.type)].emplace(key, c.size());
    }
    c.list_.push_back(std::move(cat));
  }
  RETURN_IF_ERROR(t.status());
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  return c;
}

bool Categories::ShortKey(absl::string_view code, uint64_t* key) {
  if (code.size() > 7) return false;
  uint64_t k = code.size();
  for (size_t i = 0; i < code.size(); ++i) {
    k |= static_cast<uint64_t>(static_cast<uint8_t>(code[i])) << (8 * (i + 1));
  }
  *key = k;
  return true;
}

int32_t Categories::Find(CategoryType type, absl::string_view code) const {
  if (uint64_t key; ShortKey(code, &key)) {
    const auto& map = by_short_code_[static_cast<int>(type)];
    auto it = map.find(key);
    return it == map.end() ? -1 : it->second;
  }
  const auto& map = by_code_[static_cast<int>(type)];
  auto it = map.find(code);
  return it == map.end() ? -1 : it->second;
}

int32_t Categories::FindUrgency(absl::string_view name) const {
  return IndexOf(urgencies_, name);
}

int32_t Categories::FindSpecialty(absl::string_view name) const {
  return IndexOf(specialties_, name);
}

}  // namespace gridroute
