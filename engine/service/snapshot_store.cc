// Copyright 2026 gridroute authors.
#include "service/snapshot_store.h"

#include <chrono>
#include <utility>

#include "common/echo.h"

namespace gridroute {

SnapshotStore::SnapshotStore(SnapshotStoreOptions options) : options_(std::move(options)) {}

absl::StatusOr<ReloadResult> SnapshotStore::Load(const std::string& dir) {
  std::lock_guard<std::mutex> lock(load_mu_);
  ReloadResult result;
  result.previous = current_.load();
  std::string path = dir;
  if (path.empty()) {
    if (result.previous == nullptr) {
      return absl::FailedPreconditionError("pack_dir: empty and no pack is loaded yet");
    }
    path = result.previous->pack_dir;
  }
  const auto t0 = std::chrono::steady_clock::now();
  absl::StatusOr<std::shared_ptr<const Snapshot>> snapshot = LoadPack(path, options_.load);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!snapshot.ok()) {
    ++loads_failed_;
    std::lock_guard<std::mutex> elock(error_mu_);
    // Bounded: a loader error may quote a whole file line.
    const absl::string_view m = snapshot.status().message();
    last_error_ = CapMessage(std::string_view(m.data(), m.size()), kMaxLastErrorBytes);
    return snapshot.status();
  }
  // The Router (CRS transforms) is built here too, off the request path.
  result.current = std::make_shared<const ServedSnapshot>(
      std::move(*snapshot), ++generation_, path, options_.now ? options_.now() : absl::Now(),
      seconds);
  current_.store(result.current);
  ++loads_ok_;
  return result;
}

std::string SnapshotStore::last_error() const {
  std::lock_guard<std::mutex> lock(error_mu_);
  return last_error_;
}

}  // namespace gridroute
