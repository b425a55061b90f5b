// Copyright 2026 gridroute authors.
//
// Idempotency keys of reports: a client may give each report a key (a
// hotline's ticket id, a camera pipeline's correlation id); a report whose
// key was already filed within the window gets the first report's answer
// and adds nothing. CaseEngine keeps a KeyIndex from the key's fingerprint
// to that answer, rebuilt from the journal's records on replay.
//
//   ReportKeyFp fp =
//       ReportKeyFingerprint(ReportSource::kVideo, "cam-7", "det-42", "ops");
//   KeyIndex keys;
//   KeyIndex::Entry first;  // case_idx, folded, report_count, received_ns
//   keys.Insert(fp, first, &replaced);
//   const KeyIndex::Entry* e = keys.Find(fp);  // the first answer, or null
//
// A key is scoped by its report's source and source id (the camera for a
// detection; hotline reports share one scope), so two cameras may use the
// same correlation ids, and by the authenticated principal that sent it
// (`scope`; empty with auth off), so one principal can neither learn nor
// pre-empt another's keys (a key re-sent by principal A never returns
// principal B's case). Only the 128-bit fingerprint is kept and journaled
// (MurmurHash3 x64-128, seed 0, of: the source byte, the source id's length
// as a varint, the source id, the key; with a non-empty scope, of: the
// source byte | 0x80, the scope's length as a varint, the scope, then the
// same; source bytes are < 0x80, so a scoped input never equals an unscoped
// one): 16 bytes whatever the key's length, and the chance that two of a
// million live keys collide is ~1e-27. The function is part of the journal
// format: never change it. Journals written before scopes existed open as
// they were: their keys are the unscoped fingerprints, which a server with
// auth off still computes; with auth on, a key filed before the upgrade is
// not recognised when re-sent (the report counts once more).
//
// Memory: ~80 bytes per key (hash slot + FIFO item); the engine bounds the
// number of keys (CaseEngineOptions::max_keys) and drops keys older than
// its window at Commit, oldest first.
//
// Thread-safety: not thread-safe; const methods may run concurrently.
#ifndef GRIDROUTE_CASES_KEY_INDEX_H_
#define GRIDROUTE_CASES_KEY_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <deque>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "cases/case_record.h"

namespace gridroute {

// Longest key and source id ReportKeyFingerprint takes (the engine refuses
// longer ones before hashing).
inline constexpr size_t kMaxReportKeyBytes = 128;
inline constexpr size_t kMaxKeySourceIdBytes = 256;
inline constexpr size_t kMaxKeyScopeBytes = 256;  // TokenTable::kMaxField

// REQUIRES: key.size() <= kMaxReportKeyBytes, source_id.size() <=
// kMaxKeySourceIdBytes, scope.size() <= kMaxKeyScopeBytes. No allocation.
ReportKeyFp ReportKeyFingerprint(ReportSource source,
                                 absl::string_view source_id,
                                 absl::string_view key,
                                 absl::string_view scope = {});

// MurmurHash3 x64-128 of `data` with `seed` (h1, h2 as the reference
// implementation returns them). Exposed for its test vectors.
void Murmur3X64_128(absl::string_view data, uint64_t seed, uint64_t* h1,
                    uint64_t* h2);

class KeyIndex {
 public:
  // The answer the key's first report got.
  struct Entry {
    uint32_t case_idx = 0;
    bool folded = false;
    int64_t report_count = 0;
    int64_t received_ns = 0;  // when the server received the first report
    uint64_t seq = 0;         // insertion number (internal)
  };

  const Entry* Find(const ReportKeyFp& fp) const {
    auto it = map_.find(fp);
    return it == map_.end() ? nullptr : &it->second;
  }
  // Adds `fp` (the newest insertion). If it was present (an expired entry
  // not yet dropped), the old entry goes to *replaced and true is returned.
  bool Insert(const ReportKeyFp& fp, Entry e, Entry* replaced);
  // Undoes the newest Insert: removes its key, or puts back `replaced` (the
  // entry Insert returned), if it replaced one.
  void UndoInsert(const Entry* replaced);
  // Drops keys oldest insertion first while the oldest was received before
  // `horizon_ns` or more than `max_keys` are held; never touches the newest
  // `keep` insertions (still undoable). Amortised O(1) per key.
  void Expire(int64_t horizon_ns, size_t max_keys, size_t keep);
  void Clear();

  size_t size() const { return map_.size(); }
  // Calls f(fp, entry) for every key, oldest insertion first.
  template <typename F>
  void ForEach(F f) const {
    for (const Item& it : fifo_) {
      const Entry* e = Find(it.fp);
      if (e != nullptr && e->seq == it.seq) f(it.fp, *e);
    }
  }

 private:
  struct Item {
    ReportKeyFp fp;
    uint64_t seq;
  };
  absl::flat_hash_map<ReportKeyFp, Entry> map_;
  std::deque<Item>
      fifo_;  // insertion order; an item is stale once its key was re-inserted
  uint64_t seq_ = 0;
};

}  // namespace gridroute

#endif  // GRIDROUTE_CASES_KEY_INDEX_H_
