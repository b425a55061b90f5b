// Coordinate reference systems and conversions between them.
//
// Supported systems: WGS-84, CGCS2000 (treated as identical to WGS-84; they
// differ by centimetres), the Chinese GCJ-02 ("Mars") obfuscation, Baidu's
// BD-09 offset on top of GCJ-02, and any geographic or projected EPSG CRS that
// PROJ knows. See geo/CRS.md for the exact rules and accuracy.
//
// Example:
//   absl::StatusOr<Crs> from = ParseCrs("gcj02");
//   absl::StatusOr<Crs> to = ParseCrs("EPSG:4547");
//   absl::StatusOr<std::unique_ptr<CrsTransform>> t =
//       CrsTransform::Create(*from, *to);
//   absl::StatusOr<LonLat> xy = (*t)->Apply(114.3, 30.6);  // xy->lon = easting
//
// The free functions (Wgs84ToGcj02, ...) are pure, thread-safe, never
// allocate and never fail; they do not range-check (see CheckCoordinate).
// Accuracy is relative to the public formulas, which are themselves only an
// approximation of what map providers do (see CRS.md).

#ifndef GRIDROUTE_ENGINE_GEO_CRS_H_
#define GRIDROUTE_ENGINE_GEO_CRS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// PROJ's operation type (PJ in <proj.h>); only crs.cc includes PROJ.
struct PJconsts;

namespace gridroute {

enum class CrsKind { kWgs84, kCgcs2000, kGcj02, kBd09, kEpsg };

// A coordinate reference system: one of the built-in geographic systems, or an
// EPSG code resolved by PROJ. A plain value; copy freely.
//
// Build kEpsg values with ParseCrs() or EpsgCrs(): they ask PROJ whether the
// code is geographic and store the answer in `epsg_geographic`. A hand-built
// kEpsg value keeps epsg_geographic == false (treated as projected by
// geographic() and CheckCoordinate), except for 4326 and 4490. CrsTransform
// always asks PROJ itself and does not trust the field.
struct Crs {
  CrsKind kind = CrsKind::kWgs84;
  int epsg = 0;                  // Only for kEpsg.
  bool epsg_geographic = false;  // Only for kEpsg; set by ParseCrs/EpsgCrs.

  // True for wgs84/cgcs2000/gcj02/bd09 and geographic EPSG codes (degrees).
  bool geographic() const;
  // "wgs84", "cgcs2000", "gcj02", "bd09" or "EPSG:<n>"; ParseCrs() accepts it.
  std::string ToString() const;

  // Equality of the system (kind and, for kEpsg, the code); wgs84 and cgcs2000
  // compare unequal even though conversions treat them as the same.
  friend bool operator==(const Crs& a, const Crs& b) {
    return a.kind == b.kind && (a.kind != CrsKind::kEpsg || a.epsg == b.epsg);
  }
  friend bool operator!=(const Crs& a, const Crs& b) { return !(a == b); }
};

// Parses (case-insensitive, no surrounding blanks) "wgs84", "cgcs2000",
// "gcj02", "bd09" or "EPSG:<n>". EPSG:4326 -> kWgs84, EPSG:4490 -> kCgcs2000.
// Any other code must be a geographic (angles in degrees) or projected CRS in
// PROJ's database. Errors: InvalidArgument naming the text.
// Thread-safe. Cost: a name is a few string compares; an EPSG code opens
// PROJ's database (milliseconds, allocates). Call at configuration time, not
// per request.
absl::StatusOr<Crs> ParseCrs(absl::string_view text);

// Crs for an EPSG code, with the same rules and cost as ParseCrs("EPSG:<n>").
absl::StatusOr<Crs> EpsgCrs(int code);

// A 2-D coordinate. Geographic: lon/lat in degrees. Projected: lon = x
// (easting), lat = y (northing), in the CRS's linear unit (usually metres).
struct LonLat {
  double lon;
  double lat;
};

// The bounding box used by the public GCJ-02 libraries: true unless
// 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271. (It includes
// neighbouring countries; that is what GCJ-02 data providers do.)
bool OutOfChina(LonLat p);

// GCJ-02 forward: the widely published formula (Krasovsky ellipsoid
// a = 6378245, e^2 = 0.00669342162296594323), equal to a literal transcription
// to 1e-11 deg (tested). Identity when OutOfChina(p). Offsets are 100-700 m
// inside China. O(1), no allocation (measured costs: CRS.md).
LonLat Wgs84ToGcj02(LonLat p);

// GCJ-02 inverse: Newton's method on the forward formula with its analytic
// Jacobian, from w = p. Stops when the residual Forward(w) - p is below 1e-9
// deg (0.1 mm), or right after a Newton step taken from a residual below
// 1e-5 deg (that step's error is ~1e-12 deg), or after 10 steps. Almost
// everywhere that is 2 evaluations of the forward formula.
// Accuracy, tested on a 0.01 deg lattice over China (22M points): round trip
// wgs84 -> gcj02 -> wgs84 and gcj02 -> wgs84 -> gcj02 both err < 1e-9 deg
// (0.1 mm); near the non-smooth lon 105 line < 1e-9 deg too.
// Identity when OutOfChina(p) (p is the GCJ-02 point).
LonLat Gcj02ToWgs84(LonLat p);

// Baidu's BD-09 offset on GCJ-02 (x_pi = pi * 3000 / 180), applied everywhere
// (not only inside China), as the public libraries do. O(1), no
// allocation.
LonLat Gcj02ToBd09(LonLat p);
// Inverse of Gcj02ToBd09: the published closed form (errs up to 0.2 m over
// China) refined by Newton's method on the forward formula (same stopping
// rule as Gcj02ToWgs84; usually 1 step). Round-trip error < 1e-12 deg.
LonLat Bd09ToGcj02(LonLat p);

// Compositions through GCJ-02.
LonLat Bd09ToWgs84(LonLat p);  // Gcj02ToWgs84(Bd09ToGcj02(p))
LonLat Wgs84ToBd09(LonLat p);  // Gcj02ToBd09(Wgs84ToGcj02(p))

// All of the offset functions above are O(1) (a bounded number of Newton
// steps), thread-safe and allocation-free; their measured costs: CRS.md,
// "Threads and cost".

// Range check for a coordinate in `crs`: finite, and if crs.geographic()
// lon in [-180, 180] and lat in [-90, 90], else |x|, |y| <= 1e8 (CRS units,
// usually metres). Error: InvalidArgument naming the field ("lon"/"lat" or
// "x"/"y") and the value. Thread-safe, allocates only on error.
absl::Status CheckCoordinate(const Crs& crs, double x, double y);

// Converts coordinates from one CRS to another.
//
//   auto t = CrsTransform::Create(wgs84, *ParseCrs("EPSG:4547"));
//   absl::StatusOr<LonLat> en = (*t)->Apply(114.0, 30.0);  // ~(500000, 3.3e6)
//
// Among wgs84/cgcs2000/gcj02/bd09 it uses the functions above (no PROJ).
// Anything with an EPSG side goes through PROJ (proj_create_crs_to_crs +
// proj_normalize_for_visualization, so x = lon/easting, y = lat/northing
// always), with WGS-84 as the pivot for gcj02/bd09 (gcj02 -> wgs84 -> EPSG).
// wgs84 and cgcs2000 enter PROJ as the same geographic CRS: EPSG:4490 when the
// EPSG side is on the CGCS2000 datum (so CGCS2000 grids are pure projections),
// else EPSG:4326.
//
// Thread-safety: Apply() is safe to call concurrently from any number of
// threads. PROJ objects are not thread-safe, so each thread lazily builds its
// own PROJ context and operation the first time it calls Apply() on a given
// transform (milliseconds, allocates), kept in a thread_local cache; later
// calls do not allocate or lock. Per-thread PROJ objects of a destroyed
// transform are freed when that thread next builds one, or when it exits.
// Ownership: the object owns its PROJ objects; destroy it only after all
// Apply() calls on it have returned.
// Cost of Apply(): one PROJ transform of one point (plus the offset
// functions for gcj02/bd09 sides), no allocation in the steady state
// (tested; measured times: CRS.md, "Threads and cost").
class CrsTransform {
 public:
  // Errors: InvalidArgument if an EPSG code is unknown to PROJ or not a
  // geographic/projected CRS; Internal if PROJ finds no operation.
  // Cost: opens PROJ's database when an EPSG side is involved
  // (milliseconds), else O(1).
  static absl::StatusOr<std::unique_ptr<CrsTransform>> Create(const Crs& from,
                                                              const Crs& to);

  CrsTransform(const CrsTransform&) = delete;
  CrsTransform& operator=(const CrsTransform&) = delete;
  ~CrsTransform();

  // Converts (x, y) given in from(); result x/lon in .lon, y/lat in .lat.
  // Errors: InvalidArgument if the input fails CheckCoordinate(from(), x, y);
  // OutOfRange if PROJ cannot transform the point (e.g. far outside the
  // projection's domain) or yields a non-finite value; Internal if this
  // thread could not build its PROJ objects.
  absl::StatusOr<LonLat> Apply(double x, double y) const;

  // True when Apply() returns its input unchanged (after the range check):
  // same system, or wgs84 <-> cgcs2000.
  bool is_identity() const { return stage_ == Stage::kIdentity; }

  // The systems as given to Create(), EPSG:4326/4490 normalised to
  // kWgs84/kCgcs2000 and epsg_geographic filled in from PROJ.
  const Crs& from() const { return from_; }
  const Crs& to() const { return to_; }

 private:
  enum class Stage { kIdentity, kOffsetsOnly, kProj };
  using OffsetFn = LonLat (*)(LonLat);

  CrsTransform() = default;

  // This thread's PROJ operation for this transform, built on first use;
  // null with *status set on failure.
  PJconsts* ThreadOperation(absl::Status* status) const;

  // Constant after construction.
  Crs from_;
  Crs to_;
  Stage stage_ = Stage::kIdentity;
  OffsetFn offset_ = nullptr;  // kOffsetsOnly: the whole conversion.
  OffsetFn pre_ = nullptr;     // kProj: gcj02/bd09 -> wgs84, or none.
  OffsetFn post_ = nullptr;    // kProj: wgs84 -> gcj02/bd09, or none.
  std::string proj_source_;    // kProj: e.g. "EPSG:4326".
  std::string proj_target_;    // kProj: e.g. "EPSG:4547".
  uint64_t id_ = 0;            // kProj: never reused; keys the thread cache.
  std::shared_ptr<const int> alive_;  // kProj: expires when this object dies.
};

}  // namespace gridroute

#endif  // GRIDROUTE_ENGINE_GEO_CRS_H_
