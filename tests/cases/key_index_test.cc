// Copyright 2026 gridroute authors.
//
// The idempotency key index (cases/key_index.h): the fingerprint is
// MurmurHash3 x64-128 (SMHasher's published verification value), scoped by
// source and source id; KeyIndex insert / undo / expiry.
#include "cases/key_index.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace gridroute {
namespace {

// SMHasher's VerificationTest: keys {}, {0}, {0,1}, ... {0..254} hashed
// with seed 256 - length, the 256 digests hashed with seed 0; the first 4
// bytes, little-endian, are 0x6384BA69 for MurmurHash3_x64_128.
TEST(KeyFingerprintTest, IsMurmurHash3X64_128) {
  std::string key(256, '\0'), digests;
  for (int i = 0; i < 256; ++i) {
    key[i] = static_cast<char>(i);
    uint64_t h1, h2;
    Murmur3X64_128(absl::string_view(key.data(), i), 256 - i, &h1, &h2);
    digests.append(reinterpret_cast<const char*>(&h1), 8);
    digests.append(reinterpret_cast<const char*>(&h2), 8);
  }
  uint64_t h1, h2;
  Murmur3X64_128(digests, 0, &h1, &h2);
  EXPECT_EQ(static_cast<uint32_t>(h1), 0x6384BA69u);
}

TEST(KeyFingerprintTest, ScopedBySourceAndSourceId) {
  const ReportKeyFp a =
      ReportKeyFingerprint(ReportSource::kVideo, "cam-7", "det-1");
  EXPECT_EQ(a, ReportKeyFingerprint(ReportSource::kVideo, "cam-7", "det-1"));
  EXPECT_NE(a, ReportKeyFingerprint(ReportSource::kVideo, "cam-8", "det-1"));
  EXPECT_NE(a, ReportKeyFingerprint(ReportSource::kHotline, "cam-7", "det-1"));
  EXPECT_NE(a, ReportKeyFingerprint(ReportSource::kVideo, "cam-7", "det-2"));
  // The source id's length is part of the input: moving bytes between
  // source id and key changes the fingerprint.
  EXPECT_NE(ReportKeyFingerprint(ReportSource::kVideo, "cam-7d", "et-1"), a);
  // The unscoped layout is the journal format from before scopes: source
  // byte, varint length, source id, key (an independent rebuild of the input).
  ReportKeyFp legacy;
  Murmur3X64_128(absl::string_view("\x02\x05" "cam-7" "det-1"), 0, &legacy.hi, &legacy.lo);
  EXPECT_EQ(a, legacy);
  EXPECT_EQ(ReportKeyFingerprint(ReportSource::kVideo, "cam-7", "det-1", ""), legacy);
  // Scoped by principal: source | 0x80, varint length, principal, then the same.
  const ReportKeyFp ops = ReportKeyFingerprint(ReportSource::kVideo, "cam-7", "det-1", "ops");
  ReportKeyFp scoped;
  Murmur3X64_128(absl::string_view("\x82\x03" "ops" "\x05" "cam-7" "det-1"), 0, &scoped.hi,
                 &scoped.lo);
  EXPECT_EQ(ops, scoped);
  EXPECT_NE(ops, a);
  EXPECT_NE(ops, ReportKeyFingerprint(ReportSource::kVideo, "cam-7", "det-1", "ops2"));
  // Bytes moved between principal and source id change the fingerprint.
  EXPECT_NE(ReportKeyFingerprint(ReportSource::kVideo, "cam-7", "det-1", "ops"),
            ReportKeyFingerprint(ReportSource::kVideo, "scam-7", "det-1", "op"));
  // A million distinct keys, no collision (of the low 64 bits even).
  absl::flat_hash_set<uint64_t> seen;
  for (int i = 0; i < 1'000'000; ++i) {
    ASSERT_TRUE(seen.insert(ReportKeyFingerprint(ReportSource::kHotline, "",
                                                 absl::StrCat("ticket-", i))
                                .lo)
                    .second)
        << i;
  }
}

KeyIndex::Entry E(uint32_t c, int64_t received) {
  KeyIndex::Entry e;
  e.case_idx = c;
  e.report_count = 1;
  e.received_ns = received;
  return e;
}

TEST(KeyIndexTest, InsertUndoAndExpireOldestFirst) {
  KeyIndex k;
  const ReportKeyFp a{1, 1}, b{2, 2}, c{3, 3};
  KeyIndex::Entry old;
  EXPECT_FALSE(k.Insert(a, E(0, 100), &old));
  EXPECT_FALSE(k.Insert(b, E(1, 200), &old));
  EXPECT_FALSE(k.Insert(c, E(2, 300), &old));
  ASSERT_NE(k.Find(b), nullptr);
  EXPECT_EQ(k.Find(b)->case_idx, 1u);
  k.UndoInsert(nullptr);
  EXPECT_EQ(k.Find(c), nullptr);
  EXPECT_EQ(k.size(), 2u);
  // a again (its first answer expired): replaces it, undo puts it back.
  ASSERT_TRUE(k.Insert(a, E(5, 400), &old));
  EXPECT_EQ(old.case_idx, 0u);
  EXPECT_EQ(k.Find(a)->case_idx, 5u);
  // Expiry never touches the newest `keep` insertions, and drops a's
  // stale first item.
  k.Expire(/*horizon_ns=*/1000, /*max_keys=*/10, /*keep=*/1);
  EXPECT_EQ(k.Find(b), nullptr);
  ASSERT_NE(k.Find(a), nullptr);
  k.UndoInsert(&old);
  ASSERT_NE(k.Find(a), nullptr);
  EXPECT_EQ(k.Find(a)->case_idx, 0u);
  std::vector<uint64_t> order;
  k.ForEach([&](const ReportKeyFp& fp, const KeyIndex::Entry&) {
    order.push_back(fp.hi);
  });
  EXPECT_EQ(order, std::vector<uint64_t>{1});
  k.Expire(1000, 10, 0);
  EXPECT_EQ(k.size(), 0u);
  // The cap drops the oldest even inside the window.
  for (uint64_t i = 0; i < 10; ++i) k.Insert({i, i}, E(0, 1000 + i), &old);
  k.Expire(0, 4, 0);
  EXPECT_EQ(k.size(), 4u);
  EXPECT_EQ(k.Find({5, 5}), nullptr);
  EXPECT_NE(k.Find({6, 6}), nullptr);
}

}  // namespace
}  // namespace gridroute
