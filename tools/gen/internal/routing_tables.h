// Copyright 2026 gridroute authors.
//
// The fixed content of the synthetic dispatch catalogue: bureaus, categories
// (CJ/T 214-2007 lineage, see engine/snapshot/PACK.md "categories.csv"), city defaults, exceptions
// and component owners. Department references are bureau codes ("D03") or
// "@02"/"@03"/"@06": that bureau's unit in the district concerned (执法中队,
// 环卫所, 市政养护所); "owner" is the layer's owner.
//
// Deadlines (Limits) give the amount per urgency; only the urgencies a
// category allows are written. For a pattern rule (code ending in '*') the
// `normal` field holds the whole deadline string, always with a "*=" default
// so every urgency of every matched category gets one.
#ifndef GRIDROUTE_TOOLS_GEN_INTERNAL_ROUTING_TABLES_H_
#define GRIDROUTE_TOOLS_GEN_INTERNAL_ROUTING_TABLES_H_

#include <array>

#include "absl/strings/string_view.h"

namespace gridroute::gen::internal {

struct BureauRow {
  absl::string_view code, name, kind, parent;
  bool external;  // builders: no dispatch channel
};

inline constexpr std::array<BureauRow, 26> kBureaus = {{
    {"D01", "城市管理局", "主管", "", false},
    {"D02", "城管执法支队", "执法", "D01", false},
    {"D03", "环境卫生管理处", "养护", "D01", false},
    {"D04", "园林绿化局", "主管", "", false},
    {"D05", "公园管理处", "权属", "D04", false},
    {"D06", "市政工程管理处", "养护", "D01", false},
    {"D07", "路灯管理处", "养护", "D01", false},
    {"D08", "公安局交通警察支队", "执法", "", false},
    {"D09", "市场监督管理局", "执法", "", false},
    {"D10", "住房和城乡建设局", "主管", "", false},
    {"D11", "水务局", "主管", "", false},
    {"D12", "自来水公司", "权属", "D11", false},
    {"D13", "排水管理处", "养护", "D11", false},
    {"D14", "燃气公司", "权属", "", false},
    {"D15", "供电公司", "权属", "", false},
    {"D16", "通信公司", "权属", "", false},
    {"D17", "生态环境局", "执法", "", false},
    {"D18", "交通运输局", "主管", "", false},
    {"D19", "数字城管监督指挥中心", "处置", "D01", false},
    {"D20", "自然资源和规划局", "主管", "", false},
    {"D21", "城管执法夜间巡查大队", "执法", "D02", false},
    {"D22", "绿化养护中心", "养护", "D04", false},
    {"D31", "中建三局城建项目部", "权属", "", true},
    {"D32", "中铁十局市政项目部", "权属", "", true},
    {"D33", "苏嘉建设集团", "权属", "", true},
    {"D34", "金城建工集团", "权属", "", true},
}};

inline constexpr std::array<absl::string_view, 4> kBuilders = {"D31", "D32",
                                                               "D33", "D34"};

struct UnitRow {
  absl::string_view parent, suffix, kind;
};
// Per district; code = parent + district code, e.g. D02320501.
inline constexpr std::array<UnitRow, 3> kDistrictUnits = {{
    {"D02", "执法中队", "执法"},
    {"D03", "环卫所", "养护"},
    {"D06", "市政养护所", "养护"},
}};

struct CategoryRow {
  absl::string_view type, code, name, standard, urgencies, specialty;
  int weight;  // events: relative frequency; components: per mille
};

inline constexpr absl::string_view kCjt = "CJ/T 214-2007";
inline constexpr absl::string_view kN = "normal";
inline constexpr absl::string_view kNU = "normal|urgent";
inline constexpr absl::string_view kNUE = "normal|urgent|emergency";

inline constexpr std::array<CategoryRow, 44> kCategories = {{
    {"event", "0101", "私搭乱建", kCjt, kNU, "enforcement", 2},
    {"event", "0102", "暴露垃圾", kCjt, kNU, "sanitation", 18},
    {"event", "0103", "积存垃圾渣土", kCjt, kNU, "sanitation", 4},
    {"event", "0104", "道路不洁", kCjt, kNU, "sanitation", 6},
    {"event", "0105", "水域不洁", kCjt, kN, "sanitation", 1},
    {"event", "0106", "绿地脏乱", kCjt, kNU, "greening", 3},
    {"event", "0107", "废弃家具设备", kCjt, kN, "sanitation", 3},
    {"event", "0201", "非法小广告", kCjt, kN, "enforcement", 10},
    {"event", "0202", "违章张贴悬挂广告牌匾", kCjt, kN, "enforcement", 2},
    {"event", "0203", "占道广告牌", kCjt, kNU, "enforcement", 1},
    {"event", "0301", "无证掘路", kCjt, kNU, "municipal", 1},
    {"event", "0302", "工地扬尘", kCjt, kNU, "enforcement", 2},
    {"event", "0303", "施工废弃料", kCjt, kN, "enforcement", 1},
    {"event", "0304", "道路遗撒", kCjt, kNU, "sanitation", 2},
    {"event", "0305", "施工占道", kCjt, kNU, "traffic", 1},
    {"event", "0401", "路面塌陷", kCjt, kNUE, "municipal", 1},
    {"event", "0402", "自来水管破裂", kCjt, kNUE, "municipal", 1},
    {"event", "0403", "燃气管道泄漏", kCjt, "urgent|emergency", "municipal", 1},
    {"event", "0404", "下水道堵塞或破损", kCjt, kNU, "municipal", 2},
    {"event", "0405", "道路积水", kCjt, kNUE, "municipal", 1},
    {"event", "0501", "无照经营游商", kCjt, kN, "market", 5},
    {"event", "0502", "流浪乞讨", kCjt, kN, "enforcement", 1},
    {"event", "0503", "占道废品收购", kCjt, kN, "enforcement", 1},
    {"event", "0504", "店外经营", kCjt, kNU, "enforcement", 9},
    {"event", "0505", "机动车乱停放", kCjt, kN, "traffic", 7},
    {"event", "0506", "非机动车乱停放", kCjt, kN, "traffic", 6},
    {"event", "0507", "乱堆物堆料", kCjt, kN, "enforcement", 5},
    {"event", "0509", "噪声扰民", kCjt, kNU, "enforcement", 3},
    // The one local category: deliberately covered by no rule.
    {"event", "0901", "共享单车乱停放", "local", kN, "traffic", 1},
    {"component", "0101", "上水井盖", kCjt, kNUE, "municipal", 90},
    {"component", "0102", "污水井盖", kCjt, kNUE, "municipal", 110},
    {"component", "0104", "雨水箅子", kCjt, kNUE, "municipal", 110},
    {"component", "0105", "电力井盖", kCjt, kNUE, "municipal", 50},
    {"component", "0107", "通信井盖", kCjt, kNUE, "municipal", 40},
    {"component", "0111", "燃气井盖", kCjt, kNUE, "municipal", 30},
    {"component", "0118", "路灯", kCjt, kNU, "lighting", 200},
    {"component", "0205", "过街天桥", kCjt, kNU, "municipal", 5},
    {"component", "0213", "路名牌", kCjt, kN, "municipal", 30},
    {"component", "0214", "交通信号灯", kCjt, kNU, "traffic", 30},
    {"component", "0301", "公共厕所", kCjt, kNU, "sanitation", 15},
    {"component", "0305", "垃圾箱", kCjt, kN, "sanitation", 150},
    {"component", "0401", "古树名木", kCjt, kNU, "greening", 5},
    {"component", "0402", "行道树", kCjt, kNU, "greening", 120},
    {"component", "0404", "绿地", kCjt, kN, "greening", 15},
}};

struct Limits {
  absl::string_view normal, urgent, emergency;
};

struct CityRuleRow {
  absl::string_view type, code, lead, helpers;
  Limits limits;
  absl::string_view window;
};

// City defaults. 0202/0203 are reached through "02*", component 0107 through
// "01*", components 0205/0213/0404 through the catch-all "*"; event 0901
// through nothing.
inline constexpr std::array<CityRuleRow, 41> kCityRules = {{
    {"event", "0101", "D02", "D20", {"15wd", "3wd", ""}, ""},
    {"event", "0102", "D03", "", {"1wd", "2wh", ""}, ""},
    {"event", "0103", "D03", "D02", {"2wd", "4wh", ""}, ""},
    {"event", "0104", "D03", "", {"2wh", "1wh", ""}, ""},
    {"event", "0105", "D11", "D03", {"2wd", "", ""}, ""},
    {"event", "0106", "D04", "D22", {"1wd", "4wh", ""}, ""},
    {"event", "0107", "D03", "", {"2wd", "", ""}, ""},
    {"event", "0201", "D02", "", {"1wd", "", ""}, ""},
    {"event", "02*", "D02", "D09", {"normal=3wd;*=1wd", "", ""}, ""},
    {"event", "0301", "D06", "D02", {"1wd", "2wh", ""}, ""},
    {"event", "0302", "D02", "D10|D17", {"4wh", "2h", ""}, ""},
    {"event", "0303", "D02", "D10", {"2wd", "", ""}, ""},
    {"event", "0304", "D03", "D02", {"2wh", "1h", ""}, ""},
    {"event", "0305", "D08", "D06", {"1wd", "2h", ""}, ""},
    {"event", "0401", "D06", "D08", {"1wd", "4h", "30min"}, ""},
    {"event", "0402", "D12", "D06", {"4wh", "2h", "30min"}, ""},
    {"event", "0403", "D14", "D08", {"", "1h", "15min"}, ""},
    {"event", "0404", "D13", "", {"1wd", "4h", ""}, ""},
    {"event", "0405", "D13", "D06", {"4wh", "2h", "30min"}, ""},
    {"event", "0501", "D09", "D02", {"2wh", "", ""}, ""},
    {"event", "0502", "D02", "", {"4wh", "", ""}, ""},
    {"event", "0503", "D02", "", {"1wd", "", ""}, ""},
    {"event", "0504", "D02", "", {"2wh", "1h", ""}, ""},
    {"event", "0505", "D08", "", {"2wh", "", ""}, ""},
    {"event", "0506", "D02", "", {"4wh", "", ""}, ""},
    {"event", "0507", "D02", "", {"1wd", "", ""}, ""},
    // Noise: by day the environment bureau, at night the night patrol, on
    // the clock. The windows are complementary rather than "no window + night
    // window" so the pack loads whether or not the loader counts a rule
    // without a window as overlapping a windowed one (PACK.md says it does
    // not; engine/model/rules.cc at 4dd302a says it does).
    {"event", "0509", "D17", "D02", {"4wh", "1h", ""}, "06:00-22:00"},
    {"event", "0509", "D21", "D17", {"2h", "30min", ""}, "22:00-06:00"},
    {"component", "0101", "D12", "", {"1wd", "4h", "30min"}, ""},
    {"component", "0102", "D13", "", {"1wd", "4h", "30min"}, ""},
    {"component", "0104", "D13", "", {"1wd", "4h", "30min"}, ""},
    {"component", "0105", "D15", "", {"1wd", "4h", "30min"}, ""},
    {"component", "0111", "D14", "D08", {"4wh", "2h", "30min"}, ""},
    {"component", "01*", "D06", "D11", {"normal=1wd;*=4h", "", ""}, ""},
    {"component", "0118", "D07", "", {"2wd", "1wd", ""}, ""},
    {"component", "0214", "D08", "", {"4wh", "1h", ""}, ""},
    {"component", "0301", "D03", "", {"1wd", "4wh", ""}, ""},
    {"component", "0305", "D03", "", {"1wd", "", ""}, ""},
    {"component", "0401", "D04", "D22", {"2wd", "4h", ""}, ""},
    {"component", "0402", "D22", "D04", {"2wd", "4h", ""}, ""},
    // Components without a rule of their own: the supervision centre.
    {"component", "*", "D19", "D01", {"normal=3wd;*=4h", "", ""}, ""},
}};

struct Exception {
  absl::string_view type, code, lead, helpers;
  Limits limits;
};

inline constexpr std::array<Exception, 9> kDistrictExceptions = {{
    {"event", "0102", "@03", "D03", {"4wh", "1wh", ""}},
    {"event", "0104", "@03", "", {"2wh", "1wh", ""}},
    {"event", "0504", "@02", "D09", {"2wh", "1h", ""}},
    {"event", "0507", "@02", "", {"1wd", "", ""}},
    {"event", "0201", "@02", "", {"1wd", "", ""}},
    {"event", "0301", "@06", "D06", {"1wd", "2wh", ""}},
    {"event", "05*", "@02", "D02", {"normal=1wd;*=2h", "", ""}},
    {"component", "0305", "@03", "D03", {"1wd", "", ""}},
    {"component", "0104", "@06", "D13", {"1wd", "4h", "30min"}},
}};

inline constexpr std::array<Exception, 4> kStreetExceptions = {{
    {"event", "0505", "D08", "@02", {"1wh", "", ""}},
    {"event", "0102", "@03", "D03", {"2wh", "1wh", ""}},
    {"event", "0501", "D09", "@02", {"1wh", "", ""}},
    {"event", "0203", "@02", "", {"1wd", "2wh", ""}},
}};

inline constexpr std::array<Exception, 3> kCommunityExceptions = {{
    {"event", "0106", "D22", "@02", {"4wh", "2wh", ""}},
    {"event", "0103", "@03", "", {"1wd", "2wh", ""}},
    {"event", "0507", "@02", "", {"4wh", "", ""}},
}};

inline constexpr std::array<Exception, 4> kGridExceptions = {{
    {"event", "0501", "D09", "@02", {"1wh", "", ""}},
    {"event", "0102", "@03", "", {"2wh", "1wh", ""}},
    {"component", "0118", "D07", "@06", {"1wd", "4h", ""}},
    {"event", "0504", "@02", "D09", {"1wh", "30min", ""}},
}};

inline constexpr std::array<Exception, 2> kSiteRules = {{
    {"event", "0302", "owner", "D10|@02", {"4wh", "2h", ""}},
    {"event", "0304", "owner", "@03", {"2wh", "1h", ""}},
}};

inline constexpr std::array<Exception, 2> kParkRules = {{
    {"event", "01*", "owner", "D03", {"normal=1wd;*=2wh", "", ""}},
    {"component", "04*", "owner", "D22", {"normal=2wd;*=4h", "", ""}},
}};

struct OwnerRow {
  absl::string_view code, owner, property, maintainer;
};
inline constexpr std::array<OwnerRow, 15> kComponentOwners = {{
    {"0101", "D11", "D12", "D12"},
    {"0102", "D11", "D13", "D13"},
    {"0104", "D11", "D13", "@06"},
    {"0105", "D15", "", "D15"},
    {"0107", "D16", "D16", ""},
    {"0111", "D14", "D14", "D14"},
    {"0118", "D01", "D07", "D07"},
    {"0205", "D18", "D06", "@06"},
    {"0213", "D01", "D06", "@06"},
    {"0214", "D08", "D08", "D08"},
    {"0301", "D01", "D03", "@03"},
    {"0305", "D01", "D03", "@03"},
    {"0401", "D04", "D04", "D22"},
    {"0402", "D04", "", "D22"},
    {"0404", "D04", "D05", "D22"},
}};

inline constexpr std::array<absl::string_view, 6> kPhonePrefixes = {
    "33", "35", "38", "39", "58", "86"};
inline constexpr std::array<absl::string_view, 4> kSiteSuffixes = {
    "花园二期工地", "路改造工程", "广场项目工地", "地铁站施工工地"};
inline constexpr std::array<absl::string_view, 10> kShopSuffixes = {
    "便利店", "超市",   "餐馆",   "五金店", "药房",
    "面馆",   "水果店", "理发店", "服装店", "茶叶店"};

}  // namespace gridroute::gen::internal

#endif  // GRIDROUTE_TOOLS_GEN_INTERNAL_ROUTING_TABLES_H_
