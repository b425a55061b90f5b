// Copyright 2026 gridroute authors.
//
// The feed's event: one routed report as a small JSON object (~200 bytes),
// built only for events the feed admits (feed/event_feed.h).
//
//   OfferToFeed(options.feed, event, decision, case_id);  // served path
//
// {"t":1765000000000,"lon":120.6123456,"lat":31.3012345,"grid":"320501001001001",
//  "category":"0102","category_name":"暴露垃圾","lead":"D03","lead_name":"环境卫生管理处",
//  "outcome":"routed","case":"320501-20261207-000042"}
// - t: the report time, Unix milliseconds;
// - lon/lat: WGS-84, from the report's point when it was given in wgs84,
//   cgcs2000, gcj02 or bd09 (converted); absent for other CRSs and for a
//   component named by code without a point;
// - grid, lead (and their names): absent when outside coverage;
// - case: the case id when the report was filed (unary Route with cases on);
//   absent otherwise (batches and streams file after answering).
// Thread-safety: pure functions.
#ifndef GRIDROUTE_FEED_FEED_EVENT_H_
#define GRIDROUTE_FEED_FEED_EVENT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "feed/event_feed.h"
#include "route/router.h"

namespace gridroute {

// REQUIRES: d.snapshot != nullptr (a decision Router::Route filled).
std::string FeedEventJson(const Event& e, const Decision& d, absl::string_view case_id);

// The served path's one line: nothing but a relaxed load unless someone
// subscribes, then the sampler, and only then the formatting.
inline void OfferToFeed(EventFeed* feed, const Event& e, const Decision& d,
                        absl::string_view case_id) {
  if (feed == nullptr || !feed->active() || !feed->Admit()) return;
  feed->Publish(FeedEventJson(e, d, case_id));
}

}  // namespace gridroute

#endif  // GRIDROUTE_FEED_FEED_EVENT_H_
