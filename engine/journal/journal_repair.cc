// Copyright 2026 gridroute authors.
//
// RepairJournal (--truncate-after-damage): keep every record before the
// first damage, move every byte from it on into a backup directory, and
// say exactly what was dropped (journal_check.h, JOURNAL.md).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "journal/internal/files.h"
#include "journal/internal/scan.h"
#include "journal/journal_check.h"

namespace gridroute {
namespace {

using journal_internal::DirError;
using journal_internal::FsyncDir;

// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string Base(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

absl::Status IoError(const std::string& what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// Takes the journal's LOCK as Journal::Open does, so a running server (or a
// second repair) makes the repair refuse, and no server starts meanwhile.
absl::Status LockJournal(const std::string& dir, Fd* lock) {
  const std::string path = absl::StrCat(dir, "/LOCK");
  lock->fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock->fd < 0) {
    return DirError(errno,
                    absl::StrCat("journal directory ", dir,
                                 " is not writable: cannot open ", path));
  }
  if (::flock(lock->fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return absl::FailedPreconditionError(absl::StrCat(
          "journal directory ", dir, " is in use (", path,
          " is locked): stop gridroute-server before repairing it"));
    }
    return DirError(errno, absl::StrCat("cannot lock ", path));
  }
  return absl::OkStatus();
}

// Makes <dir>/<name> (or, with no name, damaged-<UTC time>, with -2, -3...
// appended while it exists). Returns its path.
absl::StatusOr<std::string> MakeBackupDir(const std::string& dir,
                                          const std::string& name) {
  std::string base = name;
  if (base.empty()) {
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    struct tm utc;
    ::gmtime_r(&now, &utc);
    std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
    base = absl::StrCat("damaged-", stamp);
  }
  for (int i = 1; i < 1000; ++i) {
    std::string path =
        absl::StrCat(dir, "/", base, i == 1 ? "" : absl::StrCat("-", i));
    if (::mkdir(path.c_str(), 0755) == 0) return path;
    if (errno != EEXIST || !name.empty()) {
      return DirError(errno,
                      absl::StrCat("cannot create backup directory ", path));
    }
  }
  return absl::FailedPreconditionError(
      absl::StrCat("cannot create a backup directory ", base, "-N in ", dir));
}

// Copies `from` to the new file `to` and fsyncs it.
absl::Status CopyFile(const std::string& from, const std::string& to) {
  Fd in, out;
  in.fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in.fd < 0) return IoError(absl::StrCat("cannot read ", from));
  out.fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (out.fd < 0) return IoError(absl::StrCat("cannot create ", to));
  std::string buf(1 << 20, '\0');
  while (true) {
    ssize_t n = ::read(in.fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError(absl::StrCat("read error on ", from));
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out.fd, buf.data() + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return IoError(absl::StrCat("write error on ", to));
      done += w;
    }
  }
  if (::fsync(out.fd) != 0) return IoError(absl::StrCat("fsync of ", to));
  return absl::OkStatus();
}

absl::Status WriteText(const std::string& path, const std::string& text) {
  Fd out;
  out.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out.fd < 0) return IoError(absl::StrCat("cannot create ", path));
  for (size_t done = 0; done < text.size();) {
    ssize_t w = ::write(out.fd, text.data() + done, text.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return IoError(absl::StrCat("write error on ", path));
    done += static_cast<size_t>(w);
  }
  if (::fsync(out.fd) != 0) return IoError(absl::StrCat("fsync of ", path));
  return absl::OkStatus();
}

// REPAIR.txt: the repair's report, then the check it was based on.
std::string RepairText(const JournalRepairReport& rep, size_t max_list) {
  return absl::StrCat(FormatJournalRepair(rep, max_list),
                      "\nThe check before the repair:\n",
                      FormatJournalCheck(rep.before, max_list));
}

// Steps 1-3: the backup directory with a copy (or the whole file) of the
// damaged segment, every later segment, and REPAIR.txt.
absl::Status BackUp(const std::string& dir, const std::string& backup_name,
                    size_t max_list, JournalRepairReport* rep) {
  const JournalDamage& d = *rep->before.damage;
  ASSIGN_OR_RETURN(rep->backup_dir, MakeBackupDir(dir, backup_name));
  for (const JournalLostSpan& s : rep->before.lost) {
    const std::string to = absl::StrCat(rep->backup_dir, "/", Base(s.file));
    if (s.file == d.file && !s.whole_file) {
      RETURN_IF_ERROR(CopyFile(s.file, to));
      rep->truncated_file = s.file;
      rep->truncated_from = s.end;
      rep->truncated_to = s.begin;
    } else {
      if (::rename(s.file.c_str(), to.c_str()) != 0) {
        return IoError(absl::StrCat("cannot move ", s.file, " to ", to));
      }
      rep->moved.push_back(s.file);
    }
  }
  RETURN_IF_ERROR(WriteText(absl::StrCat(rep->backup_dir, "/REPAIR.txt"),
                            RepairText(*rep, max_list)));
  RETURN_IF_ERROR(FsyncDir(rep->backup_dir));
  return FsyncDir(dir);
}

// Step 4: cut the damaged segment at the damage.
absl::Status Truncate(const std::string& path, uint64_t size) {
  Fd f;
  f.fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (f.fd < 0 || ::ftruncate(f.fd, static_cast<off_t>(size)) != 0 ||
      ::fdatasync(f.fd) != 0) {
    return IoError(
        absl::StrCat("cannot truncate ", path, " to ", size, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<JournalRepairReport> RepairJournal(
    const std::string& dir, const JournalRepairOptions& options) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::NotFoundError(
        absl::StrCat("journal directory ", dir, ": not a directory"));
  }
  Fd lock;
  RETURN_IF_ERROR(LockJournal(dir, &lock));
  JournalRepairReport rep;
  ASSIGN_OR_RETURN(rep.before,
                   journal_internal::CheckJournalDir(dir, options.check));
  if (rep.before.clean()) return rep;
  const JournalDamage& d = *rep.before.damage;
  if (d.kind == JournalDamageKind::kBadSnapshot) {
    return absl::FailedPreconditionError(absl::StrCat(
        "journal ", dir, ": ", d.message,
        ". A damaged snapshot cannot be cut away (the segments it replaced "
        "are gone): restore the directory from a backup. Nothing was changed"));
  }
  const size_t max_list = options.check.max_listed_records;
  RETURN_IF_ERROR(BackUp(dir, options.backup_name, max_list, &rep));
  if (!rep.truncated_file.empty()) {
    RETURN_IF_ERROR(Truncate(rep.truncated_file, rep.truncated_to));
    RETURN_IF_ERROR(FsyncDir(dir));
  }
  ASSIGN_OR_RETURN(rep.after,
                   journal_internal::CheckJournalDir(dir, options.check));
  if (!rep.after.clean()) {
    return absl::InternalError(absl::StrCat(
        "journal ", dir,
        " is still damaged after repair: ", rep.after.damage->message));
  }
  rep.repaired = true;
  // The final report (the one written before the cut lacks `after`); the
  // first one already describes every byte, so a failure here is harmless.
  (void)WriteText(absl::StrCat(rep.backup_dir, "/REPAIR.txt"),
                  RepairText(rep, max_list));
  return rep;
}

std::string FormatJournalRepair(const JournalRepairReport& rep,
                                size_t max_list) {
  const JournalCheckReport& b = rep.before;
  if (!b.damage) {
    return absl::StrCat("journal ", b.dir, ": clean, nothing to repair (",
                        b.records, " records, next seq ", b.next_seq, ")\n");
  }
  std::string out = absl::StrCat(
      "journal ", b.dir, ": ", rep.repaired ? "repaired" : "repair in progress",
      " (--truncate-after-damage)\n");
  absl::StrAppend(&out, "  kept: every record before seq ", b.lost_first_seq,
                  " (", b.records, " replayable)\n");
  if (!rep.truncated_file.empty()) {
    absl::StrAppend(&out, "  cut ", rep.truncated_file, " at offset ",
                    rep.truncated_to, " (was ", rep.truncated_from,
                    " bytes); a full copy of the original: ", rep.backup_dir,
                    "/", Base(rep.truncated_file), "\n");
  }
  for (const std::string& m : rep.moved) {
    absl::StrAppend(&out, "  moved ", m, " to ", rep.backup_dir, "/", Base(m),
                    "\n");
  }
  journal_internal::AppendLost(
      b, absl::StrCat("  dropped (kept in ", rep.backup_dir, ")"), max_list,
      &out);
  if (!rep.after.dir.empty()) {
    absl::StrAppend(&out, "after: ", rep.after.clean() ? "clean" : "DAMAGED",
                    ", ", rep.after.records, " records, next seq ",
                    rep.after.next_seq, "\n");
  }
  absl::StrAppend(&out, "backup: ", rep.backup_dir,
                  " (REPAIR.txt). To undo: stop the server and copy the .log "
                  "files back into ",
                  b.dir, "\n");
  return out;
}

}  // namespace gridroute
