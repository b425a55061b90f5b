// Copyright 2026 gridroute authors.
#include "cli/command_io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace gridroute {
namespace {

// stat of a path, or of standard input/output for "-". False if it cannot be
// stat'ed (e.g. does not exist yet).
bool StatOf(const std::string& path, int std_fd, struct stat* st) {
  if (path == "-") return ::fstat(std_fd, st) == 0;
  return ::stat(path.c_str(), st) == 0;
}

}  // namespace

CsvReaderOptions CommandCsvOptions() {
  CsvReaderOptions o;
  o.cr_ends_line = true;
  return o;
}

absl::StatusOr<CommandInput> OpenCommandInput(const std::string& path) {
  ASSIGN_OR_RETURN(CsvReader reader, CsvReader::Open(path, CommandCsvOptions()));
  CommandInput in{std::move(reader), {}};
  if (!in.reader.Next(in.header)) {
    RETURN_IF_ERROR(in.reader.status());
    return absl::InvalidArgumentError(absl::StrCat(path, ": empty, expected a header"));
  }
  return in;
}

absl::Status CheckOutputIsNotInput(const std::string& in, const std::string& out) {
  struct stat si, so;
  if (!StatOf(in, STDIN_FILENO, &si) || !StatOf(out, STDOUT_FILENO, &so)) {
    return absl::OkStatus();
  }
  if (!S_ISREG(si.st_mode) || !S_ISREG(so.st_mode)) return absl::OkStatus();
  if (si.st_dev != so.st_dev || si.st_ino != so.st_ino) return absl::OkStatus();
  const std::string out_name = out == "-" ? "standard output" : out;
  const std::string in_name = in == "-" ? "standard input" : in;
  return absl::InvalidArgumentError(absl::StrCat(
      "--out ", out_name, " is the same file as --in ", in_name,
      " (writing it would destroy the input while it is read); choose another --out"));
}

absl::StatusOr<CsvWriter> OpenCommandOutput(const std::string& in, const std::string& out) {
  RETURN_IF_ERROR(CheckOutputIsNotInput(in, out));
  return CsvWriter::Open(out);
}

bool HasExtraFields(const std::vector<std::string>& row, size_t width) {
  for (size_t i = width; i < row.size(); ++i) {
    if (!row[i].empty()) return true;
  }
  return false;
}

std::string ExtraFieldsError(size_t fields, size_t width) {
  return absl::StrCat("row has ", fields, " fields but the header names ", width,
                      " (an unquoted comma?); the extra fields follow the error column");
}

}  // namespace gridroute
