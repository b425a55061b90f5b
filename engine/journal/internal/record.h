// Copyright 2026 gridroute authors.
//
// The record framing shared by segment and snapshot files (JOURNAL.md):
//
//   offset 0  u32 LE  tag << 24 | payload length (0 .. kMaxPayload)
//   offset 4  u32 LE  CRC32C of bytes [0, 4) ++ [8, 16) ++ payload
//   offset 8  u64 LE  sequence number
//   offset 16 payload
//
// Internal to the journal; not a public interface.
#ifndef GRIDROUTE_JOURNAL_INTERNAL_RECORD_H_
#define GRIDROUTE_JOURNAL_INTERNAL_RECORD_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/crc32c.h"

namespace gridroute::journal_internal {

constexpr size_t kHeaderBytes = 16;
constexpr uint32_t kMaxPayload = (1u << 24) - 1;

// Tags. A commit group's first record carries kTagGroupStart: recovery uses
// it to tell a torn last group (droppable, never acknowledged) from damage
// to an earlier, acknowledged one.
constexpr uint8_t kTagRecord = 0xA1;
constexpr uint8_t kTagGroupStart = 0xA5;
constexpr uint8_t kTagSnapshotEnd =
    0xAE;  // snapshot trailer: u64 count, u64 through

inline void PutU32(char* p, uint32_t v) { std::memcpy(p, &v, 4); }
inline void PutU64(char* p, uint64_t v) { std::memcpy(p, &v, 8); }
inline uint32_t GetU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t GetU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Appends one framed record to *out. REQUIRES: payload.size() <= kMaxPayload.
inline void EncodeRecord(uint8_t tag, uint64_t seq, std::string_view payload,
                         std::string* out) {
  size_t at = out->size();
  out->resize(at + kHeaderBytes + payload.size());
  char* h = out->data() + at;
  PutU32(h, static_cast<uint32_t>(tag) << 24 |
                static_cast<uint32_t>(payload.size()));
  PutU64(h + 8, seq);
  if (!payload.empty()) std::memcpy(h + kHeaderBytes, payload.data(), payload.size());
  uint32_t crc = Crc32cExtend(Crc32c(h, 4), h + 8, 8);
  PutU32(h + 4, Crc32cExtend(crc, h + kHeaderBytes, payload.size()));
}

struct ParsedRecord {
  uint8_t tag;
  uint64_t seq;
  std::string_view payload;
  size_t size;  // header + payload
};

enum class ParseResult { kOk, kTruncated, kBadTag, kBadChecksum };

inline const char* ParseResultName(ParseResult r) {
  switch (r) {
    case ParseResult::kOk:
      return "ok";
    case ParseResult::kTruncated:
      return "truncated record";
    case ParseResult::kBadTag:
      return "bad record tag";
    case ParseResult::kBadChecksum:
      return "checksum mismatch";
  }
  return "?";
}

// Parses the record at p[0, avail). kTruncated: avail is too short for the
// header or for the length it declares.
inline ParseResult ParseRecord(const char* p, size_t avail, ParsedRecord* r) {
  if (avail < kHeaderBytes) return ParseResult::kTruncated;
  uint32_t word = GetU32(p);
  uint8_t tag = word >> 24;
  if (tag != kTagRecord && tag != kTagGroupStart && tag != kTagSnapshotEnd) {
    return ParseResult::kBadTag;
  }
  size_t len = word & kMaxPayload;
  if (avail < kHeaderBytes + len) return ParseResult::kTruncated;
  uint32_t crc =
      Crc32cExtend(Crc32cExtend(Crc32c(p, 4), p + 8, 8), p + kHeaderBytes, len);
  if (crc != GetU32(p + 4)) return ParseResult::kBadChecksum;
  r->tag = tag;
  r->seq = GetU64(p + 8);
  r->payload = std::string_view(p + kHeaderBytes, len);
  r->size = kHeaderBytes + len;
  return ParseResult::kOk;
}

}  // namespace gridroute::journal_internal

#endif  // GRIDROUTE_JOURNAL_INTERNAL_RECORD_H_
