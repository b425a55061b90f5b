#include "geo/crs.h"

#include <proj.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/echo.h"

namespace gridroute {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDegToRad = kPi / 180.0;

// GCJ-02 constants of the public formula (Krasovsky 1940 ellipsoid).
constexpr double kGcjA = 6378245.0;
constexpr double kGcjEe = 0.00669342162296594323;

// BD-09 constants of the public formula.
constexpr double kBdXPi = kPi * 3000.0 / 180.0;
constexpr double kBdDx = 0.0065;
constexpr double kBdDy = 0.006;

// Newton iterations (see Gcj02ToWgs84 / Bd09ToGcj02) stop when the residual
// Forward(w) - target is below kResidualTolerance in both coordinates, or
// right after a Newton step taken from a residual below kFinalStepResidual:
// Newton's error after such a step is ~C * r^2 with C < 0.1 / deg for both
// forward maps, i.e. < 1e-11 deg, so evaluating once more only to confirm
// would cost a third of the time. kMaxIterations bounds pathological inputs.
constexpr double kResidualTolerance = 1e-9;  // deg, ~0.1 mm.
constexpr double kFinalStepResidual = 1e-5;  // deg, ~1 m.
constexpr int kMaxIterations = 10;

// d(offset)/d(lon, lat), dimensionless (deg per deg).
struct Jacobian {
  double lon_lon, lon_lat;  // d off.lon / d lon, d off.lon / d lat
  double lat_lon, lat_lat;  // d off.lat / d lon, d off.lat / d lat
};

// e^(i t) as (cos t, sin t); products add angles.
struct Cis {
  double c;
  double s;
};
inline Cis Mul(Cis a, Cis b) {
  return Cis{a.c * b.c - a.s * b.s, a.s * b.c + a.c * b.s};
}
inline Cis Square(Cis a) { return Cis{a.c * a.c - a.s * a.s, 2.0 * a.s * a.c}; }

// The GCJ-02 offset (degrees) at WGS-84 point (lon, lat), without the
// OutOfChina test; equal to the public formula to ~1e-14 deg (tested against
// a literal transcription). Speed: the formula's 12 sines of x and y are all
// of integer multiples of pi x / 60 and pi y / 60 (1/60, 1/30, 1/12, 1/3, 1,
// 2, 6 times pi), so they come from one cos/sin pair each by complex
// multiplication (relative error ~120 ulp, i.e. < 1e-13 m here) plus the
// triple-angle identity; with the latitude terms that is 3 sin/cos pairs
// instead of 14 sin + 1 cos, and the cosines the Jacobian needs are free.
// If `jac` is not null, also returns the Jacobian. The 0.1/0.2 * sqrt(|x|)
// terms are left out of it (their derivative is unbounded at lon 105; the
// quasi-Newton step still converges there, see Gcj02ToWgs84).
template <bool kWithJacobian>
inline LonLat GcjOffset(double lon, double lat, Jacobian* jac) {
  const double x = lon - 105.0;
  const double y = lat - 35.0;
  const double u = x * (kPi / 60.0);
  const double v = y * (kPi / 60.0);
  const Cis ex1{std::cos(u), std::sin(u)};
  const Cis ex2 = Square(ex1);            // pi x / 30
  const Cis ex5 = Mul(Square(ex2), ex1);  // pi x / 12
  const Cis ex20 = Square(Square(ex5));   // pi x / 3
  const Cis ex40 = Square(ex20);
  const Cis ex120 = Mul(Square(ex40), ex40);  // 2 pi x
  const Cis ey1{std::cos(v), std::sin(v)};
  const Cis ey2 = Square(ey1);            // pi y / 30
  const Cis ey5 = Mul(Square(ey2), ey1);  // pi y / 12
  const Cis ey20 = Square(Square(ey5));   // pi y / 3

  const double s2x = ex120.s;
  const double s6x = s2x * (3.0 - 4.0 * s2x * s2x);  // sin(6 pi x)
  const double sx3 = ex20.s;
  const double sx1 = sx3 * (3.0 - 4.0 * sx3 * sx3);  // sin(pi x)
  const double sy3 = ey20.s;
  const double sy1 = sy3 * (3.0 - 4.0 * sy3 * sy3);  // sin(pi y)
  const double sx12 = ex5.s;
  const double sx30 = ex2.s;
  const double sy12 = ey5.s;
  const double sy30 = ey2.s;
  const double sqrt_abs_x = std::sqrt(std::fabs(x));
  const double wave_x = (20.0 * s6x + 20.0 * s2x) * 2.0 / 3.0;

  const double t_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y +
                       0.2 * sqrt_abs_x + wave_x +
                       (20.0 * sy1 + 40.0 * sy3) * 2.0 / 3.0 +
                       (160.0 * sy12 + 320.0 * sy30) * 2.0 / 3.0;
  const double t_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y +
                       0.1 * sqrt_abs_x + wave_x +
                       (20.0 * sx1 + 40.0 * sx3) * 2.0 / 3.0 +
                       (150.0 * sx12 + 300.0 * sx30) * 2.0 / 3.0;

  const double rad_lat = lat / 180.0 * kPi;
  const double sin_lat = std::sin(rad_lat);
  const double cos_lat = std::cos(rad_lat);
  const double magic = 1.0 - kGcjEe * sin_lat * sin_lat;
  const double sqrt_magic = std::sqrt(magic);
  // Degrees of offset per metre of the T terms.
  const double k_lat =
      180.0 / ((kGcjA * (1.0 - kGcjEe)) / (magic * sqrt_magic) * kPi);
  const double k_lon = 180.0 / (kGcjA / sqrt_magic * cos_lat * kPi);
  const LonLat off{t_lon * k_lon, t_lat * k_lat};

  if constexpr (kWithJacobian) {
    const double c2x = ex120.c;
    const double c6x = c2x * (4.0 * c2x * c2x - 3.0);  // cos(6 pi x)
    const double cx3 = ex20.c;
    const double cx1 = cx3 * (4.0 * cx3 * cx3 - 3.0);  // cos(pi x)
    const double cy3 = ey20.c;
    const double cy1 = cy3 * (4.0 * cy3 * cy3 - 3.0);  // cos(pi y)
    const double cx12 = ex5.c;
    const double cx30 = ex2.c;
    const double cy12 = ey5.c;
    const double cy30 = ey2.c;
    const double dwave_x = (120.0 * kPi * c6x + 40.0 * kPi * c2x) * 2.0 / 3.0;
    const double dt_lat_dx = 2.0 + 0.1 * y + dwave_x;
    const double dt_lat_dy =
        3.0 + 0.4 * y + 0.1 * x +
        (20.0 * kPi * cy1 + 40.0 * kPi / 3.0 * cy3) * 2.0 / 3.0 +
        (160.0 * kPi / 12.0 * cy12 + 320.0 * kPi / 30.0 * cy30) * 2.0 / 3.0;
    const double dt_lon_dx =
        1.0 + 0.2 * x + 0.1 * y + dwave_x +
        (20.0 * kPi * cx1 + 40.0 * kPi / 3.0 * cx3) * 2.0 / 3.0 +
        (150.0 * kPi / 12.0 * cx12 + 300.0 * kPi / 30.0 * cx30) * 2.0 / 3.0;
    const double dt_lon_dy = 2.0 + 0.1 * x;
    // d ln(k)/d lat (per degree) from magic = 1 - ee sin^2 and 1 / cos.
    const double dmagic = -2.0 * kGcjEe * sin_lat * cos_lat / magic;
    const double dln_k_lat = 1.5 * dmagic * kDegToRad;
    const double dln_k_lon = (0.5 * dmagic + sin_lat / cos_lat) * kDegToRad;
    jac->lon_lon = dt_lon_dx * k_lon;
    jac->lon_lat = dt_lon_dy * k_lon + off.lon * dln_k_lon;
    jac->lat_lon = dt_lat_dx * k_lat;
    jac->lat_lat = dt_lat_dy * k_lat + off.lat * dln_k_lat;
  }
  return off;
}

// BD-09 forward from GCJ-02, optionally with its full Jacobian dF/d(lon, lat):
//   z = r + A sin(k y), theta = atan2(y, x) + B cos(k x),
//   F = z (cos theta, sin theta) + (0.0065, 0.006).
template <bool kWithJacobian>
inline LonLat BdForward(LonLat p, Jacobian* jac) {
  constexpr double kA = 0.00002;
  constexpr double kB = 0.000003;
  const double x = p.lon;
  const double y = p.lat;
  const double r = std::sqrt(x * x + y * y);
  const double z = r + kA * std::sin(y * kBdXPi);
  const double theta = std::atan2(y, x) + kB * std::cos(x * kBdXPi);
  const double c = std::cos(theta);
  const double s = std::sin(theta);
  if constexpr (kWithJacobian) {
    const double inv_r = r > 0.0 ? 1.0 / r : 0.0;
    const double dz_dx = x * inv_r;
    const double dz_dy = y * inv_r + kA * kBdXPi * std::cos(y * kBdXPi);
    const double dth_dx =
        -y * inv_r * inv_r - kB * kBdXPi * std::sin(x * kBdXPi);
    const double dth_dy = x * inv_r * inv_r;
    jac->lon_lon = dz_dx * c - z * dth_dx * s;
    jac->lon_lat = dz_dy * c - z * dth_dy * s;
    jac->lat_lon = dz_dx * s + z * dth_dx * c;
    jac->lat_lat = dz_dy * s + z * dth_dy * c;
  }
  return LonLat{z * c + kBdDx, z * s + kBdDy};
}

// Solves forward(w) = target by Newton's method from `start`, where
// forward(w, &m) returns F(w) and m = dF/dw. Stops as described at
// kResidualTolerance. The caller guarantees m is well conditioned near the
// solution (it is within ~3% of the identity for both maps).
template <typename Forward>
inline LonLat NewtonInverse(LonLat target, LonLat start, Forward forward) {
  LonLat w = start;
  for (int i = 0; i < kMaxIterations; ++i) {
    Jacobian m;
    const LonLat f = forward(w, &m);
    const double rx = f.lon - target.lon;
    const double ry = f.lat - target.lat;
    const double size = std::fmax(std::fabs(rx), std::fabs(ry));
    if (size < kResidualTolerance) break;
    const double det = m.lon_lon * m.lat_lat - m.lon_lat * m.lat_lon;
    if (!(std::fabs(det) > 0.5)) {  // Also catches NaN: give up, stay put.
      break;
    }
    w.lon -= (m.lat_lat * rx - m.lon_lat * ry) / det;
    w.lat -= (m.lon_lon * ry - m.lat_lon * rx) / det;
    if (size < kFinalStepResidual) break;
  }
  return w;
}

// Formats a double for an error message without needing absl::StrFormat.
std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", v);
  return buf;
}

// The text as quoted in error messages: Echo's short, printable form.
std::string Quote(absl::string_view text) {
  return absl::StrCat("'", Echo(std::string_view(text.data(), text.size())), "'");
}

// A PROJ context that logs nothing (errors come back as absl::Status).
PJ_CONTEXT* NewQuietContext() {
  PJ_CONTEXT* ctx = proj_context_create();
  if (ctx != nullptr) proj_log_level(ctx, PJ_LOG_NONE);
  return ctx;
}

struct ContextDeleter {
  void operator()(PJ_CONTEXT* ctx) const { proj_context_destroy(ctx); }
};
struct PjDeleter {
  void operator()(PJ* pj) const { proj_destroy(pj); }
};
using ContextPtr = std::unique_ptr<PJ_CONTEXT, ContextDeleter>;
using PjPtr = std::unique_ptr<PJ, PjDeleter>;

std::string ProjError(PJ_CONTEXT* ctx) {
  const int err = proj_context_errno(ctx);
  const char* msg = err != 0 ? proj_context_errno_string(ctx, err) : nullptr;
  return msg != nullptr ? msg : "unknown PROJ error";
}

// What we need to know about an EPSG CRS.
struct EpsgInfo {
  bool geographic = false;
  bool cgcs2000_datum = false;  // Geodetic datum is China 2000 (EPSG:1043).
};

// Looks `code` up in PROJ's database. Errors name `text` (what the user wrote).
absl::StatusOr<EpsgInfo> ResolveEpsg(PJ_CONTEXT* ctx, int code,
                                     absl::string_view text) {
  const std::string code_str = std::to_string(code);
  PjPtr crs(proj_create_from_database(ctx, "EPSG", code_str.c_str(),
                                      PJ_CATEGORY_CRS,
                                      /*usePROJAlternativeGridNames=*/0,
                                      /*options=*/nullptr));
  if (crs == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown CRS ", Quote(text), ": PROJ has no CRS EPSG:", code_str, " (",
        ProjError(ctx), ")"));
  }
  EpsgInfo info;
  switch (proj_get_type(crs.get())) {
    case PJ_TYPE_GEOGRAPHIC_2D_CRS:
    case PJ_TYPE_GEOGRAPHIC_3D_CRS:
      info.geographic = true;
      break;
    case PJ_TYPE_PROJECTED_CRS:
      info.geographic = false;
      break;
    default:
      return absl::InvalidArgumentError(absl::StrCat(
          "unsupported CRS ", Quote(text), " (", proj_get_name(crs.get()),
          "): only geographic and projected CRSs are supported"));
  }
  if (info.geographic) {
    // Range checks and the offsets assume degrees; reject grads or radians.
    PjPtr cs(proj_crs_get_coordinate_system(ctx, crs.get()));
    double factor = 0.0;
    if (cs == nullptr ||
        !proj_cs_get_axis_info(ctx, cs.get(), 0, nullptr, nullptr, nullptr,
                               &factor, nullptr, nullptr, nullptr) ||
        std::fabs(factor - kDegToRad) > 1e-12) {
      return absl::InvalidArgumentError(
          absl::StrCat("unsupported CRS ", Quote(text),
                       ": geographic CRS whose angles are not in degrees"));
    }
  }
  PjPtr geodetic(proj_crs_get_geodetic_crs(ctx, crs.get()));
  if (geodetic != nullptr) {
    PjPtr datum(proj_crs_get_datum_forced(ctx, geodetic.get()));
    if (datum != nullptr) {
      const char* auth = proj_get_id_auth_name(datum.get(), 0);
      const char* id = proj_get_id_code(datum.get(), 0);
      info.cgcs2000_datum = auth != nullptr && id != nullptr &&
                            absl::string_view(auth) == "EPSG" &&
                            absl::string_view(id) == "1043";
    }
  }
  return info;
}

// Resolves an EPSG code into a Crs, mapping 4326/4490 to the built-ins.
absl::StatusOr<Crs> ResolveEpsgCrs(int code, absl::string_view text) {
  Crs crs;
  if (code == 4326) return crs;
  if (code == 4490) {
    crs.kind = CrsKind::kCgcs2000;
    return crs;
  }
  ContextPtr ctx(NewQuietContext());
  if (ctx == nullptr) return absl::InternalError("proj_context_create failed");
  absl::StatusOr<EpsgInfo> info = ResolveEpsg(ctx.get(), code, text);
  if (!info.ok()) return info.status();
  crs.kind = CrsKind::kEpsg;
  crs.epsg = code;
  crs.epsg_geographic = info->geographic;
  return crs;
}

}  // namespace

// ---------------------------------------------------------------------------
// Crs

bool Crs::geographic() const {
  if (kind != CrsKind::kEpsg) return true;
  return epsg_geographic || epsg == 4326 || epsg == 4490;
}

std::string Crs::ToString() const {
  switch (kind) {
    case CrsKind::kWgs84:
      return "wgs84";
    case CrsKind::kCgcs2000:
      return "cgcs2000";
    case CrsKind::kGcj02:
      return "gcj02";
    case CrsKind::kBd09:
      return "bd09";
    case CrsKind::kEpsg:
      return absl::StrCat("EPSG:", epsg);
  }
  return "unknown";
}

absl::StatusOr<Crs> ParseCrs(absl::string_view text) {
  struct Named {
    absl::string_view name;
    CrsKind kind;
  };
  static constexpr Named kNamed[] = {{"wgs84", CrsKind::kWgs84},
                                     {"cgcs2000", CrsKind::kCgcs2000},
                                     {"gcj02", CrsKind::kGcj02},
                                     {"bd09", CrsKind::kBd09}};
  for (const Named& n : kNamed) {
    if (absl::EqualsIgnoreCase(text, n.name)) {
      Crs crs;
      crs.kind = n.kind;
      return crs;
    }
  }
  constexpr absl::string_view kEpsgPrefix = "epsg:";
  if (absl::StartsWithIgnoreCase(text, kEpsgPrefix)) {
    const absl::string_view digits = text.substr(kEpsgPrefix.size());
    bool all_digits = !digits.empty() && digits.size() <= 9;
    for (char c : digits) all_digits = all_digits && absl::ascii_isdigit(c);
    int code = 0;
    if (!all_digits || !absl::SimpleAtoi(digits, &code) || code <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid CRS ", Quote(text), ": expected EPSG:<positive integer>"));
    }
    return ResolveEpsgCrs(code, text);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown CRS ", Quote(text),
                   ": expected wgs84, cgcs2000, gcj02, bd09 or EPSG:<code>"));
}

absl::StatusOr<Crs> EpsgCrs(int code) {
  const std::string text = absl::StrCat("EPSG:", code);
  if (code <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid CRS ", Quote(text), ": code must be positive"));
  }
  return ResolveEpsgCrs(code, text);
}

// ---------------------------------------------------------------------------
// Offsets

bool OutOfChina(LonLat p) {
  return !(p.lon >= 72.004 && p.lon <= 137.8347 && p.lat >= 0.8293 &&
           p.lat <= 55.8271);
}

LonLat Wgs84ToGcj02(LonLat p) {
  if (OutOfChina(p)) return p;
  const LonLat d = GcjOffset<false>(p.lon, p.lat, nullptr);
  return LonLat{p.lon + d.lon, p.lat + d.lat};
}

LonLat Gcj02ToWgs84(LonLat p) {
  if (OutOfChina(p)) return p;
  // Newton from w = p: the first step leaves ~1e-6 deg (the offset is
  // < 0.01 deg and the formula's curvature < 0.1 / deg), the second ~1e-13
  // deg; so two evaluations almost everywhere. The forward map skips the box
  // test on purpose: near the box edge the preimage may lie just outside it.
  // Near lon 105 the Jacobian lacks the sqrt(|lon - 105|) terms; the steps
  // then converge linearly but the remaining error stays < 1 mm (tested).
  return NewtonInverse(p, p, [](LonLat w, Jacobian* m) {
    const LonLat d = GcjOffset<true>(w.lon, w.lat, m);
    m->lon_lon += 1.0;
    m->lat_lat += 1.0;
    return LonLat{w.lon + d.lon, w.lat + d.lat};
  });
}

LonLat Gcj02ToBd09(LonLat p) { return BdForward<false>(p, nullptr); }

LonLat Bd09ToGcj02(LonLat p) {
  // The published closed form errs by up to ~0.2 m over China (it evaluates
  // the sin/cos terms at the BD-09 point); one Newton step on the forward
  // formula takes that to ~1e-12 deg.
  const double x = p.lon - kBdDx;
  const double y = p.lat - kBdDy;
  const double z = std::sqrt(x * x + y * y) - 0.00002 * std::sin(y * kBdXPi);
  const double theta = std::atan2(y, x) - 0.000003 * std::cos(x * kBdXPi);
  const LonLat start{z * std::cos(theta), z * std::sin(theta)};
  return NewtonInverse(
      p, start, [](LonLat w, Jacobian* m) { return BdForward<true>(w, m); });
}

LonLat Bd09ToWgs84(LonLat p) { return Gcj02ToWgs84(Bd09ToGcj02(p)); }

LonLat Wgs84ToBd09(LonLat p) { return Gcj02ToBd09(Wgs84ToGcj02(p)); }

// ---------------------------------------------------------------------------
// CheckCoordinate

absl::Status CheckCoordinate(const Crs& crs, double x, double y) {
  const bool geo = crs.geographic();
  const char* x_name = geo ? "lon" : "x";
  const char* y_name = geo ? "lat" : "y";
  const double x_limit = geo ? 180.0 : 1e8;
  const double y_limit = geo ? 90.0 : 1e8;
  // `!(|v| <= limit)` is also true for NaN; inf fails the bound.
  if (!(std::fabs(x) <= x_limit)) {
    return absl::InvalidArgumentError(
        absl::StrCat(x_name, " out of range [-", FormatDouble(x_limit), ", ",
                     FormatDouble(x_limit), "] for ", crs.ToString(), ": ",
                     FormatDouble(x)));
  }
  if (!(std::fabs(y) <= y_limit)) {
    return absl::InvalidArgumentError(
        absl::StrCat(y_name, " out of range [-", FormatDouble(y_limit), ", ",
                     FormatDouble(y_limit), "] for ", crs.ToString(), ": ",
                     FormatDouble(y)));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// CrsTransform

namespace {

// Per-thread PROJ state: one context and one operation per live transform.
// Lookups scan a short vector (a thread usually uses 1-3 transforms), so the
// steady state neither allocates nor locks.
class ThreadProjCache {
 public:
  struct Entry {
    uint64_t id;
    std::weak_ptr<const int> alive;
    PJ* pj;
  };

  ThreadProjCache() = default;
  ThreadProjCache(const ThreadProjCache&) = delete;
  ThreadProjCache& operator=(const ThreadProjCache&) = delete;
  ~ThreadProjCache() {
    for (Entry& e : entries_) proj_destroy(e.pj);
    if (ctx_ != nullptr) proj_context_destroy(ctx_);
  }

  PJ* Find(uint64_t id) const {
    for (const Entry& e : entries_) {
      if (e.id == id) return e.pj;
    }
    return nullptr;
  }

  // Frees the operations of transforms that no longer exist.
  void Purge() {
    size_t kept = 0;
    for (Entry& e : entries_) {
      if (e.alive.expired()) {
        proj_destroy(e.pj);
      } else {
        entries_[kept++] = std::move(e);
      }
    }
    entries_.resize(kept);
  }

  PJ_CONTEXT* context() {
    if (ctx_ == nullptr) ctx_ = NewQuietContext();
    return ctx_;
  }

  void Add(uint64_t id, std::weak_ptr<const int> alive, PJ* pj) {
    entries_.push_back(Entry{id, std::move(alive), pj});
  }

 private:
  PJ_CONTEXT* ctx_ = nullptr;
  std::vector<Entry> entries_;
};

thread_local ThreadProjCache t_proj_cache;

std::atomic<uint64_t> g_next_transform_id{1};

// Creates source -> target with x = lon/easting, y = lat/northing.
PJ* CreateNormalizedOperation(PJ_CONTEXT* ctx, const std::string& source,
                              const std::string& target, std::string* error) {
  PjPtr op(proj_create_crs_to_crs(ctx, source.c_str(), target.c_str(),
                                  /*area=*/nullptr));
  if (op == nullptr) {
    *error = absl::StrCat("PROJ found no operation ", source, " -> ", target,
                          ": ", ProjError(ctx));
    return nullptr;
  }
  PJ* normalized = proj_normalize_for_visualization(ctx, op.get());
  if (normalized == nullptr) {
    *error = absl::StrCat("proj_normalize_for_visualization failed for ",
                          source, " -> ", target, ": ", ProjError(ctx));
  }
  return normalized;
}

bool IsBuiltin(CrsKind kind) { return kind != CrsKind::kEpsg; }

LonLat Identity(LonLat p) { return p; }

// The datum-free part of a built-in system: wgs84 and cgcs2000 are one.
enum class Family { kWgs84, kGcj02, kBd09 };

Family FamilyOf(CrsKind kind) {
  switch (kind) {
    case CrsKind::kGcj02:
      return Family::kGcj02;
    case CrsKind::kBd09:
      return Family::kBd09;
    default:
      return Family::kWgs84;
  }
}

// Direct conversion between two built-in families (gcj02 <-> bd09 skips the
// WGS-84 pivot: faster and exact).
LonLat (*OffsetBetween(Family from, Family to))(LonLat) {
  static constexpr LonLat (*kTable[3][3])(LonLat) = {
      {Identity, Wgs84ToGcj02, Wgs84ToBd09},
      {Gcj02ToWgs84, Identity, Gcj02ToBd09},
      {Bd09ToWgs84, Bd09ToGcj02, Identity}};
  return kTable[static_cast<int>(from)][static_cast<int>(to)];
}

}  // namespace

CrsTransform::~CrsTransform() = default;

PJ* CrsTransform::ThreadOperation(absl::Status* status) const {
  ThreadProjCache& cache = t_proj_cache;
  if (PJ* pj = cache.Find(id_)) return pj;
  // First use of this transform on this thread (slow path, allocates).
  cache.Purge();
  PJ_CONTEXT* ctx = cache.context();
  if (ctx == nullptr) {
    *status = absl::InternalError("proj_context_create failed");
    return nullptr;
  }
  std::string error;
  PJ* pj = CreateNormalizedOperation(ctx, proj_source_, proj_target_, &error);
  if (pj == nullptr) {
    *status = absl::InternalError(error);
    return nullptr;
  }
  cache.Add(id_, alive_, pj);
  return pj;
}

absl::StatusOr<std::unique_ptr<CrsTransform>> CrsTransform::Create(
    const Crs& from, const Crs& to) {
  // Normalise and validate both sides; EPSG sides are re-resolved in PROJ.
  Crs sides[2] = {from, to};
  EpsgInfo infos[2];
  ContextPtr ctx;
  for (int i = 0; i < 2; ++i) {
    Crs& c = sides[i];
    if (c.kind != CrsKind::kEpsg) {
      c = Crs{c.kind, 0, false};
      continue;
    }
    if (c.epsg == 4326 || c.epsg == 4490) {
      c = Crs{c.epsg == 4326 ? CrsKind::kWgs84 : CrsKind::kCgcs2000, 0, false};
      continue;
    }
    if (c.epsg <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid CRS ", Quote(c.ToString()), ": code must be positive"));
    }
    if (ctx == nullptr) {
      ctx.reset(NewQuietContext());
      if (ctx == nullptr) {
        return absl::InternalError("proj_context_create failed");
      }
    }
    absl::StatusOr<EpsgInfo> info =
        ResolveEpsg(ctx.get(), c.epsg, c.ToString());
    if (!info.ok()) return info.status();
    infos[i] = *info;
    c.epsg_geographic = info->geographic;
  }

  std::unique_ptr<CrsTransform> t(new CrsTransform());
  t->from_ = sides[0];
  t->to_ = sides[1];
  const bool from_builtin = IsBuiltin(sides[0].kind);
  const bool to_builtin = IsBuiltin(sides[1].kind);

  if (from_builtin && to_builtin) {
    const Family f = FamilyOf(sides[0].kind);
    const Family g = FamilyOf(sides[1].kind);
    t->stage_ = f == g ? Stage::kIdentity : Stage::kOffsetsOnly;
    t->offset_ = OffsetBetween(f, g);
    return t;
  }
  if (!from_builtin && !to_builtin && sides[0].epsg == sides[1].epsg) {
    t->stage_ = Stage::kIdentity;
    return t;
  }

  // wgs84 and cgcs2000 enter PROJ as one geographic CRS, chosen by the EPSG
  // side so CGCS2000 grids are pure projections (no datum operation).
  auto pivot_for = [](const EpsgInfo& other) {
    return std::string(other.cgcs2000_datum ? "EPSG:4490" : "EPSG:4326");
  };
  t->stage_ = Stage::kProj;
  if (from_builtin) {
    t->proj_source_ = pivot_for(infos[1]);
    const Family f = FamilyOf(sides[0].kind);
    if (f != Family::kWgs84) t->pre_ = OffsetBetween(f, Family::kWgs84);
  } else {
    t->proj_source_ = sides[0].ToString();
  }
  if (to_builtin) {
    t->proj_target_ = pivot_for(infos[0]);
    const Family g = FamilyOf(sides[1].kind);
    if (g != Family::kWgs84) t->post_ = OffsetBetween(Family::kWgs84, g);
  } else {
    t->proj_target_ = sides[1].ToString();
  }

  // Check now that PROJ can build the operation, rather than on first Apply.
  if (ctx == nullptr) {
    ctx.reset(NewQuietContext());
    if (ctx == nullptr)
      return absl::InternalError("proj_context_create failed");
  }
  std::string error;
  PjPtr probe(CreateNormalizedOperation(ctx.get(), t->proj_source_,
                                        t->proj_target_, &error));
  // A valid code PROJ cannot convert (e.g. a system with no inverse): the
  // caller named a CRS this server cannot use, not a server fault.
  if (probe == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported CRS conversion: ", error));
  }

  t->id_ = g_next_transform_id.fetch_add(1, std::memory_order_relaxed);
  t->alive_ = std::make_shared<const int>(0);
  return t;
}

absl::StatusOr<LonLat> CrsTransform::Apply(double x, double y) const {
  absl::Status status = CheckCoordinate(from_, x, y);
  if (!status.ok()) return status;
  LonLat p{x, y};
  switch (stage_) {
    case Stage::kIdentity:
      return p;
    case Stage::kOffsetsOnly:
      return offset_(p);
    case Stage::kProj:
      break;
  }

  if (pre_ != nullptr) p = pre_(p);
  PJ* pj = ThreadOperation(&status);
  if (pj == nullptr) return status;
  // t = HUGE_VAL: no epoch, as cs2cs does when none is given.
  PJ_COORD c = proj_coord(p.lon, p.lat, 0.0, HUGE_VAL);
  c = proj_trans(pj, PJ_FWD, c);
  const int err = proj_errno(pj);
  if (err != 0 || !std::isfinite(c.xy.x) || !std::isfinite(c.xy.y)) {
    proj_errno_reset(pj);
    const char* msg =
        err != 0 ? proj_context_errno_string(t_proj_cache.context(), err)
                 : "non-finite result";
    return absl::OutOfRangeError(absl::StrCat(
        "cannot transform (", FormatDouble(x), ", ", FormatDouble(y), ") from ",
        from_.ToString(), " to ", to_.ToString(), ": ",
        msg != nullptr ? msg : "PROJ error"));
  }
  p = LonLat{c.xy.x, c.xy.y};
  if (post_ != nullptr) p = post_(p);
  return p;
}

}  // namespace gridroute
