// Copyright 2026 gridroute authors.
//
// GeoJSON polygon layers (snapshot/geojson_reader.h) as the pack loader reads
// them, then what the loader does with clean geometry: overlap checks
// (snapshot/validate.h) and both locators.
//
// Input: one options byte, then the file.
//   bit 0: the layers' properties (code, name, kind, owner, ...) instead of
//          the grids' (code, parent, name)
//   bit 1: projected coordinates (geographic = false)
//   bits 2-7: chunk size of the parallel read (32..2048 bytes)
// Invariants checked: every record has a value per property (the loader
// reads them before the errors); the parallel read (threads = 2) gives
// exactly what the sequential one gives: status, error lines, records and
// geometry.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "index/cell_locator.h"
#include "index/locator.h"
#include "snapshot/geojson_reader.h"
#include "snapshot/validate.h"

namespace gridroute {
namespace {

struct ReadResult {
  absl::Status status;
  std::string errors;
  std::vector<FeatureRecord> records;
  GridGeometry geometry;
};

ReadResult Read(const std::string& path, const GeoJsonReadOptions& options) {
  ErrorList errors(50);
  GridGeometryBuilder builder;
  ReadResult r;
  r.status = ReadGeoJsonPolygons(path, options, errors, &r.records, &builder);
  r.errors = errors.empty() ? "" : errors.Lines();
  r.geometry = std::move(builder).Build();
  return r;
}

bool SameGeometry(const GridGeometry& a, const GridGeometry& b) {
  if (a.num_grids() != b.num_grids() || a.num_rings() != b.num_rings() ||
      !(a.points() == b.points())) {
    return false;
  }
  for (uint32_t g = 0; g < a.num_grids(); ++g) {
    if (a.grid_ring_begin(g) != b.grid_ring_begin(g)) return false;
  }
  for (uint32_t r = 0; r < a.num_rings(); ++r) {
    if (a.ring_size(r) != b.ring_size(r) || a.ring_is_hole(r) != b.ring_is_hole(r)) return false;
  }
  return true;
}

bool SameRecords(const std::vector<FeatureRecord>& a, const std::vector<FeatureRecord>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].props != b[i].props || a[i].feature != b[i].feature || a[i].line != b[i].line) {
      return false;
    }
  }
  return true;
}

// What LoadPack does next with geometry that read cleanly.
void UseGeometry(const GridGeometry& g, bool geographic) {
  if (g.num_grids() == 0) return;
  const Quantizer q(geographic);
  OverlapReport overlaps = FindOverlaps(g, q, 1.0, 1);
  (void)overlaps;
  for (uint32_t i = 0; i < g.num_grids() && i < 4; ++i) (void)GridAreaM2(g, q, i);
  std::unique_ptr<Locator> cell = BuildCellLocator(&g, q);
  std::unique_ptr<Locator> rtree = BuildRtreeLocator(&g, q);
  LocateOptions snap;
  snap.snap_m = 30;
  const absl::Span<const IPoint> pts = g.points();
  for (size_t i = 0; i < pts.size() && i < 64; ++i) {
    (void)cell->Locate(pts[i]);
    (void)cell->Locate(pts[i], snap);
    (void)rtree->Locate(pts[i]);
  }
}

}  // namespace
}  // namespace gridroute

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  const std::string path = fuzz::WriteScratch("in.geojson", data + 1, size - 1);
  GeoJsonReadOptions o;
  if (mode & 1) {
    o.properties = {"code", "name", "kind", "owner", "owner_contact", "priority"};
    o.required = {true, false, false, true, false, false};
  } else {
    o.properties = {"code", "parent", "name"};
    o.required = {true, true, false};
  }
  o.geographic = (mode & 2) == 0;
  o.crs_name = o.geographic ? "wgs84" : "EPSG:4547";
  o.threads = 1;
  ReadResult seq = Read(path, o);
  fuzz::CheckNotInternal(seq.status, "ReadGeoJsonPolygons");
  for (const FeatureRecord& r : seq.records) {
    fuzz::Check(r.props.size() == o.properties.size(), "a record has every property");
  }

  o.threads = 2;
  o.chunk_bytes = 32 + size_t{32} * (mode >> 2);
  ReadResult par = Read(path, o);
  fuzz::Check(seq.status == par.status, "parallel read: same status as sequential");
  fuzz::Check(seq.errors == par.errors, "parallel read: same errors as sequential");
  fuzz::Check(SameRecords(seq.records, par.records), "parallel read: same records");
  fuzz::Check(SameGeometry(seq.geometry, par.geometry), "parallel read: same geometry");

  if (seq.status.ok() && seq.errors.empty()) UseGeometry(seq.geometry, o.geographic);
  return 0;
}
