// Copyright 2026 gridroute authors.
//
// Internal to the fast JSON codec (http/fast_json.h): the per-Descriptor
// tables both directions walk, built once and never changed, and the UTF-8
// and calendar helpers both need.
//
//   const MessageInfo& info = GetMessageInfo(msg.GetDescriptor());
//   for (const FieldInfo& f : info.fields) ...   // field-number order
//
// Thread-safe: GetMessageInfo builds under a mutex; tables are immutable and
// live for the process.
#ifndef GRIDROUTE_HTTP_INTERNAL_FAST_JSON_TABLES_H_
#define GRIDROUTE_HTTP_INTERNAL_FAST_JSON_TABLES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "google/protobuf/descriptor.h"

namespace gridroute::fast_json_internal {

enum class Kind : uint8_t {
  kInt32, kUint32, kInt64, kUint64, kDouble, kFloat, kBool, kEnum, kString, kBytes,
  kMessage, kTimestamp,
  kUnsupported,  // maps, groups, other well-known types: protobuf decides
};

struct MessageInfo;

struct FieldInfo {
  const google::protobuf::FieldDescriptor* fd = nullptr;
  Kind kind = Kind::kUnsupported;
  bool repeated = false;
  bool plain_string = false;  // a singular string without presence
  const MessageInfo* child = nullptr;  // kMessage only
  // kEnum only: value names -> numbers (EnumDescriptor::FindValueByName
  // wants a std::string, an allocation for names past 15 bytes).
  absl::flat_hash_map<std::string, int> enum_by_name;
  std::string json_key;                // "\"jsonName\":"
  std::string proto_key;               // "\"proto_name\":"
};

struct MessageInfo {
  // False for messages protobuf prints its own way (well-known types) or
  // that this codec does not model (proto2, extensions).
  bool supported = false;
  std::vector<FieldInfo> fields;  // in field-number order (protobuf's output order)
  // JSON names and proto names -> index in `fields`; a JSON name wins over
  // another field's proto name, as in protobuf's TypeInfo::FindField.
  absl::flat_hash_map<std::string, int> by_name;
};

// The table of `d` (and, through it, of every message type it reaches).
const MessageInfo& GetMessageInfo(const google::protobuf::Descriptor* d);

// Decodes one strict UTF-8 sequence at s[i] (no overlong forms, no
// surrogates, at most U+10FFFF). False on anything else. Inline: the
// printer calls it per non-ASCII character (BM_FastJsonPrintRouteResponse
// 3.2 us inline, 4.0 us out of line).
inline bool DecodeUtf8(const unsigned char* s, size_t n, size_t i, uint32_t* cp, int* len) {
  const unsigned c = s[i];
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    *len = 2;
    *cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    *len = 3;
    *cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    *len = 4;
    *cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return false;
  }
  if (i + *len > n) return false;
  for (int k = 1; k < *len; ++k) {
    const unsigned b = s[i + k];
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  return true;
}

bool ValidUtf8(std::string_view s);

// protobuf's Timestamp range (0001-01-01T00:00:00Z .. 9999-12-31T23:59:59Z).
inline constexpr int64_t kMinTimestampSeconds = -62135596800;
inline constexpr int64_t kMaxTimestampSeconds = 253402300799;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil), and back.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);
void CivilFromDays(int64_t z, int* y, int* m, int* d);

}  // namespace gridroute::fast_json_internal

#endif  // GRIDROUTE_HTTP_INTERNAL_FAST_JSON_TABLES_H_
