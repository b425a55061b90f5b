// Copyright 2026 gridroute authors.
//
// Routing content for a synthetic city: departments, CJ/T 214-2007 event and
// component categories, a dispatch catalogue (rules), "1+5" grid teams,
// components, overlay layers (门前三包 frontage strips, construction sites,
// parks), a 2026 working calendar and a realistic events.csv. The files are
// written in exactly the formats of engine/snapshot/PACK.md ("Routing files");
// what is generated and why is described in GENERATOR.md.
//
//   ASSIGN_OR_RETURN(City city, GenerateCity({.num_grids = 2000, .seed = 1}));
//   RoutingData routing = GenerateRouting(city);
//   RETURN_IF_ERROR(WriteRoutingFiles(city, routing, "/tmp/city", &stats));
//   RETURN_IF_ERROR(WriteEvents(city, routing, "/tmp/city/events.csv", 1000,
//                               &stats));
//
// WriteCityPack() (city_generator.h) calls all three; tests call them to
// compare the files with the data.
//
// Determinism: a pure function of the City (its seed): one thread,
// std::mt19937_64 with our own distributions, fixed tables, no hash-map
// iteration. Teams are not stored: they are drawn while writing, from their
// own random stream, so that 2M grids cost no memory for them.
// Memory: 48 bytes a component (~2 per grid); everything else is small
// (figures: GENERATOR.md, "Measured").
// Thread-safety: the functions are reentrant; a RoutingData is immutable after
// GenerateRouting returns and may be read from many threads.
#ifndef GRIDROUTE_TOOLS_GEN_ROUTING_GENERATOR_H_
#define GRIDROUTE_TOOLS_GEN_ROUTING_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gen/city_generator.h"

namespace gridroute::gen {

struct Department {
  std::string code;     // "D01" (city bureau) or "D02320501" (district unit)
  std::string name;     // "城市管理局", "金湖区执法中队"
  std::string kind;     // 主管, 权属, 养护, 执法, 处置
  int32_t parent = -1;  // index into RoutingData::departments, -1 for none
  std::string channel;  // "dispatch.D01"; empty for external companies
};

struct Category {
  std::string type;       // "event" or "component"
  std::string code;       // "0102"
  std::string name;       // "暴露垃圾"
  std::string major;      // "01"
  std::string standard;   // "CJ/T 214-2007" or "local"
  std::string urgencies;  // "normal|urgent|emergency"
  std::string specialty;  // "sanitation", "greening", ...
  // Relative frequency in events.csv (events) or among components (per mille
  // of all components).
  int weight = 0;
};

struct Rule {
  std::string id;     // "R000001"
  std::string scope;  // "city", "region:<code>", "grid:<code>", "layer:<code>"
  std::string category_type;  // "event", "component" or "*"
  std::string category;       // "0102", "01*" or "*"
  std::string lead;           // department code
  std::string helpers;        // department codes, '|'-separated
  std::string deadlines;      // "normal=1wd;urgent=2wh"
  std::string window;         // "" or "22:00-06:00"
};

enum class LayerKind : uint8_t { kFrontage, kConstruction, kPark };

struct Layer {
  std::string code;  // "FR000001", "CS000001", "PK000001"
  std::string name;
  LayerKind kind = LayerKind::kFrontage;
  // Frontage: the shop's name. Construction sites and parks: the code of the
  // owning department (the one their layer rules route to).
  std::string owner;
  std::string owner_contact;  // a phone number
  int priority = 0;           // frontage 1, construction 2, park 0
  int32_t grid = -1;          // the grid it was built around
  // Open ring (first vertex not repeated), counter-clockwise, simple.
  std::vector<LonLatE7> ring;
};

struct Component {
  uint64_t code = 0;  // 16 digits: district + category + 6-digit sequence
  int32_t grid = -1;  // the grid that strictly contains `position`
  LonLatE7 position;
  uint16_t category = 0;  // index into RoutingData::categories
  uint8_t state = 0;      // index into kComponentStates
  int32_t owner = -1;     // indices into RoutingData::departments
  int32_t property = -1;  // -1: empty
  int32_t maintainer = -1;
};

inline constexpr const char* kComponentStates[] = {"完好", "破损", "丢失",
                                                   "占用"};

struct RoutingData {
  std::vector<Department> departments;  // bureaus first, then district units
  std::vector<Category> categories;     // events first, then components
  std::vector<Rule> rules;
  std::vector<Layer> layers;          // parks, construction sites, frontage
  std::vector<Component> components;  // in grid order
  // The one local event category that no rule covers.
  std::string uncovered_category;
};

// Builds everything but the teams and events (drawn while writing). Never
// fails: every choice has a fallback.
RoutingData GenerateRouting(const City& city);

// "3205010101000001".
std::string ComponentCode(uint64_t code);

struct RoutingFileStats {
  int64_t departments_bytes = 0;
  int64_t categories_bytes = 0;
  int64_t rules_bytes = 0;
  int64_t teams_bytes = 0;
  int64_t components_bytes = 0;
  int64_t layers_bytes = 0;
  int64_t calendar_bytes = 0;
  int64_t events_bytes = 0;
  int64_t team_rows = 0;
};

// Writes departments.csv, categories.csv, rules.csv, teams.csv,
// components.csv, layers.geojson and calendar.json into `dir` (which must
// exist), streaming. Errors: Unavailable if a file cannot be written.
absl::Status WriteRoutingFiles(const City& city, const RoutingData& routing,
                               const std::string& dir, RoutingFileStats* stats);

// The kinds of deliberately invalid rows in events.csv; each appears at least
// once when num_events >= 1000 (see GENERATOR.md).
enum class InvalidEventKind : uint8_t {
  kUnknownCategory,    // category 9999
  kNanCoordinate,      // lon "NaN"
  kEmptyCoordinate,    // lat ""
  kBadTime,            // reported_at "2026-13-45 25:61"
  kUrgencyNotAllowed,  // emergency for a normal-only category
  kUnknownComponent,   // a well-formed code of a district that does not exist
  kBadCrs,             // crs "xyz"
};
inline constexpr int kNumInvalidEventKinds = 7;

// Writes `num_events` rows of events.csv to `path` (header
// id,lon,lat,crs,category_type,category,urgency,reported_at,component_code).
// Errors: InvalidArgument if num_events < 0; Unavailable on write failure.
absl::Status WriteEvents(const City& city, const RoutingData& routing,
                         const std::string& path, int64_t num_events,
                         RoutingFileStats* stats);

}  // namespace gridroute::gen

#endif  // GRIDROUTE_TOOLS_GEN_ROUTING_GENERATOR_H_
