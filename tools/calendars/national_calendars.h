// Copyright 2026 gridroute authors.
//
// National working calendars shipped with gridroute, as data.
//
// Each calendar is a calendar.json (engine/model/CALENDAR.md) kept in
// tools/calendars/<NAME>.json and compiled into the tools that need it, so
// `gridroute-gen` writes it into generated packs and `gridroute-import
// --calendar CN-2026` puts it into an imported one without a file at hand:
//
//   std::optional<std::string_view> json = NationalCalendarJson("CN-2026");
//   if (!json) ...  // not a shipped calendar name: treat the flag as a path
#ifndef GRIDROUTE_TOOLS_CALENDARS_NATIONAL_CALENDARS_H_
#define GRIDROUTE_TOOLS_CALENDARS_NATIONAL_CALENDARS_H_

#include <optional>
#include <string_view>
#include <vector>

namespace gridroute {

// The calendar.json text of a shipped calendar, or nullopt for another name.
std::optional<std::string_view> NationalCalendarJson(std::string_view name);

// The names of the shipped calendars ("CN-2026", ...), sorted.
std::vector<std::string_view> NationalCalendarNames();

// The calendar generated packs carry.
inline constexpr std::string_view kDefaultNationalCalendar = "CN-2026";

}  // namespace gridroute

#endif  // GRIDROUTE_TOOLS_CALENDARS_NATIONAL_CALENDARS_H_
