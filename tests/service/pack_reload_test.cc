// Copyright 2026 gridroute authors.
//
// ReloadPack (service/pack_reload.h), the one reload step of
// AdminService.Reload and gridroute-server's SIGHUP: confinement under
// pack_root (same code and message as the RPC answers), the swap, an empty
// pack_dir (SIGHUP's) reloading the served directory unconfined, the length
// bound. Fault guarded: the two callers each had their own copy of these
// steps, free to drift apart.
#include "service/pack_reload.h"

#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "service/field_limits.h"
#include "service/service_fixture.h"

namespace gridroute {
namespace {

class PackReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::MakeTempDir("pack_reload_test") + "/root";
    std::filesystem::create_directories(root_);
    std::filesystem::copy(testing::WriteRoutingPack("A"), root_ + "/city-a",
                          std::filesystem::copy_options::recursive);
    ASSERT_TRUE(store_.Load(root_ + "/city-a").ok());
  }
  std::string Version() const { return store_.Current()->snapshot->manifest().version; }

  std::string root_;
  SnapshotStore store_;
};

TEST_F(PackReloadTest, OutsideThePackRootIsPermissionDeniedAsTheRpcAnswers) {
  const std::string outside = testing::WriteRoutingPack("B");  // exists, outside the root
  PackReloadOptions o;
  o.pack_root = root_;
  for (const std::string& dir : {outside, std::string("/nonexistent/city"),
                                 root_ + "/../../" + outside}) {
    absl::StatusOr<PackReload> r = ReloadPack(&store_, o, dir);
    ASSERT_FALSE(r.ok()) << dir;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied) << dir;
    EXPECT_EQ(r.status().message(), kPackRootDenied) << dir;
  }
  EXPECT_EQ(Version(), "A");
  EXPECT_EQ(store_.loads_failed(), 0);  // refused before any load

  // The RPC answers with the same code and message.
  ServiceOptions so;
  so.pack_root = root_;
  testing::InProcessServer server(&store_, so);
  grpc::ClientContext ctx;
  v1::ReloadRequest req;
  req.set_pack_dir(outside);
  v1::ReloadResponse resp;
  const grpc::Status s = server.admin->Reload(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(s.error_message(), kPackRootDenied);
  EXPECT_EQ(Version(), "A");
}

TEST_F(PackReloadTest, InsideThePackRootLoadsAndSwaps) {
  std::filesystem::copy(testing::WriteRoutingPack("B"), root_ + "/city-b",
                        std::filesystem::copy_options::recursive);
  PackReloadOptions o;
  o.pack_root = root_;
  absl::StatusOr<PackReload> r = ReloadPack(&store_, o, root_ + "/x/../city-b");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result.current->snapshot->manifest().version, "B");
  EXPECT_EQ(r->result.current->pack_dir,
            std::filesystem::weakly_canonical(root_ + "/city-b").string());
  ASSERT_NE(r->result.previous, nullptr);
  EXPECT_EQ(r->result.previous->snapshot->manifest().version, "A");
  EXPECT_TRUE(r->cases_status.ok());  // cases off
  EXPECT_EQ(Version(), "B");
  // Inside the root but missing: the loader's own error, counted by the store.
  absl::StatusOr<PackReload> missing = ReloadPack(&store_, o, root_ + "/missing");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound) << missing.status();
  EXPECT_EQ(store_.loads_failed(), 1);
  EXPECT_EQ(store_.last_error(), missing.status().message());
  EXPECT_EQ(Version(), "B");
}

// SIGHUP's call: "" reloads the directory served now, even when it lies
// outside pack_root (it was accepted when it was loaded).
TEST_F(PackReloadTest, EmptyPackDirReloadsTheServedDirectoryUnconfined) {
  const std::string outside = testing::WriteRoutingPack("C");
  ASSERT_TRUE(store_.Load(outside).ok());
  PackReloadOptions o;
  o.pack_root = root_;
  absl::StatusOr<PackReload> r = ReloadPack(&store_, o, "");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result.current->pack_dir, outside);
  EXPECT_EQ(r->result.current->generation, 3u);
  EXPECT_EQ(Version(), "C");
}

TEST_F(PackReloadTest, AnOverlongPackDirIsInvalidArgumentNamingIt) {
  absl::StatusOr<PackReload> r =
      ReloadPack(&store_, PackReloadOptions(), std::string(kMaxPathBytes + 1, 'a'));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(r.status().message(), "pack_dir:")) << r.status();
  EXPECT_EQ(store_.loads_failed(), 0);
}

}  // namespace
}  // namespace gridroute
