// Copyright 2026 gridroute authors.
//
// The sizes and SHA-256 checksums a pack's manifest lists for its files
// (PACK.md "checksums"): written by every tool that writes a pack, checked
// by LoadPack, so that a file cut short (teams.csv cut at a row boundary
// used to load with rows silently missing) or changed after the pack was
// written is a load error naming it.
//
//   // A writer, once every file of the pack is in place:
//   RETURN_IF_ERROR(WritePackChecksums("out/city"));
//
//   // A reader (LoadPack):
//   ASSIGN_OR_RETURN(auto check, ChecksumCheck::Start(dir, manifest, limits));
//   ...                                   // parse, validate, index
//   RETURN_IF_ERROR(check->Finish());     // the first mismatch, naming the file
//
// Cost: one SHA-256 pass over each file, O(bytes), on one background
// thread, so it overlaps the load instead of adding to it (numbers: PACK.md).
#ifndef GRIDROUTE_SNAPSHOT_PACK_CHECKSUMS_H_
#define GRIDROUTE_SNAPSHOT_PACK_CHECKSUMS_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/file_util.h"
#include "snapshot/manifest.h"

namespace gridroute {

// Adds (or replaces) `checksums` in DIR/manifest.json: the size and SHA-256
// of every file its `files` names, and of folding.csv if the directory has
// one. The other members are kept, in order (one per line, minified); the
// new manifest replaces the old one atomically (rename). Errors: the
// manifest is missing or not a JSON object with a `files` object; a file it
// names is missing, not a regular file, or over its limit.
absl::Status WritePackChecksums(const std::string& dir, const PackLimits& limits = {});

// Checks the files a manifest's `checksums` lists.
//
// Thread-safety: Start() and Finish() from one thread; the hashing runs on
// an internal thread that only reads the files.
class ChecksumCheck {
 public:
  // Opens every listed file (a regular file within its limit) and compares
  // its size with the manifest's at once; then hashes the files on a
  // background thread. Errors: those of RegularFile::Open, or
  // InvalidArgument "<file>: <n> bytes, but manifest.json says <m> ...".
  // A manifest without checksums starts nothing (Finish() is OK).
  static absl::StatusOr<std::unique_ptr<ChecksumCheck>> Start(const std::string& dir,
                                                              const PackManifest& m,
                                                              const PackLimits& limits);
  ~ChecksumCheck();  // joins the thread

  // Waits for the hashes; InvalidArgument "<file>: SHA-256 <x>…, but
  // manifest.json says <y>…" for the first file (in manifest order) that
  // differs, or the read error that stopped its hashing.
  absl::Status Finish();

 private:
  ChecksumCheck() = default;
  std::vector<RegularFile> files_;
  std::vector<FileChecksum> expected_;
  std::vector<absl::Status> results_;  // written by worker_, read after join
  std::thread worker_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_SNAPSHOT_PACK_CHECKSUMS_H_
