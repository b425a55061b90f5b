// Copyright 2026 gridroute authors.
#include "service/pack_reload.h"

#include <utility>

#include "intake/case_desk.h"
#include "service/auth.h"
#include "service/field_limits.h"

namespace gridroute {

absl::StatusOr<PackReload> ReloadPack(SnapshotStore* store, const PackReloadOptions& options,
                                      const std::string& pack_dir) {
  if (absl::Status st = CheckLength(pack_dir, kMaxPathBytes, "pack_dir"); !st.ok()) return st;
  std::string dir = pack_dir;
  if (!dir.empty() && !options.pack_root.empty()) {
    std::string resolved;
    if (!InsidePackRoot(options.pack_root, dir, &resolved)) {
      return absl::PermissionDeniedError(kPackRootDenied);
    }
    dir = std::move(resolved);
  }
  absl::StatusOr<ReloadResult> r = store->Load(dir);
  if (!r.ok()) return r.status();
  PackReload out;
  out.result = *std::move(r);
  if (options.cases != nullptr) {
    out.cases_status =
        options.cases->Reload(*out.result.current->snapshot, out.result.current->pack_dir);
  }
  return out;
}

}  // namespace gridroute
