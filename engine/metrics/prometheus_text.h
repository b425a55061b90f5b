// Copyright 2026 gridroute authors.
//
// The Prometheus text exposition format (version 0.0.4), written by hand:
// HELP and TYPE lines, samples with escaped label values, histograms as
// _bucket/_sum/_count. No gRPC, no locks; the caller owns the output.
//
//   PrometheusText out;
//   out.Family("gridroute_reloads_total", "Pack loads by result.", "counter");
//   out.Sample("gridroute_reloads_total", {{"result", "ok"}}, 3);
//   out.Histogram("gridroute_call_seconds", {{"method", "Route"}}, snapshot);
//   std::string page = out.Take();
//
// Format rules kept here (https://prometheus.io/docs/instrumenting/exposition_formats/):
// metric and label names [a-zA-Z_:][a-zA-Z0-9_:]* (checked in debug, the
// callers pass constants); label values escape \ " and newline; HELP text
// escapes \ and newline; values are Go-style floats (+Inf, -Inf, NaN);
// every family has one TYPE line before its first sample; a histogram's
// buckets are cumulative, ascending, and end with le="+Inf" equal to _count.
//
// Thread-safety: a PrometheusText is not thread-safe (one per scrape).
#ifndef GRIDROUTE_METRICS_PROMETHEUS_TEXT_H_
#define GRIDROUTE_METRICS_PROMETHEUS_TEXT_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "metrics/histogram.h"

namespace gridroute {

using Labels = std::vector<std::pair<absl::string_view, absl::string_view>>;

class PrometheusText {
 public:
  // "# HELP name help\n# TYPE name type\n". `type`: counter, gauge,
  // histogram, untyped.
  void Family(absl::string_view name, absl::string_view help, absl::string_view type);
  // "name{l1="v1",...} value\n" (no braces without labels).
  void Sample(absl::string_view name, const Labels& labels, double value);
  void Sample(absl::string_view name, const Labels& labels, uint64_t value);
  void Sample(absl::string_view name, const Labels& labels, int64_t value);
  // The _bucket (cumulative, with le), _sum and _count lines of `h`.
  void Histogram(absl::string_view name, const Labels& labels, const HistogramSnapshot& h);

  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

  // `v` with \, " and newline escaped (label values).
  static std::string EscapeLabelValue(absl::string_view v);
  // `v` with \ and newline escaped (HELP text).
  static std::string EscapeHelp(absl::string_view v);
  // Go's strconv float format as Prometheus reads it: integers without a
  // dot, "+Inf", "-Inf", "NaN", else shortest round-trip ("%.17g" trimmed).
  static std::string FormatValue(double v);
  // True for a valid metric or label name.
  static bool ValidName(absl::string_view name);

 private:
  void Head(absl::string_view name, const Labels& labels, absl::string_view extra_name = {},
            absl::string_view extra_value = {});
  std::string out_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_METRICS_PROMETHEUS_TEXT_H_
