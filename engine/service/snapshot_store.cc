// Copyright 2026 gridroute authors.
#include "service/snapshot_store.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/echo.h"

namespace gridroute {

// One load. The worker thread holds it (never the store), so an abandoned
// worker may outlive the store and even the Load() that started it.
struct SnapshotStore::Job {
  std::string dir;
  absl::Time started;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;       // guarded by mu: the worker has finished
  bool abandoned = false;  // guarded by mu: nobody waits; the result is dropped
  bool released = false;   // guarded by mu: Shutdown() woke the waiter
  absl::StatusOr<std::shared_ptr<const Snapshot>> result;  // guarded by mu
  double seconds = 0;                                      // guarded by mu
};

namespace {

absl::Time Now(const SnapshotStoreOptions& o) { return o.now ? o.now() : absl::Now(); }

double Secs(absl::Duration d) { return absl::ToDoubleSeconds(d); }

// Waits until pred() or `timeout` (InfiniteDuration: no timeout).
template <typename Pred>
void WaitFor(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
             absl::Duration timeout, Pred pred) {
  if (timeout >= absl::Hours(24 * 365)) {
    cv.wait(lock, pred);
  } else {
    cv.wait_for(lock, absl::ToChronoMilliseconds(std::max(timeout, absl::ZeroDuration())), pred);
  }
}

}  // namespace

SnapshotStore::SnapshotStore(SnapshotStoreOptions options) : options_(std::move(options)) {}

absl::Status SnapshotStore::Busy(const Job& job) const {
  return absl::AbortedError(absl::StrCat(
      "a reload is in progress (pack ", Echo(job.dir, 200), ", started ",
      absl::StrFormat("%.0f", Secs(Now(options_) - job.started)), " s ago",
      job.abandoned ? absl::StrCat(", given up after the load timeout of ",
                                   Secs(options_.load_timeout),
                                   " s but still running in the background")
                    : "",
      "); nothing loaded: try again once it has ended"));
}

absl::Status SnapshotStore::CheckIdle() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (job_ == nullptr) return absl::OkStatus();
  std::lock_guard<std::mutex> jl(job_->mu);
  return job_->done ? absl::OkStatus() : Busy(*job_);
}

absl::StatusOr<ReloadResult> SnapshotStore::Load(const std::string& dir) {
  ReloadResult result;
  auto job = std::make_shared<Job>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_) return absl::UnavailableError("the server is shutting down; nothing loaded");
    if (job_ != nullptr) {
      std::lock_guard<std::mutex> jl(job_->mu);
      if (!job_->done) return Busy(*job_);
    }
    result.previous = current_.load();
    job->dir = dir;
    if (job->dir.empty()) {
      if (result.previous == nullptr) {
        return absl::FailedPreconditionError("pack_dir: empty and no pack is loaded yet");
      }
      job->dir = result.previous->pack_dir;
    }
    job->started = Now(options_);
    job_ = job;
  }
  auto load = options_.load_pack ? options_.load_pack : [](const std::string& d,
                                                          const LoadOptions& o) {
    return LoadPack(d, o);
  };
  std::thread([job, load = std::move(load), options = options_.load] {
    const auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<std::shared_ptr<const Snapshot>> r = load(job->dir, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::lock_guard<std::mutex> lock(job->mu);
    job->done = true;
    job->seconds = seconds;
    if (!job->abandoned) job->result = std::move(r);
    job->cv.notify_all();
  }).detach();  // an abandoned load's snapshot, if any, dies with `r` here

  std::unique_lock<std::mutex> lock(job->mu);
  WaitFor(job->cv, lock, options_.load_timeout, [&] { return job->done || job->released; });
  if (!job->done) {
    job->abandoned = true;
    const bool released = job->released;
    lock.unlock();
    if (released) {
      return absl::UnavailableError(absl::StrCat("the server is shutting down; the load of ",
                                                 Echo(job->dir, 200), " was abandoned"));
    }
    const std::string msg = absl::StrCat(
        "loading ", Echo(job->dir, 200), " took longer than the load timeout of ",
        Secs(options_.load_timeout),
        " s: given up, the previous snapshot is still served (the load itself cannot be "
        "interrupted and may still be running: reloads answer ABORTED until it ends)");
    Failed(msg);
    return absl::DeadlineExceededError(msg);
  }
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = std::move(job->result);
  job->result = absl::UnknownError("taken");
  const double seconds = job->seconds;
  lock.unlock();
  if (!snapshot.ok()) {
    Failed(snapshot.status().message());
    return snapshot.status();
  }
  return Publish(std::move(result), *std::move(snapshot), job->dir, seconds);
}

absl::StatusOr<ReloadResult> SnapshotStore::Publish(ReloadResult result,
                                                    std::shared_ptr<const Snapshot> snapshot,
                                                    const std::string& path, double seconds) {
  // The Router (CRS transforms) is built here too, off the request path.
  std::lock_guard<std::mutex> lock(mu_);
  result.current = std::make_shared<const ServedSnapshot>(std::move(snapshot), ++generation_,
                                                          path, Now(options_), seconds);
  current_.store(result.current);
  ++loads_ok_;
  return result;
}

void SnapshotStore::Failed(absl::string_view message) {
  ++loads_failed_;
  std::lock_guard<std::mutex> lock(mu_);
  last_error_ = CapMessage(std::string_view(message.data(), message.size()), kMaxErrorBytes);
}

void SnapshotStore::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutdown_ = true;
  if (job_ != nullptr) {
    std::lock_guard<std::mutex> jl(job_->mu);
    job_->released = true;
    job_->cv.notify_all();
  }
}

std::string SnapshotStore::last_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

}  // namespace gridroute
