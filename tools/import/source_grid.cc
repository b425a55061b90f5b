// Copyright 2026 gridroute authors.
#include "import/source_grid.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gridroute::import {

absl::StatusOr<std::vector<LevelSpec>> ParseLevels(absl::string_view spec) {
  std::vector<LevelSpec> out;
  if (absl::StripAsciiWhitespace(spec).empty()) {
    return absl::InvalidArgumentError(
        "--levels is empty; expected e.g. "
        "community=SQDM:SQMC,street=JDDM:JDMC,district=QDM");
  }
  for (absl::string_view item : absl::StrSplit(spec, ',')) {
    item = absl::StripAsciiWhitespace(item);
    const size_t eq = item.find('=');
    if (eq == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--levels item '", item, "' must be level=CODE_ATTR[:NAME_ATTR]"));
    }
    LevelSpec l;
    l.level = std::string(absl::StripAsciiWhitespace(item.substr(0, eq)));
    absl::string_view attrs = item.substr(eq + 1);
    const size_t colon = attrs.find(':');
    l.code_attr =
        std::string(absl::StripAsciiWhitespace(attrs.substr(0, colon)));
    if (colon != absl::string_view::npos) {
      l.name_attr =
          std::string(absl::StripAsciiWhitespace(attrs.substr(colon + 1)));
      if (l.name_attr.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--levels item '", item, "': empty name attribute after ':'"));
      }
    }
    if (l.level.empty() || l.code_attr.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--levels item '", item,
                       "' must be level=CODE_ATTR[:NAME_ATTR] with both "
                       "parts non-empty"));
    }
    for (const LevelSpec& seen : out) {
      if (seen.level == l.level) {
        return absl::InvalidArgumentError(
            absl::StrCat("--levels names level '", l.level, "' twice"));
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::string FeatureLabel(const SourceGrid& g) {
  if (g.code.empty()) return absl::StrCat("FID ", g.fid, " (no code)");
  return absl::StrCat("FID ", g.fid, " code ", g.code);
}

}  // namespace gridroute::import
