// Copyright 2026 gridroute authors.
//
// The JSON side of an HTTP /v1/route call (engine/http/http_reply.cc):
// protobuf's own JSON mapping (util::JsonStringToMessage /
// MessageToJsonString, Debian's protobuf 3.21) on a typical request and a
// FULL RouteResponse of the 200k city (4 team members, 3-level chain,
// ~1.1 kB of JSON), beside the binary encoding gRPC uses for the same
// messages, and the fast codec the HTTP layer uses first (engine/http/
// fast_json.h, BM_FastJson*) on the same two. engine/http/HTTP.md quotes
// these numbers.
//
//   build/bin/gridroute_http_bench --benchmark_filter=Json
#include <string>

#include "benchmark/benchmark.h"
#include "google/protobuf/util/json_util.h"
#include "gridroute/v1/routing.pb.h"
#include "http/fast_json.h"

namespace gridroute {
namespace {

constexpr char kRequest[] = R"json({"point":{"x":120.5650208,"y":31.3690391},"category":"0102","reportedAt":"2026-12-07T05:52:20Z"})json";
constexpr char kResponse[] = R"json({"decision":{"outcome":"OUTCOME_ROUTED","location":{"gridCode":"320519016012012","gridName":"嘉枫社区第012网格","how":"HOW_INSIDE","chain":[{"level":"district","code":"320519","name":"柏海区"},{"level":"street","code":"320519016","name":"桃凤街道"},{"level":"community","code":"320519016012","name":"嘉枫社区"}]},"ruleId":"R000112","lead":{"code":"D03320519","name":"柏海区环卫所","channel":"dispatch.D03320519"},"helpers":[{"code":"D03","name":"环境卫生管理处","channel":"dispatch.D03"}],"team":[{"role":"member","personId":"P00106353","name":"周霞","phone":"13867898569"},{"role":"leader","personId":"P00106338","name":"李超","phone":"13524293780","inherited":true},{"role":"specialist","specialty":"sanitation","personId":"P00106339","name":"张霞","phone":"13329825579","inherited":true},{"role":"instructor","personId":"P00106088","name":"朱平欣","phone":"18601792889","inherited":true}],"urgency":"normal","deadline":"2026-12-08T00:52:20Z","category":"0102","categoryName":"暴露垃圾"},"snapshot":{"version":"gen-1-200000","generation":"1","timeZone":"Asia/Shanghai"}})json";

void BM_JsonParseRouteRequest(benchmark::State& state) {
  for (auto _ : state) {
    v1::RouteRequest req;
    auto st = google::protobuf::util::JsonStringToMessage(kRequest, &req);
    benchmark::DoNotOptimize(st);
  }
}
BENCHMARK(BM_JsonParseRouteRequest);

void BM_JsonPrintRouteResponse(benchmark::State& state) {
  v1::RouteResponse resp;
  if (!google::protobuf::util::JsonStringToMessage(kResponse, &resp).ok()) state.SkipWithError("bad JSON");
  std::string out;
  for (auto _ : state) {
    out.clear();
    auto st = google::protobuf::util::MessageToJsonString(resp, &out);
    benchmark::DoNotOptimize(st);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_JsonPrintRouteResponse);

void BM_FastJsonParseRouteRequest(benchmark::State& state) {
  for (auto _ : state) {
    v1::RouteRequest req;
    if (!FastJsonToMessage(kRequest, &req)) state.SkipWithError("fast parser refused the request");
    benchmark::DoNotOptimize(req);
  }
}
BENCHMARK(BM_FastJsonParseRouteRequest);

void BM_FastJsonPrintRouteResponse(benchmark::State& state) {
  v1::RouteResponse resp;
  if (!google::protobuf::util::JsonStringToMessage(kResponse, &resp).ok()) state.SkipWithError("bad JSON");
  const google::protobuf::util::JsonPrintOptions options;
  std::string out;
  for (auto _ : state) {
    out.clear();
    if (!FastMessageToJson(resp, options, &out)) state.SkipWithError("fast printer unsure");
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_FastJsonPrintRouteResponse);

void BM_BinaryRouteRoundTrip(benchmark::State& state) {
  v1::RouteRequest req;
  v1::RouteResponse resp;
  if (!google::protobuf::util::JsonStringToMessage(kRequest, &req).ok() ||
      !google::protobuf::util::JsonStringToMessage(kResponse, &resp).ok()) {
    state.SkipWithError("bad JSON");
  }
  const std::string wire = req.SerializeAsString();
  std::string out;
  for (auto _ : state) {
    v1::RouteRequest parsed;
    benchmark::DoNotOptimize(parsed.ParseFromString(wire));
    out.clear();
    benchmark::DoNotOptimize(resp.SerializeToString(&out));
  }
}
BENCHMARK(BM_BinaryRouteRoundTrip);

}  // namespace
}  // namespace gridroute

BENCHMARK_MAIN();
