// Copyright 2026 gridroute authors.
#include "mapview/map_view_cache.h"

#include <utility>

namespace gridroute {

absl::StatusOr<std::shared_ptr<const MapView>> MapViewCache::Get(
    const std::shared_ptr<const Snapshot>& snapshot) {
  if (snapshot == nullptr) return absl::FailedPreconditionError("no pack is loaded");
  std::lock_guard<std::mutex> lock(mu_);
  if (view_ != nullptr && &view_->snapshot() == snapshot.get()) return view_;
  view_.reset();  // let the old snapshot go before building the new view
  absl::StatusOr<std::unique_ptr<MapView>> built = MapView::Build(snapshot);
  if (!built.ok()) return built.status();
  view_ = std::move(*built);
  return view_;
}

}  // namespace gridroute
