// Copyright 2026 gridroute authors.
#include "snapshot/geojson_reader.h"


#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "geo/ring_sweep.h"
#include "common/text_encoding.h"
#include "snapshot/snapshot.h"
#include "snapshot/validate.h"

namespace gridroute {
namespace od = simdjson::ondemand;

namespace {
// Debian's Abseil has its own string_view; simdjson returns std's.
absl::string_view SV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// object.find_field_unordered(key), searched from the object's first field.
// Started in the middle of an object (after an earlier lookup), simdjson's
// unordered search wraps around and re-reads the fields before the start
// without checking them (SIMDJSON_ASSUME, i.e. __builtin_unreachable):
// undefined behaviour when they are malformed, which On Demand does not
// always notice on the first pass (found by fuzz_geojson). From the first
// field the search is a forward one that checks every step. Objects here
// have a handful of fields, so the rescans cost little.
simdjson::simdjson_result<od::value> FindField(od::object& object, std::string_view key) {
  bool has_fields;
  if (auto e = object.reset().get(has_fields); e != simdjson::SUCCESS) return e;
  return object.find_field_unordered(key);
}

// Reads a property as text: strings as they are, numbers by their JSON text,
// null as "". Returns NO_SUCH_FIELD if absent, INCORRECT_TYPE for other types;
// any other code means the JSON is malformed and the reader must stop.
simdjson::error_code PropertyText(od::object& props, const std::string& key,
                                  std::string& out) {
  out.clear();
  od::value v;
  if (auto e = FindField(props, key).get(v); e != simdjson::SUCCESS) return e;
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

// Calls f(key, value) for each member of `object`, in order. False on a JSON
// error or as soon as f returns false.
template <typename F>
bool ForEachMember(od::object& object, F&& f) {
  for (auto member : object) {
    od::field field;
    std::string_view key;
    if (std::move(member).get(field) != simdjson::SUCCESS ||
        field.unescaped_key().get(key) != simdjson::SUCCESS || !f(key, field.value())) {
      return false;
    }
  }
  return true;
}

// The records of a piece, packed: feature i's properties are consecutive
// slices of `text`, the k-th of n ending at ends[i * n + k]. Workers fill
// these (a few large arrays) and the caller's thread makes the
// FeatureRecords, so the workers' arenas never hold millions of small blocks
// that threads started later would build on (see ReadInPieces).
struct PackedRecords {
  std::string text;
  std::vector<uint32_t> ends;
  std::vector<int64_t> lines;
  void Add(const FeatureRecord& g) {
    for (const std::string& p : g.props) {
      text.append(p);
      ends.push_back(static_cast<uint32_t>(text.size()));
    }
    lines.push_back(g.line);
  }
};

class FeatureReader {
 public:
  FeatureReader(const GeoJsonReadOptions& o, std::string file, ErrorList& errors)
      : o_(o), file_(std::move(file)), errors_(errors), quantizer_(o.geographic) {}

  absl::Status Read(const RegularFile& f, std::vector<FeatureRecord>& grids,
                    GridGeometryBuilder& builder) {
    if (f.size() >= simdjson::SIMDJSON_MAXSIZE_BYTES) {
      return absl::InvalidArgumentError(absl::StrCat(
          file_, ": ", f.size(), " bytes, more than the 4 GiB a GeoJSON file may have"));
    }
    json_ = simdjson::padded_string(static_cast<size_t>(f.size()));
    RETURN_IF_ERROR(f.ReadAt(0, json_.size(), json_.data()));
    // Bytes of JSON per vertex and per feature vary with the coordinates'
    // precision (~24 to ~60 a vertex): reserve for the first 1/64 of the
    // file at the densest, then extrapolate from what it held (below), so
    // the arrays neither regrow nor keep much slack (Build() trims it).
    const size_t head = json_.size() / 64;
    builder.Reserve(head / 200, head / 200, head / 20);
    grids.reserve(head / 200);
    od::parser parser;
    od::document doc;
    if (auto e = parser.iterate(json_).get(doc); e != simdjson::SUCCESS) {
      return e == simdjson::UTF8_ERROR ? NotUtf8() : Invalid(0, e);
    }
    od::array features;
    if (auto e = doc.find_field_unordered("features").get_array().get(features);
        e != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(absl::StrCat(
          file_, ": expected a GeoJSON FeatureCollection with a 'features' array (",
          simdjson::error_message(e), ")"));
    }
    return ReadFeatures(features, head, grids, builder);
  }

  // One piece of the "features" array: `text` = "[" + features + "]", or
  // for the last piece {"features":[ + the rest of the file (the array's own
  // "]" and the top level's members after it). Features are numbered from 0
  // and lines from 1 within the piece. True if every feature read without an
  // error of any kind and the array (the object, for the last piece) ends
  // where the text does.
  bool ReadPiece(simdjson::padded_string text, bool last, od::parser& parser,
                 PackedRecords& packed, GridGeometryBuilder& builder) {
    json_ = std::move(text);
    packed_ = &packed;
    // Pieces of real size: every array at least kLargeBlockBytes, so each is
    // its own mapping (LoadPack's malloc policy) and leaves nothing in this
    // thread's arena when freed; untouched capacity is address space only.
    const bool big = json_.size() >= kLargeBlockBytes / 4;
    auto at_least = [big](size_t n, size_t elem) {
      return big ? std::max(n, kLargeBlockBytes / elem + 1) : n;
    };
    const size_t features = json_.size() / 200;
    builder.Reserve(at_least(features, sizeof(uint32_t)), at_least(features, 1),
                    at_least(json_.size() / 20, sizeof(IPoint)));
    packed.text.reserve(at_least(json_.size() / 8, 1));
    packed.ends.reserve(at_least(features * o_.properties.size(), sizeof(uint32_t)));
    packed.lines.reserve(at_least(features, sizeof(int64_t)));
    std::vector<FeatureRecord> unused;
    od::document doc;
    if (parser.iterate(json_).get(doc) != simdjson::SUCCESS) return false;
    if (!last) {
      od::array features;
      if (doc.get_array().get(features) != simdjson::SUCCESS ||
          !ReadFeatures(features, 0, unused, builder).ok() || !errors_.empty()) {
        return false;
      }
    } else {
      od::object top;
      bool first = true;
      if (doc.get_object().get(top) != simdjson::SUCCESS ||
          !ForEachMember(top, [&](std::string_view, od::value& value) {
            if (!first) return true;
            first = false;  // the "features" this piece's text starts with
            od::array features;
            return value.get_array().get(features) == simdjson::SUCCESS &&
                   ReadFeatures(features, 0, unused, builder).ok() && errors_.empty();
          })) {
        return false;
      }
    }
    // A piece cut inside a nested value would close the array early and
    // leave the rest of it unread.
    return doc.current_location().error() != simdjson::SUCCESS;
  }

 private:
  // Reads every feature of `features`. `extrapolate_after` > 0: once that
  // many bytes are read, reserve for the whole file at the same density.
  absl::Status ReadFeatures(od::array& features, size_t extrapolate_after,
                            std::vector<FeatureRecord>& grids, GridGeometryBuilder& builder) {
    bool extrapolated = extrapolate_after == 0;
    int64_t index = 0;
    for (auto item : features) {
      od::value fv;
      if (auto e = item.get(fv); e != simdjson::SUCCESS) return InvalidAt(index, e);
      AdvanceLine(fv.raw_json_token().data());
      if (!extrapolated && index >= 1024 && scanned_ >= extrapolate_after) {
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
      // Packed: one record reused (its strings keep their capacity).
      FeatureRecord fresh;
      FeatureRecord& g = packed_ != nullptr ? scratch_ : fresh;
      for (std::string& p : g.props) p.clear();
      g.feature = index;
      g.line = line_;
      RETURN_IF_ERROR(ReadFeature(fv, g, builder));
      builder.EndGrid();  // polygon `index` of the builder
      if (packed_ != nullptr) {
        packed_->Add(g);
      } else {
        grids.push_back(std::move(g));
      }
      ++index;
    }
    return absl::OkStatus();
  }

  absl::Status Invalid(int64_t offset_line, simdjson::error_code e) {
    return absl::InvalidArgumentError(absl::StrCat(
        file_, ":", std::max<int64_t>(offset_line, 1), ": invalid JSON: ",
        simdjson::error_message(e)));
  }
  // simdjson checks UTF-8 for the whole text before parsing it: find where.
  absl::Status NotUtf8() const {
    const absl::string_view text(json_.data(), json_.size());
    const size_t bad = std::min(FindInvalidUtf8(text), text.size());
    const int64_t line = 1 + std::count(text.begin(), text.begin() + bad, '\n');
    return absl::InvalidArgumentError(absl::StrCat(
        file_, ":", line, ": not valid UTF-8 (bytes ", HexBytes(text, bad),
        "); a JSON file must be UTF-8: convert it (e.g. iconv -f GB18030 -t UTF-8)"));
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
    // Every record has one (maybe empty) value per property, whatever its
    // problems: the loader reads them before it looks at the errors.
    g.props.resize(o_.properties.size());
    od::object feature;
    if (auto e = fv.get_object().get(feature); e != simdjson::SUCCESS) {
      return InvalidAt(g.feature, e);
    }
    od::object props;
    if (auto e = FindField(feature, "properties").get_object().get(props);
        e != simdjson::SUCCESS) {
      if (Recoverable(e)) {
        errors_.Add(absl::StrCat(Where(g), ": missing 'properties' object"));
        return absl::OkStatus();
      }
      return InvalidAt(g.feature, e);
    }
    for (size_t i = 0; i < o_.properties.size(); ++i) {
      const simdjson::error_code e = PropertyText(props, o_.properties[i], g.props[i]);
      if (!Recoverable(e) && e != simdjson::SUCCESS) return InvalidAt(g.feature, e);
      if (g.props[i].empty() && o_.required[i]) {
        errors_.Add(absl::StrCat(Where(g), ": missing property '", o_.properties[i], "'"));
      }
    }

    od::object geom;
    if (auto e = FindField(feature, "geometry").get_object().get(geom);
        e != simdjson::SUCCESS) {
      if (Recoverable(e)) {
        errors_.Add(absl::StrCat(Where(g), ": missing 'geometry' object"));
        return absl::OkStatus();
      }
      return InvalidAt(g.feature, e);
    }
    std::string_view type;
    if (auto e = FindField(geom, "type").get_string().get(type);
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
    if (auto e = FindField(geom, "coordinates").get_array().get(coords);
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
    holes_.clear();
    hole_begin_.assign(1, 0);
    hole_ring_no_.clear();
    for (auto r : rings) {
      od::array ring;
      if (auto e = r.get_array().get(ring); e != simdjson::SUCCESS) {
        return e == simdjson::INCORRECT_TYPE
                   ? BadShape(g, "a ring must be an array of positions")
                   : InvalidAt(g.feature, e);
      }
      pts_.clear();
      bool range_error = false;
      // Positions past the limit are counted, not kept.
      size_t positions = 0;
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
        if (!range_error && ++positions <= o_.max_ring_vertices + 1) {
          pts_.push_back(quantizer_.Quantize(c[0], c[1]));
        }
      }
      if (positions > o_.max_ring_vertices + 1) {
        errors_.Add(absl::StrCat(Where(g), ": part ", part, " ring ", ring_no,
                                 ": ring has ", positions - 1,
                                 " vertices, more than the limit of ",
                                 o_.max_ring_vertices));
      } else if (!range_error) {
        std::string problem = CleanRing(pts_);
        if (!problem.empty()) {
          errors_.Add(absl::StrCat(Where(g), ": part ", part, " ring ", ring_no,
                                   ": ", problem));
        } else {
          const bool hole = ring_no > 0;
          if (hole) {
            holes_.insert(holes_.end(), pts_.begin(), pts_.end());
            hole_begin_.push_back(holes_.size());
            hole_ring_no_.push_back(ring_no);
          } else {
            outer_ = pts_;
          }
          builder.AddRing(pts_.data(), pts_.size(), hole);
        }
      }
      ++ring_no;
    }
    if (ring_no == 0) errors_.Add(absl::StrCat(Where(g), ": part ", part, " has no rings"));
    CheckHolesInsideShell(g, part);
    return absl::OkStatus();
  }

  // Every vertex of every valid hole of the polygon just read must be
  // inside its valid outer ring or on it; all holes are placed in one sweep
  // (O((outer + hole vertices) log)), not one walk of the outer ring each.
  void CheckHolesInsideShell(const FeatureRecord& g, int part) {
    if (hole_ring_no_.empty()) return;
    if (!outer_.empty()) {
      sides_.resize(holes_.size());
      ClassifyPointsInRing(outer_.data(), outer_.size(), holes_.data(),
                           holes_.size(), sides_.data());
    }
    for (size_t h = 0; h < hole_ring_no_.size(); ++h) {
      bool inside = !outer_.empty();
      for (size_t k = hole_begin_[h]; inside && k < hole_begin_[h + 1]; ++k) {
        inside = sides_[k] != Side::kOutside;
      }
      if (!inside) {
        errors_.Add(absl::StrCat(Where(g), ": part ", part, " ring ",
                                 hole_ring_no_[h],
                                 ": hole is not inside its outer ring"));
      }
    }
  }

  bool CoordinateInRange(double x, double y) const {
    if (!std::isfinite(x) || !std::isfinite(y)) return false;
    if (o_.geographic) return x >= -180 && x <= 180 && y >= -90 && y <= 90;
    return std::fabs(x) <= 1e8 && std::fabs(y) <= 1e8;
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
  // The valid holes of the polygon being read, flat: hole h is
  // holes_[hole_begin_[h], hole_begin_[h + 1]), ring number hole_ring_no_[h].
  std::vector<IPoint> holes_;
  std::vector<size_t> hole_begin_;
  std::vector<int> hole_ring_no_;
  std::vector<Side> sides_;
  PackedRecords* packed_ = nullptr;  // ReadPiece's output
  FeatureRecord scratch_;
};

// ---- Reading in pieces (GeoJsonReadOptions::threads > 1).

bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Positioned reads of one (regular, size-checked) file, safe from several
// threads. A read that comes up short (the file shrank meanwhile) or fails
// returns false, and the caller falls back to the sequential read.
class FileReader {
 public:
  explicit FileReader(const RegularFile& f) : f_(f) {}
  size_t size() const { return static_cast<size_t>(f_.size()); }
  bool Read(size_t offset, size_t n, char* out) const { return f_.ReadAt(offset, n, out).ok(); }

 private:
  const RegularFile& f_;
};

// True if `text` is one JSON object with exactly one member named
// "features", an empty array, and nothing after the object. Checks the
// guessed start of the features array: the text before it with "]}"
// appended must be such an object.
bool ObjectWithEmptyFeatures(const std::string& text) {
  simdjson::padded_string json(text);
  od::parser parser;
  od::document doc;
  od::object object;
  if (parser.iterate(json).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(object) != simdjson::SUCCESS) {
    return false;
  }
  int features = 0;
  const bool ok = ForEachMember(object, [&](std::string_view key, od::value& value) {
    if (key != "features") return true;
    ++features;
    od::array array;
    size_t n = 0;
    return value.get_array().get(array) == simdjson::SUCCESS &&
           array.count_elements().get(n) == simdjson::SUCCESS && n == 0;
  });
  return ok && features == 1 && doc.current_location().error() != simdjson::SUCCESS;
}

struct Piece {
  size_t begin = 0, end = 0;  // features in the file, without the commas around
  size_t next = 0;            // where the next piece begins (or the array's end)
  int64_t gap_newlines = 0;   // in [end, next)
  PackedRecords records;
  GridGeometryBuilder builder;
  int64_t newlines = 0;  // in [begin, next)
};

// The fast path: true if the file was read whole and cleanly in pieces
// (then *out and *builder hold exactly what the sequential read gives),
// false to read it sequentially (nothing was appended).
bool ReadInPieces(const RegularFile& file_in, const GeoJsonReadOptions& options,
                  std::vector<FeatureRecord>* out, GridGeometryBuilder* builder) {
  const std::string& file = file_in.path();
  const FileReader f(file_in);
  const size_t size = f.size();
  if (size == 0 || size < 2 * options.chunk_bytes) return false;

  // The features array: the first `"features"` followed by ':' and '[' in
  // the file's first MiB (checked below: the text before it must be the top
  // level's start).
  std::string start(std::min<size_t>(size, size_t{1} << 20), '\0');
  if (!f.Read(0, start.size(), start.data())) return false;
  static constexpr absl::string_view kKey = "\"features\"";
  size_t open = 0;
  for (size_t at = 0;;) {
    at = start.find(kKey.data(), at, kKey.size());
    if (at == std::string::npos) return false;
    size_t i = at + kKey.size();
    while (i < start.size() && IsSpace(start[i])) ++i;
    if (i < start.size() && start[i] == ':') {
      ++i;
      while (i < start.size() && IsSpace(start[i])) ++i;
      if (i < start.size() && start[i] == '[') {
        open = i;
        break;
      }
    }
    ++at;
  }
  if (!ObjectWithEmptyFeatures(absl::StrCat(absl::string_view(start.data(), open + 1), "]}"))) {
    return false;
  }
  size_t begin = open + 1;
  while (begin < start.size() && IsSpace(start[begin])) ++begin;
  if (begin == start.size()) return false;
  const int64_t head_newlines = std::count(start.data(), start.data() + begin, '\n');
  start = std::string();

  // Cut after a '}' followed by ',' and '{' (spaces aside) about every
  // chunk_bytes, looking through 64 KiB windows. A cut inside a string or a
  // nested value makes a piece fail to parse (an unclosed string or
  // bracket, or an array that ends early), and then the whole file is read
  // sequentially. The last piece runs to the end of the file: its parse
  // finds where the array ends.
  std::vector<Piece> pieces(1);
  pieces[0].begin = begin;
  std::string window;
  for (size_t t = begin + options.chunk_bytes; t < size;) {
    const size_t from = t - std::min<size_t>(t - begin, 4096);  // spaces before a comma
    window.resize(std::min<size_t>(size - from, size_t{1} << 16));
    if (!f.Read(from, window.size(), window.data())) return false;
    const size_t n = window.size();
    size_t cut = 0;
    for (size_t c = t - from; c < n && cut == 0; ++c) {
      if (window[c] != ',') continue;
      size_t a = c, b = c + 1;
      while (a > 0 && IsSpace(window[a - 1])) --a;
      while (b < n && IsSpace(window[b])) ++b;
      if (a > 0 && b < n && window[a - 1] == '}' && window[b] == '{') {
        pieces.back().end = from + a;
        pieces.back().next = from + b;
        pieces.back().gap_newlines = std::count(window.data() + a, window.data() + b, '\n');
        pieces.emplace_back().begin = cut = from + b;
      }
    }
    t = cut != 0 ? cut + options.chunk_bytes : from + n;
  }
  pieces.back().end = pieces.back().next = size;
  if (pieces.size() < 2) return false;
  for (const Piece& p : pieces) {
    if (p.end - p.begin >= (size_t{1} << 32)) return false;  // PackedRecords::ends
  }

  std::atomic<size_t> next_piece{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    od::parser parser;
    for (size_t k; !failed.load(std::memory_order_relaxed) &&
                   (k = next_piece.fetch_add(1)) < pieces.size();) {
      Piece& p = pieces[k];
      const bool last = k + 1 == pieces.size();
      static constexpr absl::string_view kLastHead = "{\"features\":[";
      const absl::string_view head = last ? kLastHead : "[";
      const size_t n = p.end - p.begin;
      simdjson::padded_string text(head.size() + n + (last ? 0 : 1));
      std::memcpy(text.data(), head.data(), head.size());
      if (!f.Read(p.begin, n, text.data() + head.size())) {
        failed.store(true, std::memory_order_relaxed);
        break;
      }
      if (!last) text.data()[head.size() + n] = ']';
      p.newlines = std::count(text.data() + head.size(), text.data() + head.size() + n, '\n') +
                   p.gap_newlines;
      ErrorList errors(1);
      FeatureReader reader(options, file, errors);
      if (!reader.ReadPiece(std::move(text), last, parser, p.records, p.builder)) {
        p = Piece();  // nothing of a failed read is kept
        failed.store(true, std::memory_order_relaxed);
      }
    }
  };
  {
    std::vector<std::jthread> threads;
    const int n = std::min<int>(options.threads, static_cast<int>(pieces.size()));
    for (int i = 1; i < n; ++i) threads.emplace_back(work);
    work();
  }
  if (failed.load()) return false;
  if (options.pieces_read != nullptr) *options.pieces_read = static_cast<int>(pieces.size());

  // Number features and lines as one read of the file would have.
  size_t grids = 0, rings = 0, points = 0;
  for (const Piece& p : pieces) {
    grids += p.builder.num_grids();
    rings += p.builder.num_rings();
    points += p.builder.num_points();
  }
  out->reserve(out->size() + grids);
  builder->Reserve(builder->num_grids() + grids, builder->num_rings() + rings,
                   builder->num_points() + points);
  int64_t line = 1 + head_newlines;
  int64_t feature = 0;
  const size_t nprops = options.properties.size();
  for (Piece& p : pieces) {
    const PackedRecords& packed = p.records;
    uint32_t from = 0;
    for (size_t i = 0; i < packed.lines.size(); ++i) {
      FeatureRecord& r = out->emplace_back();
      r.feature = feature++;
      r.line = packed.lines[i] + line - 1;
      r.props.resize(nprops);
      for (size_t k = 0; k < nprops; ++k) {
        const uint32_t to = packed.ends[i * nprops + k];
        r.props[k].assign(packed.text, from, to - from);
        from = to;
      }
    }
    line += p.newlines;
    builder->Append(p.builder);
    p = Piece();
  }
  return true;
}

}  // namespace

absl::Status ReadGeoJsonPolygons(const std::string& file, const GeoJsonReadOptions& options,
                                 ErrorList& errors, std::vector<FeatureRecord>* out,
                                 GridGeometryBuilder* builder) {
  if (options.pieces_read != nullptr) *options.pieces_read = 0;
  absl::StatusOr<RegularFile> f = RegularFile::Open(file, options.max_bytes);
  if (!f.ok()) return f.status();
  if (options.threads > 1 && ReadInPieces(*f, options, out, builder)) {
    return absl::OkStatus();
  }
  FeatureReader reader(options, file, errors);
  return reader.Read(*f, *out, *builder);
}

}  // namespace gridroute
