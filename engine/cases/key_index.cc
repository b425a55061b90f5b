// Copyright 2026 gridroute authors.
#include "cases/key_index.h"

#include <cstring>

namespace gridroute {
namespace {

inline uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

inline uint64_t Fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

inline uint64_t Load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);  // little-endian hosts only (x86-64, arm64)
  return v;
}

}  // namespace

void Murmur3X64_128(absl::string_view data, uint64_t seed, uint64_t* out1,
                    uint64_t* out2) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const size_t len = data.size();
  const size_t blocks = len / 16;
  constexpr uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
  uint64_t h1 = seed, h2 = seed;
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k1 = Load64(p + 16 * i), k2 = Load64(p + 16 * i + 8);
    k1 *= c1;
    k1 = Rotl(k1, 31);
    k1 *= c2;
    h1 ^= k1;
    h1 = Rotl(h1, 27);
    h1 += h2;
    h1 = h1 * 5 + 0x52dce729;
    k2 *= c2;
    k2 = Rotl(k2, 33);
    k2 *= c1;
    h2 ^= k2;
    h2 = Rotl(h2, 31);
    h2 += h1;
    h2 = h2 * 5 + 0x38495ab5;
  }
  const unsigned char* tail = p + 16 * blocks;
  const size_t rest = len & 15;
  uint64_t k1 = 0, k2 = 0;
  for (size_t i = rest; i > 8; --i)
    k2 ^= static_cast<uint64_t>(tail[i - 1]) << (8 * (i - 9));
  if (rest > 8) {
    k2 *= c2;
    k2 = Rotl(k2, 33);
    k2 *= c1;
    h2 ^= k2;
  }
  for (size_t i = rest < 8 ? rest : 8; i > 0; --i)
    k1 ^= static_cast<uint64_t>(tail[i - 1]) << (8 * (i - 1));
  if (rest > 0) {
    k1 *= c1;
    k1 = Rotl(k1, 31);
    k1 *= c2;
    h1 ^= k1;
  }
  h1 ^= len;
  h2 ^= len;
  h1 += h2;
  h2 += h1;
  h1 = Fmix(h1);
  h2 = Fmix(h2);
  h1 += h2;
  h2 += h1;
  *out1 = h1;
  *out2 = h2;
}

namespace {

size_t PutVarint(size_t v, char* out) {
  size_t n = 0;
  for (;; v >>= 7) {
    out[n++] = static_cast<char>(v >= 0x80 ? (v & 0x7f) | 0x80 : v);
    if (v < 0x80) return n;
  }
}

// Appends min(s.size(), max) bytes of `s` to buf + *n.
void PutBytes(absl::string_view s, size_t max, char* buf, size_t* n) {
  const size_t len = s.size() <= max ? s.size() : max;
  // An empty string_view may have a null data(); memcpy must not see it.
  if (len > 0) std::memcpy(buf + *n, s.data(), len);
  *n += len;
}

}  // namespace

ReportKeyFp ReportKeyFingerprint(ReportSource source,
                                 absl::string_view source_id,
                                 absl::string_view key,
                                 absl::string_view scope) {
  // [source | 0x80, varint scope length (<= 2 bytes), scope,] source byte
  // (unscoped only), varint length (2 bytes for <= 256), source id, key.
  char buf[1 + 2 + kMaxKeyScopeBytes + 2 + kMaxKeySourceIdBytes + kMaxReportKeyBytes];
  size_t n = 0;
  if (scope.empty()) {
    buf[n++] = static_cast<char>(source);
  } else {
    buf[n++] = static_cast<char>(static_cast<uint8_t>(source) | 0x80);
    const size_t scope_len = scope.size() <= kMaxKeyScopeBytes ? scope.size() : kMaxKeyScopeBytes;
    n += PutVarint(scope_len, buf + n);
    PutBytes(scope, kMaxKeyScopeBytes, buf, &n);
  }
  const size_t len = source_id.size() <= kMaxKeySourceIdBytes
                         ? source_id.size()
                         : kMaxKeySourceIdBytes;
  n += PutVarint(len, buf + n);
  PutBytes(source_id, kMaxKeySourceIdBytes, buf, &n);
  PutBytes(key, kMaxReportKeyBytes, buf, &n);
  ReportKeyFp fp;
  Murmur3X64_128(absl::string_view(buf, n), 0, &fp.hi, &fp.lo);
  return fp;
}

bool KeyIndex::Insert(const ReportKeyFp& fp, Entry e, Entry* replaced) {
  e.seq = ++seq_;
  fifo_.push_back(Item{fp, e.seq});
  auto [it, inserted] = map_.try_emplace(fp, e);
  if (inserted) return false;
  *replaced = it->second;
  it->second = e;
  return true;
}

void KeyIndex::UndoInsert(const Entry* replaced) {
  const ReportKeyFp fp = fifo_.back().fp;
  fifo_.pop_back();
  --seq_;
  if (replaced != nullptr) {
    map_[fp] = *replaced;
    // Expire may have dropped its (then stale) item; every older one went
    // before it, so it belongs at the front.
    if (fifo_.empty() || fifo_.front().seq > replaced->seq) {
      fifo_.push_front(Item{fp, replaced->seq});
    }
  } else {
    map_.erase(fp);
  }
}

void KeyIndex::Expire(int64_t horizon_ns, size_t max_keys, size_t keep) {
  while (fifo_.size() > keep) {
    const Item& front = fifo_.front();
    auto it = map_.find(front.fp);
    if (it != map_.end() && it->second.seq == front.seq) {
      if (it->second.received_ns >= horizon_ns && map_.size() <= max_keys)
        break;
      map_.erase(it);
    }
    fifo_.pop_front();  // dropped now, or stale (the key was inserted again)
  }
}

void KeyIndex::Clear() {
  map_.clear();
  fifo_.clear();
  seq_ = 0;
}

}  // namespace gridroute
