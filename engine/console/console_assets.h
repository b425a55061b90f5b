// Copyright 2026 gridroute authors.
//
// The console's static files (tools/console: index.html, console.js,
// console.css, vendored Leaflet and its licence), embedded into the binary at
// build time (embed_assets.cmake), so gridroute-server serves the console
// with nothing installed beside it.
//
//   for (const ConsoleAsset& a : EmbeddedConsoleAssets()) Serve(a.path, a.content_type, a.data, a.size);
//
// Thread-safety: immutable static data.
#ifndef GRIDROUTE_CONSOLE_CONSOLE_ASSETS_H_
#define GRIDROUTE_CONSOLE_CONSOLE_ASSETS_H_

#include <cstddef>

#include "absl/types/span.h"

namespace gridroute {

struct ConsoleAsset {
  const char* path;          // "/index.html", "/vendor/leaflet/leaflet.js", ...
  const char* content_type;  // "text/html; charset=utf-8", ...
  const char* data;
  size_t size;
};

absl::Span<const ConsoleAsset> EmbeddedConsoleAssets();

}  // namespace gridroute

#endif  // GRIDROUTE_CONSOLE_CONSOLE_ASSETS_H_
