// Copyright 2026 gridroute authors.
#include "common/csv.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
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

CsvReaderOptions CrEndsLine() {
  CsvReaderOptions o;
  o.cr_ends_line = true;
  return o;
}

// Reads `text` and returns its records, or the error.
absl::StatusOr<std::vector<std::vector<std::string>>> Parse(
    const std::string& text, const CsvReaderOptions& options = {},
    std::vector<int64_t>* lines = nullptr) {
  CsvReader r = CsvReader::FromString(text, "in.csv", options);
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> row;
  while (r.Next(row)) {
    out.push_back(row);
    if (lines) lines->push_back(r.line());
  }
  if (!r.status().ok()) return r.status();
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvReaderTest, ByteOrderMarkIsDroppedOnlyAtTheStart) {
  auto rows = Parse(
      "\xEF\xBB\xBFlon,lat\n\xEF\xBB\xBF"
      "1,2\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"lon", "lat"},
                         {"\xEF\xBB\xBF"
                          "1",
                          "2"}}));
  // A file that is only a BOM, or starts like one, is not mangled.
  EXPECT_EQ(*Parse("\xEF\xBB\xBF"), Rows{});
  EXPECT_EQ(*Parse("\xEF\xBBx,y\n"), (Rows{{"\xEF\xBBx", "y"}}));
  EXPECT_EQ(*Parse("\xEF"), (Rows{{"\xEF"}}));
}

TEST(CsvReaderTest, ByteOrderMarkFromAFile) {
  const std::string path = testing::MakeTempDir("csv") + "/bom.csv";
  testing::WriteText(path, "\xEF\xBB\xBF\"lon\",lat\r\n1,2\r\n");
  auto r = CsvReader::Open(path);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ReadAll(std::move(*r)), (Rows{{"lon", "lat"}, {"1", "2"}}));
}

TEST(CsvReaderTest, CrOnlyCrLfAndLfLineEndingsWhenCrEndsLine) {
  for (const std::string eol : {"\n", "\r\n", "\r"}) {
    SCOPED_TRACE(::testing::PrintToString(eol));
    std::vector<int64_t> lines;
    const std::string text = "a,b" + eol + "1,\"x" + eol + "y\"" + eol + eol +
                             "2,z" + eol + "3,\"q\"";
    auto rows = Parse(text, CrEndsLine(), &lines);
    ASSERT_TRUE(rows.ok()) << rows.status();
    EXPECT_EQ(
        *rows,
        (Rows{{"a", "b"}, {"1", "x" + eol + "y"}, {"2", "z"}, {"3", "q"}}));
    EXPECT_EQ(lines, (std::vector<int64_t>{1, 2, 5, 6}));
  }
  // Mixed in one file.
  std::vector<int64_t> lines;
  auto rows = Parse("a\rb\r\nc\nd\r\re", CrEndsLine(), &lines);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}}));
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 2, 3, 4, 6}));
}

TEST(CsvReaderTest, StrayCrIsDroppedByDefaultAsCsvChunksDoes) {
  // The pack files' rule (model/csv_chunks.h reads them the same way).
  auto rows = Parse("a,b\r\ncr\rinside,x\r\n");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"a", "b"}, {"crinside", "x"}}));
  // A CR-only file is therefore one record there.
  EXPECT_EQ(Parse("a\rb\r")->size(), 1u);
}

TEST(CsvReaderTest, UnbalancedQuoteNamesTheLineItOpenedOn) {
  for (bool cr : {false, true}) {
    CsvReaderOptions o;
    o.cr_ends_line = cr;
    // The record starts on line 2; its third field's quote opens on line 3
    // (after a quoted field with a newline) and is never closed.
    CsvReader r = CsvReader::FromString(
        "a,b,c\n1,\"two\nlines\",\"open\n2,x,y\n3,x,y\n", "in.csv", o);
    std::vector<std::string> row;
    ASSERT_TRUE(r.Next(row));
    EXPECT_FALSE(r.Next(row));
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(),
              "in.csv:3: unterminated quoted field (the quote opened on line 3 "
              "is never "
              "closed; the record starts on line 2)");
    EXPECT_FALSE(r.Next(row));  // stays failed
  }
  // The usual case: the quote opens on the record's own line.
  auto rows = Parse("a,b\n1,2\n3,\"x\n4,5\n");
  EXPECT_EQ(rows.status().message(),
            "in.csv:3: unterminated quoted field (the quote opened on line 3 "
            "is never closed)");
}

TEST(CsvReaderTest, UnbalancedQuoteInALargeFileStopsAtTheFieldLimit) {
  // Without a bound, the quote would swallow every later row into one field.
  std::string text = "a,b\n1,\"open\n";
  while (text.size() < 3 * (1 << 20)) text += "2,some ordinary row\n";
  CsvReaderOptions o;
  o.max_field_bytes = 1 << 20;
  auto rows = Parse(text, o);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(rows.status().message()),
              ::testing::StartsWith(
                  "in.csv:2: field 2 longer than 1048576 bytes (a quote "
                  "opened on line 2 is not closed yet)"));
}

TEST(CsvReaderTest, FieldRecordAndFieldCountLimits) {
  CsvReaderOptions o;
  o.max_field_bytes = 8;
  o.max_record_bytes = 20;
  o.max_fields = 4;
  // At the limits: fine.
  auto ok = Parse("12345678,1,2,3\n\"1234567\"\"\"\n", o);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ((*ok)[1][0], "1234567\"");
  // One past each.
  EXPECT_EQ(Parse("x\n123456789\n", o).status().message(),
            "in.csv:2: field 1 longer than 8 bytes");
  EXPECT_EQ(Parse("x\n1,2,3,4,5\n", o).status().message(),
            "in.csv:2: more than 4 fields");
  EXPECT_EQ(Parse("x\n1234567,1234567,12345\n", o).status().message(),
            "in.csv:2: record longer than 20 bytes");
  // The defaults are documented in csv.h.
  CsvReaderOptions d;
  EXPECT_EQ(d.max_field_bytes, 1u << 20);
  EXPECT_EQ(d.max_fields, 10000u);
  EXPECT_EQ(d.max_record_bytes, 16u << 20);
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
                                "t.csv:2: field 2 longer than 8 bytes"));
  // An unbalanced quote no longer swallows the rest of the file.
  const std::string e = TableError("code,name\nc1,\"open\nc2,b\nc3,c\n", small);
  EXPECT_TRUE(absl::StrContains(e, "t.csv:2: field 2 longer than 8 bytes (a quote opened on "
                                   "line 2 is not closed yet)"))
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

// FromText (a pack file compiled into a .grsnap) reads the same bytes as
// Open does: the rows, the declared encoding, the limits and the messages,
// with the given name for the path.
TEST(CsvTableTest, FromTextReadsAsTheFile) {
  CsvFileOptions gb;
  gb.encoding = "GB18030";
  const std::string text = "name,code\n\xD5\xC5\xC8\xFD,c1\n\"x,y\",c2\n";
  std::vector<std::vector<std::string>> from_file;
  ASSERT_EQ(TableError(text, gb, &from_file), "");
  absl::StatusOr<CsvTable> t = CsvTable::FromText(text, "p.grsnap:t.csv", {"code", "name"}, {}, gb);
  ASSERT_TRUE(t.ok()) << t.status();
  std::vector<std::vector<std::string>> from_text;
  while (t->Next()) from_text.push_back({std::string(t->Get(0)), std::string(t->Get(1))});
  ASSERT_TRUE(t->status().ok()) << t->status();
  EXPECT_EQ(from_text, from_file);
  ASSERT_EQ(from_text.size(), 2u);
  EXPECT_EQ(from_text[0][1], "张三");
  t = CsvTable::FromText("code,name\nc1,\xFF\n", "p.grsnap:t.csv", {"code", "name"});
  ASSERT_TRUE(t.ok());
  while (t->Next()) {
  }
  EXPECT_TRUE(absl::StrContains(t->status().message(), "p.grsnap:t.csv:2: column 'name': not valid UTF-8"))
      << t->status();
  CsvFileOptions tiny;
  tiny.max_bytes = 5;
  t = CsvTable::FromText("code\n1\n2\n", "p.grsnap:t.csv", {"code"}, {}, tiny);
  EXPECT_TRUE(absl::StrContains(t.status().message(),
                                "p.grsnap:t.csv: 9 bytes, more than the limit of 5 bytes"))
      << t.status();
  t = CsvTable::FromText("", "p.grsnap:t.csv", {"code"});
  EXPECT_TRUE(absl::StrContains(t.status().message(), "p.grsnap:t.csv: empty file")) << t.status();
}

}  // namespace
}  // namespace gridroute
