// Copyright 2026 gridroute authors.
#include "metrics/prometheus_text.h"

#include <cassert>
#include <cmath>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace gridroute {

bool PrometheusText::ValidName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = absl::ascii_isalpha(c) || c == '_' || c == ':' ||
                    (i > 0 && absl::ascii_isdigit(c));
    if (!ok) return false;
  }
  return true;
}

std::string PrometheusText::EscapeLabelValue(absl::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusText::EscapeHelp(absl::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string PrometheusText::FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return absl::StrCat(static_cast<int64_t>(v));
  }
  char buf[32];
  for (int prec = 6; prec <= 17; ++prec) {  // shortest that round-trips
    std::snprintf(buf, sizeof(buf), "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

void PrometheusText::Family(absl::string_view name, absl::string_view help,
                            absl::string_view type) {
  assert(ValidName(name));
  absl::StrAppend(&out_, "# HELP ", name, " ", EscapeHelp(help), "\n# TYPE ", name, " ", type,
                  "\n");
}

void PrometheusText::Head(absl::string_view name, const Labels& labels,
                          absl::string_view extra_name, absl::string_view extra_value) {
  out_.append(name.data(), name.size());
  if (labels.empty() && extra_name.empty()) {
    out_ += ' ';
    return;
  }
  out_ += '{';
  bool first = true;
  auto one = [&](absl::string_view k, absl::string_view v) {
    assert(ValidName(k));
    absl::StrAppend(&out_, first ? "" : ",", k, "=\"", EscapeLabelValue(v), "\"");
    first = false;
  };
  for (const auto& [k, v] : labels) one(k, v);
  if (!extra_name.empty()) one(extra_name, extra_value);
  out_ += "} ";
}

void PrometheusText::Sample(absl::string_view name, const Labels& labels, double value) {
  Head(name, labels);
  absl::StrAppend(&out_, FormatValue(value), "\n");
}

void PrometheusText::Sample(absl::string_view name, const Labels& labels, uint64_t value) {
  Head(name, labels);
  absl::StrAppend(&out_, value, "\n");
}

void PrometheusText::Sample(absl::string_view name, const Labels& labels, int64_t value) {
  Head(name, labels);
  absl::StrAppend(&out_, value, "\n");
}

void PrometheusText::Histogram(absl::string_view name, const Labels& labels,
                               const HistogramSnapshot& h) {
  const std::string bucket = absl::StrCat(name, "_bucket");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    const std::string le = i < h.bounds.size() ? FormatValue(h.bounds[i]) : "+Inf";
    Head(bucket, labels, "le", le);
    absl::StrAppend(&out_, cumulative, "\n");
  }
  Head(absl::StrCat(name, "_sum"), labels);
  absl::StrAppend(&out_, FormatValue(h.sum), "\n");
  Head(absl::StrCat(name, "_count"), labels);
  absl::StrAppend(&out_, cumulative, "\n");
}

}  // namespace gridroute
