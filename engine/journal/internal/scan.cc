// Copyright 2026 gridroute authors.
#include "journal/internal/scan.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"

namespace gridroute::journal_internal {
namespace {

std::string PathOf(const std::string& dir, uint64_t seq, const char* suffix) {
  return absl::StrCat(dir, "/", SeqName(seq, suffix));
}

uint64_t SizeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// Reads up to 16 bytes at `at` (fewer at the end of the file).
std::string HeaderAt(int fd, uint64_t at, uint64_t size) {
  std::string h(
      static_cast<size_t>(std::min<uint64_t>(kHeaderBytes, size - at)), '\0');
  size_t got = 0;
  while (got < h.size()) {
    ssize_t n = ::pread(fd, h.data() + got, h.size() - got,
                        static_cast<off_t>(at + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  h.resize(got);
  return h;
}

// Says what is wrong with the bytes at `at` of a segment, where a record
// with seq `expected` should start: `pr` is how it parsed (kOk: it parsed
// but its seq `found_seq` or tag is wrong). A resync (the next intact record
// after `at`) tells a wrong length from a wrong checksum and a torn tail.
absl::Status Diagnose(const OpenFile& f, const std::string& path, uint64_t at,
                      ParseResult pr, uint8_t found_tag, uint64_t found_seq,
                      uint64_t expected, JournalDamageKind* kind,
                      std::string* what) {
  if (pr == ParseResult::kOk) {
    *kind = JournalDamageKind::kBadSeq;
    *what = absl::StrCat(
        "wrong seq: expected seq ", expected, ", found ", found_seq,
        found_tag == kTagSnapshotEnd ? " (a snapshot trailer)" : "");
    return absl::OkStatus();
  }
  const std::string h = HeaderAt(f.fd, at, f.size);
  const uint64_t left = f.size - at;
  if (pr == ParseResult::kBadTag) {
    *kind = JournalDamageKind::kBadTag;
    *what = absl::StrFormat("bad record tag 0x%02x",
                            static_cast<uint8_t>(h.size() > 3 ? h[3] : 0));
    return absl::OkStatus();
  }
  if (h.size() < kHeaderBytes) {
    *kind = JournalDamageKind::kTornTail;
    *what = absl::StrCat("torn tail: the file ends ", left,
                         " bytes into a record header");
    return absl::OkStatus();
  }
  const uint64_t len = GetU32(h.data()) & kMaxPayload;
  const uint64_t claimed_end = at + kHeaderBytes + len;
  IntactRecordFinder next(f.fd, path, f.size, at + 1, expected,
                          MaxSeqIn(expected, left));
  bool found = false;
  ParsedRecord rec;
  uint64_t q = 0;
  if (absl::Status s = next.Next(&found, &rec, &q); !s.ok()) {
    if (!absl::IsResourceExhausted(s)) return s;
    found = false;  // no resync: classify by the header alone
  }
  if (pr == ParseResult::kTruncated) {
    if (found) {
      *kind = JournalDamageKind::kBadLength;
      *what = absl::StrCat("bad length: the header says ", len,
                           " payload bytes, past the end of the file, but an "
                           "intact record (seq ",
                           rec.seq, ") starts at offset ", q);
    } else {
      *kind = JournalDamageKind::kTornTail;
      *what = absl::StrCat("torn tail: the file ends ", left, " bytes into a ",
                           kHeaderBytes + len, "-byte record");
    }
    return absl::OkStatus();
  }
  // A checksum mismatch. If an intact record starts inside the span the
  // length claims, or the very next record starts elsewhere than the length
  // says, the length is what is wrong.
  if (found &&
      (q < claimed_end || (q > claimed_end && rec.seq == expected + 1))) {
    *kind = JournalDamageKind::kBadLength;
    *what = absl::StrCat("bad length: the header says ", len,
                         " payload bytes, but the next intact record (seq ",
                         rec.seq, ") starts at offset ", q,
                         q < claimed_end ? ", inside that span" : "");
    return absl::OkStatus();
  }
  *kind = JournalDamageKind::kBadChecksum;
  *what = "checksum mismatch";
  return absl::OkStatus();
}

// Reads the snapshot at `path` (coverage `through`); a problem becomes
// scan->damage (kBadSnapshot).
absl::Status ScanSnapshot(const std::string& path, uint64_t through,
                          const Journal::ReplayFn* replay, JournalScan* scan) {
  OpenFile f;
  RETURN_IF_ERROR(OpenForRead(path, &f));
  FileReader r(f.fd, path, f.size);
  uint64_t count = 0;
  auto damage = [&](const std::string& what) {
    JournalDamage d;
    d.kind = JournalDamageKind::kBadSnapshot;
    d.file = path;
    d.offset = r.offset();
    d.file_bytes = f.size;
    d.seq = count;
    d.what = what;
    d.message =
        absl::StrCat("snapshot ", path, " at offset ", r.offset(), ": ", what);
    scan->damage = std::move(d);
    return absl::OkStatus();
  };
  while (true) {
    ParsedRecord rec;
    ParseResult pr;
    bool eof;
    RETURN_IF_ERROR(ReadNext(r, &rec, &pr, &eof));
    if (eof) return damage("trailer missing");
    if (pr != ParseResult::kOk) return damage(ParseResultName(pr));
    if (rec.tag == kTagSnapshotEnd) {
      if (rec.payload.size() != 16 || GetU64(rec.payload.data()) != count ||
          GetU64(rec.payload.data() + 8) != through ||
          r.offset() + rec.size != f.size) {
        return damage(absl::StrCat("trailer does not match (", count,
                                   " records, coverage ", through, ")"));
      }
      break;
    }
    if (rec.tag != kTagRecord || rec.seq != count) {
      return damage(absl::StrCat("expected snapshot record ", count, ", found ",
                                 rec.seq));
    }
    if (replay != nullptr) {
      absl::Status s = (*replay)(Journal::kSnapshotSeq, rec.payload);
      if (!s.ok()) {
        return absl::Status(
            s.code(), absl::StrCat("replay of snapshot record ", count, " of ",
                                   path, ": ", s.message()));
      }
    }
    ++count;
    r.Skip(rec.size);
  }
  scan->snapshot_records = count;
  scan->replayed += count;
  return absl::OkStatus();
}

// Reads segment `seg` (the last live one if `last`), replaying records with
// seq >= through; *end_seq is one past its last intact record. A problem
// becomes scan->damage.
absl::Status ScanSegment(JournalSegmentInfo& seg, bool last, uint64_t through,
                         const Journal::ReplayFn* replay, JournalScan* scan,
                         uint64_t* end_seq) {
  OpenFile f;
  RETURN_IF_ERROR(OpenForRead(seg.file, &f));
  seg.bytes = f.size;
  seg.read = true;
  FileReader r(f.fd, seg.file, f.size);
  uint64_t expected = seg.first_seq;
  bool bad = false;
  ParseResult bad_pr = ParseResult::kOk;
  ParsedRecord rec{};
  while (true) {
    ParseResult pr;
    bool eof;
    RETURN_IF_ERROR(ReadNext(r, &rec, &pr, &eof));
    if (eof) break;
    if (pr != ParseResult::kOk || rec.tag == kTagSnapshotEnd ||
        rec.seq != expected) {
      bad = true;
      bad_pr = pr;
      break;
    }
    if (rec.seq >= through) {
      if (replay != nullptr) {
        absl::Status s = (*replay)(rec.seq, rec.payload);
        if (!s.ok()) {
          return absl::Status(
              s.code(), absl::StrCat("replay of seq ", rec.seq, " (", seg.file,
                                     "): ", s.message()));
        }
      }
      ++scan->replayed;
    }
    ++expected;
    ++seg.records;
    r.Skip(rec.size);
  }
  seg.good_bytes = r.offset();
  *end_seq = expected;
  if (!bad) return absl::OkStatus();

  JournalDamage d;
  d.file = seg.file;
  d.offset = r.offset();
  d.file_bytes = f.size;
  d.seq = expected;
  RETURN_IF_ERROR(Diagnose(f, seg.file, d.offset, bad_pr, rec.tag, rec.seq,
                           expected, &d.kind, &d.what));
  const std::string where = absl::StrCat(seg.file, " at offset ", d.offset,
                                         " (seq ", expected, "): ", d.what);
  if (!last) {
    d.message =
        absl::StrCat("journal corrupt in ", where, " and later segments exist");
  } else {
    // Only the last commit group can be torn (a group is written only after
    // the previous one's fsync returned). An intact group start after the
    // damage means the damaged group was followed by another, so it was
    // acknowledged: data loss, not a torn tail.
    // A genuine later record has a seq below expected + (bytes left) / 16:
    // every record takes at least 16 bytes.
    IntactRecordFinder later(f.fd, seg.file, f.size, d.offset + 1, expected + 1,
                             MaxSeqIn(expected, f.size - d.offset),
                             /*group_starts_only=*/true);
    bool found = false;
    ParsedRecord g;
    uint64_t at = 0;
    absl::Status s = later.Next(&found, &g, &at);
    if (absl::IsResourceExhausted(s)) {
      // Cannot tell a torn tail from damage before a later group: refuse.
      d.message =
          absl::StrCat("journal corrupt in ", where, ", and ", s.message(),
                       ": acknowledged records may follow");
    } else if (!s.ok()) {
      return s;
    } else if (found) {
      d.message = absl::StrCat(
          "journal corrupt in ", where,
          ", followed by an intact commit group at offset ", at, " (seq ",
          g.seq, "): acknowledged records would be lost");
    } else {
      d.dropped_by_open = true;
      d.message = where;
    }
  }
  scan->damage = std::move(d);
  return absl::OkStatus();
}

}  // namespace

absl::Status ListJournalDir(const std::string& dir, DirInventory* inv) {
  *inv = DirInventory();
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    return DirError(errno, absl::StrCat("cannot list journal directory ", dir));
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    uint64_t seq;
    if (ParseSeqName(name, kLogSuffix, &seq)) {
      inv->segs.push_back(seq);
    } else if (ParseSeqName(name, kSnapSuffix, &seq)) {
      inv->snaps.push_back(seq);
    } else if (EndsWith(name, kTmpSuffix)) {
      inv->tmps.push_back(name);
    }
  }
  ::closedir(d);
  std::sort(inv->segs.begin(), inv->segs.end());
  std::sort(inv->snaps.begin(), inv->snaps.end());
  std::sort(inv->tmps.begin(), inv->tmps.end());
  return absl::OkStatus();
}

absl::Status ScanJournal(const std::string& dir, const DirInventory& inv,
                         const Journal::ReplayFn* replay, JournalScan* scan) {
  *scan = JournalScan();
  // 1. The newest snapshot.
  uint64_t through = 1;
  if (!inv.snaps.empty()) {
    through = inv.snaps.back();
    scan->snapshot_path = PathOf(dir, through, kSnapSuffix);
    if (through == 0) {
      JournalDamage d;
      d.kind = JournalDamageKind::kBadSnapshot;
      d.file = scan->snapshot_path;
      d.file_bytes = SizeOf(d.file);
      d.what = "bad snapshot name (seqs start at 1)";
      d.message = absl::StrCat("journal ", dir, ": bad snapshot name ", d.file,
                               " (seqs start at 1)");
      scan->damage = std::move(d);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(ScanSnapshot(scan->snapshot_path, through, replay, scan));
    if (scan->damage) return absl::OkStatus();
  }
  scan->through = through;
  scan->end_seq = through;

  // 2. Segments: those wholly below `through` are covered; the rest must be
  // contiguous from at most `through` on.
  const std::vector<uint64_t>& segs = inv.segs;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (i + 1 < segs.size() && segs[i + 1] <= through) {
      scan->covered.push_back(segs[i]);
    } else {
      JournalSegmentInfo s;
      s.first_seq = segs[i];
      s.file = PathOf(dir, segs[i], kLogSuffix);
      s.bytes = SizeOf(s.file);
      scan->live.push_back(std::move(s));
    }
  }
  auto missing = [&](size_t i, uint64_t first_missing, std::string message) {
    JournalDamage d;
    d.kind = JournalDamageKind::kMissingRecords;
    d.file = scan->live[i].file;
    d.file_bytes = scan->live[i].bytes;
    d.seq = first_missing;
    d.what = absl::StrCat("missing records: seq ", first_missing, "..",
                          scan->live[i].first_seq - 1, " are in no segment");
    d.message = std::move(message);
    scan->damage = std::move(d);
  };
  std::vector<JournalSegmentInfo>& live = scan->live;
  if (!live.empty() &&
      (live.front().first_seq > through || live.front().first_seq == 0)) {
    missing(0, through,
            absl::StrCat(
                "journal ", dir, ": records ", through, "..",
                live.front().first_seq - 1, " are missing (first segment ",
                live.front().file,
                inv.snaps.empty()
                    ? ", no snapshot)"
                    : absl::StrCat(", snapshot covers seq < ", through, ")")));
    return absl::OkStatus();
  }
  uint64_t end_seq = through;
  for (size_t i = 0; i < live.size(); ++i) {
    if (i > 0 && live[i].first_seq != end_seq) {
      missing(i, end_seq,
              absl::StrCat("journal ", dir, ": segment ", live[i - 1].file,
                           " ends before seq ", end_seq,
                           " but the next segment is ", live[i].file));
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(ScanSegment(live[i], i + 1 == live.size(), through, replay,
                                scan, &end_seq));
    scan->end_seq = end_seq;
    if (scan->damage) return absl::OkStatus();
  }
  return absl::OkStatus();
}

IntactRecordFinder::IntactRecordFinder(int fd, const std::string& path,
                                       uint64_t size, uint64_t from,
                                       uint64_t min_seq, uint64_t max_seq,
                                       bool group_starts_only)
    : reader_(fd, path, size, std::min(from, size)),
      path_(path),
      size_(size),
      min_seq_(min_seq),
      max_seq_(max_seq),
      group_starts_only_(group_starts_only),
      from_(std::min(from, size)),
      crc_budget_(4 * (size - from_) + (uint64_t{32} << 20)) {}

absl::Status IntactRecordFinder::Next(bool* found, ParsedRecord* rec,
                                      uint64_t* offset) {
  *found = false;
  reader_.Skip(skip_);
  skip_ = 0;
  while (true) {
    RETURN_IF_ERROR(reader_.Fill(kHeaderBytes));
    if (reader_.available() < kHeaderBytes) return absl::OkStatus();
    const char* p = reader_.data();
    const uint8_t tag = static_cast<uint8_t>(p[3]);
    const bool tag_ok = group_starts_only_
                            ? tag == kTagGroupStart
                            : tag == kTagGroupStart || tag == kTagRecord;
    if (tag_ok) {
      const uint64_t at = reader_.offset();
      const uint64_t seq = GetU64(p + 8);
      const size_t len = GetU32(p) & kMaxPayload;
      if (seq >= min_seq_ && seq <= max_seq_ &&
          kHeaderBytes + len <= size_ - at) {
        if (len > crc_budget_) {
          return absl::ResourceExhaustedError(
              absl::StrCat("cannot resync ", path_, " after offset ", from_,
                           ": too many plausible record headers (", at - from_,
                           " bytes scanned)"));
        }
        crc_budget_ -= len;
        RETURN_IF_ERROR(reader_.Fill(kHeaderBytes + len));
        if (ParseRecord(reader_.data(), reader_.available(), rec) ==
            ParseResult::kOk) {
          *found = true;
          *offset = at;
          skip_ = rec->size;
          return absl::OkStatus();
        }
      }
    }
    reader_.Skip(1);
  }
}

}  // namespace gridroute::journal_internal
