// Copyright 2026 gridroute authors.
//
// JournalEnv: the file operations through which the journal writes, so tests
// can make them fail (ENOSPC, EIO) or stop the process at a named point.
//
//   class FullDisk : public JournalEnv {
//     ssize_t Write(int fd, const void* b, size_t n, off_t off) override {
//       errno = ENOSPC;
//       return -1;
//     }
//   };
//   FullDisk env;
//   JournalOptions options;
//   options.env = &env;     // not owned; must outlive the Journal
//
// Only the write path (segment and snapshot writes, syncs, the truncation that
// undoes a failed write) goes through it; replay reads with plain pread.
// Thread-safety: the journal calls one env from several threads, never
// concurrently for the same fd.
#ifndef GRIDROUTE_JOURNAL_JOURNAL_ENV_H_
#define GRIDROUTE_JOURNAL_JOURNAL_ENV_H_

#include <sys/types.h>

#include <cstddef>

namespace gridroute {

class JournalEnv {
 public:
  virtual ~JournalEnv() = default;

  // pwrite(2): bytes written (maybe short) or -1 with errno set.
  virtual ssize_t Write(int fd, const void* buf, size_t n, off_t offset);
  // fdatasync(2) of a data file: 0 or -1 with errno set.
  virtual int Sync(int fd);
  // ftruncate(2): 0 or -1 with errno set.
  virtual int Truncate(int fd, off_t size);
  // Called at named points of the write path (test only; the default does
  // nothing): "commit:gather" (a commit leader is about to take the waiting
  // batches; no lock held), "commit:written" (group written, not yet synced),
  // "commit:synced", "compact:snapshot_written", "compact:snapshot_synced",
  // "compact:renamed", "compact:dir_synced", "compact:segment_deleted".
  // A test may block here or end the process (_exit) to simulate a crash.
  virtual void Hook(const char* point) {}

  // The process-wide POSIX env (never null, never freed).
  static JournalEnv* Default();
};

}  // namespace gridroute

#endif  // GRIDROUTE_JOURNAL_JOURNAL_ENV_H_
