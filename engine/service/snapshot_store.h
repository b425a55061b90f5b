// Copyright 2026 gridroute authors.
//
// SnapshotStore: the snapshot being served, swapped whole on reload.
//
// Example (compiled in tests/docs/header_examples_test.cc):
// clang-format off
//   SnapshotStore store;
//   RETURN_IF_ERROR(store.Load(pack_dir).status());                 // first load
//   std::shared_ptr<const ServedSnapshot> s = store.Current();      // pin
//   RETURN_IF_ERROR(s->router.Route(event, {}, &decision));          // s->generation answered
//   absl::StatusOr<ReloadResult> r = store.Load(new_pack_dir);      // hot swap
// clang-format on
//
// A load builds and validates the new snapshot (and its Router) beside the
// served one, with no lock held that a request takes, then publishes it with
// one atomic store. A request pins whatever Current() returned for its whole
// duration, so requests in flight finish on the snapshot they started on and
// the old snapshot is freed when its last request ends. A failed load has no
// effect on what is served and returns the loader's errors.
//
// Loads run on a worker thread of their own, and Load() waits for it at most
// options.load_timeout: a load stuck in the file system (a hung network
// mount) or simply too slow is reported as failed (DeadlineExceeded, and
// last_error()), the served snapshot stays, and the worker is abandoned: it
// cannot be interrupted, so it runs on and its result is dropped. One load
// at a time: while one runs (abandoned or not) Load() answers Aborted "a
// reload is in progress" at once. Shutdown() releases every waiting Load()
// at once, so a process can exit within its drain time whatever a load does.
//
// Thread-safety: every method is safe from any number of threads. Current()
// never waits for a load: it is one atomic shared_ptr load (no allocation; a
// reference count increment on a shared cache line; docs/SERVED_PATH.md).
//
// No gRPC here: the service layer wraps it, tests and tools use it directly.
#ifndef GRIDROUTE_SERVICE_SNAPSHOT_STORE_H_
#define GRIDROUTE_SERVICE_SNAPSHOT_STORE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "route/router.h"
#include "service/codes_tables.h"
#include "service/full_tables.h"
#include "snapshot/snapshot.h"

namespace gridroute {

// One published snapshot with its Router. Immutable.
struct ServedSnapshot {
  ServedSnapshot(std::shared_ptr<const Snapshot> s, uint64_t gen, std::string dir, absl::Time at,
                 double seconds)
      : snapshot(s), router(std::move(s)), codes(CodesTables::Build(*snapshot)),
        full(FullTables::Build(*snapshot)), generation(gen),
        pack_dir(std::move(dir)), loaded_at(at), load_seconds(seconds) {}

  std::shared_ptr<const Snapshot> snapshot;
  Router router;            // pins `snapshot`
  CodesTables codes;        // the CODES view's fragments (service/codes_tables.h)
  FullTables full;          // the FULL view's fragments (service/full_wire.h)
  uint64_t generation;      // 1 for the first successful load, +1 per reload
  std::string pack_dir;     // where it was loaded from
  absl::Time loaded_at;     // when it was published
  double load_seconds;      // LoadPack wall time
};

struct ReloadResult {
  std::shared_ptr<const ServedSnapshot> current;   // the one now served
  std::shared_ptr<const ServedSnapshot> previous;  // null on the first load
};

struct SnapshotStoreOptions {
  LoadOptions load;
  // Clock for loaded_at (tests inject a fixed one). Default: absl::Now.
  std::function<absl::Time()> now;
  // How long Load() waits for a load before reporting it failed. Default 10
  // minutes: far above what a 2M-grid pack takes on 2 cores (SERVICE.md),
  // so only a load that hangs gets near it.
  absl::Duration load_timeout = absl::Minutes(10);
  // What a load runs (tests inject a loader that blocks). Default: LoadPack.
  std::function<absl::StatusOr<std::shared_ptr<const Snapshot>>(const std::string&,
                                                                const LoadOptions&)>
      load_pack;
};

class SnapshotStore {
 public:
  explicit SnapshotStore(SnapshotStoreOptions options = {});
  SnapshotStore(const SnapshotStore&) = delete;
  SnapshotStore& operator=(const SnapshotStore&) = delete;

  // The served snapshot, or null before the first successful load.
  std::shared_ptr<const ServedSnapshot> Current() const { return current_.load(); }

  // Loads `dir` (empty: the directory currently served; FailedPrecondition
  // if none) on a worker thread and publishes it if valid. Errors (the
  // served snapshot is unchanged by any of them): those of LoadPack;
  // DeadlineExceeded if the load took longer than options.load_timeout;
  // Aborted if another load is running; Unavailable after Shutdown().
  // Cost: a full LoadPack (seconds for millions of grids); requests keep
  // being answered meanwhile.
  absl::StatusOr<ReloadResult> Load(const std::string& dir);

  // OK if no load runs, else the Aborted status Load() would return now.
  absl::Status CheckIdle() const;
  // True while a load's worker runs, including one Load() gave up on.
  bool loading() const { return !CheckIdle().ok(); }

  // Every Load() waiting now returns Unavailable at once, and every later
  // one too. A worker still running is abandoned (it touches nothing of the
  // store; loading() stays true until it ends).
  void Shutdown();

  // Counters since construction, and the last failed load's message (at
  // most kMaxErrorBytes).
  int64_t loads_ok() const { return loads_ok_.load(); }
  int64_t loads_failed() const { return loads_failed_.load(); }
  std::string last_error() const;
  static constexpr size_t kMaxErrorBytes = 16 << 10;

 private:
  struct Job;  // one load: shared by its worker and the Load() waiting for it
  // The Aborted status for a running `job`. REQUIRES: job.mu held.
  absl::Status Busy(const Job& job) const;
  absl::StatusOr<ReloadResult> Publish(ReloadResult result,
                                       std::shared_ptr<const Snapshot> snapshot,
                                       const std::string& path, double seconds);
  void Failed(absl::string_view message);

  const SnapshotStoreOptions options_;

  std::atomic<std::shared_ptr<const ServedSnapshot>> current_;
  std::atomic<int64_t> loads_ok_{0}, loads_failed_{0};

  mutable std::mutex mu_;  // never taken by readers (Current())
  std::shared_ptr<Job> job_;  // guarded by mu_: the last load started
  bool shutdown_ = false;     // guarded by mu_
  uint64_t generation_ = 0;   // guarded by mu_
  std::string last_error_;    // guarded by mu_
};

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_SNAPSHOT_STORE_H_
