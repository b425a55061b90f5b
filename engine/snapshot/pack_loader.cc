// Copyright 2026 gridroute authors.
//
// LoadPack(): manifest → regions → grids → validation → index.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/csv.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "snapshot/snapshot.h"
#include "snapshot/validate.h"

namespace gridroute {

namespace od = simdjson::ondemand;

namespace {
// Debian's Abseil has its own string_view; simdjson returns std's.
absl::string_view SV(std::string_view s) { return absl::string_view(s.data(), s.size()); }
}  // namespace

uint32_t Snapshot::FindGrid(absl::string_view code) const {
  uint32_t lo = 0, hi = num_grids();
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (codes_.Get(mid) < code) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < num_grids() && codes_.Get(lo) == code ? lo : kNoGrid;
}

size_t Snapshot::MemoryBytes() const {
  size_t regions = 0;
  for (int32_t i = 0; i < hierarchy_.num_regions(); ++i) {
    const Region& r = hierarchy_.region(i);
    regions += sizeof(Region) + r.code.capacity() + r.name.capacity() + 48;
  }
  return sizeof(*this) + geometry_.MemoryBytes() + codes_.MemoryBytes() +
         names_.MemoryBytes() + parents_.capacity() * sizeof(int32_t) + regions +
         (locator_ ? locator_->MemoryBytes() : 0);
}

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

// Collects error lines up to a limit.
class Errors {
 public:
  explicit Errors(int max) : max_(max) {}
  void Add(std::string e) {
    if (static_cast<int>(lines_.size()) < max_) lines_.push_back(std::move(e));
    ++count_;
  }
  bool empty() const { return count_ == 0; }
  absl::Status ToStatus(absl::string_view what) const {
    std::string msg = absl::StrCat(what, ": ", count_, " error(s)\n",
                                   absl::StrJoin(lines_, "\n"));
    if (count_ > static_cast<int64_t>(lines_.size())) {
      absl::StrAppend(&msg, "\n... and ", count_ - lines_.size(), " more");
    }
    return absl::InvalidArgumentError(msg);
  }

 private:
  int max_;
  int64_t count_ = 0;
  std::vector<std::string> lines_;
};

absl::StatusOr<std::string> GetString(simdjson::dom::element obj,
                                      const char* key, absl::string_view file,
                                      bool required, std::string fallback = "") {
  simdjson::dom::element v;
  if (obj[key].get(v) != simdjson::SUCCESS) {
    if (!required) return fallback;
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": missing field '", key, "'"));
  }
  std::string_view s;
  if (v.get_string().get(s) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": field '", key, "' must be a string"));
  }
  return std::string(s);
}

absl::StatusOr<PackManifest> ParseManifest(const std::string& dir) {
  const std::string file = dir + "/manifest.json";
  ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto err = parser.parse(text).get(root); err != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": invalid JSON: ", simdjson::error_message(err)));
  }
  if (!root.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": must be a JSON object"));
  }
  PackManifest m;
  ASSIGN_OR_RETURN(std::string format, GetString(root, "format", file, true));
  if (format != "gridroute-pack") {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": field 'format' is '", format, "', expected 'gridroute-pack'"));
  }
  int64_t fv = 0;
  if (root["format_version"].get_int64().get(fv) != simdjson::SUCCESS || fv != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": field 'format_version' must be 1"));
  }
  ASSIGN_OR_RETURN(m.name, GetString(root, "name", file, true));
  ASSIGN_OR_RETURN(m.version, GetString(root, "version", file, true));
  ASSIGN_OR_RETURN(m.crs, GetString(root, "crs", file, false, "wgs84"));
  {
    std::string c = absl::AsciiStrToLower(m.crs);
    if (c == "wgs84" || c == "cgcs2000" || c == "gcj02" || c == "bd09" ||
        c == "epsg:4326" || c == "epsg:4490") {
      m.geographic = true;
    } else if (absl::StartsWith(c, "epsg:")) {
      m.geographic = false;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          file, ": field 'crs' is '", m.crs,
          "'; expected wgs84, cgcs2000, gcj02, bd09 or EPSG:<code>"));
    }
  }
  simdjson::dom::array levels;
  if (root["levels"].get_array().get(levels) != simdjson::SUCCESS ||
      levels.size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ": field 'levels' must be a non-empty array of level names, top first"));
  }
  for (simdjson::dom::element l : levels) {
    std::string_view s;
    if (l.get_string().get(s) != simdjson::SUCCESS || s.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": field 'levels' must hold non-empty strings"));
    }
    if (std::find(m.levels.begin(), m.levels.end(), s) != m.levels.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file, ": field 'levels' repeats '", SV(s), "'"));
    }
    m.levels.emplace_back(s);
  }
  simdjson::dom::element files;
  if (root["files"].get(files) != simdjson::SUCCESS || !files.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": missing object field 'files'"));
  }
  ASSIGN_OR_RETURN(m.regions_file, GetString(files, "regions", file + " files", true));
  ASSIGN_OR_RETURN(m.grids_file, GetString(files, "grids", file + " files", true));
  simdjson::dom::element attrs;
  if (root["grid_attributes"].get(attrs) == simdjson::SUCCESS) {
    ASSIGN_OR_RETURN(m.attr_code, GetString(attrs, "code", file + " grid_attributes", false, "code"));
    ASSIGN_OR_RETURN(m.attr_parent, GetString(attrs, "parent", file + " grid_attributes", false, "parent"));
    ASSIGN_OR_RETURN(m.attr_name, GetString(attrs, "name", file + " grid_attributes", false, "name"));
  }
  double tol = 1.0;
  simdjson::dom::element tol_el;
  if (root["overlap_tolerance_m2"].get(tol_el) == simdjson::SUCCESS) {
    if (tol_el.get_double().get(tol) != simdjson::SUCCESS || !(tol >= 0) ||
        !std::isfinite(tol)) {
      return absl::InvalidArgumentError(absl::StrCat(
          file, ": field 'overlap_tolerance_m2' must be a number >= 0"));
    }
  }
  m.overlap_tolerance_m2 = tol;
  return m;
}

absl::StatusOr<Hierarchy> LoadRegions(const std::string& dir,
                                      const PackManifest& m) {
  const std::string file = dir + "/" + m.regions_file;
  ASSIGN_OR_RETURN(CsvReader reader, CsvReader::Open(file));
  std::vector<std::string> row;
  if (!reader.Next(row)) {
    RETURN_IF_ERROR(reader.status());
    return absl::InvalidArgumentError(absl::StrCat(file, ": empty file, expected a header"));
  }
  const int c_code = FindColumn(row, "code"), c_name = FindColumn(row, "name"),
            c_level = FindColumn(row, "level"), c_parent = FindColumn(row, "parent");
  if (c_code < 0 || c_name < 0 || c_level < 0 || c_parent < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        file, ":1: header must have columns code,name,level,parent; got ",
        absl::StrJoin(row, ",")));
  }
  const size_t need = std::max({c_code, c_name, c_level, c_parent}) + 1;
  std::vector<RegionRow> rows;
  Errors errors(50);
  while (reader.Next(row)) {
    if (row.size() < need) {
      errors.Add(absl::StrCat(file, ":", reader.line(), ": expected ", need,
                              " columns, got ", row.size()));
      continue;
    }
    rows.push_back(RegionRow{row[c_code], row[c_name], row[c_level],
                             row[c_parent], reader.line()});
  }
  RETURN_IF_ERROR(reader.status());
  if (!errors.empty()) return errors.ToStatus(file);
  return Hierarchy::Build(m.levels, std::move(rows), file);
}

// One grid as read from the GeoJSON, before sorting.
struct RawGrid {
  std::string code, parent, name;
  int64_t feature = 0;  // 0-based feature index
  int64_t line = 0;
};

// Reads a property as text: strings as they are, numbers by their JSON text,
// null as "". Returns NO_SUCH_FIELD if absent, INCORRECT_TYPE for other types;
// any other code means the JSON is malformed and the reader must stop.
simdjson::error_code PropertyText(od::object& props, const std::string& key,
                                  std::string& out) {
  out.clear();
  od::value v;
  if (auto e = props.find_field_unordered(key).get(v); e != simdjson::SUCCESS) return e;
  od::json_type t;
  if (auto e = v.type().get(t); e != simdjson::SUCCESS) return e;
  switch (t) {
    case od::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s); e != simdjson::SUCCESS) return e;
      out.assign(s.data(), s.size());
      return simdjson::SUCCESS;
    }
    case od::json_type::number: {
      std::string_view s = v.raw_json_token();
      while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' ||
                            s.back() == '\t' || s.back() == ',' || s.back() == '}')) {
        s.remove_suffix(1);
      }
      out.assign(s.data(), s.size());
      return simdjson::SUCCESS;
    }
    case od::json_type::null:
      return simdjson::SUCCESS;
    default:
      return simdjson::INCORRECT_TYPE;
  }
}

bool Recoverable(simdjson::error_code e) {
  return e == simdjson::NO_SUCH_FIELD || e == simdjson::INCORRECT_TYPE;
}

class GridReader {
 public:
  GridReader(const PackManifest& m, std::string file, Errors& errors)
      : m_(m), file_(std::move(file)), errors_(errors), quantizer_(m.geographic) {}

  absl::Status Read(std::vector<RawGrid>& grids, GridGeometryBuilder& builder) {
    auto loaded = simdjson::padded_string::load(file_);
    if (loaded.error() != simdjson::SUCCESS) {
      return absl::NotFoundError(absl::StrCat("cannot read ", file_, ": ",
                                              simdjson::error_message(loaded.error())));
    }
    json_ = std::move(loaded).value_unsafe();
    // A generated or exported grid costs ~24 bytes of JSON per vertex and a
    // few hundred bytes per feature; reserving avoids regrowth at 2M grids.
    builder.Reserve(json_.size() / 300, json_.size() / 280, json_.size() / 22);
    grids.reserve(json_.size() / 300);
    od::parser parser;
    od::document doc;
    if (auto e = parser.iterate(json_).get(doc); e != simdjson::SUCCESS) {
      return Invalid(0, e);
    }
    od::array features;
    if (auto e = doc.find_field_unordered("features").get_array().get(features);
        e != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(absl::StrCat(
          file_, ": expected a GeoJSON FeatureCollection with a 'features' array (",
          simdjson::error_message(e), ")"));
    }
    int64_t index = 0;
    for (auto item : features) {
      od::value fv;
      if (auto e = item.get(fv); e != simdjson::SUCCESS) return InvalidAt(index, e);
      AdvanceLine(fv.raw_json_token().data());
      RawGrid g;
      g.feature = index;
      g.line = line_;
      RETURN_IF_ERROR(ReadFeature(fv, g, builder));
      builder.EndGrid();  // grid `index` of the unsorted geometry
      grids.push_back(std::move(g));
      ++index;
    }
    return absl::OkStatus();
  }

 private:
  absl::Status Invalid(int64_t offset_line, simdjson::error_code e) {
    return absl::InvalidArgumentError(absl::StrCat(
        file_, ":", std::max<int64_t>(offset_line, 1), ": invalid JSON: ",
        simdjson::error_message(e)));
  }
  absl::Status InvalidAt(int64_t feature, simdjson::error_code e) {
    return absl::InvalidArgumentError(absl::StrCat(
        file_, ":", line_, ": feature #", feature, ": invalid JSON: ",
        simdjson::error_message(e)));
  }
  void AdvanceLine(const char* at) {
    const char* base = json_.data();
    if (at < base || at > base + json_.size()) return;
    size_t off = static_cast<size_t>(at - base);
    if (off < scanned_) return;
    line_ += std::count(base + scanned_, base + off, '\n');
    scanned_ = off;
  }
  std::string Where(const RawGrid& g) const {
    return absl::StrCat(file_, ":", g.line, ": feature #", g.feature,
                        g.code.empty() ? std::string() : absl::StrCat(" code ", g.code));
  }

  absl::Status ReadFeature(od::value& fv, RawGrid& g, GridGeometryBuilder& builder) {
    od::object feature;
    if (auto e = fv.get_object().get(feature); e != simdjson::SUCCESS) {
      return InvalidAt(g.feature, e);
    }
    od::object props;
    if (auto e = feature.find_field_unordered("properties").get_object().get(props);
        e != simdjson::SUCCESS) {
      if (Recoverable(e)) {
        errors_.Add(absl::StrCat(Where(g), ": missing 'properties' object"));
        return absl::OkStatus();
      }
      return InvalidAt(g.feature, e);
    }
    simdjson::error_code e = PropertyText(props, m_.attr_code, g.code);
    if (!Recoverable(e) && e != simdjson::SUCCESS) return InvalidAt(g.feature, e);
    if (g.code.empty()) {
      errors_.Add(absl::StrCat(Where(g), ": missing grid code property '",
                               m_.attr_code, "'"));
    }
    e = PropertyText(props, m_.attr_parent, g.parent);
    if (!Recoverable(e) && e != simdjson::SUCCESS) return InvalidAt(g.feature, e);
    if (g.parent.empty()) {
      errors_.Add(absl::StrCat(Where(g), ": missing parent property '",
                               m_.attr_parent, "'"));
    }
    e = PropertyText(props, m_.attr_name, g.name);  // optional
    if (!Recoverable(e) && e != simdjson::SUCCESS) return InvalidAt(g.feature, e);

    od::object geom;
    if (auto e = feature.find_field_unordered("geometry").get_object().get(geom);
        e != simdjson::SUCCESS) {
      if (Recoverable(e)) {
        errors_.Add(absl::StrCat(Where(g), ": missing 'geometry' object"));
        return absl::OkStatus();
      }
      return InvalidAt(g.feature, e);
    }
    std::string_view type;
    if (auto e = geom.find_field_unordered("type").get_string().get(type);
        e != simdjson::SUCCESS) {
      if (!Recoverable(e)) return InvalidAt(g.feature, e);
      errors_.Add(absl::StrCat(Where(g), ": geometry has no string 'type'"));
      return absl::OkStatus();
    }
    const bool multi = type == "MultiPolygon";
    if (!multi && type != "Polygon") {
      errors_.Add(absl::StrCat(Where(g), ": geometry type '", SV(type),
                               "' is not Polygon or MultiPolygon"));
      return absl::OkStatus();
    }
    od::array coords;
    if (auto e = geom.find_field_unordered("coordinates").get_array().get(coords);
        e != simdjson::SUCCESS) {
      if (Recoverable(e)) {
        errors_.Add(absl::StrCat(Where(g), ": geometry has no 'coordinates' array"));
        return absl::OkStatus();
      }
      return InvalidAt(g.feature, e);
    }
    int part = 0;
    if (multi) {
      for (auto p : coords) {
        od::array rings;
        if (auto e = p.get_array().get(rings); e != simdjson::SUCCESS) {
          return e == simdjson::INCORRECT_TYPE
                     ? BadShape(g, "a MultiPolygon part must be an array of rings")
                     : InvalidAt(g.feature, e);
        }
        RETURN_IF_ERROR(ReadPolygon(rings, g, part++, builder));
      }
    } else {
      RETURN_IF_ERROR(ReadPolygon(coords, g, 0, builder));
      part = 1;
    }
    if (part == 0) {
      errors_.Add(absl::StrCat(Where(g), ": MultiPolygon has no parts"));
    }
    return absl::OkStatus();
  }

  absl::Status BadShape(const RawGrid& g, absl::string_view what) {
    errors_.Add(absl::StrCat(Where(g), ": ", what));
    return absl::OkStatus();
  }

  absl::Status ReadPolygon(od::array& rings, RawGrid& g, int part,
                           GridGeometryBuilder& builder) {
    int ring_no = 0;
    outer_.clear();
    for (auto r : rings) {
      od::array ring;
      if (auto e = r.get_array().get(ring); e != simdjson::SUCCESS) {
        return e == simdjson::INCORRECT_TYPE
                   ? BadShape(g, "a ring must be an array of positions")
                   : InvalidAt(g.feature, e);
      }
      pts_.clear();
      bool range_error = false;
      for (auto pos : ring) {
        od::array xy;
        if (auto e = pos.get_array().get(xy); e != simdjson::SUCCESS) {
          return e == simdjson::INCORRECT_TYPE
                     ? BadShape(g, "a position must be an array [x, y]")
                     : InvalidAt(g.feature, e);
        }
        double c[2] = {0, 0};
        int n = 0;
        for (auto num : xy) {
          double d;
          if (auto e = num.get_double().get(d); e != simdjson::SUCCESS) {
            return e == simdjson::INCORRECT_TYPE
                       ? BadShape(g, "a coordinate must be a number")
                       : InvalidAt(g.feature, e);
          }
          if (n < 2) c[n] = d;
          ++n;
        }
        if (n < 2) return BadShape(g, "a position needs at least 2 numbers");
        if (!range_error && !CoordinateInRange(c[0], c[1])) {
          errors_.Add(absl::StrCat(Where(g), ": part ", part, " ring ", ring_no,
                                   ": coordinate (", c[0], ", ", c[1],
                                   ") outside the valid range of CRS ", m_.crs));
          range_error = true;
        }
        if (!range_error) pts_.push_back(quantizer_.Quantize(c[0], c[1]));
      }
      if (!range_error) {
        std::string problem = CleanRing(pts_);
        if (!problem.empty()) {
          errors_.Add(absl::StrCat(Where(g), ": part ", part, " ring ", ring_no,
                                   ": ", problem));
        } else {
          const bool hole = ring_no > 0;
          if (hole && !HoleInsideShell(pts_)) {
            errors_.Add(absl::StrCat(Where(g), ": part ", part, " ring ", ring_no,
                                     ": hole is not inside its outer ring"));
          }
          if (!hole) outer_ = pts_;
          builder.AddRing(pts_.data(), pts_.size(), hole);
        }
      }
      ++ring_no;
    }
    if (ring_no == 0) errors_.Add(absl::StrCat(Where(g), ": part ", part, " has no rings"));
    return absl::OkStatus();
  }

  bool CoordinateInRange(double x, double y) const {
    if (!std::isfinite(x) || !std::isfinite(y)) return false;
    if (m_.geographic) return x >= -180 && x <= 180 && y >= -90 && y <= 90;
    return std::fabs(x) <= 1e8 && std::fabs(y) <= 1e8;
  }

  bool HoleInsideShell(const std::vector<IPoint>& hole) const {
    if (outer_.empty()) return false;
    const uint32_t rb[2] = {0, static_cast<uint32_t>(outer_.size())};
    for (const IPoint& p : hole) {
      if (ClassifyRings(outer_.data(), rb, 0, 1, p) == Side::kOutside) return false;
    }
    return true;
  }

  const PackManifest& m_;
  std::string file_;
  Errors& errors_;
  Quantizer quantizer_;
  simdjson::padded_string json_;
  size_t scanned_ = 0;
  int64_t line_ = 1;
  std::vector<IPoint> pts_;
  std::vector<IPoint> outer_;
};

}  // namespace

class PackLoader {
 public:
  static absl::StatusOr<std::shared_ptr<const Snapshot>> Load(
      const std::string& dir, const LoadOptions& options) {
    const auto t0 = std::chrono::steady_clock::now();
    std::shared_ptr<Snapshot> s(new Snapshot());
    ASSIGN_OR_RETURN(s->manifest_, ParseManifest(dir));
    const PackManifest& m = s->manifest_;
    s->quantizer_ = Quantizer(m.geographic);
    ASSIGN_OR_RETURN(s->hierarchy_, LoadRegions(dir, m));

    Errors errors(options.max_errors);
    const std::string grids_file = dir + "/" + m.grids_file;
    std::vector<RawGrid> raw;
    GridGeometryBuilder builder;
    {
      GridReader reader(m, grids_file, errors);
      RETURN_IF_ERROR(reader.Read(raw, builder));
    }
    GridGeometry unsorted = std::move(builder).Build();
    s->stats_.parse_seconds = Seconds(t0);
    const auto t1 = std::chrono::steady_clock::now();

    // Grid ids are code ranks; stable so duplicates report in file order.
    std::vector<uint32_t> order(raw.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      return raw[a].code < raw[b].code;
    });
    const int32_t lowest = static_cast<int32_t>(m.levels.size()) - 1;
    for (size_t i = 0; i < order.size(); ++i) {
      const RawGrid& g = raw[order[i]];
      if (i > 0 && !g.code.empty() && raw[order[i - 1]].code == g.code) {
        const RawGrid& first = raw[order[i - 1]];
        errors.Add(absl::StrCat(grids_file, ":", g.line, ": feature #", g.feature,
                                " code ", g.code, ": duplicate grid code (also feature #",
                                first.feature, " at line ", first.line, ")"));
      }
      if (g.parent.empty()) continue;
      const int32_t p = s->hierarchy_.Find(g.parent);
      if (p < 0) {
        errors.Add(absl::StrCat(grids_file, ":", g.line, ": feature #", g.feature,
                                " code ", g.code, ": parent '", g.parent,
                                "' does not exist in ", m.regions_file));
      } else if (s->hierarchy_.region(p).level != lowest) {
        errors.Add(absl::StrCat(grids_file, ":", g.line, ": feature #", g.feature,
                                " code ", g.code, ": parent '", g.parent,
                                "' is at level '",
                                m.levels[s->hierarchy_.region(p).level],
                                "', grids belong to the lowest level '",
                                m.levels[lowest], "'"));
      }
    }
    if (!errors.empty()) return errors.ToStatus(absl::StrCat("pack ", dir));

    // Every grid read cleanly: map raw order to ring ranges, then permute
    // (packs written in code order, as the generator does, skip the copy).
    bool in_order = true;
    for (size_t i = 0; i < order.size() && in_order; ++i) in_order = order[i] == i;
    s->geometry_ = in_order ? std::move(unsorted)
                            : GridGeometryBuilder::Permute(unsorted, order);
    unsorted = GridGeometry();
    size_t code_chars = 0, name_chars = 0;
    for (const RawGrid& g : raw) {
      code_chars += g.code.size();
      name_chars += g.name.size();
    }
    s->codes_.Reserve(raw.size(), code_chars);
    s->names_.Reserve(raw.size(), name_chars);
    s->parents_.reserve(raw.size());
    for (uint32_t idx : order) {
      s->codes_.Add(raw[idx].code);
      s->names_.Add(raw[idx].name);
      s->parents_.push_back(s->hierarchy_.Find(raw[idx].parent));
    }
    std::vector<int64_t> feature_of(order.size()), line_of(order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      feature_of[i] = raw[order[i]].feature;
      line_of[i] = raw[order[i]].line;
    }
    raw.clear();
    raw.shrink_to_fit();

    // Overlaps between neighbours.
    OverlapReport overlaps = FindOverlaps(s->geometry_, s->quantizer_,
                                          m.overlap_tolerance_m2, options.threads);
    s->stats_.suspicious_pairs = overlaps.suspicious_pairs;
    for (const Overlap& o : overlaps.overlaps) {
      errors.Add(absl::StrCat(
          grids_file, ":", line_of[o.a], ": feature #", feature_of[o.a], " code ",
          s->codes_.Get(o.a), " overlaps feature #", feature_of[o.b], " (line ",
          line_of[o.b], ") code ", s->codes_.Get(o.b), " by ", o.area_m2,
          " m² (tolerance ", m.overlap_tolerance_m2, " m²)"));
    }
    if (!errors.empty()) return errors.ToStatus(absl::StrCat("pack ", dir));
    s->stats_.validate_seconds = Seconds(t1);

    const auto t2 = std::chrono::steady_clock::now();
    s->locator_ = BuildRtreeLocator(&s->geometry_, s->quantizer_);
    s->stats_.index_seconds = Seconds(t2);
    s->stats_.total_seconds = Seconds(t0);
    return std::shared_ptr<const Snapshot>(std::move(s));
  }
};

absl::StatusOr<std::shared_ptr<const Snapshot>> LoadPack(const std::string& dir,
                                                         const LoadOptions& options) {
  return PackLoader::Load(dir, options);
}

}  // namespace gridroute
