// Copyright 2026 gridroute authors.
#include "load/workload.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/csv.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace gridroute::load {
namespace {

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t s = absl::ToUnixSeconds(t);
  out->set_seconds(s);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(s))));
}

absl::Status BadRow(const CsvReader& in, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat(in.name(), ":", in.line(), ": ", what));
}

}  // namespace

absl::StatusOr<std::vector<v1::RouteRequest>> LoadEvents(
    const std::string& path, size_t max_rows, size_t* skipped) {
  *skipped = 0;
  absl::StatusOr<CsvReader> in = CsvReader::Open(path);
  if (!in.ok()) return in.status();
  std::vector<std::string> row;
  if (!in->Next(row))
    return absl::InvalidArgumentError(absl::StrCat(path, ": empty"));
  const int lon = FindColumn(row, "lon"), lat = FindColumn(row, "lat");
  const int crs = FindColumn(row, "crs"),
            type = FindColumn(row, "category_type");
  const int cat = FindColumn(row, "category"), urg = FindColumn(row, "urgency");
  const int at = FindColumn(row, "reported_at"),
            comp = FindColumn(row, "component_code");
  if (lon < 0 || lat < 0 || cat < 0 || at < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": needs at least lon, lat, category and reported_at columns"));
  }
  std::vector<v1::RouteRequest> out;
  while (out.size() < max_rows && in->Next(row)) {
    v1::RouteRequest r;
    double x = 0, y = 0;
    if (!absl::SimpleAtod(row[lon], &x) || !absl::SimpleAtod(row[lat], &y)) {
      ++*skipped;  // cannot be put in a request
      continue;
    }
    r.mutable_point()->set_x(x);
    r.mutable_point()->set_y(y);
    if (crs >= 0) r.mutable_point()->set_crs(row[crs]);
    if (type >= 0 && row[type] == "component") {
      r.set_category_type(v1::CATEGORY_TYPE_COMPONENT);
    }
    r.set_category(row[cat]);
    if (urg >= 0) r.set_urgency(row[urg]);
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, row[at], &t, &err)) {
      ++*skipped;
      continue;
    }
    SetTime(t, r.mutable_reported_at());
    if (comp >= 0) r.set_component_code(row[comp]);
    out.push_back(std::move(r));
  }
  if (!in->status().ok()) return in->status();
  if (out.empty())
    return absl::InvalidArgumentError(absl::StrCat(path, ": no rows"));
  return out;
}

absl::StatusOr<std::vector<v1::RouteRequest>> LoadPoints(
    const std::string& path, size_t max_rows, const std::string& category,
    absl::Time reported_at) {
  absl::StatusOr<CsvReader> in = CsvReader::Open(path);
  if (!in.ok()) return in.status();
  std::vector<std::string> row;
  if (!in->Next(row))
    return absl::InvalidArgumentError(absl::StrCat(path, ": empty"));
  const int lon = FindColumn(row, "lon"), lat = FindColumn(row, "lat");
  if (lon < 0 || lat < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": needs lon and lat columns"));
  }
  std::vector<v1::RouteRequest> out;
  while (out.size() < max_rows && in->Next(row)) {
    double x = 0, y = 0;
    if (!absl::SimpleAtod(row[lon], &x) || !absl::SimpleAtod(row[lat], &y)) {
      return BadRow(*in, "lon/lat: not numbers");
    }
    v1::RouteRequest r;
    r.mutable_point()->set_x(x);
    r.mutable_point()->set_y(y);
    r.set_category(category);
    SetTime(reported_at, r.mutable_reported_at());
    out.push_back(std::move(r));
  }
  if (!in->status().ok()) return in->status();
  if (out.empty())
    return absl::InvalidArgumentError(absl::StrCat(path, ": no rows"));
  return out;
}

absl::Duration ShiftReportTimes(std::vector<v1::RouteRequest>* requests, absl::Time latest) {
  bool any = false;
  absl::Time max = absl::InfinitePast();
  for (const v1::RouteRequest& r : *requests) {
    if (!r.has_reported_at()) continue;
    max = std::max(max, absl::FromUnixSeconds(r.reported_at().seconds()) +
                            absl::Nanoseconds(r.reported_at().nanos()));
    any = true;
  }
  if (!any) return absl::ZeroDuration();
  const absl::Duration shift = latest - max;
  for (v1::RouteRequest& r : *requests) {
    if (!r.has_reported_at()) continue;
    SetTime(absl::FromUnixSeconds(r.reported_at().seconds()) +
                absl::Nanoseconds(r.reported_at().nanos()) + shift,
            r.mutable_reported_at());
  }
  return shift;
}

void SetReportTimes(std::vector<v1::RouteRequest>* requests, absl::Time now) {
  for (v1::RouteRequest& r : *requests) SetTime(now, r.mutable_reported_at());
}

v1::DetectionBatch MakeDetectionBatch(
    const std::vector<v1::RouteRequest>& requests, size_t first, size_t n) {
  v1::DetectionBatch batch;
  for (size_t k = 0; k < n; ++k) {
    const v1::RouteRequest& r = requests[(first + k) % requests.size()];
    v1::Detection* d = batch.add_detections();
    d->set_camera_id(absl::StrCat("cam-", k % 16));
    *d->mutable_frame_time() = r.reported_at();
    d->set_category(r.category());
    d->set_category_type(r.category_type());
    *d->mutable_point() = r.point();
    d->set_urgency(r.urgency());
  }
  return batch;
}

absl::StatusOr<v1::DecisionView> ParseView(const std::string& text) {
  if (text == "full") return v1::DECISION_VIEW_FULL;
  if (text == "codes") return v1::DECISION_VIEW_CODES;
  return absl::InvalidArgumentError(
      absl::StrCat("--view must be codes or full, not \"", text, "\""));
}

const char* ViewName(v1::DecisionView view) {
  return view == v1::DECISION_VIEW_CODES ? "codes" : "full";
}

std::string GrpcFrame(const google::protobuf::MessageLite& message) {
  const std::string body = message.SerializeAsString();
  const uint32_t n = static_cast<uint32_t>(body.size());
  std::string out(5, '\0');
  for (int k = 0; k < 4; ++k) {
    out[1 + k] = static_cast<char>((n >> (8 * (3 - k))) & 0xff);
  }
  return out + body;
}

absl::Status ParseGrpcFrame(absl::string_view framed,
                            google::protobuf::MessageLite* message) {
  if (framed.size() < 5) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a gRPC frame needs at least 5 bytes, got ", framed.size()));
  }
  if (framed[0] != 0) {
    return absl::InvalidArgumentError("compressed gRPC frames are not read");
  }
  uint32_t n = 0;
  for (int k = 1; k <= 4; ++k) n = (n << 8) | static_cast<uint8_t>(framed[k]);
  if (n != framed.size() - 5) {
    return absl::InvalidArgumentError(
        absl::StrCat("the gRPC frame says ", n, " bytes, ", framed.size() - 5,
                     " follow (one message per file)"));
  }
  if (!message->ParseFromArray(framed.data() + 5, static_cast<int>(n))) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a ", message->GetTypeName()));
  }
  return absl::OkStatus();
}

bool ScanRouteOutcome(absl::string_view wire, int* outcome) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(
      reinterpret_cast<const uint8_t*>(wire.data()),
      static_cast<int>(wire.size()));
  *outcome = 0;
  constexpr uint32_t kOutcomeTag = (1 << 3) | 0;  // field 1, varint
  while (const uint32_t tag = in.ReadTag()) {
    const uint32_t field = tag >> 3;
    if ((field == 1 || field == 3) &&
        WireFormatLite::GetTagWireType(tag) ==
            WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      uint32_t len = 0;
      if (!in.ReadVarint32(&len)) return false;
      const auto limit = in.PushLimit(static_cast<int>(len));
      while (const uint32_t t = in.ReadTag()) {
        if (t == kOutcomeTag) {
          uint64_t v = 0;
          if (!in.ReadVarint64(&v)) return false;
          *outcome = static_cast<int>(v);
          return true;
        }
        if (!WireFormatLite::SkipField(&in, t)) return false;
      }
      in.PopLimit(limit);
      return true;
    }
    if (!WireFormatLite::SkipField(&in, tag)) return false;
  }
  return in.ConsumedEntireMessage();
}

}  // namespace gridroute::load
