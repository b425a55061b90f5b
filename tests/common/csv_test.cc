// Copyright 2026 gridroute authors.
#include "common/csv.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

std::vector<std::vector<std::string>> ReadAll(CsvReader r, std::vector<int64_t>* lines = nullptr) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> row;
  while (r.Next(row)) {
    out.push_back(row);
    if (lines) lines->push_back(r.line());
  }
  EXPECT_TRUE(r.status().ok()) << r.status();
  return out;
}

TEST(CsvReaderTest, QuotedFieldsCommasNewlinesAndLineNumbers) {
  std::vector<int64_t> lines;
  auto rows = ReadAll(CsvReader::FromString(
                          "a,b,c\r\n1,\"x,y\",\"say \"\"hi\"\"\"\n\n2,\"two\nlines\",\n3,,z\n"),
                      &lines);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"1", "x,y", "say \"hi\""}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"2", "two\nlines", ""}));
  EXPECT_EQ(rows[3], (std::vector<std::string>{"3", "", "z"}));
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 2, 4, 6}));
}

TEST(CsvReaderTest, UnterminatedQuoteIsAnError) {
  CsvReader r = CsvReader::FromString("a\n\"open\n");
  std::vector<std::string> row;
  EXPECT_TRUE(r.Next(row));
  EXPECT_FALSE(r.Next(row));
  EXPECT_FALSE(r.status().ok());
  EXPECT_NE(r.status().message().find(":2:"), std::string::npos) << r.status();
}

TEST(CsvWriterTest, RoundTripsThroughTheReader) {
  const std::string path = testing::MakeTempDir("csv") + "/x.csv";
  auto w = CsvWriter::Open(path);
  ASSERT_TRUE(w.ok());
  std::vector<std::string> fields{"plain", "com,ma", "quo\"te", "new\nline", "中文"};
  w->Write(fields);
  ASSERT_TRUE(w->Close().ok());
  auto r = CsvReader::Open(path);
  ASSERT_TRUE(r.ok());
  auto rows = ReadAll(std::move(*r));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], fields);
}

TEST(CsvReaderTest, MissingFileIsNotFound) {
  auto r = CsvReader::Open("/nonexistent/dir/x.csv");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
}

// CsvTable reads pack files: only regular files, every field UTF-8 (or the
// file converted from its declared encoding), fields within their limits.

std::string TableError(const std::string& text, const CsvFileOptions& file = {},
                       std::vector<std::vector<std::string>>* rows = nullptr) {
  const std::string path = testing::MakeTempDir("csv_table") + "/t.csv";
  testing::WriteText(path, text);
  absl::StatusOr<CsvTable> t = CsvTable::Open(path, {"code", "name"}, {}, file);
  if (!t.ok()) return std::string(t.status().message());
  while (t->Next()) {
    if (rows != nullptr) rows->push_back({std::string(t->Get(0)), std::string(t->Get(1))});
  }
  return std::string(t->status().message());
}

TEST(CsvTableTest, NonUtf8FieldIsAnErrorNamingLineAndColumn) {
  // 张三 in GBK, where UTF-8 is expected (a spreadsheet saved as "ANSI").
  const std::string e = TableError("code,name\nc1,ok\n\nc2,\"\xD5\xC5\xC8\xFD\"\n");
  EXPECT_TRUE(absl::StrContains(e, "t.csv:4: column 'name': not valid UTF-8 (bytes "
                                   "\\xD5\\xC5\\xC8\\xFD)"))
      << e;
  EXPECT_TRUE(absl::StrContains(e, "\"encoding\": \"GB18030\"")) << e;
  // In a column the loader ignores too, and in the header.
  EXPECT_TRUE(absl::StrContains(TableError("code,name,x\nc1,a,\xFF\n"),
                                "t.csv:2: column 'x': not valid UTF-8"));
  EXPECT_TRUE(absl::StrContains(TableError("code,name,\xC0\xAF\nc1,a,b\n"),
                                "t.csv:1: header field 3: not valid UTF-8"));
}

TEST(CsvTableTest, DeclaredEncodingIsConvertedToUtf8) {
  CsvFileOptions gb;
  gb.encoding = "GB18030";
  std::vector<std::vector<std::string>> rows;
  EXPECT_EQ(TableError("code,name\nc1,\xD5\xC5\xC8\xFD\n", gb, &rows), "");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][1], "张三");
  // A sequence that is not GB18030 names its line and column.
  const std::string e = TableError("code,name\nc1,a\nc2,\"b\x81\x20\"\n", gb);
  EXPECT_TRUE(absl::StrContains(e, "t.csv:3: column 'name': not valid GB18030 (bytes \\x81\\x20"))
      << e;
}

TEST(CsvTableTest, LongFieldsAndWideRecordsAreErrorsNamingTheLine) {
  CsvFileOptions small;
  small.max_field_bytes = 8;
  small.max_fields = 4;
  EXPECT_EQ(TableError("code,name\nc1,12345678\n", small), "");
  EXPECT_TRUE(absl::StrContains(TableError("code,name\nc1,123456789\n", small),
                                "t.csv:2: field 2 is longer than 8 bytes"));
  // An unbalanced quote no longer swallows the rest of the file.
  const std::string e = TableError("code,name\nc1,\"open\nc2,b\nc3,c\n", small);
  EXPECT_TRUE(absl::StrContains(e, "t.csv:2: field 2 is longer than 8 bytes (a quote opened on "
                                   "this line is never closed?)"))
      << e;
  EXPECT_TRUE(absl::StrContains(TableError("code,name\nc1,a,b,c,d\n", small),
                                "t.csv:2: more than 4 fields"));
}

TEST(CsvTableTest, OnlyRegularFilesWithinTheLimit) {
  const std::string dir = testing::MakeTempDir("csv_table");
  ASSERT_EQ(mkfifo((dir + "/fifo.csv").c_str(), 0600), 0);
  absl::StatusOr<CsvTable> t = CsvTable::Open(dir + "/fifo.csv", {"code"});
  EXPECT_TRUE(absl::StrContains(t.status().message(), "not a regular file (a FIFO)"))
      << t.status();
  testing::WriteText(dir + "/big.csv", "code\n1\n2\n");
  CsvFileOptions tiny;
  tiny.max_bytes = 5;
  t = CsvTable::Open(dir + "/big.csv", {"code"}, {}, tiny);
  EXPECT_TRUE(absl::StrContains(t.status().message(), "9 bytes, more than the limit of 5 bytes"))
      << t.status();
}

}  // namespace
}  // namespace gridroute
