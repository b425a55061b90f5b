// Copyright 2026 gridroute authors.
//
// The input and output rules shared by the streaming CSV commands (`gridroute
// locate` and `gridroute route`):
//
//   ASSIGN_OR_RETURN(CommandInput in, OpenCommandInput(options.in));   // header read
//   ... check in.header names the columns you need ...
//   ASSIGN_OR_RETURN(CsvWriter out, OpenCommandOutput(options.in, options.out));
//
// The output is opened (and so truncated) only after the input opened and its
// header was checked, and never when it is the input itself.
#ifndef GRIDROUTE_TOOLS_CLI_COMMAND_IO_H_
#define GRIDROUTE_TOOLS_CLI_COMMAND_IO_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/csv.h"

namespace gridroute {

// The reading rules of the commands' input: a UTF-8 byte order mark is
// dropped; "\n", "\r\n" and a lone "\r" each end a line; an unclosed quote is
// an error naming the line it opened on; a field is at most 1 MiB, a record
// at most 16 MiB and 10,000 fields (CsvReaderOptions).
CsvReaderOptions CommandCsvOptions();

struct CommandInput {
  CsvReader reader;
  std::vector<std::string> header;
};

// Opens `path` ("-": standard input) with CommandCsvOptions() and reads its
// header. Errors: NotFound (cannot open), InvalidArgument (empty input, or
// the header cannot be read).
absl::StatusOr<CommandInput> OpenCommandInput(const std::string& path);

// InvalidArgument if `out` names the same file as `in`: the same device and
// inode, so another spelling, a symlink or a hard link is caught, and "-" is
// compared as standard input/output (`--in x --out - >>x`). Only regular
// files are compared; an `out` that does not exist yet is never the input.
absl::Status CheckOutputIsNotInput(const std::string& in, const std::string& out);

// CheckOutputIsNotInput, then CsvWriter::Open(out).
absl::StatusOr<CsvWriter> OpenCommandOutput(const std::string& in, const std::string& out);

// True if `row` has a non-empty field at or beyond `width` (the header's
// field count): a row the header does not describe (typically an unquoted
// comma). Empty trailing fields (a trailing comma) do not count.
bool HasExtraFields(const std::vector<std::string>& row, size_t width);
// The error of such a row: "row has N fields but the header names W (an
// unquoted comma?); the extra fields follow the error column". The commands
// write those fields after their last column, so none is lost.
std::string ExtraFieldsError(size_t fields, size_t width);

}  // namespace gridroute

#endif  // GRIDROUTE_TOOLS_CLI_COMMAND_IO_H_
