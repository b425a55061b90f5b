// Copyright 2026 gridroute authors.
//
// The requests gridroute-load sends, read once before the run.
//
//   absl::StatusOr<std::vector<v1::RouteRequest>> w =
//       LoadEvents("data/sample-city/events.csv", 100000);
//   v1::DetectionBatch b = MakeDetectionBatch(*w, 0, 256);   // requests 0..255
//
// Two sources:
//   - events.csv of a generated pack (id,lon,lat,crs,category_type,category,
//     urgency,reported_at,component_code): every field is sent as given.
//   - a points CSV with lon,lat columns (e.g. points.csv): each point becomes
//     an event of `category` reported at `reported_at`, urgency left to the
//     category's default.
// Thread-safety: pure functions. Cost: one pass over the file.
#ifndef GRIDROUTE_TOOLS_LOAD_WORKLOAD_H_
#define GRIDROUTE_TOOLS_LOAD_WORKLOAD_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message_lite.h"
#include "gridroute/v1/routing.pb.h"

namespace gridroute::load {

// At most `max_rows` requests from an events.csv. Rows whose lon, lat or
// reported_at cannot be put in a request are skipped and counted in
// `*skipped` (a generated events.csv plants a few); other defects are sent
// as they are, for the server to judge. No usable row: InvalidArgument.
absl::StatusOr<std::vector<v1::RouteRequest>> LoadEvents(
    const std::string& path, size_t max_rows, size_t* skipped);

// At most `max_rows` requests from a CSV with lon and lat columns.
absl::StatusOr<std::vector<v1::RouteRequest>> LoadPoints(
    const std::string& path, size_t max_rows, const std::string& category,
    absl::Time reported_at);

// Moves every request's reported_at by one amount so that the latest is
// `latest` (the run's start): the spacing of the times, hence what folds
// into what on a server with cases, stays as in the file, and no time is
// ahead of the server's clock (a server refuses times more than
// --max-future ahead of it). Returns the shift.
absl::Duration ShiftReportTimes(std::vector<v1::RouteRequest>* requests, absl::Time latest);

// Sets every request's reported_at to `now` (--times-now): a live feed, in
// which a run is far shorter than any fold window, so a problem detected
// again folds into its case (a camera re-detecting what it saw). With the
// file's times spread over months, every repeat is past its case's window
// and files a new case: the worst case for intake.
void SetReportTimes(std::vector<v1::RouteRequest>* requests, absl::Time now);

// `n` detections made from requests[first % size ...] (cyclically), with 16
// camera ids and no correlation ids: a correlation id is an idempotency key
// on a server with cases, and the load tool sends its batches again and
// again, which would then be answered as duplicates instead of filed.
// REQUIRES: !requests.empty().
v1::DetectionBatch MakeDetectionBatch(
    const std::vector<v1::RouteRequest>& requests, size_t first, size_t n);

// "full" or "codes" (--view) as a DecisionView; anything else:
// InvalidArgument naming the accepted values.
absl::StatusOr<v1::DecisionView> ParseView(const std::string& text);
const char* ViewName(v1::DecisionView view);

// `message` as one gRPC length-prefixed message: a 0 byte (not compressed),
// the 4-byte big-endian length, the serialized message (the body h2load
// posts for a unary call).
std::string GrpcFrame(const google::protobuf::MessageLite& message);

// The inverse of GrpcFrame: parses one uncompressed length-prefixed message
// filling all of `framed` into `message`; InvalidArgument saying what is
// wrong otherwise.
absl::Status ParseGrpcFrame(absl::string_view framed,
                            google::protobuf::MessageLite* message);

// The outcome of a serialized RouteResponse read straight off the wire
// (field 1 of its `decision` or `codes`; absent: 0), without parsing the
// message: gridroute-load only counts outcomes. False if `wire` is not a
// well-formed message.
bool ScanRouteOutcome(absl::string_view wire, int* outcome);

}  // namespace gridroute::load

#endif  // GRIDROUTE_TOOLS_LOAD_WORKLOAD_H_
