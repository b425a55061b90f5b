// Copyright 2026 gridroute authors.
//
// `gridroute journal check|repair`: the case journal's inspection and repair
// tool, a thin shell over engine/journal/journal_check.h that describes each
// dropped record as the case it touched.
//
//   gridroute journal check --dir /var/lib/gridroute/journal
//   gridroute journal repair --dir /var/lib/gridroute/journal --truncate-after-damage
//
// Exit codes. check: 0 clean; 1 damaged (gridroute-server refuses to start);
// 3 only a torn tail (the server drops it itself at start); 2 the directory
// cannot be read or a usage error. repair: 0 repaired, or clean (nothing to
// do); 1 not repaired (the directory is in use, the damage is in the
// snapshot, an I/O error) with the reason; 2 a usage error.
#ifndef GRIDROUTE_TOOLS_CLI_JOURNAL_COMMAND_H_
#define GRIDROUTE_TOOLS_CLI_JOURNAL_COMMAND_H_

#include <cstdio>
#include <string>
#include <string_view>

namespace gridroute {

struct JournalCommandOptions {
  std::string dir;                     // --dir, required
  bool truncate_after_damage = false;  // repair: the one repair mode; required
  int list = 50;                       // --list: lost records printed
};

// Runs `gridroute journal <sub>` ("check" or "repair"), writing the report
// to `out` and errors to `err`. Returns the exit code.
int RunJournalCommand(const std::string& sub, const JournalCommandOptions& options,
                      std::FILE* out, std::FILE* err);

// One line for a journal record of the case desk (engine/cases/case_record.h):
// "new case 320501-20260417-000001 (0102, grid 320501001001010, reported
// 2026-04-17T10:49:17+08:00)", "report 3 folded into <id>", "<id>:
// dispatched -> accepted by <actor>", ...; "not a case record: <why>" if it
// does not decode. Values are cut by Echo().
std::string DescribeCaseRecord(std::string_view payload);

}  // namespace gridroute

#endif  // GRIDROUTE_TOOLS_CLI_JOURNAL_COMMAND_H_
