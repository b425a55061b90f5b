// Copyright 2026 gridroute authors.
//
// The container of a compiled snapshot file (.grsnap): a fixed header, an
// info block (pack name and version, the source manifest's SHA-256, what
// built the file), a section table (id, offset, length, CRC32C) and the
// sections, each 64-byte aligned. Layout: SNAPSHOT_FORMAT.md. What goes in
// each section: snap_codec.h.
//
//   ASSIGN_OR_RETURN(auto f, SnapFile::Open("city.grsnap", VerifyMode::kFull));
//   ASSIGN_OR_RETURN(SnapReader r, f->Section(SnapSection::kGeometry));
//
// Open() maps the file read-only (mmap) and checks, before anything else is
// read: the magic, the format version, the header's, info block's and
// table's own CRC32C, that every section lies inside the file, 64-byte
// aligned, after the table, with no id twice; with VerifyMode::kFull also
// every section's CRC32C. Each refusal is FAILED_PRECONDITION (not a
// snapshot file, a version this build does not read) or INVALID_ARGUMENT
// (damaged: truncated, a checksum mismatch naming the section), with the
// path.
//
// Thread-safety: immutable after Open(); readers over different sections
// may run on different threads. Ownership: the mapping lives as long as the
// SnapFile; a SnapReader or span from it must not outlive it.
#ifndef GRIDROUTE_SNAPSHOT_SNAP_FILE_H_
#define GRIDROUTE_SNAPSHOT_SNAP_FILE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/snap_io.h"

namespace gridroute {

inline constexpr char kSnapMagic[8] = {'G', 'R', 'S',  'N',
                                       'A', 'P', '\0', '\0'};
inline constexpr uint32_t kSnapFormatVersion = 3;
inline constexpr size_t kSnapHeaderBytes = 64;
inline constexpr size_t kSnapTableEntryBytes = 32;
inline constexpr uint32_t kSnapMaxSections = 64;
inline constexpr uint64_t kSnapMaxInfoBytes = uint64_t{1} << 20;

// Section ids (stable: a new section gets a new id; a reader refuses a file
// that lacks a section it needs).
enum class SnapSection : uint32_t {
  kMeta = 1,  // quantizer, locator kind, routes flag, warnings
  kManifest = 2,
  kHierarchy = 3,
  kGeometry = 4,
  kCodes = 5,
  kNames = 6,
  kGridBoxes = 7,
  kCellIndex = 8,
  kDepartments = 9,
  kCategories = 10,
  kRules = 11,
  kTeams = 12,
  kComponents = 13,
  kLayers = 14,
  kCalendar = 15,
  kGridRoutes = 16,
  kFolding = 17,  // the pack's folding.csv, if it had one (format 3)
};
// "geometry", "cell_index", ...; "section <id>" for an unknown id.
std::string SnapSectionName(uint32_t id);

// When a section's CRC32C is checked (the header, info block and table are
// always checked at Open()).
enum class VerifyMode : uint8_t {
  // Every section at Open() (one pass over the file on two threads, at
  // memory speed) before any is used.
  kFull,
  // Each section when Section() hands it out, on the thread that is about
  // to read it: the check overlaps the other sections' loading and reads
  // bytes about to be read anyway. Nothing unchecked is ever decoded.
  kLazy,
  // None. No flag selects it: it exists for the fuzz target and the tests
  // of the structural checks, which need damaged sections to reach the
  // decoders. A damaged section is then refused only where the loader's
  // structural checks catch it, or loads with different contents; it is
  // never read out of bounds.
  kNone,
};

// "full" or "lazy" (the --verify flags); false for anything else.
bool ParseVerifyMode(const std::string& text, VerifyMode* mode);

struct SnapInfo {
  std::string pack_name;
  std::string pack_version;
  std::string manifest_sha256;  // of the source pack's manifest.json, hex
  std::string build_info;       // what wrote the file
};

// Writes `sections` (id, bytes) to `path` atomically (a temporary file in
// the same directory, fsync'ed, then renamed over `path`).
absl::Status WriteSnapFile(
    const std::string& path, const SnapInfo& info,
    const std::vector<std::pair<SnapSection, std::string>>& sections);

class SnapFile : public std::enable_shared_from_this<SnapFile> {
 public:
  static absl::StatusOr<std::shared_ptr<SnapFile>> Open(const std::string& path,
                                                        VerifyMode verify);
  ~SnapFile();
  SnapFile(const SnapFile&) = delete;
  SnapFile& operator=(const SnapFile&) = delete;

  const SnapInfo& info() const { return info_; }
  uint64_t file_bytes() const { return size_; }
  const std::string& path() const { return path_; }
  bool Has(SnapSection id) const;
  // A reader over section `id`; INVALID_ARGUMENT if the file has none, or
  // (VerifyMode::kLazy) if its checksum does not match.
  // `lend`: the reader's backing() holds this file (its mapping), so arrays
  // may be viewed in place for as long as that reference is held.
  absl::StatusOr<SnapReader> Section(SnapSection id, bool lend = false) const;
  // Drops the section's pages from this process's resident set (after its
  // arrays were copied out); the file's pages stay in the page cache.
  void Release(SnapSection id) const;
  // ABORTED if the opened file was written since Open(): its size or
  // modification time differs (a `cp new served.grsnap` over it, a
  // truncation). The loader calls it once every section is read, so a load
  // that raced such a write is refused rather than served half old, half
  // new. Replacing the path by rename (what `gridroute compile` does) leaves
  // the opened file as it was and passes. A write that keeps the size and
  // lands within the file system's timestamp granularity is not seen.
  absl::Status CheckUnchanged() const;

 private:
  struct Entry {
    uint32_t id;
    uint64_t offset, length;
    uint32_t crc;
  };
  SnapFile() = default;
  absl::Status ParseHeader();
  absl::Status ParseTable(uint64_t table_offset, uint32_t count,
                          uint32_t table_crc);
  absl::Status VerifySections() const;
  absl::Status VerifySection(const Entry& e) const;
  absl::Status Damaged(const std::string& reason) const;
  const Entry* Find(SnapSection id) const;

  std::string path_;
  int fd_ = -1;  // kept open for CheckUnchanged()
  VerifyMode verify_ = VerifyMode::kFull;
  int64_t mtime_ns_ = 0;  // at Open()
  const char* data_ = nullptr;
  uint64_t size_ = 0;
  SnapInfo info_;
  std::vector<Entry> entries_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_SNAPSHOT_SNAP_FILE_H_
