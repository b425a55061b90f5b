// Copyright 2026 gridroute authors.
//
// Journal::Open and the recovery it runs: inventory, snapshot, segments,
// torn-tail truncation (JOURNAL.md, "Guarantees").
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
#include "journal/internal/scan.h"
#include "journal/journal.h"
#include "journal/journal_check.h"

namespace gridroute {

using journal_internal::DirError;
using journal_internal::FsyncDir;

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

namespace {

// Appended to Open's DataLoss for damage: where to look and what to run.
std::string RepairHint(const std::string& dir, const JournalDamage& d) {
  if (d.kind == JournalDamageKind::kBadSnapshot) {
    return absl::StrCat(
        ". Inspect it with `gridroute journal check --dir ", dir,
        "`; a damaged snapshot cannot be cut away: restore the directory from "
        "a backup");
  }
  return absl::StrCat(
      ". Inspect it with `gridroute journal check --dir ", dir,
      "`; `gridroute journal repair --dir ", dir,
      " --truncate-after-damage` keeps every record before the damage and "
      "moves the rest to ",
      dir, "/damaged-<time>/");
}

}  // namespace

absl::Status Journal::Recover(const ReplayFn& replay) {
  // 1. Inventory; leftover snapshot temp files (a Compact that crashed).
  journal_internal::DirInventory inv;
  RETURN_IF_ERROR(journal_internal::ListJournalDir(dir_, &inv));
  std::string report;
  for (const std::string& t : inv.tmps) {
    std::string path = absl::StrCat(dir_, "/", t);
    if (::unlink(path.c_str()) != 0) {
      return DirError(errno,
                      absl::StrCat("journal directory ", dir_,
                                   " is not writable: cannot remove ", path));
    }
    absl::StrAppend(&report, "removed unfinished snapshot ", path, "; ");
  }

  // 2. Replay the newest snapshot and the live segments up to the first
  // damage (shared with CheckJournal: internal/scan.h). Damage is DataLoss
  // unless it is a torn last commit group, which is truncated away.
  journal_internal::JournalScan scan;
  RETURN_IF_ERROR(journal_internal::ScanJournal(dir_, inv, &replay, &scan));
  if (scan.damage && !scan.damage->dropped_by_open) {
    return absl::DataLossError(
        absl::StrCat(scan.damage->message, RepairHint(dir_, *scan.damage)));
  }
  const uint64_t through = scan.through;
  if (!scan.snapshot_path.empty()) {
    snapshot_path_ = scan.snapshot_path;
    stats_.snapshot_records = scan.snapshot_records;
    absl::StrAppend(&report, "snapshot ", scan.snapshot_path, " (",
                    scan.snapshot_records, " records, covers seq < ", through,
                    "); ");
  }
  snapshot_through_ = through;
  uint64_t last_size = scan.live.empty() ? 0 : scan.live.back().bytes;
  if (scan.damage) {
    const JournalDamage& d = *scan.damage;
    int wfd = ::open(d.file.c_str(), O_WRONLY | O_CLOEXEC);
    if (wfd < 0 || ::ftruncate(wfd, static_cast<off_t>(d.offset)) != 0 ||
        ::fdatasync(wfd) != 0) {
      int err = errno;
      if (wfd >= 0) ::close(wfd);
      return DirError(
          err, absl::StrCat("cannot truncate the torn tail of ", d.file));
    }
    ::close(wfd);
    stats_.dropped_tail_bytes = d.file_bytes - d.offset;
    last_size = d.offset;
    absl::StrAppend(&report, "dropped torn tail of ", d.file_bytes - d.offset,
                    " bytes in ", d.message, "; ");
  }

  // 3. Continue the last segment if it ends where the log does, else start
  // one at next_seq_. Then drop what the snapshot covers.
  const uint64_t end_seq = scan.end_seq;
  std::vector<uint64_t> covered = scan.covered;
  next_seq_ = std::max(through, end_seq);
  for (const JournalSegmentInfo& s : scan.live) {
    segments_.push_back({s.first_seq, s.file});
  }
  if (!segments_.empty() && end_seq == next_seq_) {
    seg_fd_ = ::open(segments_.back().path.c_str(), O_WRONLY | O_CLOEXEC);
    if (seg_fd_ < 0) {
      return DirError(errno,
                      absl::StrCat("journal segment ", segments_.back().path,
                                   " is not writable"));
    }
    seg_size_ = last_size;
  } else {
    if (!segments_.empty()) {
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
  for (size_t i = 0; i + 1 < inv.snaps.size(); ++i) {
    std::string path = SnapshotPath(inv.snaps[i]);
    if (::unlink(path.c_str()) != 0)
      return DirError(errno, absl::StrCat("cannot remove ", path));
  }
  if (!covered.empty() || inv.snaps.size() > 1 || !inv.tmps.empty()) {
    absl::Status s = FsyncDir(dir_);
    if (!s.ok()) return absl::FailedPreconditionError(s.message());
  }
  stats_.segments = segments_.size();
  stats_.replayed = scan.replayed;
  absl::StrAppend(&report, segments_.size(), " segment(s), ", scan.replayed,
                  " record(s) replayed, next seq ", next_seq_);
  open_report_ = std::move(report);
  return absl::OkStatus();
}

}  // namespace gridroute
