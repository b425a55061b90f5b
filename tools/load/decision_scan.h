// Copyright 2026 gridroute authors.
//
// Counting a serialized DecisionBatch (RouteStream's answer) straight off the
// protobuf wire format, without parsing it: gridroute-load only counts
// results, their outcomes and their per-item error codes, and a full parse of
// every batch cost the stream client about what the server spends answering
// it in the CODES view (figures: docs/SERVED_PATH.md). O(bytes), no
// allocation.
//
//   DecisionCounts c;
//   if (ScanDecisionBatch(wire, &c)) rec.items += c.results;
//
// What is read: DecisionBatch.results (field 1), and in each DetectionResult
// the oneof `result` — decision (3) / error (4) / codes (5) — and field 1 of
// the one present (Decision.outcome, ItemError.code, DecisionCodes.outcome).
// Protobuf's rules are kept: a field with an unexpected wire type is an
// unknown field, the last oneof member on the wire wins, the last value of a
// repeated scalar wins, a member seen twice merges.
// What is checked: the wire structure of those levels (tags, varints of at most
// 10 bytes, lengths within their message, groups closed, depth <= 100). Not
// checked: the content of the fields skipped (UTF-8 of strings, the inside of
// other nested messages), which a full parse would also reject when bad: the
// scan may accept bytes the parse rejects, never the reverse
// (load_lib_test.cc checks it on corrupted batches).
//
// Thread-safety: pure function. Cost: one pass over the bytes, no allocation.
#ifndef GRIDROUTE_TOOLS_LOAD_DECISION_SCAN_H_
#define GRIDROUTE_TOOLS_LOAD_DECISION_SCAN_H_

#include <array>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace gridroute::load {

struct DecisionCounts {
  static constexpr int kCodes = 17;  // grpc::StatusCode 0..16
  // DetectionResults in the batch.
  int64_t results = 0;
  // Results without an error, by outcome: OUTCOME_OUTSIDE_COVERAGE in
  // `outside`, any other (ROUTED, UNSPECIFIED, unknown values) in `routed`.
  int64_t routed = 0;
  int64_t outside = 0;
  // [0]: results without an error; [c]: results whose ItemError.code is c
  // (a code outside 0..16 counts as 2, UNKNOWN).
  std::array<int64_t, kCodes> by_code{};

  bool operator==(const DecisionCounts& o) const = default;
};

// The counts of the serialized DecisionBatch `wire`. False if `wire` is not
// well-formed (see above); *counts is then all zero.
bool ScanDecisionBatch(absl::string_view wire, DecisionCounts* counts);

}  // namespace gridroute::load

#endif  // GRIDROUTE_TOOLS_LOAD_DECISION_SCAN_H_
