// Copyright 2026 gridroute authors.
#include "common/csv.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/echo.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "common/text_encoding.h"

namespace gridroute {
namespace {
constexpr size_t kBufferBytes = 1 << 16;
}  // namespace

absl::StatusOr<CsvReader> CsvReader::Open(const std::string& path) {
  return Open(path, CsvReaderOptions());
}

absl::StatusOr<CsvReader> CsvReader::Open(const std::string& path,
                                          const CsvReaderOptions& options) {
  CsvReader r;
  r.options_ = options;
  r.name_ = path;
  if (path == "-") {
    r.file_ = stdin;
  } else {
    r.file_ = std::fopen(path.c_str(), "rb");
    if (r.file_ == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
    }
    r.owns_file_ = true;
  }
  r.buf_ = std::make_unique<char[]>(kBufferBytes);
  return r;
}

CsvReader CsvReader::FromString(std::string text, std::string name) {
  return FromString(std::move(text), std::move(name), CsvReaderOptions());
}

CsvReader CsvReader::FromString(std::string text, std::string name,
                                const CsvReaderOptions& options) {
  CsvReader r;
  r.options_ = options;
  r.name_ = std::move(name);
  r.text_ = std::move(text);
  return r;
}

CsvReader CsvReader::FromFile(FILE* file, std::string name, uint64_t max_bytes,
                              const CsvReaderOptions& options) {
  CsvReader r;
  r.options_ = options;
  r.name_ = std::move(name);
  r.file_ = file;
  r.owns_file_ = true;
  r.bytes_left_ = max_bytes;
  r.buf_ = std::make_unique<char[]>(kBufferBytes);
  return r;
}

CsvReader::CsvReader(CsvReader&& o) noexcept { *this = std::move(o); }
CsvReader& CsvReader::operator=(CsvReader&& o) noexcept {
  if (this != &o) {
    if (owns_file_ && file_) std::fclose(file_);
    options_ = o.options_;
    name_ = std::move(o.name_);
    file_ = std::exchange(o.file_, nullptr);
    owns_file_ = std::exchange(o.owns_file_, false);
    text_ = std::move(o.text_);
    text_pos_ = o.text_pos_;
    bytes_left_ = o.bytes_left_;
    buf_ = std::move(o.buf_);
    buf_len_ = o.buf_len_;
    buf_pos_ = o.buf_pos_;
    std::memcpy(pushed_, o.pushed_, sizeof pushed_);
    num_pushed_ = o.num_pushed_;
    started_ = o.started_;
    line_ = o.line_;
    record_line_ = o.record_line_;
    status_ = o.status_;
  }
  return *this;
}
CsvReader::~CsvReader() {
  if (owns_file_ && file_) std::fclose(file_);
}

int CsvReader::Get() {
  if (num_pushed_ > 0) return pushed_[--num_pushed_];
  if (file_ == nullptr) {
    return text_pos_ < text_.size()
               ? static_cast<unsigned char>(text_[text_pos_++])
               : EOF;
  }
  if (buf_pos_ == buf_len_) {
    buf_len_ = bytes_left_ == 0
                   ? 0
                   : std::fread(buf_.get(), 1, std::min<uint64_t>(kBufferBytes, bytes_left_), file_);
    bytes_left_ -= buf_len_;
    buf_pos_ = 0;
    if (buf_len_ == 0) {
      if (std::ferror(file_)) {
        status_ = absl::DataLossError(absl::StrCat("read error on ", name_));
      }
      return EOF;
    }
  }
  return static_cast<unsigned char>(buf_[buf_pos_++]);
}

void CsvReader::Unget(int c) {
  if (c != EOF) pushed_[num_pushed_++] = c;
}

void CsvReader::SkipByteOrderMark() {
  // EF BB BF: spreadsheet exports ("CSV UTF-8") start with it.
  const int a = Get();
  if (a == 0xEF) {
    const int b = Get();
    if (b == 0xBB) {
      const int c = Get();
      if (c == 0xBF) return;
      Unget(c);
    }
    Unget(b);
  }
  Unget(a);
}

bool CsvReader::Fail(int64_t line, const std::string& what) {
  status_ =
      absl::InvalidArgumentError(absl::StrCat(name_, ":", line, ": ", what));
  return false;
}

absl::Status CsvUnterminatedQuote(const std::string& name, int64_t quote_line,
                                  int64_t record_line) {
  return absl::InvalidArgumentError(absl::StrCat(
      name, ":", quote_line,
      ": unterminated quoted field (the quote opened on line ", quote_line,
      " is never closed",
      record_line == quote_line
          ? std::string()
          : absl::StrCat("; the record starts on line ", record_line),
      ")"));
}

absl::Status CsvFieldTooLong(const std::string& name, int64_t record_line,
                             size_t field_index, size_t limit,
                             int64_t quote_line) {
  return absl::InvalidArgumentError(absl::StrCat(
      name, ":", quote_line > 0 ? quote_line : record_line, ": field ",
      field_index + 1, " longer than ", limit, " bytes",
      quote_line > 0 ? absl::StrCat(" (a quote opened on line ", quote_line,
                                    " is not closed yet)")
                     : ""));
}

bool CsvReader::Next(std::vector<std::string>& fields) {
  if (!status_.ok()) return false;
  if (!started_) {
    started_ = true;
    SkipByteOrderMark();
  }
  for (;;) {  // skip blank lines
    record_line_ = line_;
    const int c = Get();
    if (c == EOF) return false;
    if (c == '\n') {
      ++line_;
    } else if (c == '\r') {
      if (options_.cr_ends_line) {
        if (Peek() == '\n') Get();
        ++line_;
      }
    } else {
      return ReadRecord(c, fields);
    }
  }
}

// Reads one record whose first byte `c` was already taken. Fields beyond the
// last one of `fields` are appended; their strings are reused.
bool CsvReader::ReadRecord(int c, std::vector<std::string>& fields) {
  size_t n = 0;  // the field being read
  if (fields.empty()) fields.emplace_back();
  std::string* field = &fields[0];
  field->clear();
  bool in_quotes = false, quoted_field = false;
  int64_t quote_line = 0;
  size_t record_bytes = 0;
  for (;; c = Get()) {
    if (c == EOF) {
      if (!status_.ok()) return false;  // read error
      if (in_quotes) {
        status_ = CsvUnterminatedQuote(name_, quote_line, record_line_);
        return false;
      }
      break;
    }
    if (++record_bytes > options_.max_record_bytes) {
      return Fail(
          record_line_,
          absl::StrCat(
              "record longer than ", options_.max_record_bytes, " bytes",
              in_quotes ? absl::StrCat(" (in a quoted field opened on line ",
                                       quote_line, " and not closed yet)")
                        : ""));
    }
    if (in_quotes) {
      if (c == '"') {
        if (Peek() != '"') {
          in_quotes = false;
          continue;
        }
        Get();
        ++record_bytes;
      } else if (c == '\n' ||
                 (c == '\r' && options_.cr_ends_line && Peek() != '\n')) {
        ++line_;
      }
      field->push_back(static_cast<char>(c));
    } else if (c == ',') {
      if (++n == options_.max_fields) {
        return Fail(record_line_,
                    absl::StrCat("more than ", options_.max_fields, " fields"));
      }
      if (n == fields.size()) fields.emplace_back();
      field = &fields[n];
      field->clear();
      quoted_field = false;
      continue;
    } else if (c == '\n') {
      ++line_;
      break;
    } else if (c == '\r') {
      if (!options_.cr_ends_line) continue;  // dropped: "\r\n" ends a line
      if (Peek() == '\n') Get();
      ++line_;
      break;
    } else if (c == '"' && field->empty() && !quoted_field) {
      in_quotes = quoted_field = true;
      quote_line = line_;
      continue;
    } else {
      field->push_back(static_cast<char>(c));
    }
    if (field->size() > options_.max_field_bytes) {
      status_ =
          CsvFieldTooLong(name_, record_line_, n, options_.max_field_bytes,
                          in_quotes ? quote_line : 0);
      return false;
    }
  }
  fields.resize(n + 1);
  return true;
}

int FindColumn(const std::vector<std::string>& header, absl::string_view name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

absl::StatusOr<std::vector<int>> MapHeader(
    const std::string& path, std::vector<std::string>& header,
    const std::vector<std::string>& columns,
    const std::vector<std::string>& optional) {
  if (!header.empty() && absl::StartsWith(header[0], "\xEF\xBB\xBF")) {
    header[0].erase(0, 3);  // UTF-8 byte order mark from spreadsheet exports
  }
  std::vector<int> index;
  index.reserve(columns.size() + optional.size());
  auto add = [&](const std::string& col, bool required) -> absl::Status {
    const int c = FindColumn(header, col);
    if (c < 0 && required) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":1: header has no column '", col, "' (got ",
                       Echo(absl::StrJoin(header, ","), 256), ")"));
    }
    index.push_back(c);
    return absl::OkStatus();
  };
  for (const auto& col : columns) RETURN_IF_ERROR(add(col, true));
  for (const auto& col : optional) RETURN_IF_ERROR(add(col, false));
  return index;
}

namespace {

// Where byte `offset` of CSV text `raw` is: the line its record starts on
// and its field (0-based), by the dialect CsvReader reads.
void LocateInCsv(absl::string_view raw, size_t offset, int64_t* record_line, size_t* field) {
  int64_t line = 1;
  *record_line = 1;
  *field = 0;
  bool in_quotes = false, field_start = true, in_record = false;
  for (size_t i = 0; i < offset && i < raw.size(); ++i) {
    const char c = raw[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < raw.size() && raw[i + 1] == '"') {
          ++i;
        } else {
          in_quotes = false;
        }
      } else if (c == '\n') {
        ++line;
      }
      continue;
    }
    if (c == '\n') {
      ++line;
      in_record = false;
      *field = 0;
      field_start = true;
      continue;
    }
    if (c == '\r') continue;
    if (!in_record) {
      in_record = true;
      *record_line = line;
    }
    if (c == ',') {
      ++*field;
      field_start = true;
    } else if (c == '"' && field_start) {
      in_quotes = true;
      field_start = false;
    } else {
      field_start = false;
    }
  }
  if (!in_record) *record_line = line;
}

// "column 'name'" for field `k` of a record at `line` ("header field 3" on
// the header itself, "field 9" past the header's columns).
std::string ColumnName(const std::vector<std::string>& header, int64_t line, size_t k) {
  if (line == 1) return absl::StrCat("header field ", k + 1);
  if (k < header.size() && IsValidUtf8(header[k])) {
    std::string name = header[k];
    if (k == 0 && absl::StartsWith(name, "\xEF\xBB\xBF")) name.erase(0, 3);
    return absl::StrCat("column '", name.substr(0, 64), "'");
  }
  return absl::StrCat("field ", k + 1);
}

// The names of the first record of `text` (empty if it does not parse).
std::vector<std::string> HeaderOf(absl::string_view text) {
  const size_t nl = text.find('\n');
  CsvReader r = CsvReader::FromString(
      std::string(text.substr(0, nl == absl::string_view::npos ? text.size() : nl)));
  r.SetLimits(256, 256);
  std::vector<std::string> header;
  if (!r.Next(header)) header.clear();
  return header;
}

constexpr char kEncodingHint[] =
    "; convert the file to UTF-8 or declare its encoding (a pack's manifest.json "
    "\"encoding\": \"GB18030\"; gridroute-import --routing-encoding GB18030)";

}  // namespace

absl::StatusOr<std::string> TranscodeCsv(const std::string& path, absl::string_view raw,
                                         const std::string& encoding) {
  size_t bad = 0;
  absl::StatusOr<std::string> utf8 = TranscodeToUtf8(raw, encoding, &bad);
  if (utf8.ok() || !absl::IsInvalidArgument(utf8.status()) || bad > raw.size()) return utf8;
  int64_t line = 1;
  size_t field = 0;
  LocateInCsv(raw, bad, &line, &field);
  return absl::InvalidArgumentError(absl::StrCat(path, ":", line, ": ",
                                                 ColumnName(HeaderOf(raw), line, field), ": ",
                                                 utf8.status().message()));
}

absl::StatusOr<CsvTable> CsvTable::Open(const std::string& path,
                                        std::vector<std::string> columns,
                                        std::vector<std::string> optional,
                                        const CsvFileOptions& file) {
  ASSIGN_OR_RETURN(RegularFile f, RegularFile::Open(path, file.max_bytes));
  std::optional<CsvReader> reader;
  if (IsUtf8Encoding(file.encoding)) {
    const int fd = ::dup(f.fd());
    FILE* fp = fd < 0 ? nullptr : ::fdopen(fd, "rb");
    if (fp == nullptr) {
      if (fd >= 0) ::close(fd);
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
    }
    reader = CsvReader::FromFile(fp, path, f.size());
  } else {
    std::string raw;
    RETURN_IF_ERROR(f.ReadAll(&raw));
    ASSIGN_OR_RETURN(std::string utf8, TranscodeCsv(path, raw, file.encoding));
    reader = CsvReader::FromString(std::move(utf8), path);
  }
  return WithHeader(*std::move(reader), path, columns, optional, file);
}

absl::StatusOr<CsvTable> CsvTable::FromText(std::string raw, const std::string& name,
                                            std::vector<std::string> columns,
                                            std::vector<std::string> optional,
                                            const CsvFileOptions& file) {
  if (raw.size() > file.max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat(
        name, ": ", raw.size(), " bytes, more than the limit of ", file.max_bytes, " bytes"));
  }
  if (!IsUtf8Encoding(file.encoding)) {
    ASSIGN_OR_RETURN(raw, TranscodeCsv(name, raw, file.encoding));
  }
  return WithHeader(CsvReader::FromString(std::move(raw), name), name, columns, optional, file);
}

absl::StatusOr<CsvTable> CsvTable::WithHeader(CsvReader reader, const std::string& name,
                                              const std::vector<std::string>& columns,
                                              const std::vector<std::string>& optional,
                                              const CsvFileOptions& file) {
  reader.SetLimits(file.max_field_bytes, file.max_fields);
  CsvTable t(std::move(reader));
  t.check_utf8_ = IsUtf8Encoding(file.encoding);
  std::vector<std::string> header;
  if (!t.reader_.Next(header)) {
    if (!t.reader_.status().ok()) return t.reader_.status();
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": empty file, expected a header"));
  }
  t.header_ = header;
  if (t.check_utf8_) RETURN_IF_ERROR(t.CheckUtf8(header));
  t.width_ = header.size();
  ASSIGN_OR_RETURN(t.index_, MapHeader(name, header, columns, optional));
  return t;
}

absl::Status CsvTable::CheckUtf8(const std::vector<std::string>& fields) const {
  for (size_t k = 0; k < fields.size(); ++k) {
    const size_t bad = FindInvalidUtf8(fields[k]);
    if (bad == kAllValidUtf8) continue;
    return absl::InvalidArgumentError(absl::StrCat(
        reader_.name(), ":", reader_.line(), ": ", ColumnName(header_, reader_.line(), k),
        ": not valid UTF-8 (bytes ", HexBytes(fields[k], bad), ")", kEncodingHint));
  }
  return absl::OkStatus();
}

bool CsvTable::Next() {
  if (!status_.ok() || !reader_.Next(row_)) return false;
  if (check_utf8_) {
    status_ = CheckUtf8(row_);
    if (!status_.ok()) return false;
  }
  if (row_.size() < width_) {
    // Trailing empty fields are often dropped by hand-edited files: pad them,
    // but a row that misses a column named by the header is reported.
    for (int c : index_) {
      if (c >= 0 && static_cast<size_t>(c) >= row_.size()) {
        status_ = absl::InvalidArgumentError(
            absl::StrCat(reader_.name(), ":", reader_.line(), ": expected ",
                         width_, " fields, got ", row_.size()));
        return false;
      }
    }
  }
  return true;
}

absl::StatusOr<CsvWriter> CsvWriter::Open(const std::string& path) {
  CsvWriter w;
  if (path == "-") {
    w.file_ = stdout;
  } else {
    w.file_ = std::fopen(path.c_str(), "wb");
    if (w.file_ == nullptr) {
      return absl::PermissionDeniedError(
          absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
    }
    w.owns_file_ = true;
  }
  return w;
}

CsvWriter::CsvWriter(CsvWriter&& o) noexcept { *this = std::move(o); }
CsvWriter& CsvWriter::operator=(CsvWriter&& o) noexcept {
  if (this != &o) {
    if (owns_file_ && file_) std::fclose(file_);
    file_ = std::exchange(o.file_, nullptr);
    owns_file_ = std::exchange(o.owns_file_, false);
    first_field_ = o.first_field_;
  }
  return *this;
}
CsvWriter::~CsvWriter() {
  if (owns_file_ && file_) std::fclose(file_);
}

void CsvWriter::Field(absl::string_view v) {
  if (!first_field_) std::fputc(',', file_);
  first_field_ = false;
  if (v.find_first_of(",\"\r\n") == absl::string_view::npos) {
    std::fwrite(v.data(), 1, v.size(), file_);
    return;
  }
  std::fputc('"', file_);
  for (char c : v) {
    if (c == '"') std::fputc('"', file_);
    std::fputc(c, file_);
  }
  std::fputc('"', file_);
}

void CsvWriter::EndRecord() {
  std::fputc('\n', file_);
  first_field_ = true;
}

void CsvWriter::Write(const std::vector<std::string>& fields) {
  for (const auto& f : fields) Field(f);
  EndRecord();
}

absl::Status CsvWriter::Close() {
  if (file_ == nullptr) return absl::OkStatus();
  bool bad = std::fflush(file_) != 0 || std::ferror(file_);
  if (owns_file_) bad = (std::fclose(file_) != 0) || bad;
  file_ = nullptr;
  if (bad) return absl::DataLossError("write failed (disk full?)");
  return absl::OkStatus();
}

}  // namespace gridroute
