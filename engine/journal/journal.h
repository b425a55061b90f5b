// Copyright 2026 gridroute authors.
//
// Journal: a durable, append-only, case-agnostic record log with checksums,
// group commit, segment rotation and snapshot compaction. On-disk format,
// guarantees and failure behaviour: engine/journal/JOURNAL.md.
//
// Example (compiled in tests/docs/header_examples_test.cc; keep them equal):
// clang-format off
//   ASSIGN_OR_RETURN(std::unique_ptr<Journal> j,
//                    Journal::Open(dir, JournalOptions{},
//                                  [&](uint64_t seq, std::string_view rec) {
//                                    return state.Apply(rec);
//                                  }));
//   // Records go into the state once durable (before Append returns, with
//   // Compact held off), so a snapshot holds exactly what was acknowledged.
//   const std::vector<std::string_view> records = {"case 1 opened", "case 1 folded"};
//   ASSIGN_OR_RETURN(uint64_t seq, j->Append(records, [&](uint64_t first_seq) {
//     for (std::string_view r : records) state.Apply(r).IgnoreError();
//   }));
//   // both records are on disk (fsync'd) now; seq and seq + 1 name them
//   RETURN_IF_ERROR(j->Compact([&](const Journal::EmitFn& emit) {
//     state.ForEachRecord(emit);
//   }));
// clang-format on
//
// Sequence numbers start at 1 and are dense: the records of one Append get
// consecutive numbers, and no number is skipped even after a failed Append.
// Records replayed from a snapshot carry kSnapshotSeq (0).
//
// Thread-safety: every method may be called from any number of threads.
// Appends that wait together are committed together (one write, one fsync);
// Compact runs one at a time. The Journal holds an exclusive flock on
// <dir>/LOCK, so a second Journal on the same directory (in this or another
// process) fails to open.
//
// Cost: an Append costs one fdatasync (shared with every batch waiting at
// the same time) plus ~16 bytes of framing and a CRC32C per record; see
// JOURNAL.md for measured appends/s and replay speed.
#ifndef GRIDROUTE_JOURNAL_JOURNAL_H_
#define GRIDROUTE_JOURNAL_JOURNAL_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "journal/journal_env.h"
#include "metrics/histogram.h"

namespace gridroute {

struct JournalOptions {
  // A segment file is closed and a new one started when the next commit group
  // would take it past this size (a group larger than this gets a segment of
  // its own). Smaller segments free disk sooner after Compact; each rotation
  // costs one directory fsync.
  uint64_t segment_bytes = 64 << 20;
  // true: Append returns only after fdatasync. false: after write(2) only, so
  // acknowledged records survive a process crash but not a power loss or
  // kernel crash (benchmarks and "journal off" comparisons).
  bool fsync = true;
  // Group commit: how long the commit leader may wait for more batches
  // before writing (microseconds); it stops waiting as soon as every Append
  // in flight has queued. 0: write at once; batches that arrive while a
  // write + fsync is in progress are still committed together in the next
  // group. Larger: more batches per fsync (more appends/s under concurrent
  // writers) at the price of up to this much latency per Append (JOURNAL.md,
  // "Measured").
  int max_batch_wait_us = 0;
  // Upper bound on one commit group's encoded size; the rest waits for the
  // next group. Bounds the commit buffer and a torn tail.
  uint64_t max_group_bytes = 4 << 20;
  // File operations of the write path (tests inject failures). Not owned.
  // null: JournalEnv::Default() (POSIX).
  JournalEnv* env = nullptr;
};

class Journal {
 public:
  // The seq passed to `replay` for records that come from a snapshot.
  static constexpr uint64_t kSnapshotSeq = 0;
  // Largest payload of one record (16 MiB - 1).
  static constexpr uint32_t kMaxRecordBytes = (1u << 24) - 1;

  using ReplayFn =
      std::function<absl::Status(uint64_t seq, std::string_view payload)>;
  using EmitFn = std::function<void(std::string_view record)>;
  using SnapshotFn = std::function<void(const EmitFn& emit)>;

  // Opens the journal in `dir` (creating it and its parents), then calls
  // `replay` for every intact record in order: the newest snapshot's records
  // (seq == kSnapshotSeq) first, then every log record with seq >= the
  // snapshot's coverage, in increasing seq. The payload view is valid only
  // during the call.
  //
  // A torn or corrupt tail of the LAST segment that lies within its last
  // commit group was never acknowledged: it is truncated away and reported
  // in stats().dropped_tail_bytes and open_report(). Errors:
  //  - the directory cannot be created, locked or written: FailedPrecondition
  //    (PermissionDenied for EACCES/EPERM/EROFS) naming the path and errno;
  //  - another Journal holds the directory: FailedPrecondition;
  //  - damage anywhere else (an older segment, a commit group that was
  //    followed by another one, a snapshot, a gap in the seqs): DataLoss
  //    naming the file, the offset and what is wrong, and pointing at
  //    `gridroute journal check|repair` (journal/journal_check.h does both);
  //  - `replay` failed: its status, with the seq prefixed to the message.
  // Leftover snapshot temp files (a Compact that crashed) are deleted, as are
  // segments and older snapshots that a newer snapshot covers.
  static absl::StatusOr<std::unique_ptr<Journal>> Open(
      const std::string& dir, const JournalOptions& options,
      const ReplayFn& replay);

  // REQUIRES: no call in flight.
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends `records` as one unit and returns the seq of the first once all
  // are durable (fdatasync'd when options.fsync). Blocks while a Compact's
  // snapshot callback runs. Errors: InvalidArgument (no records, a record
  // larger than kMaxRecordBytes); Unavailable on any I/O error (ENOSPC, EIO,
  // EFBIG): no record of the batch is acknowledged, the segment is truncated
  // back to its last durable size, and later appends may succeed. If even
  // that truncation fails the journal stays failed (every later Append is
  // Unavailable) until it is reopened, which drops the unacknowledged tail.
  absl::StatusOr<uint64_t> Append(const std::vector<std::string_view>& records);

  // Like Append, and calls on_durable(first_seq) once the batch is durable,
  // before returning, while holding off Compact. Apply records to your
  // in-memory state here if you use Compact(): then a snapshot always
  // reflects exactly the acknowledged records (see Compact). Callbacks of
  // concurrent appends run concurrently, in no particular order. A callback
  // must not call Compact (it would wait for itself).
  absl::StatusOr<uint64_t> Append(
      const std::vector<std::string_view>& records,
      const std::function<void(uint64_t first_seq)>& on_durable);

  // Compaction. Waits for appends in flight to finish (their on_durable
  // included), holds off new ones, starts a new segment, and calls
  // `snapshot`, which must emit the full state produced by every record
  // with seq < next_seq() — i.e. by every acknowledged Append (a failed
  // Append acknowledged nothing). The records are written to a temp file,
  // fsync'd, renamed into place and the directory fsync'd; then the covered
  // segments and the previous snapshot are deleted. Appends are held off
  // only while `snapshot` runs, not during the fsyncs.
  //
  // The rule for the caller: the state `snapshot` reads must contain every
  // acknowledged record and nothing else. That holds if records are applied
  // in Append's on_durable callback, or if the caller stops its own writers
  // around Compact. A caller that tracks its own applied watermark can use
  // CompactAt instead, which never holds off appends.
  //
  // Crash-safe at every point: until the rename the old files are complete
  // and the temp file is ignored (and deleted) by Open; after it, Open uses
  // the new snapshot and skips what it covers. Errors: Unavailable on I/O
  // errors (the journal is unchanged and stays usable); InvalidArgument if
  // an emitted record is too large. Emit is valid only during `snapshot`.
  absl::Status Compact(const SnapshotFn& snapshot);

  // Compaction at a caller-chosen point: `snapshot` emits the state produced
  // by exactly the records with seq < through_seq. Appends continue
  // meanwhile. Segments whose records all lie below through_seq are deleted;
  // the one holding through_seq stays and its older records are skipped at
  // replay. REQUIRES (else InvalidArgument): the last snapshot's coverage <=
  // through_seq <= next_seq().
  absl::Status CompactAt(uint64_t through_seq, const SnapshotFn& snapshot);

  // The seq the next acknowledged record will get: every record below it is
  // durable (or covered by a durable snapshot).
  uint64_t next_seq() const;

  struct Stats {
    uint64_t records = 0;  // records acknowledged since Open
    uint64_t bytes = 0;    // their on-disk bytes (16-byte header + payload)
    uint64_t batches = 0;  // Append calls acknowledged since Open
    uint64_t fsyncs =
        0;  // data fsyncs (one per commit group when options.fsync)
    uint64_t segments = 0;  // segment files now on disk
    uint64_t replayed =
        0;  // records given to `replay` at Open (snapshot + log)
    uint64_t dropped_tail_bytes = 0;  // torn tail truncated at Open
    uint64_t groups = 0;              // commit groups written since Open
    uint64_t failed_batches = 0;      // Append calls that returned Unavailable
    uint64_t compactions = 0;         // successful Compact/CompactAt since Open
    uint64_t snapshot_records = 0;    // records in the current snapshot
    uint64_t queued_batches = 0;  // batches waiting to be committed right now
  };
  Stats stats() const;
  // Latency of acknowledged Append calls (entry to durable, queueing for the
  // commit group included) and of each data sync (fdatasync) alone.
  HistogramSnapshot append_latency() const { return append_latency_.Snapshot(); }
  HistogramSnapshot sync_latency() const { return sync_latency_.Snapshot(); }

  // What Open found, for the server's start-up log: snapshot used, segments,
  // records replayed, and any torn tail it dropped (file, offset, reason).
  const std::string& open_report() const { return open_report_; }

  const std::string& dir() const { return dir_; }

 private:
  struct Writer;
  struct Segment {
    uint64_t first_seq;
    std::string path;
  };

  Journal(std::string dir, const JournalOptions& options);

  absl::Status Recover(const ReplayFn& replay);
  absl::StatusOr<uint64_t> AppendImpl(
      const std::vector<std::string_view>& records,
      const std::function<void(uint64_t)>* on_durable);
  // Writes one commit group, records numbered from first_seq, to the current
  // segment (rotating first if needed). Called by the commit leader with mu_
  // not held. On failure the segment is cut back to its durable size; *fatal
  // is set if even that failed.
  absl::Status CommitGroup(const std::vector<Writer*>& group,
                           uint64_t first_seq, bool* fatal);
  // Starts segment `first_seq` (creates the file, fsyncs the directory).
  // Caller owns the write path (commit leader, or Compact with no append in
  // flight).
  absl::Status StartSegment(uint64_t first_seq);
  absl::Status WriteSnapshot(uint64_t through_seq, const SnapshotFn& snapshot,
                             bool* gate_released);
  void ReleaseGate();
  std::string SegmentPath(uint64_t first_seq) const;
  std::string SnapshotPath(uint64_t through_seq) const;

  // Constant after Open.
  const std::string dir_;
  const JournalOptions options_;
  JournalEnv* const env_;
  int lock_fd_ = -1;
  std::string open_report_;

  // Owned by whoever holds the write path: the commit leader (one at a time:
  // the writer at the front of queue_), or Compact while no append is in
  // flight.
  int seg_fd_ = -1;
  uint64_t seg_size_ = 0;  // durable size of the current segment
  std::string buf_;        // encoded commit group
  std::vector<Writer*> group_;  // the batches of that group

  mutable std::mutex mu_;
  // Protected by mu_.
  std::deque<Writer*> queue_;  // front is the commit leader
  uint64_t queued_bytes_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t snapshot_through_ = 1;  // records below are covered by the snapshot
  std::string snapshot_path_;      // empty: none
  std::vector<Segment> segments_;  // ascending; back() is being appended to
  int inflight_ = 0;               // Append calls between gate entry and return
  bool gate_closed_ = false;       // Compact holds off new appends
  std::condition_variable gate_cv_;
  // A leader waiting max_batch_wait_us for more batches sleeps on leader_cv_.
  bool leader_waiting_ = false;
  std::condition_variable leader_cv_;
  absl::Status failed_;  // sticky: a failed write could not be undone
  Stats stats_;
  Histogram append_latency_;  // lock-free
  Histogram sync_latency_;

  std::mutex compact_mu_;  // one Compact at a time
};

}  // namespace gridroute

#endif  // GRIDROUTE_JOURNAL_JOURNAL_H_
