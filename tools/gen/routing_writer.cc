// Copyright 2026 gridroute authors.
//
// Writes the routing files of a pack (formats: engine/snapshot/PACK.md,
// "Routing files"; calendar: engine/model/CALENDAR.md). Teams are drawn here,
// while writing, so that they cost no memory.
#include <array>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "calendars/national_calendars.h"
#include "common/status_macros.h"
#include "gen/internal/gen_util.h"
#include "gen/internal/routing_tables.h"
#include "gen/routing_generator.h"

namespace gridroute::gen {
namespace {

using internal::Mix64;
using internal::OutFile;
using internal::Rng;

constexpr uint64_t kTeamStream = 0x7465616d73ULL;

constexpr std::array<absl::string_view, 5> kSpecialties = {
    "sanitation", "greening", "municipal", "enforcement", "lighting"};

constexpr std::array<absl::string_view, 32> kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐",
    "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁",
    "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "沈"};
constexpr std::array<absl::string_view, 40> kGiven = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
    "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
    "刚", "桂", "英", "华", "建", "国", "晨", "婷", "欣", "浩",
    "宇", "轩", "睿", "博", "文", "佳", "雪", "琳", "晓", "鹏"};

absl::string_view LayerKindName(LayerKind kind) {
  switch (kind) {
    case LayerKind::kFrontage:
      return "frontage";
    case LayerKind::kConstruction:
      return "construction";
    case LayerKind::kPark:
      return "park";
  }
  return "";
}

// CSV fields joined by commas, each quoted only if needed, then a newline.
template <typename... Fields>
void Row(OutFile& f, const Fields&... fields) {
  bool first = true;
  auto one = [&](absl::string_view field) {
    if (!first) f.Char(',');
    first = false;
    f.CsvField(field);
  };
  (one(fields), ...);
  f.Char('\n');
}

// Roster rows (scope,role,specialty,person,name,phone) for the whole city,
// community by community with their grids (GENERATOR.md, "teams.csv").
class TeamWriter {
 public:
  TeamWriter(const City& city, OutFile& f)
      : city_(city), f_(f), rng_(Mix64(city.options.seed ^ kTeamStream)) {}

  int64_t Write() {
    Row(f_, "scope", "role", "specialty", "person", "name", "phone");
    size_t g = 0;
    for (size_t r = 0; r < city_.regions.size(); ++r) {
      const Region& region = city_.regions[r];
      const std::string scope = absl::StrCat("region:", region.code);
      if (region.level == RegionLevel::kStreet) {
        Person(scope, "instructor", "", NewPerson());
      } else if (region.level == RegionLevel::kCommunity) {
        Person(scope, "leader", "", NewPerson());
        for (absl::string_view s : kSpecialties) {
          Person(scope, "specialist", s, NewPerson());
        }
        WriteGrids(static_cast<int32_t>(r), g);
      }
    }
    return rows_;
  }

 private:
  struct P {
    std::string id, name, phone;
  };
  P NewPerson() {
    P p;
    p.id = absl::StrCat("P", absl::Dec(++people_, absl::kZeroPad8));
    p.name = absl::StrCat(kSurnames[rng_.Int(0, kSurnames.size() - 1)],
                          kGiven[rng_.Int(0, kGiven.size() - 1)]);
    if (rng_.Int(0, 1) == 1) {
      absl::StrAppend(&p.name, kGiven[rng_.Int(0, kGiven.size() - 1)]);
    }
    p.phone = absl::StrCat("1", internal::kPhonePrefixes[rng_.Int(0, 5)],
                           absl::Dec(rng_.Int(0, 99999999), absl::kZeroPad8));
    return p;
  }
  void Person(const std::string& scope, absl::string_view role,
              absl::string_view specialty, const P& p) {
    Row(f_, scope, role, specialty, p.id, p.name, p.phone);
    ++rows_;
  }
  // The grids of community `community`, starting at *g (grids are in code
  // order, so a community's grids are consecutive).
  void WriteGrids(int32_t community, size_t& g) {
    P shared;
    int shared_left = 0;  // further grids the current member still covers
    for (; g < city_.grids.size() && city_.grids[g].community == community;
         ++g) {
      const std::string scope = absl::StrCat("grid:", city_.GridCode(g));
      // One full-time member; ~8 % start covering 2-3 neighbouring grids of
      // the community (一人多格; grids are numbered west→east, so neighbours
      // in sequence are near each other).
      if (shared_left > 0) {
        --shared_left;
      } else {
        shared = NewPerson();
        shared_left =
            rng_.Int(0, 99) < 8 ? static_cast<int>(rng_.Int(1, 2)) : 0;
      }
      Person(scope, "member", "", shared);
      if (rng_.Int(0, 99) < 2)
        Person(scope, "member", "", NewPerson());  // 一格多人
      if (rng_.Int(0, 99) < 1) {  // own specialist, overriding the community's
        Person(scope, "specialist", kSpecialties[rng_.Int(0, 4)], NewPerson());
      }
    }
  }

  const City& city_;
  OutFile& f_;
  Rng rng_;
  int64_t people_ = 0;
  int64_t rows_ = 0;
};

// WriteRoutingFiles' larger files; each returns the bytes written.
absl::StatusOr<int64_t> WriteComponentsCsv(const RoutingData& routing, const std::string& dir) {
  const auto& depts = routing.departments;
  ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f,
                   OutFile::Open(dir + "components.csv"));
  f->Append("code,category,lon,lat,owner,property,maintainer,state\n");
  auto dept = [&](int32_t d) {
    return d >= 0 ? absl::string_view(depts[d].code) : absl::string_view();
  };
  for (const Component& c : routing.components) {
    f->Append(ComponentCode(c.code));
    f->Char(',');
    f->Append(routing.categories[c.category].code);
    f->Char(',');
    f->E7(c.position.lon);
    f->Char(',');
    f->E7(c.position.lat);
    Row(*f, "", dept(c.owner), dept(c.property), dept(c.maintainer),
        kComponentStates[c.state]);  // the leading "" gives the comma
  }
  return f->Close();
}

absl::StatusOr<int64_t> WriteLayersGeoJson(const RoutingData& routing, const std::string& dir) {
  ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f,
                   OutFile::Open(dir + "layers.geojson"));
  f->Append("{\"type\":\"FeatureCollection\",\"features\":[\n");
  for (size_t k = 0; k < routing.layers.size(); ++k) {
    const Layer& layer = routing.layers[k];
    f->Append("{\"type\":\"Feature\",\"properties\":{\"code\":\"");
    f->JsonString(layer.code);
    f->Append("\",\"name\":\"");
    f->JsonString(layer.name);
    f->Append("\",\"kind\":\"");
    f->Append(LayerKindName(layer.kind));
    f->Append("\",\"owner\":\"");
    f->JsonString(layer.owner);
    f->Append("\",\"owner_contact\":\"");
    f->JsonString(layer.owner_contact);
    f->Append(absl::StrCat("\",\"priority\":", layer.priority,
                           "},\"geometry\":{\"type\":\"Polygon\","
                           "\"coordinates\":[["));
    for (size_t v = 0; v <= layer.ring.size(); ++v) {  // closed ring
      const LonLatE7 p = layer.ring[v % layer.ring.size()];
      if (v > 0) f->Char(',');
      f->Char('[');
      f->E7(p.lon);
      f->Char(',');
      f->E7(p.lat);
      f->Char(']');
    }
    f->Append("]]}}");
    f->Append(k + 1 < routing.layers.size() ? ",\n" : "\n");
  }
  f->Append("]}\n");
  return f->Close();
}

}  // namespace

absl::Status WriteRoutingFiles(const City& city, const RoutingData& routing,
                               const std::string& dir_in,
                               RoutingFileStats* stats) {
  const std::string dir = dir_in + "/";
  const auto& depts = routing.departments;
  {
    ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f,
                     OutFile::Open(dir + "departments.csv"));
    Row(*f, "code", "name", "kind", "parent", "channel");
    for (const Department& d : depts) {
      Row(*f, d.code, d.name, d.kind,
          d.parent >= 0 ? absl::string_view(depts[d.parent].code) : "",
          d.channel);
    }
    ASSIGN_OR_RETURN(stats->departments_bytes, f->Close());
  }
  {
    ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f,
                     OutFile::Open(dir + "categories.csv"));
    Row(*f, "type", "code", "name", "major", "standard", "urgencies",
        "specialty");
    for (const Category& c : routing.categories) {
      Row(*f, c.type, c.code, c.name, c.major, c.standard, c.urgencies,
          c.specialty);
    }
    ASSIGN_OR_RETURN(stats->categories_bytes, f->Close());
  }
  {
    ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f,
                     OutFile::Open(dir + "rules.csv"));
    Row(*f, "id", "scope", "category_type", "category", "lead", "helpers",
        "deadlines", "window");
    for (const Rule& r : routing.rules) {
      Row(*f, r.id, r.scope, r.category_type, r.category, r.lead, r.helpers,
          r.deadlines, r.window);
    }
    ASSIGN_OR_RETURN(stats->rules_bytes, f->Close());
  }
  {
    ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f,
                     OutFile::Open(dir + "teams.csv"));
    stats->team_rows = TeamWriter(city, *f).Write();
    ASSIGN_OR_RETURN(stats->teams_bytes, f->Close());
  }
  ASSIGN_OR_RETURN(stats->components_bytes, WriteComponentsCsv(routing, dir));
  ASSIGN_OR_RETURN(stats->layers_bytes, WriteLayersGeoJson(routing, dir));
  {
    ASSIGN_OR_RETURN(std::unique_ptr<OutFile> f,
                     OutFile::Open(dir + "calendar.json"));
    // The shipped national calendar (tools/calendars/, CALENDAR.md).
    const std::string_view json = *NationalCalendarJson(kDefaultNationalCalendar);
    f->Append(absl::string_view(json.data(), json.size()));
    ASSIGN_OR_RETURN(stats->calendar_bytes, f->Close());
  }
  return absl::OkStatus();
}

}  // namespace gridroute::gen
