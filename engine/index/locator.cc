// Copyright 2026 gridroute authors.
#include "index/locator.h"

namespace gridroute {

const char* HowName(How how) {
  switch (how) {
    case How::kInside: return "inside";
    case How::kOnEdge: return "on_edge";
    case How::kSnapped: return "snapped";
    case How::kOutside: return "outside";
  }
  return "outside";
}

void Locator::LocateBatch(const IPoint* p, size_t n, const LocateOptions& options,
                          LocateResult* out) const {
  for (size_t i = 0; i < n; ++i) out[i] = Locate(p[i], options);
}

}  // namespace gridroute
