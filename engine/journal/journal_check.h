// Copyright 2026 gridroute authors.
//
// Inspecting and repairing a journal directory that Journal::Open refuses
// (engine/journal/JOURNAL.md, "Damage: check and repair"). The core of
// `gridroute journal check|repair`.
//
// Example (compiled and run by tests/docs/header_examples_test.cc):
// clang-format off
//   ASSIGN_OR_RETURN(JournalCheckReport r, CheckJournal(dir));
//   if (r.damage) std::cout << FormatJournalCheck(r, 50);  // where, what, what follows
//   ASSIGN_OR_RETURN(JournalRepairReport rr, RepairJournal(dir));
//   // rr.after.damage is empty: Journal::Open now starts; rr.backup_dir
//   // holds every byte that was cut.
// clang-format on
//
// CheckJournal reads exactly what Journal::Open reads (the same code: the
// newest snapshot, then the live segments in seq order) and stops at the
// first damage Open would see, so "clean" here means Open replays without
// complaint. It never changes the directory. RepairJournal keeps every record
// before that damage and moves everything from it on into a backup
// directory, so nothing is destroyed.
//
// Thread-safety: free functions; run one repair per directory at a time (it
// takes the journal's LOCK, so it also refuses while a server holds it).
// Cost: one sequential read of the snapshot and the segments (CRC32C of every
// byte); from the damage on, a resync that tries every byte offset (a few
// comparisons each; a CRC only where the tag and seq are plausible). Memory:
// a 4 MiB read buffer plus one record (at most 16 MiB), and up to
// max_listed_records descriptions.
#ifndef GRIDROUTE_JOURNAL_JOURNAL_CHECK_H_
#define GRIDROUTE_JOURNAL_JOURNAL_CHECK_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace gridroute {

// What is wrong at the first damage.
enum class JournalDamageKind {
  kBadChecksum,     // a whole record whose CRC32C does not match
  kTornTail,        // the file ends inside a record (header or payload cut)
  kBadLength,       // the length field is wrong: it runs past the end of the
                    // file, or an intact record starts where the length says
                    // the damaged one still goes on
  kBadTag,          // the first byte of a header is no record tag (garbage,
                    // zeros, a flipped tag byte)
  kBadSeq,          // an intact record with the wrong seq (or a snapshot
                    // trailer inside a segment)
  kMissingRecords,  // a seq gap: a segment (or the records between the
                    // snapshot and the first segment) is missing
  kBadSnapshot,     // the newest snapshot is damaged (any of the above inside
                    // it, a missing or wrong trailer, a bad file name)
};
// "checksum mismatch", "torn tail", "bad length", "bad tag", "wrong seq",
// "missing records", "damaged snapshot".
const char* JournalDamageKindName(JournalDamageKind kind);

struct JournalDamage {
  JournalDamageKind kind = JournalDamageKind::kBadChecksum;
  std::string file;         // path of the damaged file
  uint64_t offset = 0;      // where the damage starts: the end of the last
                            // intact record in `file` (0 for a missing segment)
  uint64_t file_bytes = 0;  // size of `file`
  uint64_t seq = 0;         // the seq the damaged record should carry (the
                            // first missing one for kMissingRecords; the
                            // record index inside a snapshot)
  std::string what;         // e.g. "checksum mismatch", "bad length: ..."
  // True if Journal::Open drops this damage itself: it lies in the last
  // commit group of the last segment (a torn write, never acknowledged), so
  // the server starts without a repair.
  bool dropped_by_open = false;
  std::string message;  // Journal::Open's DataLoss message for it
};

struct JournalSegmentInfo {
  std::string file;
  uint64_t first_seq = 0;
  uint64_t bytes = 0;       // file size
  uint64_t records = 0;     // intact records read before any damage
  uint64_t good_bytes = 0;  // end of the last of them (== bytes if intact)
  bool read = false;        // false: after the damage, not read by Open
};

// A byte range the damage makes unreachable, and what a resync found in it.
struct JournalLostSpan {
  std::string file;
  uint64_t begin = 0, end = 0;           // [begin, end) of `file`
  bool whole_file = false;               // every byte: repair moves the file
  uint64_t intact_records = 0;           // intact records found in the range
  uint64_t intact_bytes = 0;             // their bytes (the rest is unreadable)
  uint64_t first_seq = 0, last_seq = 0;  // of those records; 0: none
};

struct JournalLostRecord {
  uint64_t seq = 0;
  std::string file;
  uint64_t offset = 0;
  uint64_t bytes = 0;       // header + payload
  std::string description;  // JournalCheckOptions::describe, else empty
};

struct JournalCheckReport {
  std::string dir;
  bool in_use = false;  // a Journal (a running server) holds the directory:
                        // its last segment may be growing during the check
  // The newest snapshot, if any.
  std::string snapshot;  // path; empty: none
  uint64_t snapshot_records = 0;
  uint64_t coverage = 1;  // the snapshot replaces every record below it
  std::vector<std::string> covered_segments;  // Open deletes them
  std::vector<std::string> leftovers;         // *.tmp files Open deletes
  std::vector<JournalSegmentInfo> segments;   // the live ones, in seq order
  // What Open replays before the damage (all of it if clean).
  uint64_t records = 0;   // snapshot + log records >= coverage
  uint64_t next_seq = 1;  // the seq the next append would get
  // The last intact log record before the damage (seq 0: none).
  uint64_t last_good_seq = 0;
  std::string last_good_file;
  uint64_t last_good_end = 0;  // its end offset in last_good_file

  std::optional<JournalDamage> damage;  // the first one; empty: clean
  // From the damage on: every byte range repair would cut, the intact
  // records a resync finds in them (up to max_listed_records listed, all
  // counted) and their seq range.
  std::vector<JournalLostSpan> lost;
  std::vector<JournalLostRecord> lost_records;
  uint64_t lost_bytes = 0;
  uint64_t lost_intact_records = 0;
  uint64_t lost_first_seq = 0, lost_last_seq = 0;  // seq range dropped
  // Non-empty: the resync gave up in some span (bytes crafted to look like
  // headers, IntactRecordFinder's checksum budget); those spans still
  // cover every byte, their record counts are partial.
  std::string resync_note;

  bool clean() const { return !damage.has_value(); }
};

struct JournalCheckOptions {
  // Describes an intact record found after the damage (the CLI decodes a
  // case record: "new case 320501-20260417-000001 ..."). Null: no
  // descriptions. Must not throw; the view is valid only during the call.
  std::function<std::string(uint64_t seq, std::string_view payload)> describe;
  // At most this many JournalLostRecord entries are kept (counts and spans
  // always cover every record).
  size_t max_listed_records = 10000;
};

// Reads `dir` without changing it. Errors: NotFound if `dir` is not a
// directory; DataLoss / FailedPrecondition if a file cannot be read (the
// damage itself is not an error: it is in the report).
absl::StatusOr<JournalCheckReport> CheckJournal(
    const std::string& dir, const JournalCheckOptions& options = {});

struct JournalRepairOptions {
  JournalCheckOptions check;
  // Name of the backup directory made inside `dir`; empty:
  // "damaged-<UTC YYYYMMDDTHHMMSSZ>" (with "-2", "-3"... if it exists).
  std::string backup_name;
};

struct JournalRepairReport {
  JournalCheckReport before;
  bool repaired = false;   // false: `before` was clean, nothing changed
  std::string backup_dir;  // holds every byte that was cut, and REPAIR.txt
  // The damaged segment, cut at the damage: a full copy of the original is
  // in backup_dir under the same name. Empty if none was cut.
  std::string truncated_file;
  uint64_t truncated_from = 0, truncated_to = 0;
  std::vector<std::string> moved;  // whole segments moved into backup_dir
  JournalCheckReport after;        // the directory after the repair (clean)
};

// --truncate-after-damage: keeps every record before the first damage and
// cuts the rest. Steps (each safe to interrupt; run it again after a crash):
// make backup_dir; copy the damaged segment there whole (or move it, if the
// damage is at its first byte); move every later segment there; write
// REPAIR.txt (FormatJournalRepair); fsync; truncate the damaged segment at
// the damage; fsync the directory; check again.
// Errors: FailedPrecondition if the directory is in use (stop the server
// first) or the damage is in the snapshot (truncation cannot repair it:
// restore from a backup); DataLoss/Unavailable on I/O errors; Internal if the
// directory is not clean afterwards.
absl::StatusOr<JournalRepairReport> RepairJournal(
    const std::string& dir, const JournalRepairOptions& options = {});

// Human-readable reports (the CLI prints them; REPAIR.txt holds the
// repair's). At most `max_list` lost records are listed one per line.
std::string FormatJournalCheck(const JournalCheckReport& report,
                               size_t max_list);
std::string FormatJournalRepair(const JournalRepairReport& report,
                                size_t max_list);

}  // namespace gridroute

#endif  // GRIDROUTE_JOURNAL_JOURNAL_CHECK_H_
