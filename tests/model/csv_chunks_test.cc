// Copyright 2026 gridroute authors.
//
// CsvChunks against the reference reader, CsvTable, on generated files big
// enough to be cut into chunks (quotes, embedded newlines, '\r', blank lines,
// a BOM), and on the malformed cases.
#include "model/csv_chunks.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "common/csv.h"
#include "common/file_util.h"
#include "common/string_table.h"
#include "gtest/gtest.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

struct Rec {
  int64_t line;
  std::vector<std::string> fields;
  friend bool operator==(const Rec&, const Rec&) = default;
};

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Every record (all columns) as CsvTable reads it, or its error.
absl::Status ReadReference(const std::string& path,
                           const std::vector<std::string>& cols,
                           std::vector<Rec>* out) {
  auto t = CsvTable::Open(path, cols);
  if (!t.ok()) return t.status();
  while (t->Next()) {
    Rec r{t->line(), {}};
    for (size_t i = 0; i < cols.size(); ++i) r.fields.emplace_back(t->Get(i));
    out->push_back(r);
  }
  return t->status();
}

absl::Status ReadChunks(const std::string& path,
                        const std::vector<std::string>& cols, int threads,
                        std::vector<Rec>* out, int* chunks) {
  auto f = CsvChunks::Open(path, cols, threads);
  if (!f.ok()) return f.status();
  *chunks = f->num_chunks();
  std::vector<std::vector<Rec>> per(f->num_chunks());
  std::vector<std::vector<std::string>> kept(f->num_chunks());
  absl::Status st = f->ParallelForEach([&](int c, CsvChunks::Row& row) {
    Rec r{row.line(), {}};
    for (size_t i = 0; i < cols.size(); ++i) r.fields.emplace_back(row.Get(i));
    // Keep() gives the same text, valid after the row.
    kept[c].emplace_back(row.Keep(0));
    per[c].push_back(r);
    return true;
  });
  for (int c = 0; c < f->num_chunks(); ++c) {
    for (size_t i = 0; i < per[c].size(); ++i) {
      EXPECT_EQ(kept[c][i], per[c][i].fields[0]);
      out->push_back(per[c][i]);
    }
  }
  return st;
}

std::string RandomField(std::mt19937& rng) {
  static const char* kPlain[] = {"P00000001", "马浩", "13800462427",
                                 "",          "a b",  "x"};
  switch (rng() % 12) {
    case 0:
      return "\"quoted, with comma\"";
    case 1:
      return "\"two\nlines\"";
    case 2:
      return "\"a \"\"quote\"\" inside\"";
    case 3:
      return "mid\"quote";
    case 4:
      return "cr\rinside";
    case 5:
      return "\"\"";
    default:
      return kPlain[rng() % 6];
  }
}

std::string RandomCsv(std::mt19937& rng, size_t bytes, bool quotes, bool bom) {
  std::string s = bom ? "\xEF\xBB\xBF" : "";
  s += "a,b,c,extra\n";
  while (s.size() < bytes) {
    if (rng() % 50 == 0) s += rng() % 2 ? "\n" : "\r\n";  // blank line
    for (int i = 0; i < 4; ++i) {
      if (i > 0) s += ',';
      std::string f = RandomField(rng);
      if (!quotes) {
        f.erase(std::remove(f.begin(), f.end(), '"'), f.end());
        std::replace(f.begin(), f.end(), '\n', ' ');
      }
      s += f;
    }
    s += rng() % 5 == 0 ? "\r\n" : "\n";
  }
  return s;
}

TEST(CsvChunksTest, SameRecordsAndLinesAsCsvTable) {
  const std::string dir = testing::MakeTempDir("csv_chunks");
  const std::vector<std::string> cols = {"c", "a", "extra"};
  std::mt19937 rng(7);
  for (bool quotes : {false, true}) {
    for (bool bom : {false, true}) {
      const std::string path = dir + "/f.csv";
      std::string text = RandomCsv(rng, 3'500'000, quotes, bom);
      if (rng() % 2) text.pop_back();  // no newline at the end
      Write(path, text);
      std::vector<Rec> want;
      ASSERT_TRUE(ReadReference(path, cols, &want).ok());
      for (int threads : {1, 2, 3, 8}) {
        std::vector<Rec> got;
        int chunks = 0;
        ASSERT_TRUE(ReadChunks(path, cols, threads, &got, &chunks).ok());
        EXPECT_EQ(chunks, std::min(threads, 3));
        ASSERT_EQ(got.size(), want.size()) << quotes << bom << threads;
        for (size_t i = 0; i < want.size(); ++i) {
          ASSERT_EQ(got[i], want[i])
              << "record " << i << " threads " << threads << " quotes "
              << quotes << " bom " << bom << ": line " << got[i].line << " vs "
              << want[i].line << ", [" << absl::StrJoin(got[i].fields, "|")
              << "] vs [" << absl::StrJoin(want[i].fields, "|") << "]";
        }
      }
    }
  }
}

// A file truncated after it was opened and sized, before its bytes are
// read (what a writer replacing a pack in place does to a load): a DataLoss
// error naming the file. Fault guarded: the file was mmapped, and the parse
// touching the pages past the new end raised SIGBUS, killing the process.
std::string* truncate_path = nullptr;
void TruncateToHalf(const std::string& path) {
  if (truncate_path == nullptr || path != *truncate_path) return;
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(std::filesystem::file_size(path) / 2)), 0);
}

TEST(CsvChunksTest, AFileTruncatedWhileLoadingIsADataLossErrorNotSIGBUS) {
  const std::string dir = testing::MakeTempDir("csv_chunks_cut");
  std::string path = dir + "/teams.csv";
  std::string text = "c,a,extra\n";
  for (int i = 0; i < 200'000; ++i) text += "code" + std::to_string(i) + ",name,x\n";  // ~4 MB
  Write(path, text);
  truncate_path = &path;
  SetOpenHookForTest(&TruncateToHalf);
  absl::StatusOr<CsvChunks> f = CsvChunks::Open(path, {"c", "a"}, 2);
  SetOpenHookForTest(nullptr);
  truncate_path = nullptr;
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), absl::StatusCode::kDataLoss) << f.status();
  EXPECT_TRUE(absl::StrContains(f.status().message(), path + ": the file shrank")) << f.status();
  // Untouched, it loads.
  Write(path, text);
  EXPECT_TRUE(CsvChunks::Open(path, {"c", "a"}, 2).ok());
}

TEST(CsvChunksTest, ErrorsAsCsvTable) {
  const std::string dir = testing::MakeTempDir("csv_chunks_err");
  const std::vector<std::string> cols = {"a", "c"};
  std::mt19937 rng(3);
  const std::string big = RandomCsv(rng, 2'500'000, false, false);
  const std::vector<std::string> cases = {
      "",                                 // no header
      "\n\n",                             // still no header
      "a,b\n1,2\n",                       // no column c
      "a,b,c\n1,2,3\n4,5\n",              // short row
      "a,b,c\n1,2,3\n\"4,5,6\n",          // unterminated quote
      "a,b,c\n1,2,3\n4,5,6,7\n,,\n",      // fine
      big + "1,2\n" + big.substr(12),     // a short row in a later chunk
      big + "\"open\n" + big.substr(12),  // unterminated, later chunk
      "a,b,c\n1,\xD5\xC5,3\n",              // not UTF-8 (GBK)
      big + "1,\xFF,3\n" + big.substr(12),   // not UTF-8, later chunk
      "a,b,c\n1," + std::string(70000, 'x') + ",3\n",         // field over 64 KiB
      "a,b,c\n1,\"" + std::string(70000, 'y') + "\",3\n",     // quoted, over 64 KiB
      "a,b,c\n1,\"a\"\"" + std::string(70000, 'y') + "\",3\n",  // with "" inside
      big + "1,\"open\n" + big.substr(12),  // unbalanced quote: over 64 KiB
      "a,b,c\n" + std::string(300, ',') + "\n",               // over 256 fields
      "a,b,c\n" + std::string(255, ',') + "\n",               // 256 fields: fine
      // A field past CsvReaderOptions::max_field_bytes (1 MiB), plain and
      // quoted, in a later chunk.
      big + std::string((1 << 20) + 1, 'x') + ",2,3\n" + big.substr(12),
      big + "1,\"" + std::string((1 << 20) + 1, 'x') + "\",3\n" +
          big.substr(12),
  };
  for (size_t k = 0; k < cases.size(); ++k) {
    const std::string path = dir + "/e" + std::to_string(k) + ".csv";
    Write(path, cases[k]);
    std::vector<Rec> want, got;
    const absl::Status ws = ReadReference(path, cols, &want);
    for (int threads : {1, 2}) {
      int chunks = 0;
      got.clear();
      const absl::Status gs = ReadChunks(path, cols, threads, &got, &chunks);
      EXPECT_EQ(gs, ws) << "case " << k;
      if (ws.ok()) {
        EXPECT_EQ(got, want) << "case " << k;
      }
    }
  }
  auto missing = CsvChunks::Open(dir + "/nope.csv", cols, 2);
  EXPECT_EQ(missing.status(), CsvTable::Open(dir + "/nope.csv", cols).status());
}

// A file in a declared encoding: both readers convert it, to the same
// records; an invalid sequence gives the same error.
TEST(CsvChunksTest, DeclaredEncodingAsCsvTable) {
  const std::string dir = testing::MakeTempDir("csv_chunks_enc");
  CsvFileOptions gb;
  gb.encoding = "GB18030";
  std::string text = "a,b,c\n";
  for (int i = 0; text.size() < 3'000'000; ++i) {
    text += std::to_string(i) + ",\xD5\xC5\xC8\xFD,\"\xA2\xE3 \x94\x39\xFC\x36\"\n";
  }
  for (const std::string& t : {text, text + "9,\x81\x20,z\n"}) {
    const std::string path = dir + "/gb.csv";
    Write(path, t);
    std::vector<Rec> want;
    absl::StatusOr<CsvTable> ref = CsvTable::Open(path, {"a", "b", "c"}, {}, gb);
    absl::StatusOr<CsvChunks> f = CsvChunks::Open(path, {"a", "b", "c"}, 2, {}, gb);
    if (!ref.ok()) {  // the whole file is converted at Open
      EXPECT_EQ(f.status(), ref.status());
      EXPECT_TRUE(absl::StrContains(ref.status().message(), "not valid GB18030"));
      continue;
    }
    while (ref->Next()) {
      want.push_back(Rec{ref->line(), {std::string(ref->Get(0)), std::string(ref->Get(1)),
                                       std::string(ref->Get(2))}});
    }
    ASSERT_TRUE(ref->status().ok()) << ref->status();
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_EQ(f->num_chunks(), 2);
    std::vector<std::vector<Rec>> per(2);
    ASSERT_TRUE(f->ParallelForEach([&](int c, CsvChunks::Row& row) {
                   per[c].push_back(Rec{row.line(), {std::string(row.Get(0)),
                                                     std::string(row.Get(1)),
                                                     std::string(row.Get(2))}});
                   return true;
                 }).ok());
    std::vector<Rec> got = per[0];
    got.insert(got.end(), per[1].begin(), per[1].end());
    ASSERT_EQ(got.size(), want.size());
    EXPECT_EQ(got, want);
    EXPECT_EQ(got[0].fields[1], "张三");
  }
}

TEST(StringTableTest, UniformThenMixedLengths) {
  StringTable t;
  t.Reserve(1000, 6000);
  std::vector<std::string> want;
  for (int i = 0; i < 1000; ++i) want.push_back(std::to_string(100000 + i));
  for (const auto& s : want) t.Add(s);
  const size_t uniform_bytes = t.MemoryBytes();
  EXPECT_EQ(uniform_bytes, 6000u);  // no offsets while all are 6 long
  for (const auto& s :
       {std::string(), std::string("abc"), std::string(20, 'z')}) {
    want.push_back(s);
    t.Add(s);
  }
  ASSERT_EQ(t.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(t.Get(i), want[i]) << i;
  StringTable empty_strings;
  for (int i = 0; i < 3; ++i) empty_strings.Add("");
  EXPECT_EQ(empty_strings.Get(2), "");
}

}  // namespace
}  // namespace gridroute
