// Copyright 2026 gridroute authors.
#include "common/csv.h"

#include <string>
#include <vector>

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

}  // namespace
}  // namespace gridroute
