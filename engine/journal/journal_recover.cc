// Copyright 2026 gridroute authors.
//
// Journal::Open and the recovery it runs: inventory, snapshot, segments,
// torn-tail truncation (JOURNAL.md, "Guarantees").
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "journal/internal/files.h"
#include "journal/internal/record.h"
#include "journal/journal.h"

namespace gridroute {

using journal_internal::DirError;
using journal_internal::EndsWith;
using journal_internal::FileReader;
using journal_internal::FsyncDir;
using journal_internal::GetU32;
using journal_internal::GetU64;
using journal_internal::kHeaderBytes;
using journal_internal::kLogSuffix;
using journal_internal::kSnapSuffix;
using journal_internal::kTagGroupStart;
using journal_internal::kTagRecord;
using journal_internal::kTagSnapshotEnd;
using journal_internal::kTmpSuffix;
using journal_internal::OpenFile;
using journal_internal::OpenForRead;
using journal_internal::ParsedRecord;
using journal_internal::ParseRecord;
using journal_internal::ParseResult;
using journal_internal::ParseResultName;
using journal_internal::ParseSeqName;
using journal_internal::ReadNext;

absl::StatusOr<std::unique_ptr<Journal>> Journal::Open(
    const std::string& dir, const JournalOptions& options,
    const ReplayFn& replay) {
  if (dir.empty())
    return absl::InvalidArgumentError("journal directory: empty path");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return DirError(ec.value(), absl::StrCat("journal directory ", dir,
                                             " cannot be created"));
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("journal directory ", dir, " is not a directory"));
  }
  std::unique_ptr<Journal> j(new Journal(dir, options));
  std::string lock_path = absl::StrCat(dir, "/LOCK");
  j->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (j->lock_fd_ < 0) {
    return DirError(
        errno, absl::StrCat("journal directory ", dir,
                            " is not writable: cannot create ", lock_path));
  }
  if (::flock(j->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return absl::FailedPreconditionError(absl::StrCat(
          "journal directory ", dir, " is in use by another journal (",
          lock_path, " is locked)"));
    }
    return DirError(errno, absl::StrCat("cannot lock ", lock_path));
  }
  RETURN_IF_ERROR(j->Recover(replay));
  return j;
}

absl::Status Journal::Recover(const ReplayFn& replay) {
  // 1. Inventory.
  std::vector<uint64_t> segs, snaps;
  std::vector<std::string> tmps;
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr)
    return DirError(errno,
                    absl::StrCat("cannot list journal directory ", dir_));
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    uint64_t seq;
    if (ParseSeqName(name, kLogSuffix, &seq)) {
      segs.push_back(seq);
    } else if (ParseSeqName(name, kSnapSuffix, &seq)) {
      snaps.push_back(seq);
    } else if (EndsWith(name, kTmpSuffix)) {
      tmps.push_back(name);
    }
  }
  ::closedir(d);
  std::sort(segs.begin(), segs.end());
  std::sort(snaps.begin(), snaps.end());
  std::string report;
  for (const std::string& t : tmps) {
    std::string path = absl::StrCat(dir_, "/", t);
    if (::unlink(path.c_str()) != 0) {
      return DirError(errno,
                      absl::StrCat("journal directory ", dir_,
                                   " is not writable: cannot remove ", path));
    }
    absl::StrAppend(&report, "removed unfinished snapshot ", path, "; ");
  }

  // 2. The newest snapshot.
  uint64_t through = 1;
  uint64_t replayed = 0;
  if (!snaps.empty()) {
    through = snaps.back();
    if (through == 0) {
      return absl::DataLossError(
          absl::StrCat("journal ", dir_, ": bad snapshot name ",
                       SnapshotPath(0), " (seqs start at 1)"));
    }
    std::string path = SnapshotPath(through);
    OpenFile f;
    RETURN_IF_ERROR(OpenForRead(path, &f));
    FileReader r(f.fd, path, f.size);
    uint64_t count = 0;
    while (true) {
      ParsedRecord rec;
      ParseResult pr;
      bool eof;
      RETURN_IF_ERROR(ReadNext(r, &rec, &pr, &eof));
      std::string where =
          absl::StrCat("snapshot ", path, " at offset ", r.offset());
      if (eof)
        return absl::DataLossError(absl::StrCat(where, ": trailer missing"));
      if (pr != ParseResult::kOk) {
        return absl::DataLossError(
            absl::StrCat(where, ": ", ParseResultName(pr)));
      }
      if (rec.tag == kTagSnapshotEnd) {
        if (rec.payload.size() != 16 || GetU64(rec.payload.data()) != count ||
            GetU64(rec.payload.data() + 8) != through ||
            r.offset() + rec.size != f.size) {
          return absl::DataLossError(
              absl::StrCat(where, ": trailer does not match (", count,
                           " records, coverage ", through, ")"));
        }
        break;
      }
      if (rec.tag != kTagRecord || rec.seq != count) {
        return absl::DataLossError(absl::StrCat(
            where, ": expected snapshot record ", count, ", found ", rec.seq));
      }
      absl::Status s = replay(kSnapshotSeq, rec.payload);
      if (!s.ok()) {
        return absl::Status(
            s.code(), absl::StrCat("replay of snapshot record ", count, " of ",
                                   path, ": ", s.message()));
      }
      ++count;
      r.Skip(rec.size);
    }
    replayed += count;
    snapshot_path_ = path;
    stats_.snapshot_records = count;
    absl::StrAppend(&report, "snapshot ", path, " (", count,
                    " records, covers seq < ", through, "); ");
  }
  snapshot_through_ = through;

  // 3. Segments: those wholly below `through` are covered; the rest must be
  // contiguous from at most `through` on.
  std::vector<uint64_t> covered, live;
  for (size_t i = 0; i < segs.size(); ++i) {
    (i + 1 < segs.size() && segs[i + 1] <= through ? covered : live)
        .push_back(segs[i]);
  }
  if (!live.empty() && (live.front() > through || live.front() == 0)) {
    return absl::DataLossError(absl::StrCat(
        "journal ", dir_, ": records ", through, "..", live.front() - 1,
        " are missing (first segment ", SegmentPath(live.front()),
        snaps.empty()
            ? ", no snapshot)"
            : absl::StrCat(", snapshot covers seq < ", through, ")")));
  }
  uint64_t end_seq = through;
  uint64_t last_size = 0;
  for (size_t i = 0; i < live.size(); ++i) {
    const bool last = i + 1 == live.size();
    std::string path = SegmentPath(live[i]);
    if (i > 0 && live[i] != end_seq) {
      return absl::DataLossError(absl::StrCat(
          "journal ", dir_, ": segment ", SegmentPath(live[i - 1]),
          " ends before seq ", end_seq, " but the next segment is ", path));
    }
    OpenFile f;
    RETURN_IF_ERROR(OpenForRead(path, &f));
    FileReader r(f.fd, path, f.size);
    uint64_t expected = live[i];
    std::string bad;
    while (true) {
      ParsedRecord rec;
      ParseResult pr;
      bool eof;
      RETURN_IF_ERROR(ReadNext(r, &rec, &pr, &eof));
      if (eof) break;
      if (pr != ParseResult::kOk) {
        bad = ParseResultName(pr);
        break;
      }
      if (rec.tag == kTagSnapshotEnd || rec.seq != expected) {
        bad = absl::StrCat("expected seq ", expected, ", found ", rec.seq);
        break;
      }
      if (rec.seq >= through) {
        absl::Status s = replay(rec.seq, rec.payload);
        if (!s.ok()) {
          return absl::Status(
              s.code(), absl::StrCat("replay of seq ", rec.seq, " (", path,
                                     "): ", s.message()));
        }
        ++replayed;
      }
      ++expected;
      r.Skip(rec.size);
    }
    end_seq = expected;
    last_size = f.size;
    if (bad.empty()) continue;
    const uint64_t bad_at = r.offset();
    std::string where = absl::StrCat(path, " at offset ", bad_at, " (seq ",
                                     expected, "): ", bad);
    if (!last) {
      return absl::DataLossError(absl::StrCat("journal corrupt in ", where,
                                              " and later segments exist"));
    }
    // The last segment: only its last commit group can be torn (a group is
    // written only after the previous one was fsync'd). An intact group start
    // after the damage means the damaged group was followed by another, so
    // it was acknowledged: that is data loss, not a torn tail.
    std::string rest(f.size - bad_at, '\0');
    {
      size_t got = 0;
      while (got < rest.size()) {
        ssize_t n = ::pread(f.fd, rest.data() + got, rest.size() - got,
                            static_cast<off_t>(bad_at + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)
          return absl::DataLossError(absl::StrCat("read error on ", path));
        got += static_cast<size_t>(n);
      }
    }
    for (size_t p = 1; p + kHeaderBytes <= rest.size(); ++p) {
      if (static_cast<uint8_t>(rest[p + 3]) != kTagGroupStart) continue;
      ParsedRecord later;
      if (ParseRecord(rest.data() + p, rest.size() - p, &later) ==
              ParseResult::kOk &&
          later.seq > expected) {
        return absl::DataLossError(absl::StrCat(
            "journal corrupt in ", where,
            ", followed by an intact commit group at offset ", bad_at + p,
            " (seq ", later.seq, "): acknowledged records would be lost"));
      }
    }
    int wfd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (wfd < 0 || ::ftruncate(wfd, static_cast<off_t>(bad_at)) != 0 ||
        ::fdatasync(wfd) != 0) {
      int err = errno;
      if (wfd >= 0) ::close(wfd);
      return DirError(err,
                      absl::StrCat("cannot truncate the torn tail of ", path));
    }
    ::close(wfd);
    stats_.dropped_tail_bytes = f.size - bad_at;
    last_size = bad_at;
    absl::StrAppend(&report, "dropped torn tail of ", f.size - bad_at,
                    " bytes in ", where, "; ");
  }

  // 4. Continue the last segment if it ends where the log does, else start
  // one at next_seq_. Then drop what the snapshot covers.
  next_seq_ = std::max(through, end_seq);
  for (uint64_t s : live) segments_.push_back({s, SegmentPath(s)});
  if (!live.empty() && end_seq == next_seq_) {
    seg_fd_ = ::open(segments_.back().path.c_str(), O_WRONLY | O_CLOEXEC);
    if (seg_fd_ < 0) {
      return DirError(errno,
                      absl::StrCat("journal segment ", segments_.back().path,
                                   " is not writable"));
    }
    seg_size_ = last_size;
  } else {
    if (!live.empty()) {
      // The log ends below the snapshot's coverage: everything it holds is
      // covered.
      for (const Segment& s : segments_) covered.push_back(s.first_seq);
      segments_.clear();
    }
    absl::Status s = StartSegment(next_seq_);
    if (!s.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "journal directory ", dir_, " is not writable: ", s.message()));
    }
  }
  for (uint64_t s : covered) {
    std::string path = SegmentPath(s);
    if (::unlink(path.c_str()) != 0)
      return DirError(errno, absl::StrCat("cannot remove ", path));
  }
  for (size_t i = 0; i + 1 < snaps.size(); ++i) {
    std::string path = SnapshotPath(snaps[i]);
    if (::unlink(path.c_str()) != 0)
      return DirError(errno, absl::StrCat("cannot remove ", path));
  }
  if (!covered.empty() || snaps.size() > 1 || !tmps.empty()) {
    absl::Status s = FsyncDir(dir_);
    if (!s.ok()) return absl::FailedPreconditionError(s.message());
  }
  stats_.segments = segments_.size();
  stats_.replayed = replayed;
  absl::StrAppend(&report, segments_.size(), " segment(s), ", replayed,
                  " record(s) replayed, next seq ", next_seq_);
  open_report_ = std::move(report);
  return absl::OkStatus();
}

}  // namespace gridroute
