// Copyright 2026 gridroute authors.
#include "cases/fold_rules.h"

#include <sys/stat.h>

#include <cmath>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/csv.h"
#include "common/echo.h"
#include "common/status_macros.h"

namespace gridroute {
namespace {

constexpr double kMaxRadiusM = 10000;
constexpr double kMaxWindowMin = 30 * 24 * 60;

// One row of folding.csv after parsing.
struct Row {
  int type = -1;         // 0 event, 1 component, -1 any
  std::string category;  // exact code, "01*" or "*"
  FoldRule rule;
  int64_t line = 0;
};

// Specificity of a row for a category: higher wins; -1 if it does not apply.
int Rank(const Row& row, CategoryType type, const Category& c) {
  if (row.type >= 0 && row.type != static_cast<int>(type)) return -1;
  int cat_rank;
  if (row.category == "*") {
    cat_rank = 0;
  } else if (absl::EndsWith(row.category, "*")) {
    absl::string_view major =
        absl::string_view(row.category).substr(0, row.category.size() - 1);
    if (c.major != major) return -1;
    cat_rank = 1;
  } else {
    if (c.code != row.category) return -1;
    cat_rank = 2;
  }
  return cat_rank * 2 + (row.type >= 0 ? 1 : 0);
}

bool ParseBool(absl::string_view s, bool* out) {
  const std::string v = absl::AsciiStrToLower(absl::StripAsciiWhitespace(s));
  if (v.empty() || v == "false" || v == "0" || v == "no") {
    *out = false;
  } else if (v == "true" || v == "1" || v == "yes") {
    *out = true;
  } else {
    return false;
  }
  return true;
}

}  // namespace

FoldRules::FoldRules() {
  default_[static_cast<int>(CategoryType::kEvent)] =
      FoldRule{50, absl::Minutes(60), false};
  default_[static_cast<int>(CategoryType::kComponent)] =
      FoldRule{30, absl::Hours(24), false};
}

const FoldRule& FoldRules::Find(CategoryType type,
                                absl::string_view code) const {
  const int t = static_cast<int>(type);
  auto it = exact_[t].find(code);
  return it == exact_[t].end() ? default_[t] : it->second;
}

namespace {

const std::vector<std::string>& Columns() {
  static const std::vector<std::string>* const kColumns =
      new std::vector<std::string>{"category_type", "category", "radius_m", "window_min"};
  return *kColumns;
}

// The rules of the folding.csv table `t` (messages name it `path`).
absl::StatusOr<FoldRules> RulesOf(CsvTable& t, const std::string& path,
                                  const Categories& categories) {
  FoldRules rules;
  std::vector<std::string> errors;
  std::vector<Row> rows;
  absl::flat_hash_map<std::string, int64_t> seen;  // "type|category" -> line
  while (t.Next()) {
    const std::string where = absl::StrCat(path, ":", t.line(), ": ");
    Row row;
    row.line = t.line();
    const absl::string_view type = absl::StripAsciiWhitespace(t.Get(0));
    CategoryType ct;
    if (type == "*") {
      row.type = -1;
    } else if (ParseCategoryType(type, &ct)) {
      row.type = static_cast<int>(ct);
    } else {
      errors.push_back(absl::StrCat(where, "category_type '", Echo(type),
                                    "': expected event, component or *"));
      continue;
    }
    row.category = std::string(absl::StripAsciiWhitespace(t.Get(1)));
    if (row.category.empty()) {
      errors.push_back(absl::StrCat(where, "category: empty (use * for any)"));
      continue;
    }
    if (!absl::EndsWith(row.category, "*")) {
      bool known = false;
      for (int ty = 0; ty < 2 && !known; ++ty) {
        if (row.type >= 0 && row.type != ty) continue;
        known =
            categories.Find(static_cast<CategoryType>(ty), row.category) >= 0;
      }
      if (!known) {
        errors.push_back(absl::StrCat(where, "category '", row.category,
                                      "': not in categories.csv for type ",
                                      type));
        continue;
      }
    }
    double radius, window;
    if (!absl::SimpleAtod(t.Get(2), &radius) || !std::isfinite(radius) ||
        radius <= 0 || radius > kMaxRadiusM) {
      errors.push_back(absl::StrCat(where, "radius_m '", Echo(t.Get(2)),
                                    "': expected metres in (0, ", kMaxRadiusM,
                                    "]"));
      continue;
    }
    if (!absl::SimpleAtod(t.Get(3), &window) || !std::isfinite(window) ||
        window <= 0 || window > kMaxWindowMin) {
      errors.push_back(absl::StrCat(where, "window_min '", Echo(t.Get(3)),
                                    "': expected minutes in (0, ",
                                    kMaxWindowMin, "]"));
      continue;
    }
    if (!ParseBool(t.Get(4), &row.rule.same_grid)) {
      errors.push_back(
          absl::StrCat(where, "same_grid '", Echo(t.Get(4)),
                       "': expected true/false/1/0/yes/no or empty"));
      continue;
    }
    row.rule.radius_m = radius;
    row.rule.window = absl::Seconds(window * 60);
    auto [it, inserted] =
        seen.emplace(absl::StrCat(type, "|", row.category), row.line);
    if (!inserted) {
      errors.push_back(absl::StrCat(where, "duplicate rule for (", type, ", ",
                                    row.category, "), first at line ",
                                    it->second));
      continue;
    }
    rows.push_back(std::move(row));
  }
  RETURN_IF_ERROR(t.status());
  if (!errors.empty())
    return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));

  // Defaults per type: the best "*" row.
  for (int ty = 0; ty < 2; ++ty) {
    int best = -1, best_rank = -1;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].category != "*" || (rows[i].type >= 0 && rows[i].type != ty))
        continue;
      const int rank = rows[i].type >= 0 ? 1 : 0;
      if (rank > best_rank) best = static_cast<int>(i), best_rank = rank;
    }
    if (best >= 0)
      rules.SetDefault(static_cast<CategoryType>(ty), rows[best].rule);
  }
  // Every category of the pack gets its resolved rule, so that Find() is one
  // lookup whatever the patterns were.
  for (int32_t i = 0; i < categories.size(); ++i) {
    const Category& c = categories.at(i);
    int best = -1, best_rank = -1;
    for (size_t r = 0; r < rows.size(); ++r) {
      const int rank = Rank(rows[r], c.type, c);
      if (rank > best_rank) best = static_cast<int>(r), best_rank = rank;
    }
    if (best >= 0 && best_rank >= 2) rules.Set(c.type, c.code, rows[best].rule);
  }
  return rules;
}

}  // namespace

absl::StatusOr<FoldRules> LoadFoldRules(const std::string& pack_dir,
                                        const Categories& categories,
                                        const CsvFileOptions& file) {
  const std::string path = pack_dir + "/folding.csv";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return FoldRules();  // optional file
  ASSIGN_OR_RETURN(CsvTable t, CsvTable::Open(path, Columns(), {"same_grid"}, file));
  return RulesOf(t, path, categories);
}

absl::StatusOr<FoldRules> ParseFoldRules(std::string text, const std::string& name,
                                         const Categories& categories,
                                         const CsvFileOptions& file) {
  ASSIGN_OR_RETURN(CsvTable t,
                   CsvTable::FromText(std::move(text), name, Columns(), {"same_grid"}, file));
  return RulesOf(t, name, categories);
}

}  // namespace gridroute
