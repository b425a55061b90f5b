// Copyright 2026 gridroute authors.
//
// CheckJournal: the scan Journal::Open runs (internal/scan.h) without
// replay, then a resync over everything from the first damage on, and the
// text report. RepairJournal is in journal_repair.cc.
#include "journal/journal_check.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "journal/internal/files.h"
#include "journal/internal/scan.h"

namespace gridroute {

using journal_internal::DirInventory;
using journal_internal::IntactRecordFinder;
using journal_internal::JournalScan;
using journal_internal::OpenFile;
using journal_internal::OpenForRead;
using journal_internal::ParsedRecord;

const char* JournalDamageKindName(JournalDamageKind kind) {
  switch (kind) {
    case JournalDamageKind::kBadChecksum:
      return "checksum mismatch";
    case JournalDamageKind::kTornTail:
      return "torn tail";
    case JournalDamageKind::kBadLength:
      return "bad length";
    case JournalDamageKind::kBadTag:
      return "bad tag";
    case JournalDamageKind::kBadSeq:
      return "wrong seq";
    case JournalDamageKind::kMissingRecords:
      return "missing records";
    case JournalDamageKind::kBadSnapshot:
      return "damaged snapshot";
  }
  return "?";
}

namespace {

// True if a Journal holds `dir`/LOCK (its flock is exclusive, so a shared
// one fails). The probe holds nothing afterwards.
bool InUse(const std::string& dir) {
  const std::string path = absl::StrCat(dir, "/LOCK");
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool busy = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // releases the probe's lock, if it got one
  return busy;
}

std::string Base(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The scan's findings, in the report's terms.
void Summarize(const std::string& dir, const DirInventory& inv,
               const JournalScan& scan, JournalCheckReport* r) {
  r->snapshot = scan.snapshot_path;
  r->snapshot_records = scan.snapshot_records;
  r->coverage = inv.snaps.empty() ? 1 : inv.snaps.back();
  for (uint64_t s : scan.covered) {
    r->covered_segments.push_back(absl::StrCat(
        dir, "/", journal_internal::SeqName(s, journal_internal::kLogSuffix)));
  }
  for (const std::string& t : inv.tmps) {
    r->leftovers.push_back(absl::StrCat(dir, "/", t));
  }
  r->segments = scan.live;
  r->records = scan.replayed;
  r->next_seq = std::max(scan.through, scan.end_seq);
  for (const JournalSegmentInfo& s : scan.live) {
    if (!s.read || s.records == 0) continue;
    r->last_good_seq = s.first_seq + s.records - 1;
    r->last_good_file = s.file;
    r->last_good_end = s.good_bytes;
  }
  r->damage = scan.damage;
}

// Resyncs over [begin, size) of `file`, adding a span and its intact
// records (seq in [min_seq, max_seq]) to the report.
absl::Status AddLostSpan(const std::string& file, uint64_t begin,
                         uint64_t min_seq, uint64_t max_seq,
                         const JournalCheckOptions& options,
                         JournalCheckReport* r) {
  OpenFile f;
  RETURN_IF_ERROR(OpenForRead(file, &f));
  JournalLostSpan span;
  span.file = file;
  span.begin = std::min(begin, f.size);
  span.end = f.size;
  span.whole_file = span.begin == 0;
  IntactRecordFinder finder(f.fd, file, f.size, span.begin, min_seq, max_seq);
  while (true) {
    bool found = false;
    ParsedRecord rec;
    uint64_t at = 0;
    absl::Status st = finder.Next(&found, &rec, &at);
    if (absl::IsResourceExhausted(st)) {
      r->resync_note = std::string(st.message());
      break;  // the span still covers every byte; the counts are partial
    }
    RETURN_IF_ERROR(st);
    if (!found) break;
    ++span.intact_records;
    span.intact_bytes += rec.size;
    if (span.first_seq == 0) span.first_seq = rec.seq;
    span.last_seq = std::max(span.last_seq, rec.seq);
    r->lost_last_seq = std::max(r->lost_last_seq, rec.seq);
    if (r->lost_records.size() < options.max_listed_records) {
      JournalLostRecord lr;
      lr.seq = rec.seq;
      lr.file = file;
      lr.offset = at;
      lr.bytes = rec.size;
      if (options.describe)
        lr.description = options.describe(rec.seq, rec.payload);
      r->lost_records.push_back(std::move(lr));
    }
  }
  r->lost_bytes += span.end - span.begin;
  r->lost_intact_records += span.intact_records;
  r->lost.push_back(std::move(span));
  return absl::OkStatus();
}

// Everything from the damage on: the rest of the damaged segment and every
// later live segment. Nothing for a damaged snapshot (repair cannot cut it).
absl::Status FindLost(const JournalCheckOptions& options,
                      JournalCheckReport* r) {
  const JournalDamage& d = *r->damage;
  if (d.kind == JournalDamageKind::kBadSnapshot) return absl::OkStatus();
  r->lost_first_seq = d.seq;
  bool from_damage = false;
  for (const JournalSegmentInfo& s : r->segments) {
    if (s.file == d.file) from_damage = true;
    if (!from_damage) continue;
    const uint64_t begin = s.file == d.file ? d.offset : 0;
    const uint64_t max_seq =
        journal_internal::MaxSeqIn(std::max(d.seq, s.first_seq), s.bytes);
    RETURN_IF_ERROR(AddLostSpan(s.file, begin, d.seq, max_seq, options, r));
  }
  return absl::OkStatus();
}

}  // namespace

namespace journal_internal {

// CheckJournal without the LOCK probe (RepairJournal holds the lock itself).
absl::StatusOr<JournalCheckReport> CheckJournalDir(
    const std::string& dir, const JournalCheckOptions& options) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    return absl::NotFoundError(
        absl::StrCat("journal directory ", dir, ": ", std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::NotFoundError(
        absl::StrCat("journal directory ", dir, ": not a directory"));
  }
  JournalCheckReport r;
  r.dir = dir;
  DirInventory inv;
  RETURN_IF_ERROR(ListJournalDir(dir, &inv));
  JournalScan scan;
  RETURN_IF_ERROR(ScanJournal(dir, inv, nullptr, &scan));
  Summarize(dir, inv, scan, &r);
  if (r.damage) RETURN_IF_ERROR(FindLost(options, &r));
  return r;
}

}  // namespace journal_internal

absl::StatusOr<JournalCheckReport> CheckJournal(
    const std::string& dir, const JournalCheckOptions& options) {
  const bool in_use = InUse(dir);
  ASSIGN_OR_RETURN(JournalCheckReport r,
                   journal_internal::CheckJournalDir(dir, options));
  r.in_use = in_use;
  return r;
}

// ---------------------------------------------------------------- report

namespace {

void AppendSegments(const JournalCheckReport& r, std::string* out) {
  if (r.snapshot.empty()) {
    absl::StrAppend(out, "  no snapshot\n");
  } else if (r.damage && r.damage->kind == JournalDamageKind::kBadSnapshot) {
    absl::StrAppend(out, "  snapshot ", Base(r.snapshot),
                    ": DAMAGED (meant to replace every record below seq ",
                    r.coverage, ")\n");
  } else {
    absl::StrAppend(out, "  snapshot ", Base(r.snapshot), ": ",
                    r.snapshot_records, " records, replaces seq < ", r.coverage,
                    "\n");
  }
  for (const std::string& c : r.covered_segments) {
    absl::StrAppend(out, "  segment ", Base(c),
                    ": covered by the snapshot (deleted at the next start)\n");
  }
  for (const std::string& t : r.leftovers) {
    absl::StrAppend(out, "  ", Base(t),
                    ": unfinished snapshot (deleted at the next start)\n");
  }
  for (const JournalSegmentInfo& s : r.segments) {
    absl::StrAppend(out, "  segment ", Base(s.file), ": ");
    const bool damaged = r.damage && r.damage->file == s.file;
    if (!s.read) {
      absl::StrAppend(out, s.bytes, " bytes, not read (after the damage)\n");
      continue;
    }
    if (s.records > 0) {
      absl::StrAppend(out, s.records, " records (seq ", s.first_seq, "..",
                      s.first_seq + s.records - 1, ")");
    } else {
      absl::StrAppend(out, "no records");
    }
    if (damaged) {
      absl::StrAppend(out, " in the first ", s.good_bytes, " of ", s.bytes,
                      " bytes, then DAMAGE\n");
    } else {
      absl::StrAppend(out, ", ", s.bytes, " bytes\n");
    }
  }
}

}  // namespace

void journal_internal::AppendLost(const JournalCheckReport& r,
                                  const std::string& heading, size_t max_list,
                                  std::string* out) {
  absl::StrAppend(out, heading, ": ", r.lost_bytes,
                  " bytes holding the records from seq ", r.lost_first_seq,
                  " on; a resync finds ", r.lost_intact_records,
                  " intact record(s)");
  if (r.lost_intact_records > 0) {
    absl::StrAppend(out, " (seq up to ", r.lost_last_seq, ")");
  }
  absl::StrAppend(out, "\n");
  if (!r.resync_note.empty()) {
    absl::StrAppend(
        out, "  (the resync stopped early: ", r.resync_note,
        "; the counts below are partial, the byte ranges are not)\n");
  }
  for (const JournalLostSpan& s : r.lost) {
    absl::StrAppend(out, "  ", s.file,
                    s.whole_file ? " whole file, bytes [" : " bytes [", s.begin,
                    ", ", s.end, "): ", s.intact_records, " intact record(s)");
    if (s.intact_records > 0) {
      absl::StrAppend(out, " (seq ", s.first_seq, "..", s.last_seq, ")");
    }
    absl::StrAppend(out, ", ", s.end - s.begin - s.intact_bytes,
                    " byte(s) unreadable\n");
  }
  const size_t shown = std::min(max_list, r.lost_records.size());
  for (size_t i = 0; i < shown; ++i) {
    const JournalLostRecord& l = r.lost_records[i];
    absl::StrAppend(out, "  seq ", l.seq, " at ", Base(l.file), ":", l.offset,
                    " (", l.bytes, " bytes)", l.description.empty() ? "" : ": ",
                    l.description, "\n");
  }
  if (r.lost_intact_records > shown) {
    absl::StrAppend(out, "  ... and ", r.lost_intact_records - shown,
                    " more intact record(s)\n");
  }
}

std::string FormatJournalCheck(const JournalCheckReport& r, size_t max_list) {
  std::string out = absl::StrCat("journal ", r.dir, ": ");
  if (!r.damage) {
    absl::StrAppend(&out, "clean\n");
  } else if (r.damage->dropped_by_open) {
    absl::StrAppend(&out,
                    "torn tail only (the server drops it itself at start: it "
                    "was never acknowledged)\n");
  } else {
    absl::StrAppend(&out, "DAMAGED (the server refuses to start)\n");
  }
  if (r.in_use) {
    absl::StrAppend(&out, "  in use: a running journal holds ", r.dir,
                    "/LOCK, so its last segment may be growing\n");
  }
  AppendSegments(r, &out);
  absl::StrAppend(&out, "  records: ", r.records, " replayable",
                  r.damage ? " before the damage" : "", " (",
                  r.snapshot_records, " from the snapshot), next seq ",
                  r.next_seq, "\n");
  if (r.last_good_seq > 0) {
    absl::StrAppend(&out, "  last good record: seq ", r.last_good_seq,
                    ", ends at offset ", r.last_good_end, " of ",
                    r.last_good_file, "\n");
  }
  if (!r.damage) return out;
  const JournalDamage& d = *r.damage;
  absl::StrAppend(
      &out, "damage in ", d.file, " at offset ", d.offset, " of ", d.file_bytes,
      " bytes (",
      d.kind == JournalDamageKind::kBadSnapshot ? "record " : "seq ", d.seq,
      d.kind == JournalDamageKind::kMissingRecords ? " is the first missing"
                                                   : " expected there",
      "): ",
      d.kind == JournalDamageKind::kBadSnapshot ? "damaged snapshot: " : "",
      d.what, "\n");
  if (!d.dropped_by_open) {
    absl::StrAppend(&out, "  the server says: ", d.message, "\n");
  }
  if (d.kind == JournalDamageKind::kBadSnapshot) {
    absl::StrAppend(&out,
                    "a damaged snapshot cannot be cut away (the segments it "
                    "replaced are gone): restore ",
                    r.dir, " from a backup\n");
    return out;
  }
  journal_internal::AppendLost(
      r, "from the damage on (what `repair --truncate-after-damage` cuts)",
      max_list, &out);
  if (d.dropped_by_open) {
    absl::StrAppend(&out,
                    "no repair needed: the server drops it at start "
                    "(`gridroute journal repair` would cut the same bytes and "
                    "keep a copy)\n");
  } else {
    absl::StrAppend(&out,
                    "to start the server: stop it if it runs, then `gridroute "
                    "journal repair --dir ",
                    r.dir, " --truncate-after-damage`\n");
  }
  return out;
}

}  // namespace gridroute
