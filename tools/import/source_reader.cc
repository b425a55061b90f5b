// Copyright 2026 gridroute authors.
#include "import/source_reader.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

namespace gridroute::import {
namespace {

constexpr int64_t kProgressEvery = 4096;

// Collects GDAL's messages for the duration of one call on this thread
// (instead of GDAL printing "Warning 1: ..." to stderr).
class ScopedGdalMessages {
 public:
  ScopedGdalMessages() { CPLPushErrorHandlerEx(&Handler, this); }
  ~ScopedGdalMessages() { CPLPopErrorHandler(); }
  ScopedGdalMessages(const ScopedGdalMessages&) = delete;
  ScopedGdalMessages& operator=(const ScopedGdalMessages&) = delete;

  std::vector<std::string> TakeWarnings() { return std::move(warnings_); }
  // The last failure message since the previous call, or "".
  std::string TakeLastError() { return std::exchange(last_error_, ""); }

 private:
  static void CPL_STDCALL Handler(CPLErr cls, CPLErrorNum, const char* msg) {
    auto* self = static_cast<ScopedGdalMessages*>(CPLGetErrorHandlerUserData());
    if (cls == CE_Debug || self == nullptr) return;
    if (cls == CE_Warning) {
      if (self->warnings_.size() < 100)
        self->warnings_.push_back(absl::StrCat("GDAL: ", msg));
    } else {
      self->last_error_ = msg;
    }
  }
  std::vector<std::string> warnings_;
  std::string last_error_;
};

struct DatasetCloser {
  void operator()(GDALDataset* d) const { GDALClose(d); }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

std::string SrsLabel(const OGRSpatialReference& srs) {
  const char* name = srs.GetName();
  const char* auth = srs.GetAuthorityName(nullptr);
  const char* code = srs.GetAuthorityCode(nullptr);
  std::string label = (auth && code) ? absl::StrCat(auth, ":", code, " ") : "";
  absl::StrAppend(&label, "(", name ? name : "unnamed", ")");
  return label;
}

absl::StatusOr<std::string> EngineCrs(const OGRSpatialReference& srs) {
  if (srs.IsEmpty() || srs.IsLocal()) {
    return absl::InvalidArgumentError(
        "the layer has no coordinate system (no .prj); pass --crs");
  }
  const char* auth = srs.GetAuthorityName(nullptr);
  const char* code = srs.GetAuthorityCode(nullptr);
  std::string epsg;
  if (auth != nullptr && code != nullptr && EQUAL(auth, "EPSG")) {
    epsg = code;
  } else {
    // Esri .prj files carry no authority; ask GDAL which EPSG entry this is.
    std::unique_ptr<OGRSpatialReference, void (*)(OGRSpatialReference*)> match(
        srs.FindBestMatch(90, "EPSG"), [](OGRSpatialReference* s) {
          if (s) s->Release();
        });
    if (match) {
      const char* mauth = match->GetAuthorityName(nullptr);
      const char* mcode = match->GetAuthorityCode(nullptr);
      if (mauth != nullptr && mcode != nullptr && EQUAL(mauth, "EPSG"))
        epsg = mcode;
    }
  }
  if (epsg.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no EPSG code matches the layer's coordinate system ", SrsLabel(srs),
        "; pass --crs (wgs84, cgcs2000, gcj02, bd09 or EPSG:n)"));
  }
  if (epsg == "4326") return std::string("wgs84");
  if (epsg == "4490") return std::string("cgcs2000");
  return absl::StrCat("EPSG:", epsg);
}

// Attribute value as text: numbers that are whole (codes stored as a Real
// field) without a decimal point or exponent.
std::string FieldText(OGRFeature& f, int idx) {
  if (!f.IsFieldSetAndNotNull(idx)) return "";
  if (f.GetFieldDefnRef(idx)->GetType() == OFTReal) {
    const double v = f.GetFieldAsDouble(idx);
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0f", v);
      return buf;
    }
  }
  return f.GetFieldAsString(idx);
}

void AddRing(const OGRLinearRing* ring, Polygon& poly) {
  Ring r;
  if (ring != nullptr) {
    const int n = ring->getNumPoints();
    r.reserve(n);
    for (int i = 0; i < n; ++i) r.push_back({ring->getX(i), ring->getY(i)});
  }
  poly.rings.push_back(std::move(r));
}

void AddPolygon(const OGRPolygon& p, std::vector<Polygon>& out) {
  if (p.IsEmpty()) return;
  Polygon poly;
  AddRing(p.getExteriorRing(), poly);
  for (int i = 0; i < p.getNumInteriorRings(); ++i)
    AddRing(p.getInteriorRing(i), poly);
  out.push_back(std::move(poly));
}

std::string ReadCpg(const std::string& shp_path) {
  std::string base = shp_path;
  if (absl::EndsWithIgnoreCase(base, ".shp")) base.resize(base.size() - 4);
  for (const char* ext : {".cpg", ".CPG"}) {
    std::ifstream f(base + ext);
    if (!f) continue;
    std::stringstream ss;
    ss << f.rdbuf();
    return std::string(absl::StripAsciiWhitespace(ss.str()));
  }
  return "";
}

}  // namespace

absl::StatusOr<std::string> EngineCrsFromSrsText(absl::string_view text) {
  static const int registered = (GDALAllRegister(), 0);
  (void)registered;
  ScopedGdalMessages messages;
  OGRSpatialReference srs;
  if (srs.SetFromUserInput(std::string(text).c_str()) != OGRERR_NONE) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot parse the coordinate system '", text.substr(0, 80),
                     "': ", messages.TakeLastError()));
  }
  return EngineCrs(srs);
}

namespace {

// One ReadSource call, in steps: open the dataset (with the encoding),
// pick the layer, work out its CRS, find the attributes the flags name,
// then read every feature.
class LayerReader {
 public:
  explicit LayerReader(const SourceOptions& options) : o_(options) {}

  absl::StatusOr<SourceData> Read() {
    RETURN_IF_ERROR(Open());
    RETURN_IF_ERROR(PickLayer());
    DescribeSrs();
    RETURN_IF_ERROR(FindFields());
    RETURN_IF_ERROR(ReadFeatures());
    for (std::string& w : messages_.TakeWarnings()) {
      out_.warnings.push_back(std::move(w));
    }
    return std::move(out_);
  }

 private:
  DatasetPtr OpenWith(const CPLStringList& open_options) {
    return DatasetPtr(static_cast<GDALDataset*>(
        GDALOpenEx(o_.path.c_str(),
                   GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                   nullptr, open_options.List(), nullptr)));
  }
  absl::Status Open();
  absl::Status PickLayer();
  void DescribeSrs();
  absl::StatusOr<int> FieldIndex(const std::string& attr,
                                 absl::string_view flag);
  absl::Status FindFields();
  absl::Status ReadFeatures();
  // The attribute as trimmed UTF-8 ("" if idx < 0 or unset); an undecodable
  // value adds to `problems` and reads as "".
  std::string Text(OGRFeature& f, int idx, std::vector<std::string>* problems);
  void ReadAttributes(OGRFeature& f, SourceGrid* g,
                      std::vector<std::string>* problems);
  void ReadGeometry(const OGRFeature& f, SourceGrid* g,
                    std::vector<std::string>* problems);

  const SourceOptions& o_;
  ScopedGdalMessages messages_;  // GDAL's messages for this call
  SourceData out_;
  DatasetPtr ds_;
  bool shapefile_ = false;
  bool recode_here_ = false;  // --encoding for a driver without the option
  OGRLayer* layer_ = nullptr;
  OGRFeatureDefn* defn_ = nullptr;
  std::vector<std::string> wanted_;  // field names read (the rest ignored)
  int code_idx_ = -1, name_idx_ = -1;
  std::vector<int> level_code_idx_, level_name_idx_;
  bool warned_curves_ = false;
};

absl::Status LayerReader::Open() {
  ds_ = OpenWith(CPLStringList());
  if (!ds_) {
    std::string why = messages_.TakeLastError();
    return absl::NotFoundError(absl::StrCat("cannot open '", o_.path,
                                            "' as vector data",
                                            why.empty() ? "" : ": ", why));
  }
  out_.info.driver =
      ds_->GetDriver() ? ds_->GetDriver()->GetDescription() : "?";
  shapefile_ = out_.info.driver == "ESRI Shapefile";
  if (!o_.encoding.empty()) {
    if (shapefile_) {
      // GDAL recodes DBF strings (and field names) to UTF-8 itself.
      CPLStringList oo;
      oo.SetNameValue("ENCODING", o_.encoding.c_str());
      ds_ = OpenWith(oo);
      if (!ds_) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot open '", o_.path, "' with ENCODING=", o_.encoding, ": ",
            messages_.TakeLastError()));
      }
    } else {
      recode_here_ = true;
    }
    out_.info.encoding = absl::StrCat(o_.encoding, " (--encoding)");
  } else if (shapefile_) {
    const std::string cpg = ReadCpg(o_.path);
    out_.info.encoding = cpg.empty() ? "DBF language id (no .cpg)"
                                     : absl::StrCat(cpg, " (.cpg)");
  } else {
    out_.info.encoding = "UTF-8";
  }
  return absl::OkStatus();
}

absl::Status LayerReader::PickLayer() {
  if (!o_.layer.empty()) {
    layer_ = ds_->GetLayerByName(o_.layer.c_str());
  } else if (ds_->GetLayerCount() == 1) {
    layer_ = ds_->GetLayer(0);
  }
  if (layer_ == nullptr) {
    std::vector<std::string> names;
    for (int i = 0; i < ds_->GetLayerCount(); ++i)
      names.push_back(ds_->GetLayer(i)->GetName());
    if (o_.layer.empty() && names.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", o_.path, "' has no layers"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        o_.layer.empty() ? "--layer is required: " : "",
        o_.layer.empty() ? "" : absl::StrCat("no layer '", o_.layer, "': "),
        "'", o_.path, "' has layers ", absl::StrJoin(names, ", ")));
  }
  out_.info.layer = layer_->GetName();
  return absl::OkStatus();
}

void LayerReader::DescribeSrs() {
  SourceInfo& info = out_.info;
  const OGRSpatialReference* srs = layer_->GetSpatialRef();
  if (srs == nullptr) {
    info.srs = "none";
    info.crs_error = "the layer has no coordinate system (no .prj); pass --crs";
    return;
  }
  info.srs = SrsLabel(*srs);
  absl::StatusOr<std::string> crs = EngineCrs(*srs);
  if (crs.ok()) {
    info.crs = *crs;
    if (info.srs.rfind("EPSG:", 0) != 0) {
      absl::StrAppend(&info.srs, " identified as ", *crs);
    }
  } else {
    info.crs_error = std::string(crs.status().message());
  }
}

// OGR matches attribute names case-insensitively.
absl::StatusOr<int> LayerReader::FieldIndex(const std::string& attr,
                                            absl::string_view flag) {
  const int idx = defn_->GetFieldIndex(attr.c_str());
  if (idx < 0) {
    std::vector<std::string> names;
    for (int i = 0; i < defn_->GetFieldCount(); ++i) {
      names.push_back(defn_->GetFieldDefn(i)->GetNameRef());
    }
    return absl::InvalidArgumentError(absl::StrCat(
        flag, ": attribute '", attr, "' is not in layer '", out_.info.layer,
        "' (its fields: ", absl::StrJoin(names, ", "), ")",
        shapefile_ && o_.encoding.empty()
            ? "; if the field names are Chinese, pass --encoding GBK"
            : ""));
  }
  wanted_.push_back(defn_->GetFieldDefn(idx)->GetNameRef());
  return idx;
}

absl::Status LayerReader::FindFields() {
  defn_ = layer_->GetLayerDefn();
  ASSIGN_OR_RETURN(code_idx_, FieldIndex(o_.code_attr, "--code-attr"));
  if (!o_.name_attr.empty()) {
    ASSIGN_OR_RETURN(name_idx_, FieldIndex(o_.name_attr, "--name-attr"));
  }
  for (const LevelSpec& l : o_.levels) {
    const std::string flag = absl::StrCat("--levels ", l.level);
    ASSIGN_OR_RETURN(const int c, FieldIndex(l.code_attr, flag));
    level_code_idx_.push_back(c);
    int n = -1;
    if (!l.name_attr.empty()) {
      ASSIGN_OR_RETURN(n, FieldIndex(l.name_attr, flag));
    }
    level_name_idx_.push_back(n);
  }
  // Read only the fields we use (GeoPackage and GeoJSON skip the rest).
  CPLStringList ignored;
  for (int i = 0; i < defn_->GetFieldCount(); ++i) {
    const char* n = defn_->GetFieldDefn(i)->GetNameRef();
    bool keep = false;
    for (const std::string& w : wanted_) keep = keep || w == n;
    if (!keep) ignored.AddString(n);
  }
  ignored.AddString("OGR_STYLE");
  layer_->SetIgnoredFields(const_cast<const char**>(ignored.List()));
  return absl::OkStatus();
}

std::string LayerReader::Text(OGRFeature& f, int idx,
                              std::vector<std::string>* problems) {
  if (idx < 0) return "";
  std::string v = FieldText(f, idx);
  if (recode_here_ && !v.empty()) {
    char* r = CPLRecode(v.c_str(), o_.encoding.c_str(), CPL_ENC_UTF8);
    v = r;
    CPLFree(r);
  }
  v = std::string(absl::StripAsciiWhitespace(v));
  if (!CPLIsUTF8(v.c_str(), static_cast<int>(v.size()))) {
    problems->push_back(absl::StrCat(
        "attribute ", defn_->GetFieldDefn(idx)->GetNameRef(),
        " is not valid UTF-8 (the file does not declare its encoding",
        shapefile_ ? ": no .cpg" : "",
        "); pass --encoding, e.g. --encoding GBK"));
    v.clear();
  }
  return v;
}

void LayerReader::ReadAttributes(OGRFeature& f, SourceGrid* g,
                                 std::vector<std::string>* problems) {
  g->code = Text(f, code_idx_, problems);
  g->name = Text(f, name_idx_, problems);
  for (size_t l = 0; l < o_.levels.size(); ++l) {
    g->level_codes.push_back(Text(f, level_code_idx_[l], problems));
    g->level_names.push_back(Text(f, level_name_idx_[l], problems));
  }
  if (g->code.empty() && problems->empty()) {
    problems->push_back(absl::StrCat("missing grid code (attribute ",
                                     o_.code_attr, " is empty)"));
  }
  bool levels_ok = true;
  for (size_t l = 0; l < o_.levels.size(); ++l) {
    if (g->level_codes[l].empty()) {
      levels_ok = false;
      problems->push_back(absl::StrCat("missing ", o_.levels[l].level,
                                       " code (attribute ",
                                       o_.levels[l].code_attr, " is empty)"));
    }
  }
  g->attributes_ok = !g->code.empty() && levels_ok;
}

void LayerReader::ReadGeometry(const OGRFeature& f, SourceGrid* g,
                               std::vector<std::string>* problems) {
  const OGRGeometry* geom = f.GetGeometryRef();
  std::unique_ptr<OGRGeometry> linear;
  if (geom != nullptr && geom->hasCurveGeometry()) {
    linear.reset(geom->getLinearGeometry());
    geom = linear.get();
    if (!warned_curves_) {
      out_.warnings.push_back(
          "curved geometries were linearised with GDAL's default step (4 "
          "degrees of arc)");
      warned_curves_ = true;
    }
  }
  if (geom == nullptr) {
    problems->push_back("no geometry");
    return;
  }
  if (geom->IsEmpty()) {
    problems->push_back("empty geometry");
    return;
  }
  switch (wkbFlatten(geom->getGeometryType())) {
    case wkbPolygon:
      AddPolygon(*geom->toPolygon(), g->polygons);
      g->geometry_ok = true;
      break;
    case wkbMultiPolygon:
      for (const OGRPolygon* p : *geom->toMultiPolygon())
        AddPolygon(*p, g->polygons);
      g->geometry_ok = true;
      break;
    default:
      problems->push_back(absl::StrCat("geometry is a ",
                                       geom->getGeometryName(),
                                       ", expected a Polygon or MultiPolygon"));
  }
}

absl::Status LayerReader::ReadFeatures() {
  const int64_t total = layer_->GetFeatureCount(FALSE);
  if (total > 0) out_.grids.reserve(static_cast<size_t>(total));
  messages_.TakeLastError();  // only failures while reading count below
  layer_->ResetReading();
  int64_t index = 0;
  for (OGRFeatureUniquePtr f(layer_->GetNextFeature()); f != nullptr;
       f.reset(layer_->GetNextFeature()), ++index) {
    SourceGrid g;
    g.fid = f->GetFID();
    g.index = index;
    std::vector<std::string> problems;
    ReadAttributes(*f, &g, &problems);
    ReadGeometry(*f, &g, &problems);
    for (const std::string& p : problems) {
      out_.errors.push_back(absl::StrCat(FeatureLabel(g), ": ", p));
    }
    out_.grids.push_back(std::move(g));
    if (o_.on_progress && (index + 1) % kProgressEvery == 0) {
      o_.on_progress(index + 1, total);
    }
  }
  if (std::string e = messages_.TakeLastError(); !e.empty()) {
    return absl::DataLossError(absl::StrCat("reading '", o_.path, "' layer '",
                                            out_.info.layer, "' failed after ",
                                            index, " features: ", e));
  }
  out_.info.features = index;
  if (o_.on_progress) o_.on_progress(index, total < 0 ? index : total);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SourceData> ReadSource(const SourceOptions& options) {
  static const int registered = (GDALAllRegister(), 0);
  (void)registered;
  return LayerReader(options).Read();
}

}  // namespace gridroute::import
