// Copyright 2026 gridroute authors.
#include "snapshot/geojson_reader.h"

#include <algorithm>
#include <cmath>

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "snapshot/validate.h"

namespace gridroute {
namespace od = simdjson::ondemand;

namespace {
// Debian's Abseil has its own string_view; simdjson returns std's.
absl::string_view SV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

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

class FeatureReader {
 public:
  FeatureReader(const GeoJsonReadOptions& o, std::string file, ErrorList& errors)
      : o_(o), file_(std::move(file)), errors_(errors), quantizer_(o.geographic) {}

  absl::Status Read(std::vector<FeatureRecord>& grids, GridGeometryBuilder& builder) {
    auto loaded = simdjson::padded_string::load(file_);
    if (loaded.error() != simdjson::SUCCESS) {
      return absl::NotFoundError(absl::StrCat("cannot read ", file_, ": ",
                                              simdjson::error_message(loaded.error())));
    }
    json_ = std::move(loaded).value_unsafe();
    // Bytes of JSON per vertex and per feature vary with the coordinates'
    // precision (~24 to ~60 a vertex): reserve for the first 1/64 of the
    // file at the densest, then extrapolate from what it held (below), so
    // the arrays neither regrow nor keep much slack (Build() trims it).
    const size_t head = json_.size() / 64;
    builder.Reserve(head / 200, head / 200, head / 20);
    grids.reserve(head / 200);
    bool extrapolated = false;
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
      if (!extrapolated && index >= 1024 && scanned_ >= head) {
        // Features so far fill scanned_ bytes; 2 % margin.
        const double scale =
            1.02 * static_cast<double>(json_.size()) / scanned_;
        builder.Reserve(
            static_cast<size_t>(builder.num_grids() * scale) + 64,
            static_cast<size_t>(builder.num_rings() * scale) + 64,
            static_cast<size_t>(builder.num_points() * scale) + 1024);
        grids.reserve(static_cast<size_t>(grids.size() * scale) + 64);
        extrapolated = true;
      }
      FeatureRecord g;
      g.feature = index;
      g.line = line_;
      RETURN_IF_ERROR(ReadFeature(fv, g, builder));
      builder.EndGrid();  // polygon `index` of the builder
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
  std::string Where(const FeatureRecord& g) const {
    return absl::StrCat(file_, ":", g.line, ": feature #", g.feature,
                        g.props.empty() || g.props[0].empty()
                            ? std::string()
                            : absl::StrCat(" code ", g.props[0]));
  }

  absl::Status ReadFeature(od::value& fv, FeatureRecord& g, GridGeometryBuilder& builder) {
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
    g.props.resize(o_.properties.size());
    for (size_t i = 0; i < o_.properties.size(); ++i) {
      const simdjson::error_code e = PropertyText(props, o_.properties[i], g.props[i]);
      if (!Recoverable(e) && e != simdjson::SUCCESS) return InvalidAt(g.feature, e);
      if (g.props[i].empty() && o_.required[i]) {
        errors_.Add(absl::StrCat(Where(g), ": missing property '", o_.properties[i], "'"));
      }
    }

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

  absl::Status BadShape(const FeatureRecord& g, absl::string_view what) {
    errors_.Add(absl::StrCat(Where(g), ": ", what));
    return absl::OkStatus();
  }

  absl::Status ReadPolygon(od::array& rings, FeatureRecord& g, int part,
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
                                   ") outside the valid range of CRS ", o_.crs_name));
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
    if (o_.geographic) return x >= -180 && x <= 180 && y >= -90 && y <= 90;
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

  const GeoJsonReadOptions& o_;
  std::string file_;
  ErrorList& errors_;
  Quantizer quantizer_;
  simdjson::padded_string json_;
  size_t scanned_ = 0;
  int64_t line_ = 1;
  std::vector<IPoint> pts_;
  std::vector<IPoint> outer_;
};

}  // namespace

absl::Status ReadGeoJsonPolygons(const std::string& file, const GeoJsonReadOptions& options,
                                 ErrorList& errors, std::vector<FeatureRecord>* out,
                                 GridGeometryBuilder* builder) {
  FeatureReader reader(options, file, errors);
  return reader.Read(*out, *builder);
}

}  // namespace gridroute
