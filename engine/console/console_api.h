// Copyright 2026 gridroute authors.
//
// The console's routes on gridroute-server's HTTP listener (--http-listen):
//
//   GET /v1/grids?bbox=minlon,minlat,maxlon,maxlat&level=grid|<level>&simplify=DEG
//        GeoJSON FeatureCollection in WGS-84 (mapview/map_view.h: contents,
//        caps, "truncated"); without bbox: no features, only "city_bbox" and
//        "levels" (where the city is). Role `route`. 400 naming the bad
//        parameter; 503 while no pack is loaded. Content-Type
//        application/geo+json, gzip-compressed when the client accepts it.
//   GET /v1/events:stream
//        Server-Sent Events, one `data: {json}` per routed report the feed
//        lets through (feed/event_feed.h, feed/feed_event.h: sampled to
//        --events-per-s), `data: {"dropped":N}` when this client missed N,
//        and a `: keep-alive` comment every keepalive_s of silence. Role
//        `route`. At most max_sse_clients at once: one more is 429. Each
//        client holds a thread of its own while connected (the HTTP
//        server runs a streaming answer's provider off its io threads).
//   GET /, /index.html, /console.js, /console.css, /vendor/leaflet/...
//        the console page (tools/console), open to anyone: it holds no data;
//        it asks the user for a token and sends it as `Authorization: Bearer`.
//        Embedded in the binary (console/console_assets.h), or read from
//        `console_dir` on every request when set (for editing the page).
//   GET /config.json
//        {"basemapUrl": "...", "basemapAttribution": "..."}: the optional
//        tile layer (--basemap-url); {} without one. Open.
//
//   MapViewCache maps;
//   EventFeed feed({.max_subscribers = 4});
//   RegisterConsoleApi(&router, &maps, &feed, ConsoleApiOptions{});
//
// Lifetime: `maps` and `feed` must outlive the HTTP server; call
// feed->Close() before stopping the server so open event streams end.
#ifndef GRIDROUTE_CONSOLE_CONSOLE_API_H_
#define GRIDROUTE_CONSOLE_CONSOLE_API_H_

#include <string>

#include "feed/event_feed.h"
#include "http/http_router.h"
#include "mapview/map_view.h"
#include "mapview/map_view_cache.h"

namespace gridroute {

struct ConsoleApiOptions {
  // The size caps of a /v1/grids answer (defaults: map_view.h).
  MapLimits limits;
  // Serve the page from this directory instead of the embedded copy (the
  // same file names; only those are served). Empty: embedded.
  std::string console_dir;
  // XYZ tile URL template for a base map ("https://tile.example/{z}/{x}/{y}.png").
  // Empty: none (the grids are the map).
  std::string basemap_url;
  std::string basemap_attribution;
  // Seconds of silence after which an event stream sends a keep-alive
  // comment (also how soon a closed client is noticed).
  double keepalive_s = 10;
};

void RegisterConsoleApi(HttpRouter* router, MapViewCache* maps, EventFeed* feed,
                        ConsoleApiOptions options);

}  // namespace gridroute

#endif  // GRIDROUTE_CONSOLE_CONSOLE_API_H_
