// Copyright 2026 gridroute authors.
//
// Hot reload (service/pack_reload.h ReloadPack: AdminService.Reload and
// SIGHUP) between compiled snapshot files under --pack-root: a .grsnap swaps
// in like a directory, and a refused one (damaged) leaves the old snapshot
// serving.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "service/pack_reload.h"
#include "service/service_fixture.h"
#include "snapshot/snapshot.h"

namespace gridroute {
namespace {

// Pack `version` compiled to root/<name>.
std::string CompileTo(const std::string& root, const std::string& version,
                      const std::string& name) {
  const std::string dir = testing::WriteRoutingPack(version);
  absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(dir);
  EXPECT_TRUE(s.ok()) << s.status();
  const std::string out = root + "/" + name;
  EXPECT_TRUE(CompileSnapshot(**s, dir, out).ok());
  return out;
}

TEST(SnapshotFileReloadTest,
     ReloadSwapsBetweenSnapshotFilesAndARefusedOneKeepsTheOld) {
  const std::string root =
      testing::MakeTempDir("snapshot_file_reload") + "/root";
  std::filesystem::create_directories(root);
  const std::string a = CompileTo(root, "A", "a.grsnap");
  const std::string b = CompileTo(root, "B", "b.grsnap");
  SnapshotStore store;
  ASSERT_TRUE(store.Load(a).ok());
  EXPECT_EQ(store.Current()->snapshot->manifest().version, "A");

  PackReloadOptions o;
  o.pack_root = root;
  absl::StatusOr<PackReload> r = ReloadPack(&store, o, b);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->result.current->snapshot->manifest().version, "B");
  EXPECT_EQ(r->result.previous->snapshot->manifest().version, "A");
  EXPECT_EQ(store.Current()->snapshot->manifest().version, "B");

  // A damaged copy: refused, B still serves.
  std::string bytes;
  {
    std::ifstream f(a, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), {});
  }
  uint64_t table, first, length;  // the first section (SNAPSHOT_FORMAT.md)
  std::memcpy(&table, bytes.data() + 16, 8);
  std::memcpy(&first, bytes.data() + table + 8, 8);
  std::memcpy(&length, bytes.data() + table + 16, 8);
  bytes[first + length / 2] ^= 0x40;
  const std::string bad = root + "/bad.grsnap";
  testing::WriteText(bad, bytes);
  absl::StatusOr<PackReload> refused = ReloadPack(&store, o, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument)
      << refused.status();
  EXPECT_TRUE(
      absl::StrContains(refused.status().message(), "checksum mismatch"))
      << refused.status();
  EXPECT_EQ(store.Current()->snapshot->manifest().version, "B");

  // Back to A; a file outside the root is refused before any load.
  ASSERT_TRUE(ReloadPack(&store, o, a).ok());
  EXPECT_EQ(store.Current()->snapshot->manifest().version, "A");
  const std::string outside =
      CompileTo(testing::MakeTempDir("outside"), "C", "c.grsnap");
  absl::StatusOr<PackReload> denied = ReloadPack(&store, o, outside);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store.Current()->snapshot->manifest().version, "A");
}

}  // namespace
}  // namespace gridroute
