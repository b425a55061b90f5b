// Copyright 2026 gridroute authors.
#include "model/csv_chunks.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "common/text_encoding.h"

namespace gridroute {
namespace {
constexpr int kMaxChunks = 8;
// Files smaller than this are not cut: threads would cost more than they save.
constexpr size_t kMinChunkBytes = 1 << 20;
// CsvReader's field limit, so both reject the same fields alike (the records'
// byte and field-count limits of CsvReaderOptions are not applied here: the
// file is in memory already, a record costs no copy).
// The bytes that end a plain field or need the general path.
struct SpecialBytes {
  bool bit[256] = {};
  constexpr SpecialBytes() {
    bit[','] = bit['\n'] = bit['\r'] = bit['"'] = true;
  }
};
constexpr SpecialBytes kSpecial;
}  // namespace

absl::string_view CsvChunks::Row::Keep(size_t i) {
  const int c = (*index_)[i];
  if (c < 0 || static_cast<size_t>(c) >= n_) return absl::string_view();
  if (!in_scratch_[c]) return fields_[c];
  kept_->push_back(scratch_[c]);
  return kept_->back();
}

CsvChunks::CsvChunks(CsvChunks&& o) noexcept { *this = std::move(o); }

CsvChunks& CsvChunks::operator=(CsvChunks&& o) noexcept {
  if (this != &o) {
    Unmap();
    name_ = std::move(o.name_);
    text_ = std::move(o.text_);
    size_ = std::exchange(o.size_, 0);
    data_ = text_.data();
    o.data_ = nullptr;
    index_ = std::move(o.index_);
    width_ = o.width_;
    max_field_bytes_ = o.max_field_bytes_;
    max_fields_ = o.max_fields_;
    cuts_ = std::move(o.cuts_);
    for (int i = 0; i < kMaxChunks; ++i) kept_[i] = std::move(o.kept_[i]);
  }
  return *this;
}

CsvChunks::~CsvChunks() { Unmap(); }

void CsvChunks::Unmap() {
  text_ = std::string();
  data_ = nullptr;
  size_ = 0;
  cuts_.clear();
  for (auto& k : kept_) k.clear();
}

bool CsvChunks::NextRecord(size_t* pos, size_t limit, int64_t* line, Row& row,
                           absl::Status* error) const {
  const char* d = data_;
  const size_t end = size_;
  size_t p = *pos;
  // Blank lines (and stray '\r') between records are skipped.
  while (p < limit && (d[p] == '\n' || d[p] == '\r')) {
    if (d[p] == '\n') ++*line;
    ++p;
  }
  if (p >= limit) {
    *pos = p;
    return false;
  }
  const int64_t record_line = *line;
  size_t n = 0;
  bool more = true;
  while (more) {
    if (n == row.fields_.size()) {
      row.fields_.emplace_back();
      row.scratch_.emplace_back();
      row.in_scratch_.push_back(false);
    }
    const size_t f = p;
    while (p < end && !kSpecial.bit[static_cast<unsigned char>(d[p])]) ++p;
    if (p < end && (d[p] == '\r' || d[p] == '"')) {
      // The general case, exactly as CsvReader::Next: quotes open only at the
      // start of a field, "" is a quote inside one, '\r' outside quotes is
      // dropped.
      std::string& s = row.scratch_[n];
      s.clear();
      bool in_quotes = false, quoted = false;
      int64_t quote_line = 0;
      p = f;
      for (;;) {
        // As CsvReader: this bounds a quote that is never closed.
        if (s.size() > max_field_bytes_) {
          *error = CsvFieldTooLong(name_, record_line, n, max_field_bytes_,
                                   in_quotes ? quote_line : 0);
          *pos = p;
          return false;
        }
        if (p == end) {
          if (in_quotes) {
            *error = CsvUnterminatedQuote(name_, quote_line, record_line);
            *pos = p;
            return false;
          }
          more = false;
          break;
        }
        const char c = d[p];
        if (in_quotes) {
          if (c == '"') {
            if (p + 1 < end && d[p + 1] == '"') {
              s.push_back('"');
              p += 2;
            } else {
              in_quotes = false;
              ++p;
            }
          } else {
            if (c == '\n') ++*line;
            s.push_back(c);
            ++p;
          }
          if (s.size() > max_field_bytes_) break;  // reported below
          continue;
        }
        if (c == ',') {
          ++p;
          break;
        }
        if (c == '\n') {
          ++p;
          ++*line;
          more = false;
          break;
        }
        if (c == '\r') {
          ++p;
          continue;
        }
        if (c == '"' && s.empty() && !quoted) {
          in_quotes = quoted = true;
          quote_line = *line;
          ++p;
          continue;
        }
        s.push_back(c);
        ++p;
        if (s.size() > max_field_bytes_) break;  // reported below
      }
      if (s.size() > max_field_bytes_) {
        *error = CsvFieldTooLong(name_, record_line, n, max_field_bytes_,
                                 in_quotes ? quote_line : 0);
        *pos = p;
        return false;
      }
      row.fields_[n] = s;
      row.in_scratch_[n] = true;
    } else {
      if (p - f > max_field_bytes_) {
        *error = CsvFieldTooLong(name_, record_line, n, max_field_bytes_, 0);
        *pos = p;
        return false;
      }
      row.fields_[n] = absl::string_view(d + f, p - f);
      row.in_scratch_[n] = false;
      if (p == end) {
        more = false;
      } else if (d[p] == '\n') {
        ++p;
        ++*line;
        more = false;
      } else {
        ++p;  // ','
      }
    }
    ++n;
    if (more && n >= max_fields_) {
      *error = absl::InvalidArgumentError(
          absl::StrCat(name_, ":", record_line, ": more than ", max_fields_, " fields"));
      *pos = p;
      return false;
    }
  }
  *pos = p;
  row.n_ = n;
  row.line_ = record_line;
  // scratch_ may have grown (moving short strings): re-point its views.
  for (size_t k = 0; k < n; ++k) {
    if (row.in_scratch_[k]) row.fields_[k] = row.scratch_[k];
  }
  if (n < width_) {
    for (int c : index_) {
      if (c >= 0 && static_cast<size_t>(c) >= n) {
        *error = absl::InvalidArgumentError(
            absl::StrCat(name_, ":", record_line, ": expected ", width_,
                         " fields, got ", n));
        return false;
      }
    }
  }
  return true;
}

absl::Status CsvChunks::Map(const std::string& path, const std::vector<std::string>& columns,
                            const std::vector<std::string>& optional,
                            const CsvFileOptions& file) {
  ASSIGN_OR_RETURN(RegularFile f, RegularFile::Open(path, file.max_bytes));
  if (!IsUtf8Encoding(file.encoding)) {
    std::string raw;
    RETURN_IF_ERROR(f.ReadAll(&raw));
    ASSIGN_OR_RETURN(text_, TranscodeCsv(path, raw, file.encoding));
    data_ = text_.data();
    size_ = text_.size();
    return absl::OkStatus();
  }
  // Read, not mapped: a mapped file truncated during the parse raised
  // SIGBUS and killed the server; read, a truncation is ReadAll's DataLoss
  // ("the file shrank while it was being read") and the old snapshot keeps
  // serving. Cost on the 200k-grid city (teams 17 MB + components 26 MB,
  // `gridroute locate --pack` of a header-only CSV, interleaved runs on a
  // loaded machine): wall 4.3-5.5 s both ways, CPU user+sys 1.6-1.7 s both
  // ways; peak RSS +15-25 MB (an anonymous copy instead of page-cache pages).
  RETURN_IF_ERROR(f.ReadAll(&text_));
  data_ = text_.data();
  size_ = text_.size();
  // Every byte is checked (simdjson: several GB/s); the sequential reader
  // words the error, naming the line and column, as it would have.
  if (!simdjson::validate_utf8(data_, size_)) {
    Unmap();
    ASSIGN_OR_RETURN(CsvTable t, CsvTable::Open(path, columns, optional, file));
    while (t.Next()) {
    }
    if (!t.status().ok()) return t.status();
    return absl::InvalidArgumentError(absl::StrCat(path, ": not valid UTF-8"));
  }
  return absl::OkStatus();
}

absl::StatusOr<CsvChunks> CsvChunks::Open(const std::string& path,
                                          std::vector<std::string> columns,
                                          int threads,
                                          std::vector<std::string> optional,
                                          const CsvFileOptions& file) {
  CsvChunks t;
  t.name_ = path;
  t.max_field_bytes_ = file.max_field_bytes;
  t.max_fields_ = file.max_fields;
  RETURN_IF_ERROR(t.Map(path, columns, optional, file));

  // The header: the first record.
  Row header;
  std::vector<int> none;
  header.index_ = &none;
  size_t pos = 0;
  int64_t line = 1;
  absl::Status error;
  if (!t.NextRecord(&pos, t.size_, &line, header, &error)) {
    if (!error.ok()) return error;
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": empty file, expected a header"));
  }
  std::vector<std::string> names(header.fields_.begin(),
                                 header.fields_.begin() + header.n_);
  t.width_ = names.size();
  ASSIGN_OR_RETURN(t.index_, MapHeader(path, names, columns, optional));

  // Cut the records after the header into chunks of about equal bytes.
  t.cuts_.push_back(Cut{pos, line});
  const size_t body = t.size_ - pos;
  const int chunks = static_cast<int>(std::clamp<size_t>(
      body / kMinChunkBytes, 1,
      static_cast<size_t>(std::clamp(threads, 1, kMaxChunks))));
  const bool quotes =
      chunks > 1 && std::memchr(t.data_ + pos, '"', body) != nullptr;
  Row scan;
  scan.index_ = &t.index_;
  for (int k = 1; k < chunks; ++k) {
    const size_t target = t.cuts_[0].offset + body / chunks * k;
    Cut c = t.cuts_.back();
    if (target <= c.offset) continue;
    if (!quotes) {
      // Every newline ends a record (or a blank line).
      const void* nl = std::memchr(t.data_ + target, '\n', t.size_ - target);
      const size_t cut =
          nl == nullptr
              ? t.size_
              : static_cast<size_t>(static_cast<const char*>(nl) - t.data_) + 1;
      c.line += std::count(t.data_ + c.offset, t.data_ + cut, '\n');
      c.offset = cut;
    } else {
      // Quotes may hide newlines: walk whole records up to the target.
      bool ok = true;
      while (c.offset < target &&
             (ok = t.NextRecord(&c.offset, t.size_, &c.line, scan, &error))) {
      }
      if (!ok)
        break;  // the rest stays one chunk; its ForEach reports the error
    }
    if (c.offset >= t.size_) break;
    t.cuts_.push_back(c);
  }
  t.cuts_.push_back(Cut{t.size_, 0});
  return t;
}

size_t CsvChunks::CountLines(int c) const {
  return static_cast<size_t>(std::count(data_ + cuts_[c].offset,
                                        data_ + cuts_[c + 1].offset, '\n')) +
         1;
}

absl::Status CsvChunks::ForEach(int c, const std::function<bool(Row&)>& fn) {
  Row row;
  row.index_ = &index_;
  row.kept_ = &kept_[c];
  size_t pos = cuts_[c].offset;
  int64_t line = cuts_[c].line;
  const size_t limit = cuts_[c + 1].offset;
  absl::Status error;
  while (pos < limit) {
    if (!NextRecord(&pos, limit, &line, row, &error)) break;
    if (!fn(row)) break;
  }
  return error;
}

absl::Status CsvChunks::ParallelForEach(
    const std::function<bool(int, Row&)>& fn) {
  const int n = num_chunks();
  std::vector<absl::Status> status(n);
  std::vector<std::thread> workers;
  for (int c = 1; c < n; ++c) {
    workers.emplace_back([&, c] {
      status[c] = ForEach(c, [&](Row& row) { return fn(c, row); });
    });
  }
  status[0] = ForEach(0, [&](Row& row) { return fn(0, row); });
  for (std::thread& w : workers) w.join();
  for (const absl::Status& s : status) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

void ParallelRanges(size_t n, int threads,
                    const std::function<void(size_t, size_t)>& fn) {
  const size_t t = std::clamp<size_t>(static_cast<size_t>(std::max(threads, 1)),
                                      1, std::max<size_t>(n / 4096, 1));
  std::vector<std::thread> workers;
  for (size_t k = 1; k < t; ++k) {
    workers.emplace_back([&, k] { fn(n * k / t, n * (k + 1) / t); });
  }
  fn(0, n / t);
  for (std::thread& w : workers) w.join();
}

absl::Status SequentialReadErrors(const absl::Status& read,
                                  const ErrorList& errors,
                                  const std::string& path,
                                  absl::string_view loader) {
  if (!read.ok()) return read;
  if (errors.empty()) {
    return absl::InternalError(
        absl::StrCat(path,
                     ": the parallel read failed but a sequential "
                     "one found no error (a bug in ",
                     loader, ")"));
  }
  return absl::InvalidArgumentError(errors.Lines());
}

}  // namespace gridroute
