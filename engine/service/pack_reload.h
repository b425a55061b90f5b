// Copyright 2026 gridroute authors.
//
// ReloadPack: the one step that reloads the served pack while serving. Both
// ways in use it: AdminService.Reload (GridrouteService::Reload) and
// gridroute-server's SIGHUP.
//
//   PackReloadOptions o;
//   o.pack_root = "/srv/packs";  // Reload's confinement (--pack-root)
//   o.cases = desk;              // null: cases off
//   absl::StatusOr<PackReload> r = ReloadPack(&store, o, "/srv/packs/city-v2");
//   if (!r.ok()) ...             // nothing changed: the old pack serves
//
// In order: `pack_dir` bounded (kMaxPathBytes; INVALID_ARGUMENT naming
// pack_dir); confined under options.pack_root (symlinks and ".." resolved:
// PERMISSION_DENIED kPackRootDenied, the same answer whether or not the path
// exists, so nothing can be probed with it); SnapshotStore::Load (validate,
// then swap; a failed load is counted and kept as the store's last_error(),
// Info's last_reload_error); then the case desk's folding rules from the new
// pack. A failure of that last step is not an error (the pack is served):
// it is PackReload::cases_status, and the previous rules stay.
// An empty `pack_dir` reloads the directory served now, unconfined (it was
// accepted when it was loaded). Auditing and logging stay with the callers:
// an RPC audits its caller, SIGHUP writes the server's log.
//
// Thread-safety: as SnapshotStore::Load (one load at a time: another one
// meanwhile is ABORTED at once). Cost: a full LoadPack (seconds for millions
// of grids) on the calling thread's wait; requests keep being served.
// No gRPC here (absl::Status in and out).
#ifndef GRIDROUTE_SERVICE_PACK_RELOAD_H_
#define GRIDROUTE_SERVICE_PACK_RELOAD_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "service/snapshot_store.h"

namespace gridroute {

class CaseDesk;

// The message of a pack_dir refused by the confinement.
inline constexpr char kPackRootDenied[] =
    "pack_dir: not inside the server's --pack-root; nothing loaded";

struct PackReloadOptions {
  // Only a pack_dir inside this directory is loaded. Empty: no confinement.
  std::string pack_root;
  // Gets the new pack's folding rules. Null: cases off. Not owned.
  CaseDesk* cases = nullptr;
};

struct PackReload {
  ReloadResult result;  // the snapshot now served, and the one before
  // The folding rules' reload: not OK means the previous rules stay.
  absl::Status cases_status;
};

absl::StatusOr<PackReload> ReloadPack(SnapshotStore* store, const PackReloadOptions& options,
                                      const std::string& pack_dir);

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_PACK_RELOAD_H_
