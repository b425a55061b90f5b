// Copyright 2026 gridroute authors.
//
// Journal recovery (journal/journal.h, JOURNAL.md): the input becomes the
// files of a journal directory, which Journal::Open then recovers.
// Input: pieces separated by "\n#F#"; each piece is
//   kind byte: bits 0-1 the file kind (0 segment .log, 1 snapshot .snap,
//              2 unfinished snapshot .snap.tmp); bit 7: an 8-byte
//              little-endian seq follows, else a 1-byte one
//   seq, then the file's bytes.
// A replayed payload "FAIL" makes the replay callback fail.
// Invariants checked: once Open succeeds, an Append succeeds with seq
// next_seq(), and reopening replays exactly the same records plus the
// appended one.
#include <cinttypes>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "journal/journal.h"

namespace gridroute {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kSeparator = "\n#F#";
constexpr int kMaxFiles = 8;

std::string FileName(uint8_t kind, uint64_t seq) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%020" PRIu64, seq);
  switch (kind & 3) {
    case 0: return std::string(digits) + ".log";
    case 1: return std::string(digits) + ".snap";
    default: return std::string(digits) + ".snap.tmp";
  }
}

// Writes the pieces of the input as files of `dir`.
void WriteFiles(std::string_view input, const std::string& dir) {
  int files = 0;
  while (!input.empty() && files < kMaxFiles) {
    const size_t cut = input.find(kSeparator);
    std::string_view piece = input.substr(0, cut);
    input = cut == std::string_view::npos ? std::string_view() : input.substr(cut + kSeparator.size());
    if (piece.size() < 2) continue;
    const uint8_t kind = static_cast<uint8_t>(piece[0]);
    uint64_t seq = static_cast<uint8_t>(piece[1]);
    piece.remove_prefix(2);
    if (kind & 0x80) {
      if (piece.size() < 7) continue;
      char le[8] = {static_cast<char>(seq)};
      std::memcpy(le + 1, piece.data(), 7);
      std::memcpy(&seq, le, 8);
      piece.remove_prefix(7);
    }
    fuzz::WriteFileOrDie(dir + "/" + FileName(kind, seq),
                         absl::string_view(piece.data(), piece.size()));
    ++files;
  }
}

struct Replayed {
  std::vector<uint64_t> seqs;
  std::vector<std::string> payloads;
  Journal::ReplayFn Fn() {
    return [this](uint64_t seq, std::string_view payload) {
      if (payload == "FAIL") return absl::InvalidArgumentError("replay refused the record");
      seqs.push_back(seq);
      payloads.emplace_back(payload);
      return absl::OkStatus();
    };
  }
};

}  // namespace
}  // namespace gridroute

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gridroute;
  const std::string dir = fuzz::ScratchDir() + "/journal";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  WriteFiles(std::string_view(reinterpret_cast<const char*>(data), size), dir);

  JournalOptions o;
  o.fsync = false;
  o.segment_bytes = 4096;
  Replayed first;
  uint64_t next = 0;
  {
    absl::StatusOr<std::unique_ptr<Journal>> j = Journal::Open(dir, o, first.Fn());
    fuzz::CheckNotInternal(j.status(), "Journal::Open");
    if (!j.ok()) return 0;
    next = (*j)->next_seq();
    absl::StatusOr<uint64_t> seq = (*j)->Append({"appended"});
    fuzz::Check(seq.ok() && *seq == next, "Append after a recovery gets next_seq()");
  }
  Replayed second;
  absl::StatusOr<std::unique_ptr<Journal>> j = Journal::Open(dir, o, second.Fn());
  if (!j.ok()) std::fprintf(stderr, "reopen: %s\n", j.status().ToString().c_str());
  fuzz::Check(j.ok(), "a journal that recovered reopens after an append");
  first.seqs.push_back(next);
  first.payloads.push_back("appended");
  fuzz::Check(second.payloads == first.payloads, "reopen replays the same records + the new one");
  fuzz::Check(second.seqs == first.seqs, "reopen replays the same seqs + the new one");
  fuzz::Check((*j)->next_seq() == next + 1, "next_seq() after reopen");
  return 0;
}
