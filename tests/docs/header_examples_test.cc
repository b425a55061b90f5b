// Copyright 2026 gridroute authors.
//
// The usage examples at the top of engine headers, compiled from the headers
// themselves: CMake runs tests/docs/extract_example.py on each header below
// (the block after "// Example" between "// clang-format off" and
// "// clang-format on") and this file #includes the result inside a function
// that declares the example's free variables. A signature change that an
// example does not follow, or a removed example, breaks this test's build;
// compiler errors point at the header's lines. The journal and case engine
// examples also run.
//
// To cover another header: give it such a block, add it to
// GRIDROUTE_HEADER_EXAMPLES in tests/CMakeLists.txt and a function here.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "cases/case_engine.h"
#include "cases/case_record.h"
#include "cases/local_plane.h"
#include "common/status_macros.h"
#include "geo/grid_geometry.h"
#include "gtest/gtest.h"
#include "http/http_reply.h"
#include "http/http_router.h"
#include "journal/journal.h"
#include "journal/journal_check.h"
#include "model/grid_routes.h"
#include "model/hierarchy.h"
#include "service/grpc_service.h"
#include "service/snapshot_store.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

// What the journal example replays into and compacts from.
struct RecordState {
  std::vector<std::string> records;
  absl::Status Apply(std::string_view rec) {
    records.emplace_back(rec);
    return absl::OkStatus();
  }
  void ForEachRecord(const Journal::EmitFn& emit) const {
    for (const std::string& r : records) emit(r);
  }
};

absl::Status JournalExample(const std::string& dir, RecordState& state) {
#include "journal_example.inc"
  (void)seq;
  return absl::OkStatus();
}

absl::Status CaseEngineExample(CaseEngineOptions options,
                               const std::vector<Report>& batch,
                               Journal* journal) {
#include "case_engine_example.inc"
  return s;
}

// Compiled only (they need a routing pack and a port).
[[maybe_unused]] absl::Status SnapshotStoreExample(
    const std::string& pack_dir, const std::string& new_pack_dir,
    const Event& event) {
  Decision decision;
#include "snapshot_store_example.inc"
  return r.status();
}

[[maybe_unused]] absl::Status GrpcServiceExample(const std::string& pack_dir) {
#include "grpc_service_example.inc"
  return absl::OkStatus();
}

[[maybe_unused]] void GridRoutesExample(
    const std::vector<int32_t>& parents, const Teams& teams,
    const RuleTable& rules, const Layers& layers, const GridGeometry& geometry,
    uint32_t grid, int32_t specialty, IPoint p) {
  std::vector<TeamAssignment> team;
  std::vector<int32_t> hits;
#include "grid_routes_example.inc"
}

// Returns whether the repaired directory is clean.
absl::StatusOr<bool> JournalCheckExample(const std::string& dir) {
#include "journal_check_example.inc"
  return rr.after.clean();
}

[[maybe_unused]] absl::Status HierarchyExample(
    const std::vector<std::string>& levels, const std::vector<RegionRow>& rows,
    const std::function<void(int32_t)>& visit) {
#include "hierarchy_example.inc"
  return absl::OkStatus();
}

Side GridGeometryExample() {
#include "grid_geometry_example.inc"
  return s;
}

[[maybe_unused]] absl::Status HttpRouterExample(
    HttpRouter& router, const google::protobuf::Message& response) {
#include "http_router_example.inc"
  return absl::OkStatus();
}

TEST(HeaderExamples, GridGeometryExampleClassifiesInside) {
  EXPECT_EQ(GridGeometryExample(), Side::kInside);
}

TEST(HeaderExamples, JournalCheckExampleRepairsADamagedJournal) {
  const std::string dir = testing::MakeTempDir("header_examples_check");
  {
    absl::StatusOr<std::unique_ptr<Journal>> j = Journal::Open(
        dir, JournalOptions{},
        [](uint64_t, std::string_view) { return absl::OkStatus(); });
    ASSERT_TRUE(j.ok()) << j.status();
    ASSERT_TRUE((*j)->Append({"first-record-payload"}).ok());
    ASSERT_TRUE((*j)->Append({"second-record-payload"}).ok());
  }
  // Flip one byte of the first record: damage before the last commit group,
  // which Open refuses.
  bool flipped = false;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), {});
    const size_t at = bytes.find("first-record-payload");
    if (at == std::string::npos) continue;
    f.seekp(static_cast<std::streamoff>(at));
    f.put('F');
    flipped = true;
  }
  ASSERT_TRUE(flipped);
  auto noop = [](uint64_t, std::string_view) { return absl::OkStatus(); };
  ASSERT_FALSE(Journal::Open(dir, JournalOptions{}, noop).ok());

  absl::StatusOr<bool> clean = JournalCheckExample(dir);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_TRUE(*clean);
  EXPECT_TRUE(Journal::Open(dir, JournalOptions{}, noop).ok());
}

TEST(HeaderExamples, JournalExampleRuns) {
  const std::string dir = testing::MakeTempDir("header_examples_journal");
  {  // One record from an earlier run.
    absl::StatusOr<std::unique_ptr<Journal>> j = Journal::Open(
        dir, JournalOptions{},
        [](uint64_t, std::string_view) { return absl::OkStatus(); });
    ASSERT_TRUE(j.ok()) << j.status();
    ASSERT_TRUE((*j)->Append({"case 0 opened"}).ok());
  }
  RecordState state;
  absl::Status s = JournalExample(dir, state);
  ASSERT_TRUE(s.ok()) << s;
  const std::vector<std::string> want = {"case 0 opened", "case 1 opened",
                                         "case 1 folded"};
  EXPECT_EQ(state.records, want);

  // Reopened: the snapshot the example compacted holds all three.
  RecordState replayed;
  absl::StatusOr<std::unique_ptr<Journal>> j = Journal::Open(
      dir, JournalOptions{}, [&](uint64_t seq, std::string_view rec) {
        EXPECT_EQ(seq, Journal::kSnapshotSeq);
        return replayed.Apply(rec);
      });
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ(replayed.records, want);
}

TEST(HeaderExamples, CaseEngineExampleFilesTheBatchDurably) {
  const std::string dir = testing::MakeTempDir("header_examples_cases");
  const std::vector<absl::string_view> chain = {"110101", "110101001"};
  std::vector<Report> batch(2);
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].category = "0102";
    batch[i].grid = "110101001001";
    batch[i].chain = chain;
    batch[i].lead = "D1";
    batch[i].lon = 1000.0 * static_cast<double>(i);
    batch[i].lat = 0;
    batch[i].reported_at = absl::FromUnixSeconds(1'780'000'000);
  }
  CaseEngineOptions options;
  options.plane = LocalPlane::Projected();
  {
    absl::StatusOr<std::unique_ptr<Journal>> j = Journal::Open(
        dir, JournalOptions{},
        [](uint64_t, std::string_view) { return absl::OkStatus(); });
    ASSERT_TRUE(j.ok()) << j.status();
    absl::Status s = CaseEngineExample(options, batch, j->get());
    ASSERT_TRUE(s.ok()) << s;
  }
  // The journal holds one decodable record per report.
  std::vector<CaseRecord> records;
  absl::StatusOr<std::unique_ptr<Journal>> j =
      Journal::Open(dir, JournalOptions{}, [&](uint64_t, std::string_view rec) {
        return records.emplace_back().Decode(
            absl::string_view(rec.data(), rec.size()));
      });
  ASSERT_TRUE(j.ok()) << j.status();
  ASSERT_EQ(records.size(), batch.size());
  for (const CaseRecord& r : records) EXPECT_EQ(r.kind, RecordKind::kNewCase);
}

}  // namespace
}  // namespace gridroute
