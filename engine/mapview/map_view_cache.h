// Copyright 2026 gridroute authors.
//
// MapViewCache: the MapView of the snapshot being served, built once per
// snapshot (the first query after a load or reload builds it, O(grids);
// queries at the same time wait for that one build) and dropped when a
// newer snapshot's view replaces it.
//
//   MapViewCache cache;
//   ASSIGN_OR_RETURN(std::shared_ptr<const MapView> view, cache.Get(store.Current()->snapshot));
//
// Holding the returned view pins its snapshot, and so does the cache: after
// a reload the old snapshot stays resident until the next Get() (the next
// map request) replaces the view, then goes once the queries holding it
// finish. A server that never serves a map request never builds a view.
// Thread-safety: Get from any thread (one mutex, held for a build).
#ifndef GRIDROUTE_MAPVIEW_MAP_VIEW_CACHE_H_
#define GRIDROUTE_MAPVIEW_MAP_VIEW_CACHE_H_

#include <memory>
#include <mutex>

#include "absl/status/statusor.h"
#include "mapview/map_view.h"

namespace gridroute {

class MapViewCache {
 public:
  // The view of `snapshot` (built if the cached one is of another snapshot).
  // Errors: MapView::Build's; FailedPrecondition for a null snapshot.
  absl::StatusOr<std::shared_ptr<const MapView>> Get(
      const std::shared_ptr<const Snapshot>& snapshot);

 private:
  std::mutex mu_;
  std::shared_ptr<const MapView> view_;  // guarded by mu_
};

}  // namespace gridroute

#endif  // GRIDROUTE_MAPVIEW_MAP_VIEW_CACHE_H_
