// Copyright 2026 gridroute authors.
//
// RegularFile and ReadFile: only regular files, sizes checked before the
// first byte. Each refusal here used to be a hang (a FIFO) or unbounded
// memory (/dev/zero, a huge sparse file); a hang would show as the test's
// ctest timeout.
#include "common/file_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

TEST(RegularFileTest, ReadsARegularFileWhole) {
  const std::string path = testing::MakeTempDir("file_util") + "/a.txt";
  testing::WriteText(path, "hello\nworld\n");
  absl::StatusOr<RegularFile> f = RegularFile::Open(path, 100);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->size(), 12u);
  std::string text;
  ASSERT_TRUE(f->ReadAll(&text).ok());
  EXPECT_EQ(text, "hello\nworld\n");
  char buf[5];
  ASSERT_TRUE(f->ReadAt(6, 5, buf).ok());
  EXPECT_EQ(std::string(buf, 5), "world");
  EXPECT_EQ(f->ReadAt(10, 5, buf).code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(*ReadFile(path), "hello\nworld\n");
}

TEST(RegularFileTest, MissingFileIsNotFound) {
  EXPECT_EQ(RegularFile::Open("/nonexistent/x", 100).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadFile("/nonexistent/x").status().code(), absl::StatusCode::kNotFound);
}

TEST(RegularFileTest, FifoIsRefusedWithoutWaitingForAWriter) {
  const std::string path = testing::MakeTempDir("file_util") + "/fifo";
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  absl::StatusOr<RegularFile> f = RegularFile::Open(path, 100);
  EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(f.status().message(), path + ": not a regular file (a FIFO)"))
      << f.status();
  EXPECT_EQ(ReadFile(path).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RegularFileTest, SymlinkToDevZeroAndDirectoriesAreRefused) {
  const std::string dir = testing::MakeTempDir("file_util");
  ASSERT_EQ(symlink("/dev/zero", (dir + "/zero").c_str()), 0);
  absl::StatusOr<std::string> z = ReadFile(dir + "/zero");
  EXPECT_TRUE(absl::StrContains(z.status().message(), "(a character device)")) << z.status();
  absl::StatusOr<std::string> d = ReadFile(dir);
  EXPECT_TRUE(absl::StrContains(d.status().message(), "(a directory)")) << d.status();
  // A symlink to a regular file is followed.
  testing::WriteText(dir + "/real", "x");
  ASSERT_EQ(symlink((dir + "/real").c_str(), (dir + "/link").c_str()), 0);
  EXPECT_EQ(*ReadFile(dir + "/link"), "x");
}

TEST(RegularFileTest, SizeOverTheLimitIsRefusedBeforeReading) {
  // 4 GB sparse: reading it would take 4 GB; the refusal takes an fstat.
  const std::string path = testing::MakeTempDir("file_util") + "/big";
  testing::WriteText(path, "");
  ASSERT_EQ(truncate(path.c_str(), int64_t{4} << 30), 0);
  absl::StatusOr<std::string> text = ReadFile(path, uint64_t{1} << 20);
  EXPECT_EQ(text.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(text.status().message(),
                                "4294967296 bytes, more than the limit of 1048576 bytes"))
      << text.status();
  EXPECT_EQ(RegularFile::Open(path, uint64_t{4} << 30).status().code(), absl::StatusCode::kOk);
}

}  // namespace
}  // namespace gridroute
