// Copyright 2026 gridroute authors.
#include "journal/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "journal/internal/files.h"
#include "journal/internal/record.h"

namespace gridroute {

using journal_internal::EncodeRecord;
using journal_internal::FsyncDir;
using journal_internal::kHeaderBytes;
using journal_internal::kLogSuffix;
using journal_internal::kMaxPayload;
using journal_internal::kSnapshotFlushBytes;
using journal_internal::kSnapSuffix;
using journal_internal::kTagGroupStart;
using journal_internal::kTagRecord;
using journal_internal::kTagSnapshotEnd;
using journal_internal::kTmpSuffix;
using journal_internal::SeqName;
using journal_internal::WriteAll;

static_assert(Journal::kMaxRecordBytes == kMaxPayload);

struct Journal::Writer {
  const std::vector<std::string_view>* records;
  uint64_t bytes;  // encoded size
  bool done = false;
  absl::Status status;
  uint64_t first_seq = 0;
  std::condition_variable cv;
};

Journal::Journal(std::string dir, const JournalOptions& options)
    : dir_(std::move(dir)),
      options_(options),
      env_(options.env != nullptr ? options.env : JournalEnv::Default()) {}

Journal::~Journal() {
  if (seg_fd_ >= 0) ::close(seg_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

std::string Journal::SegmentPath(uint64_t first_seq) const {
  return absl::StrCat(dir_, "/", SeqName(first_seq, kLogSuffix));
}

std::string Journal::SnapshotPath(uint64_t through_seq) const {
  return absl::StrCat(dir_, "/", SeqName(through_seq, kSnapSuffix));
}

absl::Status Journal::StartSegment(uint64_t first_seq) {
  std::string path = SegmentPath(first_seq);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot create journal segment ", path, ": ", std::strerror(errno)));
  }
  if (options_.fsync) {
    absl::Status s = FsyncDir(dir_);
    if (!s.ok()) {
      ::close(fd);
      ::unlink(path.c_str());
      return s;
    }
  }
  if (seg_fd_ >= 0) ::close(seg_fd_);
  seg_fd_ = fd;
  seg_size_ = 0;
  std::lock_guard<std::mutex> l(mu_);
  segments_.push_back({first_seq, std::move(path)});
  stats_.segments = segments_.size();
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Journal::Append(
    const std::vector<std::string_view>& records) {
  return AppendImpl(records, nullptr);
}

absl::StatusOr<uint64_t> Journal::Append(
    const std::vector<std::string_view>& records,
    const std::function<void(uint64_t first_seq)>& on_durable) {
  return AppendImpl(records, on_durable ? &on_durable : nullptr);
}

absl::StatusOr<uint64_t> Journal::AppendImpl(
    const std::vector<std::string_view>& records,
    const std::function<void(uint64_t)>* on_durable) {
  if (records.empty())
    return absl::InvalidArgumentError("Journal::Append: no records");
  Writer w;
  w.records = &records;
  w.bytes = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].size() > kMaxRecordBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("Journal::Append: record ", i, " is ", records[i].size(),
                       " bytes, above the limit of ", kMaxRecordBytes));
    }
    w.bytes += kHeaderBytes + records[i].size();
  }

  const auto t0 = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> l(mu_);
  gate_cv_.wait(l, [&] { return !gate_closed_; });
  ++inflight_;
  if (!failed_.ok()) {
    w.done = true;
    w.status = failed_;
    ++stats_.failed_batches;
  } else {
    queue_.push_back(&w);
    queued_bytes_ += w.bytes;
    if (leader_waiting_) leader_cv_.notify_one();
    while (!w.done && queue_.front() != &w) w.cv.wait(l);
  }
  if (!w.done) {
    // This writer leads: it commits every batch waiting, its own first.
    // Waiting longer than it takes every append already in flight to
    // queue up gains nothing, so the wait ends then (or when the group is
    // full).
    if (options_.max_batch_wait_us > 0) {
      leader_waiting_ = true;
      leader_cv_.wait_for(
          l, std::chrono::microseconds(options_.max_batch_wait_us), [&] {
            return queued_bytes_ >= options_.max_group_bytes ||
                   queue_.size() >= static_cast<size_t>(inflight_);
          });
      leader_waiting_ = false;
    }
    l.unlock();
    env_->Hook("commit:gather");
    l.lock();
    std::vector<Writer*>& group = group_;  // the leader's; keeps its capacity
    group.clear();
    uint64_t group_bytes = 0;
    for (Writer* x : queue_) {
      if (!group.empty() && group_bytes + x->bytes > options_.max_group_bytes)
        break;
      group.push_back(x);
      group_bytes += x->bytes;
    }
    const uint64_t first = next_seq_;
    l.unlock();
    bool fatal = false;
    absl::Status s = CommitGroup(group, first, &fatal);
    l.lock();
    uint64_t seq = first;
    for (Writer* x : group) {
      queue_.pop_front();
      queued_bytes_ -= x->bytes;
      x->status = s;
      x->first_seq = seq;
      x->done = true;
      seq += x->records->size();
      if (x != &w) x->cv.notify_one();
    }
    if (s.ok()) {
      next_seq_ = seq;
      stats_.records += seq - first;
      stats_.bytes += group_bytes;
      stats_.batches += group.size();
      stats_.groups += 1;
      if (options_.fsync) stats_.fsyncs += 1;
    } else {
      stats_.failed_batches += group.size();
      if (fatal) failed_ = s;
    }
    if (!queue_.empty()) queue_.front()->cv.notify_one();
  }
  absl::Status status = w.status;
  const uint64_t first_seq = w.first_seq;
  if (status.ok() && on_durable != nullptr) {
    l.unlock();
    (*on_durable)(first_seq);
    l.lock();
  }
  if (--inflight_ == 0) gate_cv_.notify_all();
  if (leader_waiting_) leader_cv_.notify_one();
  if (!status.ok()) return status;
  append_latency_.ObserveNanos(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now() - t0)
                                   .count());
  return first_seq;
}

absl::Status Journal::CommitGroup(const std::vector<Writer*>& group,
                                  uint64_t first_seq, bool* fatal) {
  uint64_t group_bytes = 0;
  for (const Writer* x : group) group_bytes += x->bytes;
  if (seg_size_ > 0 && seg_size_ + group_bytes > options_.segment_bytes) {
    absl::Status s = StartSegment(first_seq);
    if (!s.ok()) {
      return absl::UnavailableError(absl::StrCat(
          "journal append failed, batch not acknowledged: ", s.message()));
    }
  }
  buf_.clear();
  buf_.reserve(group_bytes);
  uint64_t seq = first_seq;
  for (const Writer* x : group) {
    for (std::string_view rec : *x->records) {
      EncodeRecord(seq == first_seq ? kTagGroupStart : kTagRecord, seq, rec,
                   &buf_);
      ++seq;
    }
  }
  const char* what = "write";
  int err = WriteAll(env_, seg_fd_, buf_.data(), buf_.size(), seg_size_);
  if (err == 0) {
    env_->Hook("commit:written");
    if (options_.fsync) {
      what = "fdatasync";
      const auto t0 = std::chrono::steady_clock::now();
      if (env_->Sync(seg_fd_) != 0) err = errno;
      sync_latency_.ObserveNanos(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - t0)
                                     .count());
    }
  }
  if (err == 0) {
    env_->Hook("commit:synced");
    seg_size_ += buf_.size();
    return absl::OkStatus();
  }
  std::string path;
  {
    std::lock_guard<std::mutex> l(mu_);
    path = segments_.back().path;
  }
  std::string msg =
      absl::StrCat("journal append failed, batch not acknowledged: ", what, " ",
                   path, ": ", std::strerror(err));
  // Undo: cut the segment back to its durable size so no half-written
  // record survives, and make that cut durable.
  if (env_->Truncate(seg_fd_, static_cast<off_t>(seg_size_)) != 0) {
    *fatal = true;
    return absl::UnavailableError(
        absl::StrCat(msg, "; truncating back to offset ", seg_size_,
                     " also failed (", std::strerror(errno),
                     "): the journal refuses appends until it is reopened"));
  }
  if (options_.fsync) env_->Sync(seg_fd_);
  return absl::UnavailableError(msg);
}

void Journal::ReleaseGate() {
  std::lock_guard<std::mutex> l(mu_);
  gate_closed_ = false;
  gate_cv_.notify_all();
}

absl::Status Journal::Compact(const SnapshotFn& snapshot) {
  std::lock_guard<std::mutex> c(compact_mu_);
  uint64_t through;
  {
    std::unique_lock<std::mutex> l(mu_);
    gate_closed_ = true;
    gate_cv_.wait(l, [&] { return inflight_ == 0; });
    through = next_seq_;
    if (!failed_.ok()) {
      gate_closed_ = false;
      gate_cv_.notify_all();
      return failed_;
    }
  }
  // No append is in flight and none can start: this thread owns the write
  // path. A fresh segment makes every older one wholly covered.
  if (seg_size_ > 0) {
    absl::Status s = StartSegment(through);
    if (!s.ok()) {
      ReleaseGate();
      return s;
    }
  }
  bool gate_released = false;
  absl::Status s = WriteSnapshot(through, snapshot, &gate_released);
  if (!gate_released) ReleaseGate();
  return s;
}

absl::Status Journal::CompactAt(uint64_t through_seq,
                                const SnapshotFn& snapshot) {
  std::lock_guard<std::mutex> c(compact_mu_);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (through_seq < snapshot_through_ || through_seq > next_seq_) {
      return absl::InvalidArgumentError(
          absl::StrCat("Journal::CompactAt: through_seq ", through_seq,
                       " is outside [", snapshot_through_, ", ", next_seq_,
                       "] (the current snapshot's coverage .. next_seq)"));
    }
  }
  bool gate_released = true;  // never held
  return WriteSnapshot(through_seq, snapshot, &gate_released);
}

absl::Status Journal::WriteSnapshot(uint64_t through_seq,
                                    const SnapshotFn& snapshot,
                                    bool* gate_released) {
  const std::string final_path = SnapshotPath(through_seq);
  const std::string tmp_path = absl::StrCat(final_path, kTmpSuffix);
  int fd =
      ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat(
        "compaction: cannot create ", tmp_path, ": ", std::strerror(errno)));
  }
  std::string out;
  uint64_t offset = 0, count = 0;
  absl::Status err;
  auto flush = [&] {
    if (!err.ok() || out.empty()) return;
    int e = WriteAll(env_, fd, out.data(), out.size(), offset);
    if (e != 0) {
      err = absl::UnavailableError(
          absl::StrCat("compaction: write ", tmp_path, ": ", std::strerror(e)));
    }
    offset += out.size();
    out.clear();
  };
  EmitFn emit = [&](std::string_view rec) {
    if (!err.ok()) return;
    if (rec.size() > kMaxRecordBytes) {
      err = absl::InvalidArgumentError(absl::StrCat(
          "compaction: snapshot record ", count, " is ", rec.size(),
          " bytes, above the limit of ", kMaxRecordBytes));
      return;
    }
    EncodeRecord(kTagRecord, count++, rec, &out);
    if (out.size() >= kSnapshotFlushBytes) flush();
  };
  snapshot(emit);
  if (!*gate_released) {
    ReleaseGate();
    *gate_released = true;
  }
  char trailer[16];
  journal_internal::PutU64(trailer, count);
  journal_internal::PutU64(trailer + 8, through_seq);
  if (err.ok())
    EncodeRecord(kTagSnapshotEnd, count, std::string_view(trailer, 16), &out);
  flush();
  env_->Hook("compact:snapshot_written");
  if (err.ok() && options_.fsync && env_->Sync(fd) != 0) {
    err = absl::UnavailableError(absl::StrCat(
        "compaction: fdatasync ", tmp_path, ": ", std::strerror(errno)));
  }
  ::close(fd);
  if (!err.ok()) {
    ::unlink(tmp_path.c_str());
    return err;
  }
  env_->Hook("compact:snapshot_synced");
  if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp_path.c_str());
    return absl::UnavailableError(absl::StrCat("compaction: rename ", tmp_path,
                                               " -> ", final_path, ": ",
                                               std::strerror(e)));
  }
  env_->Hook("compact:renamed");
  std::string old_snapshot;
  std::vector<std::string> doomed;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (snapshot_path_ != final_path) old_snapshot = snapshot_path_;
    snapshot_path_ = final_path;
    snapshot_through_ = through_seq;
    stats_.snapshot_records = count;
  }
  // The new snapshot is in place; until the directory is synced it may not
  // survive a power loss, so the files it covers stay until then.
  if (options_.fsync) RETURN_IF_ERROR(FsyncDir(dir_));
  env_->Hook("compact:dir_synced");
  {
    std::lock_guard<std::mutex> l(mu_);
    size_t keep = 0;
    while (keep + 1 < segments_.size() &&
           segments_[keep + 1].first_seq <= through_seq) {
      doomed.push_back(segments_[keep].path);
      ++keep;
    }
    segments_.erase(segments_.begin(), segments_.begin() + keep);
    stats_.segments = segments_.size();
    stats_.compactions += 1;
  }
  for (const std::string& p : doomed) {
    ::unlink(p.c_str());
    env_->Hook("compact:segment_deleted");
  }
  if (!old_snapshot.empty()) ::unlink(old_snapshot.c_str());
  // Deleting is not needed for correctness (Open skips covered files), so a
  // failed directory sync here is not an error.
  if (options_.fsync) FsyncDir(dir_).IgnoreError();
  return absl::OkStatus();
}

uint64_t Journal::next_seq() const {
  std::lock_guard<std::mutex> l(mu_);
  return next_seq_;
}

Journal::Stats Journal::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  Stats s = stats_;
  s.queued_batches = queue_.size();
  return s;
}

}  // namespace gridroute
