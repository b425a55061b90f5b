// Copyright 2026 gridroute authors.
//
// The read side of recovery, shared by Journal::Open (which replays, then
// truncates a torn tail or refuses) and CheckJournal/RepairJournal (which
// report and cut): the directory inventory, the newest snapshot and the live
// segments read in seq order up to the first damage, and what that damage
// is. One implementation, so `gridroute journal check` calls clean exactly
// what Open accepts.
// Internal to the journal; not a public interface.
#ifndef GRIDROUTE_JOURNAL_INTERNAL_SCAN_H_
#define GRIDROUTE_JOURNAL_INTERNAL_SCAN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "journal/internal/files.h"
#include "journal/internal/record.h"
#include "journal/journal.h"
#include "journal/journal_check.h"

namespace gridroute::journal_internal {

struct DirInventory {
  std::vector<uint64_t> segs;     // first seqs of the *.log files, ascending
  std::vector<uint64_t> snaps;    // coverages of the *.snap files, ascending
  std::vector<std::string> tmps;  // names of the *.tmp files
};

// Lists `dir`. DirError (FailedPrecondition/PermissionDenied) if it cannot.
absl::Status ListJournalDir(const std::string& dir, DirInventory* inv);

struct JournalScan {
  std::string snapshot_path;  // the newest snapshot; empty: none
  uint64_t snapshot_records = 0;
  uint64_t through = 1;           // its coverage (1: no snapshot)
  std::vector<uint64_t> covered;  // segments the snapshot covers (unread)
  // Every live segment in seq order; those after the damage have read ==
  // false (their size is still filled in).
  std::vector<JournalSegmentInfo> live;
  uint64_t end_seq = 1;   // one past the last intact log record read
  uint64_t replayed = 0;  // records given to `replay` (or that would be)
  std::optional<JournalDamage> damage;  // the first damage; empty: clean
};

// Reads the newest snapshot and the live segments of `dir` (inventory
// `inv`) in order, calling `replay` (if not null) for every intact record
// Open replays, and stops at the first damage, described in scan->damage
// (kind, file, offset, expected seq, whether Open drops it as a torn tail,
// and Open's DataLoss message). Returns non-OK only if `replay` fails (its
// code, "replay of seq N (<file>): ..." as Open reports it) or a file cannot
// be opened or read (DataLoss).
absl::Status ScanJournal(const std::string& dir, const DirInventory& inv,
                         const Journal::ReplayFn* replay, JournalScan* scan);

// CheckJournal without probing the LOCK (RepairJournal holds it itself).
absl::StatusOr<JournalCheckReport> CheckJournalDir(
    const std::string& dir, const JournalCheckOptions& options);

// The "from the damage on" part of FormatJournalCheck (also in
// FormatJournalRepair), after `heading`: the spans cut and up to `max_list`
// lost records.
void AppendLost(const JournalCheckReport& r, const std::string& heading,
                size_t max_list, std::string* out);

// The largest seq a genuine record can carry in `bytes` bytes that start
// with seq `first` (every record takes at least 16 bytes), saturating.
inline uint64_t MaxSeqIn(uint64_t first, uint64_t bytes) {
  const uint64_t span = bytes / kHeaderBytes + 1;
  return first > UINT64_MAX - span ? UINT64_MAX : first + span;
}

// Finds the intact records in [from, size) of an open file by trying every
// byte offset: a candidate needs a record tag, a seq in [min_seq, max_seq]
// and a length that fits before `size`, and then a matching CRC32C.
// `group_starts_only`: only kTagGroupStart records (Open's torn-tail rule).
// Memory: the 4 MiB read buffer plus one record. Time: a few comparisons per
// byte, plus a CRC over each plausible candidate; those CRCs may cover at
// most 4x the range plus 32 MiB (genuine records cover it once), so crafted
// bytes full of plausible headers cannot make it quadratic: past that, Next
// fails with ResourceExhausted (then Open refuses rather than guess, and a
// check reports a partial resync).
// REQUIRES: `path` outlives the finder.
class IntactRecordFinder {
 public:
  IntactRecordFinder(int fd, const std::string& path, uint64_t size,
                     uint64_t from, uint64_t min_seq, uint64_t max_seq,
                     bool group_starts_only = false);
  // The next intact record at or after the current position; *found false at
  // the end of the range. The record's payload is valid until the next call.
  absl::Status Next(bool* found, ParsedRecord* rec, uint64_t* offset);

 private:
  FileReader reader_;
  const std::string& path_;
  const uint64_t size_;
  const uint64_t min_seq_, max_seq_;
  const bool group_starts_only_;
  const uint64_t from_;
  uint64_t crc_budget_;  // payload bytes candidates may still checksum
  size_t skip_ = 0;  // bytes of the previous record, skipped on the next call
};

}  // namespace gridroute::journal_internal

#endif  // GRIDROUTE_JOURNAL_INTERNAL_SCAN_H_
