// Copyright 2026 gridroute authors.
//
// JSON string literals, written one way everywhere the code writes JSON by
// hand (pack manifests, the generator's GeoJSON, dispatch messages):
//
//   std::string out = "{\"name\":";
//   AppendJsonString(name, &out);   // "\"Suzhou \\\"old town\\\"\""
//
// '"' and '\' are escaped, \n \r \t as such, other bytes below 0x20 as
// \u00XX; everything else (UTF-8 included) passes through unchanged, so a
// valid UTF-8 input gives valid JSON. Thread-safe; appends only.
#ifndef GRIDROUTE_COMMON_JSON_STRING_H_
#define GRIDROUTE_COMMON_JSON_STRING_H_

#include <cstdio>
#include <string>
#include <string_view>

namespace gridroute {

// The escaped body of `s`, without quotes.
inline void AppendJsonStringBody(std::string_view s, std::string* out) {
  for (char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          out->append(buf);
        } else {
          out->push_back(c);
        }
    }
  }
}

// `s` as a quoted JSON string literal.
inline void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  AppendJsonStringBody(s, out);
  out->push_back('"');
}

inline std::string JsonQuote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  AppendJsonString(s, &out);
  return out;
}

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_JSON_STRING_H_
