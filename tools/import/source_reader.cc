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

absl::StatusOr<SourceData> ReadSource(const SourceOptions& options) {
  static const int registered = (GDALAllRegister(), 0);
  (void)registered;
  ScopedGdalMessages messages;
  SourceData out;

  auto open = [&](const CPLStringList& open_options) {
    return DatasetPtr(static_cast<GDALDataset*>(
        GDALOpenEx(options.path.c_str(),
                   GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                   nullptr, open_options.List(), nullptr)));
  };
  DatasetPtr ds = open(CPLStringList());
  if (!ds) {
    std::string why = messages.TakeLastError();
    return absl::NotFoundError(absl::StrCat("cannot open '", options.path,
                                            "' as vector data",
                                            why.empty() ? "" : ": ", why));
  }
  out.info.driver = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "?";
  const bool shapefile = out.info.driver == "ESRI Shapefile";
  bool recode_here = false;
  if (!options.encoding.empty()) {
    if (shapefile) {
      // GDAL recodes DBF strings (and field names) to UTF-8 itself.
      CPLStringList oo;
      oo.SetNameValue("ENCODING", options.encoding.c_str());
      ds = open(oo);
      if (!ds) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cannot open '", options.path, "' with ENCODING=", options.encoding,
            ": ", messages.TakeLastError()));
      }
    } else {
      recode_here = true;
    }
    out.info.encoding = absl::StrCat(options.encoding, " (--encoding)");
  } else if (shapefile) {
    const std::string cpg = ReadCpg(options.path);
    out.info.encoding = cpg.empty() ? "DBF language id (no .cpg)"
                                    : absl::StrCat(cpg, " (.cpg)");
  } else {
    out.info.encoding = "UTF-8";
  }

  OGRLayer* layer = nullptr;
  if (!options.layer.empty()) {
    layer = ds->GetLayerByName(options.layer.c_str());
  } else if (ds->GetLayerCount() == 1) {
    layer = ds->GetLayer(0);
  }
  if (layer == nullptr) {
    std::vector<std::string> names;
    for (int i = 0; i < ds->GetLayerCount(); ++i)
      names.push_back(ds->GetLayer(i)->GetName());
    if (options.layer.empty() && names.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", options.path, "' has no layers"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        options.layer.empty() ? "--layer is required: " : "",
        options.layer.empty()
            ? ""
            : absl::StrCat("no layer '", options.layer, "': "),
        "'", options.path, "' has layers ", absl::StrJoin(names, ", ")));
  }
  out.info.layer = layer->GetName();
  if (const OGRSpatialReference* srs = layer->GetSpatialRef()) {
    out.info.srs = SrsLabel(*srs);
    absl::StatusOr<std::string> crs = EngineCrs(*srs);
    if (crs.ok()) {
      out.info.crs = *crs;
      if (out.info.srs.rfind("EPSG:", 0) != 0) {
        absl::StrAppend(&out.info.srs, " identified as ", *crs);
      }
    } else {
      out.info.crs_error = std::string(crs.status().message());
    }
  } else {
    out.info.srs = "none";
    out.info.crs_error =
        "the layer has no coordinate system (no .prj); pass --crs";
  }

  // Attribute indexes (OGR matches names case-insensitively).
  OGRFeatureDefn* defn = layer->GetLayerDefn();
  auto field_list = [&] {
    std::vector<std::string> names;
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
      names.push_back(defn->GetFieldDefn(i)->GetNameRef());
    }
    return absl::StrJoin(names, ", ");
  };
  std::vector<std::string> wanted;
  auto index_of = [&](const std::string& attr,
                      absl::string_view flag) -> absl::StatusOr<int> {
    const int idx = defn->GetFieldIndex(attr.c_str());
    if (idx < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          flag, ": attribute '", attr, "' is not in layer '", out.info.layer,
          "' (its fields: ", field_list(), ")",
          shapefile && options.encoding.empty()
              ? "; if the field names are Chinese, pass --encoding GBK"
              : ""));
    }
    wanted.push_back(defn->GetFieldDefn(idx)->GetNameRef());
    return idx;
  };
  absl::StatusOr<int> code_idx = index_of(options.code_attr, "--code-attr");
  if (!code_idx.ok()) return code_idx.status();
  int name_idx = -1;
  if (!options.name_attr.empty()) {
    absl::StatusOr<int> i = index_of(options.name_attr, "--name-attr");
    if (!i.ok()) return i.status();
    name_idx = *i;
  }
  std::vector<int> level_code_idx, level_name_idx;
  for (const LevelSpec& l : options.levels) {
    absl::StatusOr<int> c =
        index_of(l.code_attr, absl::StrCat("--levels ", l.level));
    if (!c.ok()) return c.status();
    level_code_idx.push_back(*c);
    int n = -1;
    if (!l.name_attr.empty()) {
      absl::StatusOr<int> i =
          index_of(l.name_attr, absl::StrCat("--levels ", l.level));
      if (!i.ok()) return i.status();
      n = *i;
    }
    level_name_idx.push_back(n);
  }
  // Read only the fields we use (GeoPackage and GeoJSON skip the rest).
  {
    CPLStringList ignored;
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
      const char* n = defn->GetFieldDefn(i)->GetNameRef();
      bool keep = false;
      for (const std::string& w : wanted) keep = keep || w == n;
      if (!keep) ignored.AddString(n);
    }
    ignored.AddString("OGR_STYLE");
    layer->SetIgnoredFields(const_cast<const char**>(ignored.List()));
  }

  const int64_t total = layer->GetFeatureCount(FALSE);
  if (total > 0) out.grids.reserve(static_cast<size_t>(total));
  bool warned_curves = false;
  messages.TakeLastError();  // only failures while reading count below
  layer->ResetReading();
  int64_t index = 0;
  for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f != nullptr;
       f.reset(layer->GetNextFeature()), ++index) {
    SourceGrid g;
    g.fid = f->GetFID();
    g.index = index;
    std::vector<std::string> problems;
    auto text = [&](int idx) -> std::string {
      if (idx < 0) return "";
      std::string v = FieldText(*f, idx);
      if (recode_here && !v.empty()) {
        char* r = CPLRecode(v.c_str(), options.encoding.c_str(), CPL_ENC_UTF8);
        v = r;
        CPLFree(r);
      }
      v = std::string(absl::StripAsciiWhitespace(v));
      if (!CPLIsUTF8(v.c_str(), static_cast<int>(v.size()))) {
        problems.push_back(absl::StrCat(
            "attribute ", defn->GetFieldDefn(idx)->GetNameRef(),
            " is not valid UTF-8 (the file does not declare its encoding",
            shapefile ? ": no .cpg" : "",
            "); pass --encoding, e.g. --encoding GBK"));
        v.clear();
      }
      return v;
    };
    g.code = text(*code_idx);
    g.name = text(name_idx);
    for (size_t l = 0; l < options.levels.size(); ++l) {
      g.level_codes.push_back(text(level_code_idx[l]));
      g.level_names.push_back(text(level_name_idx[l]));
    }
    if (g.code.empty() && problems.empty()) {
      problems.push_back(absl::StrCat("missing grid code (attribute ",
                                      options.code_attr, " is empty)"));
    }
    bool levels_ok = true;
    for (size_t l = 0; l < options.levels.size(); ++l) {
      if (g.level_codes[l].empty()) {
        levels_ok = false;
        problems.push_back(absl::StrCat(
            "missing ", options.levels[l].level, " code (attribute ",
            options.levels[l].code_attr, " is empty)"));
      }
    }
    g.attributes_ok = !g.code.empty() && levels_ok;

    const OGRGeometry* geom = f->GetGeometryRef();
    std::unique_ptr<OGRGeometry> linear;
    if (geom != nullptr && geom->hasCurveGeometry()) {
      linear.reset(geom->getLinearGeometry());
      geom = linear.get();
      if (!warned_curves) {
        out.warnings.push_back(
            "curved geometries were linearised with GDAL's default step (4 "
            "degrees of arc)");
        warned_curves = true;
      }
    }
    if (geom == nullptr) {
      problems.push_back("no geometry");
    } else if (geom->IsEmpty()) {
      problems.push_back("empty geometry");
    } else {
      switch (wkbFlatten(geom->getGeometryType())) {
        case wkbPolygon:
          AddPolygon(*geom->toPolygon(), g.polygons);
          g.geometry_ok = true;
          break;
        case wkbMultiPolygon:
          for (const OGRPolygon* p : *geom->toMultiPolygon())
            AddPolygon(*p, g.polygons);
          g.geometry_ok = true;
          break;
        default:
          problems.push_back(
              absl::StrCat("geometry is a ", geom->getGeometryName(),
                           ", expected a Polygon or MultiPolygon"));
      }
    }
    for (const std::string& p : problems) {
      out.errors.push_back(absl::StrCat(FeatureLabel(g), ": ", p));
    }
    out.grids.push_back(std::move(g));
    if (options.on_progress && (index + 1) % kProgressEvery == 0) {
      options.on_progress(index + 1, total);
    }
  }
  if (std::string e = messages.TakeLastError(); !e.empty()) {
    return absl::DataLossError(
        absl::StrCat("reading '", options.path, "' layer '", out.info.layer,
                     "' failed after ", index, " features: ", e));
  }
  out.info.features = index;
  if (options.on_progress)
    options.on_progress(index, total < 0 ? index : total);
  for (std::string& w : messages.TakeWarnings())
    out.warnings.push_back(std::move(w));
  return out;
}

}  // namespace gridroute::import
