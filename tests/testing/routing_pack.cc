// Copyright 2026 gridroute authors.
#include "testing/routing_pack.h"

namespace gridroute::testing {

void MakeRoutingPack(TestPack& p, const std::string& extra_rules, bool grid_any_rule) {
  const std::string c1 = p.AddChain("320501");
  const std::string c2 = p.AddChain("320502");
  p.AddGrid("g1", c1, TestPack::Square(120.000, 31.0, 0.001));
  p.AddGrid("g2", c1, TestPack::Square(120.001, 31.0, 0.001));
  p.AddGrid("g3", c2, TestPack::Square(120.002, 31.0, 0.001));
  p.AddFile("departments", "departments.csv",
            "code,name,kind,parent,channel\n"
            "D1,城管局,执法,,ch-d1\n"
            "D2,环卫处,处置,D1,ch-d2\n"
            "D3,320502 执法中队,执法,D1,\n"
            "D4,夜间执法队,执法,D1,\n"
            "D5,公园管理处,主管,,\n"
            "W1,水务集团,权属,,\n"
            "W2,水务养护所,养护,W1,\n"
            "M1,市政工程处,主管,,\n");
  p.AddFile("categories", "categories.csv",
            "type,code,name,major,standard,urgencies,specialty\n"
            "event,0102,暴露垃圾,01,CJ/T 214-2007,normal|urgent,sanitation\n"
            "event,0501,无照经营游商,05,CJ/T 214-2007,normal|urgent,enforcement\n"
            "event,0504,店外经营,05,CJ/T 214-2007,normal,enforcement\n"
            "event,0401,路面塌陷,04,CJ/T 214-2007,normal|urgent|emergency,municipal\n"
            "event,9901,本地事项,99,local,normal,\n"
            "component,0101,上水井盖,01,CJ/T 214-2007,normal|urgent,municipal\n"
            "component,0118,路灯,01,CJ/T 214-2007,normal,lighting\n");
  p.AddFile("rules", "rules.csv",
            "id,scope,category_type,category,lead,helpers,deadlines,window\n"
            "r-city-0102,city,event,0102,D2,D1,normal=1wd;urgent=2wh,\n"
            "r-city-05,city,event,05*,D1,,normal=2wh;urgent=1wh,\n"
            "r-district-0102,region:320502,event,0102,D3,D2,normal=1wd;urgent=1wh,\n" +
            std::string(grid_any_rule ? "r-grid-g2-any,grid:g2,event,*,D5,,*=4h,\n" : "") +
            "r-night-0501,city,event,0501,D4,,*=30min,22:00-06:00\n"
            "r-park-0102,layer:park1,event,0102,D5,D2,*=2h,\n"
            "r-city-comp,city,component,*,M1,,*=1wd,\n"
            "r-city-0401,city,event,0401,M1,D1,normal=1wd;urgent=4wh;emergency=30min,\n" +
                extra_rules);
  p.AddFile("teams", "teams.csv",
            "scope,role,specialty,person,name,phone\n"
            "region:3205010101,leader,,P1,张网格长,13800000001\n"
            "region:3205010101,specialist,sanitation,P2,李环卫,13800000002\n"
            "region:3205010101,specialist,enforcement,P3,王执法,13800000003\n"
            "region:320501,specialist,municipal,P9,赵市政,13800000009\n"
            "grid:g1,member,,P4,刘网格员,13800000004\n"
            "grid:g2,member,,P4,刘网格员,13800000004\n"
            "grid:g2,specialist,sanitation,P5,陈环卫,13800000005\n"
            "grid:g2,specialist,sanitation,P6,周环卫,13800000006\n");
  p.AddFile("components", "components.csv",
            "code,category,lon,lat,owner,property,maintainer,state\n"
            "3205010101000001,0101,120.0005,31.0005,W1,W1,W2,破损\n"
            "3205010101000002,0101,120.0015,31.0005,W1,,,完好\n"
            "3205010118000001,0118,120.0006,31.0005,M1,,,完好\n");
  p.AddFile("layers", "layers.geojson",
            "{\"type\":\"FeatureCollection\",\"features\":[\n"
            "{\"type\":\"Feature\",\"properties\":{\"code\":\"park1\",\"name\":\"小公园\","
            "\"kind\":\"park\",\"owner\":\"公园管理处\",\"owner_contact\":\"0512-1\",\"priority\":1},"
            "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":" +
                TestPack::Square(120.0002, 31.0002, 0.0002) +
                "}},\n"
                "{\"type\":\"Feature\",\"properties\":{\"code\":\"shop7\",\"name\":\"7号店门前\","
                "\"kind\":\"frontage\",\"owner\":\"7号店\",\"owner_contact\":\"139\"},"
                "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":" +
                TestPack::Square(120.0002, 31.0002, 0.00005) + "}}\n]}\n");
  p.AddFile("calendar", "calendar.json",
            R"({"time_zone":"Asia/Shanghai","office_hours":{"mon":[["08:30","12:00"],["13:30","17:30"]],)"
            R"("tue":[["08:30","12:00"],["13:30","17:30"]],"wed":[["08:30","12:00"],["13:30","17:30"]],)"
            R"("thu":[["08:30","12:00"],["13:30","17:30"]],"fri":[["08:30","12:00"],["13:30","17:30"]],)"
            R"("sat":[],"sun":[]},"holidays":["2026-10-01","2026-10-02","2026-10-05"],)"
            R"("workdays":[{"date":"2026-10-10","as":"mon"}]})");
}

}  // namespace gridroute::testing
