// Copyright 2026 gridroute authors.
//
// events.csv: the input of `gridroute route` for a generated city. The mix is
// described in GENERATOR.md ("events.csv"); the comments here say why.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "gen/internal/gen_util.h"
#include "gen/internal/grid_sampling.h"
#include "gen/routing_generator.h"
#include "geo/crs.h"

namespace gridroute::gen {
namespace {

using internal::kPi;
using internal::LocalProjection;
using internal::Mix64;
using internal::OutFile;
using internal::Rng;

constexpr uint64_t kEventStream = 0x6576656e7473ULL;

// Shares of all rows (GENERATOR.md).
constexpr double kComponentShare = 0.20;
constexpr double kOutsideShare = 0.03;
constexpr double kGcj02Share = 0.10;
constexpr double kBd09Share = 0.05;
constexpr double kInvalidShare = 0.005;

constexpr int kDaysIn2026[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
// Event times lie in [2026-01-01, 2026-12-01) +08:00: the first 334 days.
// A fixed end (not the generation time) keeps the output a function of the
// options alone; it is in the past, so gridroute-server (which refuses a
// report time more than --max-future ahead of its clock) takes every row.
constexpr int kEventDays = 334;

struct Event {
  LonLatE7 position;  // true WGS-84 position
  std::string crs = "wgs84";
  std::string lon, lat;  // as written (set at the end)
  std::string category_type, category, urgency, reported_at, component_code;
};

class EventMaker {
 public:
  EventMaker(const City& city, const RoutingData& routing)
      : city_(city),
        routing_(routing),
        projection_(city.options.center_lon_deg, city.options.center_lat_deg),
        rng_(Mix64(city.options.seed ^ kEventStream)) {
    for (size_t c = 0; c < routing.categories.size(); ++c) {
      if (routing.categories[c].type != "event") continue;
      events_.push_back(static_cast<int32_t>(c));
      cumulative_.push_back(total_ += routing.categories[c].weight);
    }
    for (size_t l = 0; l < routing.layers.size(); ++l) {
      by_kind_[static_cast<int>(routing.layers[l].kind)].push_back(
          static_cast<int32_t>(l));
    }
  }

  Event Make() {
    Event e;
    if (!routing_.components.empty() && rng_.Unit() < kComponentShare) {
      MakeComponentReport(e);
    } else {
      const int pick = static_cast<int>(rng_.Int(1, total_));
      const Category& c =
          routing_
              .categories[events_[std::lower_bound(cumulative_.begin(),
                                                   cumulative_.end(), pick) -
                                  cumulative_.begin()]];
      e.category_type = "event";
      e.category = c.code;
      e.urgency = Urgency(c.urgencies);
      e.position = EventPosition(c.code);
    }
    e.reported_at = Time(e.category == "0509" && e.category_type == "event");
    const double r = rng_.Unit();
    e.crs = r < kGcj02Share                ? "gcj02"
            : r < kGcj02Share + kBd09Share ? "bd09"
                                           : "wgs84";
    return e;
  }

  // Writes e.lon / e.lat: the true point, converted to e.crs, 7 decimals.
  static void SetText(Event& e) {
    LonLat p{e.position.lon / 1e7, e.position.lat / 1e7};
    if (e.crs == "gcj02") p = Wgs84ToGcj02(p);
    if (e.crs == "bd09") p = Wgs84ToBd09(p);
    e.lon = E7Text(std::llround(p.lon * 1e7));
    e.lat = E7Text(std::llround(p.lat * 1e7));
  }

  void MakeInvalid(Event& e, InvalidEventKind kind) {
    switch (kind) {
      case InvalidEventKind::kUnknownCategory:
        e.category_type = "event";
        e.category = "9999";
        e.urgency = "normal";
        e.component_code.clear();
        break;
      case InvalidEventKind::kNanCoordinate:
        e.lon = "NaN";
        break;
      case InvalidEventKind::kEmptyCoordinate:
        e.lat.clear();
        break;
      case InvalidEventKind::kBadTime:
        e.reported_at = "2026-13-45 25:61";
        break;
      case InvalidEventKind::kUrgencyNotAllowed:
        e.category_type = "event";
        e.category = "0201";  // 非法小广告: normal only
        e.urgency = "emergency";
        e.component_code.clear();
        break;
      case InvalidEventKind::kUnknownComponent:
        // District 329999 cannot exist (district digits run 01..20).
        e.category_type = "component";
        e.category = "0101";
        e.urgency = "normal";
        e.component_code = absl::StrCat(
            "3299990101", absl::Dec(rng_.Int(1, 999999), absl::kZeroPad6));
        break;
      case InvalidEventKind::kBadCrs:
        e.crs = "xyz";
        break;
    }
  }

 private:
  static std::string E7Text(int64_t v) {
    const bool negative = v < 0;
    const uint64_t u = negative ? 0 - static_cast<uint64_t>(v) : v;
    return absl::StrCat(negative ? "-" : "", u / 10000000, ".",
                        absl::Dec(u % 10000000, absl::kZeroPad7));
  }

  void MakeComponentReport(Event& e) {
    const Component& c = routing_.components[rng_.Int(
        0, static_cast<int64_t>(routing_.components.size()) - 1)];
    const Category& category = routing_.categories[c.category];
    e.category_type = "component";
    e.category = category.code;
    e.urgency = Urgency(category.urgencies);
    e.position = c.position;
    if (rng_.Int(0, 1) == 0) {
      e.component_code = ComponentCode(c.code);  // code and its own point
    } else {
      // Point only, 2-15 m away (a citizen standing next to it).
      const double d = rng_.Real(2.0, 15.0), a = rng_.Real(0.0, 2 * kPi);
      e.position.lon +=
          std::llround(d * std::cos(a) * projection_.e7_per_m_x());
      e.position.lat +=
          std::llround(d * std::sin(a) * projection_.e7_per_m_y());
    }
  }

  LonLatE7 EventPosition(const std::string& code) {
    if (rng_.Unit() < kOutsideShare / (1.0 - kComponentShare)) return Outside();
    // Send some events where their layer rules apply.
    const auto& sites = by_kind_[static_cast<int>(LayerKind::kConstruction)];
    const auto& parks = by_kind_[static_cast<int>(LayerKind::kPark)];
    const auto& strips = by_kind_[static_cast<int>(LayerKind::kFrontage)];
    if ((code == "0302" || code == "0304") && !sites.empty() &&
        rng_.Unit() < 0.6) {
      return InQuad(routing_.layers[sites[rng_.Int(0, sites.size() - 1)]]);
    }
    if ((code == "0106" || code == "0102") && !parks.empty() &&
        rng_.Unit() < 0.15) {
      const Layer& park = routing_.layers[parks[rng_.Int(0, parks.size() - 1)]];
      const LonLatE7 centre = city_.grids[park.grid].seed;
      const LonLatE7 v = park.ring[rng_.Int(0, park.ring.size() - 1)];
      const double t = rng_.Real(0.0, 0.75);
      return {centre.lon + std::llround(t * (v.lon - centre.lon)),
              centre.lat + std::llround(t * (v.lat - centre.lat))};
    }
    if ((code == "0504" || code == "0102") && !strips.empty() &&
        rng_.Unit() < 0.3) {
      return InQuad(routing_.layers[strips[rng_.Int(0, strips.size() - 1)]]);
    }
    const size_t g = rng_.Int(0, city_.grids.size() - 1);
    if (rng_.Int(0, 99) == 0) {  // exactly on a grid vertex (a boundary)
      const Ring& ring = city_.rings[city_.grids[g].first_ring];
      return city_.RingVertex(ring, rng_.Int(0, ring.size - 1));
    }
    return internal::SampleInGrid(city_, g, 1.0, rng_);
  }

  // Inside a 4-vertex layer (a rectangle): bilinear, 5 % margins.
  LonLatE7 InQuad(const Layer& layer) {
    const LonLatE7 a = layer.ring[0], b = layer.ring[1], d = layer.ring[3];
    const double u = rng_.Real(0.05, 0.95), v = rng_.Real(0.05, 0.95);
    return {a.lon + std::llround(u * (b.lon - a.lon) + v * (d.lon - a.lon)),
            a.lat + std::llround(u * (b.lat - a.lat) + v * (d.lat - a.lat))};
  }

  // 0.2-3 km beyond one side of the city's bounding box: outside coverage.
  LonLatE7 Outside() {
    const LonLatE7 lo = city_.bbox_min, hi = city_.bbox_max;
    const int64_t dx =
        std::llround(rng_.Real(200.0, 3000.0) * projection_.e7_per_m_x());
    const int64_t dy =
        std::llround(rng_.Real(200.0, 3000.0) * projection_.e7_per_m_y());
    const int64_t lon = rng_.Int(lo.lon, hi.lon),
                  lat = rng_.Int(lo.lat, hi.lat);
    switch (rng_.Int(0, 3)) {
      case 0:
        return {lo.lon - dx, lat};
      case 1:
        return {hi.lon + dx, lat};
      case 2:
        return {lon, lo.lat - dy};
      default:
        return {lon, hi.lat + dy};
    }
  }

  // Mostly normal: 85 / 12 / 3 % normal / urgent / emergency among the
  // levels the category allows.
  std::string Urgency(const std::string& allowed) {
    static constexpr std::pair<absl::string_view, int> kWeights[] = {
        {"normal", 85}, {"urgent", 12}, {"emergency", 3}};
    std::vector<std::pair<absl::string_view, int>> options;
    int total = 0;
    for (absl::string_view level : absl::StrSplit(allowed, '|')) {
      for (const auto& [name, weight] : kWeights) {
        if (name == level) options.emplace_back(name, total += weight);
      }
    }
    const int pick = static_cast<int>(rng_.Int(1, total));
    for (const auto& [name, upto] : options) {
      if (pick <= upto) return std::string(name);
    }
    return std::string(options.back().first);
  }

  // A local time in 2026 (+08:00) before kEventsEnd: any day from 01-01 to
  // 11-30 (weekends and holidays included), 75 % in 07:00-21:00, the rest at
  // any hour; night noise mostly at night. Always in the past of a server's
  // clock from 2026-12-01 on, which refuses report times ahead of it.
  std::string Time(bool night) {
    int64_t day = rng_.Int(0, kEventDays - 1);
    int64_t second;
    if (night && rng_.Unit() < 0.6) {
      second = (22 * 3600 + rng_.Int(0, 8 * 3600 - 1)) % 86400;
    } else if (rng_.Unit() < 0.75) {
      second = rng_.Int(7 * 3600, 21 * 3600 - 1);
    } else {
      second = rng_.Int(0, 86399);
    }
    int month = 0;
    while (day >= kDaysIn2026[month]) day -= kDaysIn2026[month++];
    return absl::StrCat("2026-", absl::Dec(month + 1, absl::kZeroPad2), "-",
                        absl::Dec(day + 1, absl::kZeroPad2), "T",
                        absl::Dec(second / 3600, absl::kZeroPad2), ":",
                        absl::Dec(second / 60 % 60, absl::kZeroPad2), ":",
                        absl::Dec(second % 60, absl::kZeroPad2), "+08:00");
  }

  const City& city_;
  const RoutingData& routing_;
  const LocalProjection projection_;
  Rng rng_;
  std::vector<int32_t> events_;  // event category indices
  std::vector<int> cumulative_;  // their cumulative weights
  int total_ = 0;
  std::vector<int32_t> by_kind_[3];  // layer indices by LayerKind
};

}  // namespace

absl::Status WriteEvents(const City& city, const RoutingData& routing,
                         const std::string& path, int64_t num_events,
                         RoutingFileStats* stats) {
  if (num_events < 0)
    return absl::InvalidArgumentError("num_events must be >= 0");
  ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f, OutFile::Open(path));
  f->Append(
      "id,lon,lat,crs,category_type,category,urgency,reported_at,"
      "component_code\n");
  // Invalid rows at evenly spaced positions, kinds in turn, so that every
  // kind appears once num_events >= 1000 (7 rows at least).
  int64_t invalid =
      std::llround(kInvalidShare * static_cast<double>(num_events));
  if (num_events >= 1000)
    invalid = std::max<int64_t>(invalid, kNumInvalidEventKinds);
  int64_t next_invalid = 0;
  auto invalid_row = [&](int64_t i) {
    return (2 * i + 1) * num_events / (2 * invalid);
  };
  EventMaker maker(city, routing);
  for (int64_t k = 0; k < num_events; ++k) {
    Event e = maker.Make();
    EventMaker::SetText(e);
    if (next_invalid < invalid && k == invalid_row(next_invalid)) {
      maker.MakeInvalid(e, static_cast<InvalidEventKind>(
                               next_invalid % kNumInvalidEventKinds));
      ++next_invalid;
    }
    f->Append(absl::StrCat("E", absl::Dec(k + 1, absl::kZeroPad9), ",", e.lon,
                           ",", e.lat, ",", e.crs, ",", e.category_type, ",",
                           e.category, ",", e.urgency, ",", e.reported_at, ",",
                           e.component_code, "\n"));
  }
  ASSIGN_OR_RETURN(stats->events_bytes, f->Close());
  return absl::OkStatus();
}

}  // namespace gridroute::gen
