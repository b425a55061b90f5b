// Copyright 2026 gridroute authors.
//
// Streaming RFC 4180 CSV: a reader that yields one record at a time and a
// writer that quotes only when needed. Neither holds more than one record,
// and the reader bounds that record (CsvReaderOptions).
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

struct CsvReaderOptions {
  // How a '\r' outside quotes is read. false (the pack files' rule, shared
  // with model/csv_chunks.h): it is dropped, so "\n" and "\r\n" end a line
  // and a stray '\r' vanishes. true (the CLI's input files): "\n", "\r\n"
  // and a lone '\r' (classic Mac OS exports) each end a line. Inside quotes
  // a '\r' is always kept.
  bool cr_ends_line = false;
  // Longest field in bytes (after unquoting), most fields in a record, and
  // longest record in bytes as read. Past any of them Next() fails with
  // InvalidArgument naming the line, so one bad row (typically an unbalanced
  // quote that would otherwise swallow the rest of the input) costs at most
  // max_record_bytes of memory.
  size_t max_field_bytes = 1 << 20;  // 1 MiB
  size_t max_fields = 10000;
  size_t max_record_bytes = 16 << 20;  // 16 MiB
};

class CsvReader {
 public:
  // Opens `path` for reading ("-" is standard input).
  static absl::StatusOr<CsvReader> Open(const std::string& path);
  static absl::StatusOr<CsvReader> Open(const std::string& path,
                                        const CsvReaderOptions& options);
  // Reads from an in-memory text (tests, small files).
  static CsvReader FromString(std::string text, std::string name = "<string>");
  static CsvReader FromString(std::string text, std::string name,
                              const CsvReaderOptions& options);
  // Reads at most `max_bytes` bytes of `file` (owned: closed by the reader),
  // then sees the end of the input.
  static CsvReader FromFile(FILE* file, std::string name, uint64_t max_bytes,
                            const CsvReaderOptions& options = CsvReaderOptions());

  // Sets options' max_field_bytes and max_fields (the pack loaders' limits).
  void SetLimits(size_t max_field_bytes, size_t max_fields) {
    options_.max_field_bytes = max_field_bytes;
    options_.max_fields = max_fields;
  }

  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  ~CsvReader();

  // Reads the next record into `fields`. Returns false at end of input or on
  // error (then status() is not OK). Blank lines are skipped, and a UTF-8
  // byte order mark at the very start of the input is dropped. A quote
  // opens a quoted field only at the start of a field; one that is never
  // closed is InvalidArgument "<name>:<line the quote opened on>:
  // unterminated quoted field ..." (CsvUnterminatedQuote).
  bool Next(std::vector<std::string>& fields);
  // The 1-based line number where the last record returned by Next() starts.
  int64_t line() const { return record_line_; }
  const std::string& name() const { return name_; }
  absl::Status status() const { return status_; }

 private:
  CsvReader() = default;
  int Get();  // next byte or EOF
  void Unget(int c);  // pushes c back (EOF is not pushed); at most 3 deep
  int Peek() {
    const int c = Get();
    Unget(c);
    return c;
  }
  void SkipByteOrderMark();
  bool ReadRecord(int c, std::vector<std::string>& fields);
  bool Fail(int64_t line, const std::string& what);

  CsvReaderOptions options_;
  std::string name_;
  FILE* file_ = nullptr;
  bool owns_file_ = false;
  std::string text_;  // for FromString
  size_t text_pos_ = 0;
  uint64_t bytes_left_ = ~uint64_t{0};  // of file_ (FromFile)
  std::unique_ptr<char[]> buf_;
  size_t buf_len_ = 0, buf_pos_ = 0;
  int pushed_[3] = {0, 0, 0};
  int num_pushed_ = 0;
  bool started_ = false;  // the byte order mark check is done
  int64_t line_ = 1, record_line_ = 0;
  absl::Status status_;
};

// The error of a quoted field that is never closed: InvalidArgument
// "<name>:<quote_line>: unterminated quoted field (the quote opened on line
// <quote_line> is never closed[; the record starts on line <record_line>])".
// Shared with model/csv_chunks.h so both word it alike.
absl::Status CsvUnterminatedQuote(const std::string& name, int64_t quote_line,
                                  int64_t record_line);
// The error of a field longer than `limit` bytes: InvalidArgument
// "<name>:<line>: field <field_index + 1> longer than <limit> bytes[ (a quote
// opened on line <quote_line> is not closed yet)]"; `line` is quote_line when
// the field is quoted (quote_line > 0), else the record's line. Shared with
// model/csv_chunks.h.
absl::Status CsvFieldTooLong(const std::string& name, int64_t record_line,
                             size_t field_index, size_t limit,
                             int64_t quote_line);

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
  // The same from a file's bytes held in memory (a pack file compiled into a
  // .grsnap): `name` stands for the path in messages; `file`'s limits and
  // encoding apply as they do to a file.
  static absl::StatusOr<CsvTable> FromText(std::string raw, const std::string& name,
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
  // Reads the header of `reader` (of `name`) and maps `columns`.
  static absl::StatusOr<CsvTable> WithHeader(CsvReader reader, const std::string& name,
                                             const std::vector<std::string>& columns,
                                             const std::vector<std::string>& optional,
                                             const CsvFileOptions& file);
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
