// Copyright 2026 gridroute authors.
//
// Streaming RFC 4180 CSV: a reader that yields one record at a time and a
// writer that quotes only when needed. Neither holds more than one record.
//
//   ASSIGN_OR_RETURN(CsvReader reader, CsvReader::Open("points.csv"));
//   std::vector<std::string> row;
//   while (reader.Next(row)) { ... reader.line() ... }
//   RETURN_IF_ERROR(reader.status());
//
// Thread-safety: one reader/writer per thread. Cost: one pass over the bytes,
// no allocation per record once `row`'s strings have grown.
#ifndef GRIDROUTE_COMMON_CSV_H_
#define GRIDROUTE_COMMON_CSV_H_

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gridroute {

class CsvReader {
 public:
  // Opens `path` for reading ("-" is standard input).
  static absl::StatusOr<CsvReader> Open(const std::string& path);
  // Reads from an in-memory text (tests, small files).
  static CsvReader FromString(std::string text, std::string name = "<string>");
  // Reads at most `max_bytes` bytes of `file` (owned: closed by the reader),
  // then sees the end of the input.
  static CsvReader FromFile(FILE* file, std::string name, uint64_t max_bytes);

  // A field longer than `max_field_bytes` or a record of more than
  // `max_fields` fields ends the read with an error naming the record's
  // line, so that a malformed file (an unbalanced quote, a line of commas)
  // cannot take memory in proportion to its size. Default: no limits.
  void SetLimits(size_t max_field_bytes, size_t max_fields) {
    max_field_bytes_ = max_field_bytes;
    max_fields_ = max_fields;
  }

  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  ~CsvReader();

  // Reads the next record into `fields`. Returns false at end of input or on
  // error (then status() is not OK). Blank lines are skipped.
  bool Next(std::vector<std::string>& fields);
  // The 1-based line number where the last record returned by Next() starts.
  int64_t line() const { return record_line_; }
  const std::string& name() const { return name_; }
  absl::Status status() const { return status_; }

 private:
  CsvReader() = default;
  int Get();  // next byte or EOF

  std::string name_;
  FILE* file_ = nullptr;
  bool owns_file_ = false;
  std::string text_;  // for FromString
  size_t text_pos_ = 0;
  uint64_t bytes_left_ = ~uint64_t{0};  // of file_ (FromFile)
  size_t max_field_bytes_ = ~size_t{0};
  size_t max_fields_ = ~size_t{0};
  std::unique_ptr<char[]> buf_;
  size_t buf_len_ = 0, buf_pos_ = 0;
  int64_t line_ = 1, record_line_ = 0;
  absl::Status status_;
};

// Index of `name` in `header`, or -1.
int FindColumn(const std::vector<std::string>& header, absl::string_view name);

// The positions of `columns` then `optional` in a header row, after dropping a
// UTF-8 byte order mark from its first name (spreadsheet exports); -1 for an
// absent optional column. InvalidArgument "<path>:1: header has no column
// '<col>' (got <header>)" for an absent required one. Shared by CsvTable and
// model/csv_chunks so both read headers alike.
absl::StatusOr<std::vector<int>> MapHeader(
    const std::string& path, std::vector<std::string>& header,
    const std::vector<std::string>& columns,
    const std::vector<std::string>& optional);

// How a data file (a city pack's CSV) is read: its limits and its encoding.
// The defaults are the ones engine/snapshot/PACK.md documents ("Limits").
struct CsvFileOptions {
  // A larger file is refused before any byte is read (fstat). Default 1 GiB.
  uint64_t max_bytes = uint64_t{1} << 30;
  // A longer field is an error naming its line: no code, name, phone or list
  // of helpers comes near it, and an unbalanced quote then fails at once
  // instead of swallowing the file into one field. Default 64 KiB.
  size_t max_field_bytes = size_t{64} << 10;
  // A record with more fields is an error naming its line. Default 256.
  size_t max_fields = 256;
  // "" or "UTF-8": every field must be valid UTF-8, else an error names the
  // file, line and column. Any other name is an iconv encoding (GB18030,
  // GBK, BIG5, ...) the whole file is converted from, in memory, before it
  // is parsed; a byte sequence invalid in it is an error naming the line and
  // column. ASCII-compatible encodings only (',', '"' and '\n' are ASCII).
  std::string encoding;
};

// `raw`, the bytes of the CSV file `path`, converted from `encoding` to
// UTF-8. InvalidArgument "<path>:<line>: column '<name>': not valid
// <encoding> (bytes \xNN...)" naming the record and column where the first
// invalid sequence is.
absl::StatusOr<std::string> TranscodeCsv(const std::string& path, absl::string_view raw,
                                         const std::string& encoding);

// A CSV file whose header must name `columns` (any order, extra columns
// ignored): Next() then Get(i) gives the value of columns[i].
//
//   ASSIGN_OR_RETURN(CsvTable t, CsvTable::Open(path, {"code", "name"}));
//   while (t.Next()) { Use(t.Get(0), t.Get(1), t.line()); }
//   RETURN_IF_ERROR(t.status());
//
// Only a regular file is read (common/file_util.h), within `file`'s limits;
// every field, the header's too, is checked to be UTF-8 (or the file is
// converted from file.encoding first).
class CsvTable {
 public:
  // `optional` columns may be missing from the header (Get() then gives "").
  static absl::StatusOr<CsvTable> Open(const std::string& path,
                                       std::vector<std::string> columns,
                                       std::vector<std::string> optional = {},
                                       const CsvFileOptions& file = {});
  // False at the end or on an error (status()). A row with fewer fields than
  // the header is an error naming its line; so is a field that is not UTF-8.
  bool Next();
  absl::string_view Get(size_t i) const {
    const int c = index_[i];
    return c < 0 || static_cast<size_t>(c) >= row_.size()
               ? absl::string_view()
               : absl::string_view(row_[c]);
  }
  int64_t line() const { return reader_.line(); }
  const std::string& name() const { return reader_.name(); }
  absl::Status status() const {
    return status_.ok() ? reader_.status() : status_;
  }

 private:
  explicit CsvTable(CsvReader r) : reader_(std::move(r)) {}
  // InvalidArgument naming the line and column of the first field of the
  // current record that is not UTF-8.
  absl::Status CheckUtf8(const std::vector<std::string>& fields) const;
  CsvReader reader_;
  std::vector<int> index_;
  std::vector<std::string> header_;  // for messages
  std::vector<std::string> row_;
  size_t width_ = 0;
  bool check_utf8_ = true;  // false once converted from another encoding
  absl::Status status_;
};

class CsvWriter {
 public:
  // Opens `path` for writing ("-" is standard output).
  static absl::StatusOr<CsvWriter> Open(const std::string& path);
  CsvWriter(CsvWriter&&) noexcept;
  CsvWriter& operator=(CsvWriter&&) noexcept;
  ~CsvWriter();

  void Write(const std::vector<std::string>& fields);
  // Appends one field to the current record; EndRecord() terminates it.
  void Field(absl::string_view value);
  void EndRecord();
  // Flushes and closes; reports a write error (e.g. disk full).
  absl::Status Close();

 private:
  CsvWriter() = default;
  FILE* file_ = nullptr;
  bool owns_file_ = false;
  bool first_field_ = true;
};

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_CSV_H_
