// Copyright 2026 gridroute authors.
//
// WireWriter: appends protobuf wire-format fields to a std::string, field by
// field as protobuf would write them (proto3: zero scalars and empty strings
// left out). The served path writes answers with it instead of building
// messages (codes_wire.h, full_wire.h), and the per-snapshot tables
// (codes_tables.h, full_tables.h) their ready fragments.
//
//   std::string out;
//   WireWriter w(&out);
//   w.String(1, "320501");   // field 1, length-delimited
//   w.Int(2, 7);             // field 2, varint
//
// Thread-safety: a writer and its string belong to one thread.
#ifndef GRIDROUTE_SERVICE_WIRE_WRITER_H_
#define GRIDROUTE_SERVICE_WIRE_WRITER_H_

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace gridroute {

// Appends protobuf wire-format fields to a std::string.
class WireWriter {
 public:
  explicit WireWriter(std::string* out) : out_(out) {}

  // One byte (tags, small lengths and enums: most varints of an answer)
  // inline; longer ones out of the caller's way.
  void Varint(uint64_t v) {
    if (v < 0x80) [[likely]] {
      out_->push_back(static_cast<char>(v));
      return;
    }
    VarintSlow(v);
  }
  __attribute__((noinline)) void VarintSlow(uint64_t v) {
    char buf[10];
    int n = 0;
    while (v >= 0x80) {
      buf[n++] = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    buf[n++] = static_cast<char>(v);
    out_->append(buf, n);
  }
  void Tag(int field, int wire_type) {
    Varint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type));
  }
  // Scalars: proto3 leaves zero values out.
  void Int(int field, int64_t v) {
    if (v == 0) return;
    Tag(field, 0);
    Varint(static_cast<uint64_t>(v));  // negative int32/int64: 10 bytes, as protobuf
  }
  void Bool(int field, bool v) { Int(field, v ? 1 : 0); }
  void Double(int field, double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, sizeof(bits));
    if (bits == 0) return;  // +0.0 only: -0.0 is written, as protobuf does
    Tag(field, 1);
    char buf[8];
    for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(bits >> (8 * i));
    out_->append(buf, 8);
  }
  void String(int field, absl::string_view s) {
    if (s.empty()) return;
    Bytes(field, s);
  }
  // A length-delimited field written even when empty (a set sub-message).
  void Bytes(int field, absl::string_view s) {
    Tag(field, 2);
    Varint(s.size());
    out_->append(s.data(), s.size());
  }
  std::string* out() { return out_; }

 private:
  std::string* out_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_SERVICE_WIRE_WRITER_H_
