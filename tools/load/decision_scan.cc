// Copyright 2026 gridroute authors.
#include "load/decision_scan.h"

namespace gridroute::load {
namespace {

enum WireType : uint32_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

constexpr int kMaxDepth = 100;  // protobuf's default recursion limit

// Reads fields off [p, end). Every method returns false on malformed input
// and never reads outside the range.
class WireReader {
 public:
  explicit WireReader(absl::string_view bytes)
      : p_(reinterpret_cast<const uint8_t*>(bytes.data())),
        end_(p_ + bytes.size()) {}

  bool done() const { return p_ == end_; }

  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (p_ == end_) return false;
      const uint8_t b = *p_++;
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) {
        *v = r;
        return true;
      }
    }
    return false;  // more than 10 bytes
  }

  // A field's key: field number >= 1, a wire type that exists.
  bool Tag(uint32_t* field, uint32_t* type) {
    uint64_t t = 0;
    if (!Varint(&t) || t > UINT32_MAX) return false;
    *field = static_cast<uint32_t>(t >> 3);
    *type = static_cast<uint32_t>(t & 7);
    return *field != 0 && *type <= kFixed32;
  }

  // The payload of a length-delimited field.
  bool Bytes(absl::string_view* out) {
    uint64_t n = 0;
    if (!Varint(&n) || n > static_cast<uint64_t>(end_ - p_)) return false;
    *out = absl::string_view(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }

  // Skips the value of a field whose key was just read.
  bool Skip(uint32_t field, uint32_t type, int depth) {
    uint64_t v = 0;
    absl::string_view s;
    switch (type) {
      case kVarint:
        return Varint(&v);
      case kFixed64:
        return Advance(8);
      case kLengthDelimited:
        return Bytes(&s);
      case kFixed32:
        return Advance(4);
      case kStartGroup:
        return SkipGroup(field, depth);
      default:  // an end-group nobody opened
        return false;
    }
  }

 private:
  bool Advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }

  // Up to and including the end-group key of `field`.
  bool SkipGroup(uint32_t field, int depth) {
    if (depth >= kMaxDepth) return false;
    uint32_t f = 0, t = 0;
    while (Tag(&f, &t)) {
      if (t == kEndGroup) return f == field;
      if (!Skip(f, t, depth + 1)) return false;
    }
    return false;  // malformed key or the end without the group's end
  }

  const uint8_t* p_;
  const uint8_t* const end_;
};

// The last varint value of field 1 in `message` (kept in *value when there is
// none, as a merge keeps it).
bool ScanField1(absl::string_view message, int32_t* value) {
  WireReader in(message);
  uint32_t field = 0, type = 0;
  while (!in.done()) {
    if (!in.Tag(&field, &type)) return false;
    if (field == 1 && type == kVarint) {
      uint64_t v = 0;
      if (!in.Varint(&v)) return false;
      *value = static_cast<int32_t>(v);  // int32 / enum: the low 32 bits
    } else if (!in.Skip(field, type, 1)) {
      return false;
    }
  }
  return true;
}

// Adds one DetectionResult to *counts.
bool ScanResult(absl::string_view message, DecisionCounts* counts) {
  constexpr uint32_t kDecision = 3, kError = 4, kCodesField = 5;
  constexpr int32_t kOutside = 2;  // OUTCOME_OUTSIDE_COVERAGE
  WireReader in(message);
  uint32_t active = 0;  // the oneof member set last, 0: none
  int32_t value = 0;    // its field 1
  uint32_t field = 0, type = 0;
  while (!in.done()) {
    if (!in.Tag(&field, &type)) return false;
    const bool member =
        field == kDecision || field == kError || field == kCodesField;
    if (!member || type != kLengthDelimited) {
      if (!in.Skip(field, type, 1)) return false;
      continue;
    }
    if (field != active) {  // switching members clears the oneof
      active = field;
      value = 0;
    }
    absl::string_view sub;
    if (!in.Bytes(&sub) || !ScanField1(sub, &value)) return false;
  }
  ++counts->results;
  if (active == kError) {
    const bool known = value >= 0 && value < DecisionCounts::kCodes;
    ++counts->by_code[known ? value : 2];
    return true;
  }
  ++counts->by_code[0];
  ++(value == kOutside ? counts->outside : counts->routed);
  return true;
}

}  // namespace

bool ScanDecisionBatch(absl::string_view wire, DecisionCounts* counts) {
  *counts = DecisionCounts();
  WireReader in(wire);
  uint32_t field = 0, type = 0;
  while (!in.done()) {
    bool ok = in.Tag(&field, &type);
    if (ok && field == 1 && type == kLengthDelimited) {
      absl::string_view result;
      ok = in.Bytes(&result) && ScanResult(result, counts);
    } else if (ok) {
      ok = in.Skip(field, type, 0);
    }
    if (!ok) {
      *counts = DecisionCounts();
      return false;
    }
  }
  return true;
}

}  // namespace gridroute::load
