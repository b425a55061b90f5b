// Copyright 2026 gridroute authors.
//
// A whole CSV file read into memory and cut into a few chunks of whole
// records, so that big pack files (components.csv, teams.csv: millions of
// rows) parse on several threads. Same dialect, header handling and messages
// as common/csv.h's CsvTable (RFC 4180 quotes, '\r' dropped outside quotes,
// blank lines skipped, a UTF-8 BOM on the header ignored, short rows an error
// naming their line), which stays the reference: tests/model/csv_chunks_test
// compares the two on generated inputs.
//
//   ASSIGN_OR_RETURN(CsvChunks f, CsvChunks::Open(path, {"code", "name"}, 2));
//   absl::Status st = f.ParallelForEach([&](int chunk, CsvChunks::Row& row) {
//     Use(chunk, row.Get(0), row.line());
//     return true;  // false stops this chunk
//   });
//
// Only a regular file is read, within CsvFileOptions' limits (PACK.md
// "Limits"); every byte is checked to be UTF-8 (or the file is converted
// from CsvFileOptions::encoding into memory first), and fields longer than
// the limit are errors, all with CsvTable's messages.
//
// Cost: one read (pread; never mmap: a mapped file truncated during the
// parse raised SIGBUS), one UTF-8 check (simdjson), one memchr over the
// file for '"' (a file without quotes is cut at newlines; one with quotes is
// scanned record by record up to each cut), then O(bytes / threads) parsing.
// Field views point into the buffer
// (or, for quoted fields and fields with '\r', into a per-row buffer).
//
// Thread-safety: ForEach() on different chunks may run concurrently.
#ifndef GRIDROUTE_MODEL_CSV_CHUNKS_H_
#define GRIDROUTE_MODEL_CSV_CHUNKS_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/csv.h"
#include "common/error_list.h"

namespace gridroute {

class CsvChunks {
 public:
  // One record; valid until the callback returns.
  class Row {
   public:
    // The value of columns[i] ("" for a missing optional column or field).
    absl::string_view Get(size_t i) const {
      const int c = (*index_)[i];
      return c < 0 || static_cast<size_t>(c) >= n_ ? absl::string_view()
                                                   : fields_[c];
    }
    // Like Get(), but the view stays valid as long as the CsvChunks object.
    absl::string_view Keep(size_t i);
    int64_t line() const { return line_; }

   private:
    friend class CsvChunks;
    const std::vector<int>* index_ = nullptr;
    std::vector<absl::string_view> fields_;
    std::vector<std::string> scratch_;  // unquoted / '\r'-stripped fields
    std::vector<bool> in_scratch_;
    std::deque<std::string>* kept_ = nullptr;
    size_t n_ = 0;
    int64_t line_ = 0;
  };

  // Opens and reads `path`, reads its header, and cuts the records into at
  // most `threads` chunks. Errors as CsvTable::Open (NotFound "cannot open
  // <path>: ...", "<path>: empty file, expected a header", "<path>:1: header
  // has no column '<col>' (got ...)").
  static absl::StatusOr<CsvChunks> Open(const std::string& path,
                                        std::vector<std::string> columns,
                                        int threads,
                                        std::vector<std::string> optional = {},
                                        const CsvFileOptions& file = {});
  CsvChunks(CsvChunks&&) noexcept;
  CsvChunks& operator=(CsvChunks&&) noexcept;
  ~CsvChunks();

  // Frees the file's bytes; views from Row::Get() and Row::Keep() die with it.
  void Close() { Unmap(); }

  int num_chunks() const { return static_cast<int>(cuts_.size()) - 1; }
  // Newlines in chunk `c`: an upper bound of its records (for reserve()).
  size_t CountLines(int c) const;
  const std::string& name() const { return name_; }

  // Calls fn(row) for each record of chunk `c` in file order until fn returns
  // false or the chunk ends. A malformed record (short row, unterminated
  // quote) ends the chunk with the message CsvTable gives.
  absl::Status ForEach(int c, const std::function<bool(Row&)>& fn);
  // ForEach on every chunk, chunk c on thread c; fn(c, row). Returns the
  // error of the earliest chunk that had one.
  absl::Status ParallelForEach(const std::function<bool(int, Row&)>& fn);

 private:
  CsvChunks() = default;
  struct Cut {
    size_t offset;
    int64_t line;
  };
  // Parses the record starting at or after *pos (blank lines skipped) into
  // `row`; false if none starts before `limit` (or on an error: *error).
  bool NextRecord(size_t* pos, size_t limit, int64_t* line, Row& row,
                  absl::Status* error) const;
  // Reads (or converts) the file into data_/size_ and checks it is
  // UTF-8.
  absl::Status Map(const std::string& path, const std::vector<std::string>& columns,
                   const std::vector<std::string>& optional, const CsvFileOptions& file);
  void Unmap();

  std::string name_;
  const char* data_ = nullptr;
  size_t size_ = 0;
  std::string text_;  // the file's bytes (data_ points into it)
  std::vector<int> index_;
  size_t width_ = 0;
  size_t max_field_bytes_ = CsvReaderOptions().max_field_bytes;
  size_t max_fields_ = ~size_t{0};
  std::vector<Cut> cuts_;            // chunk c is [cuts_[c], cuts_[c + 1])
  std::deque<std::string> kept_[8];  // Row::Keep() copies, per chunk
};

// Calls fn(begin, end) on `threads` threads (the caller's one of them) for
// consecutive ranges covering [0, n).
void ParallelRanges(size_t n, int threads,
                    const std::function<void(size_t, size_t)>& fn);

// The outcome of the sequential re-read that words the errors of a failed
// parallel pass (Components::Load, Teams::Load): `read` if the re-read itself
// failed, else InvalidArgument listing `errors`, or Internal if it found none
// (then `loader`'s two passes disagree: a bug).
absl::Status SequentialReadErrors(const absl::Status& read,
                                  const ErrorList& errors,
                                  const std::string& path,
                                  absl::string_view loader);

}  // namespace gridroute

#endif  // GRIDROUTE_MODEL_CSV_CHUNKS_H_
