// Copyright 2026 gridroute authors.
//
// gridroute_replay_bench: how long a restart takes to restore the cases of N
// events from the journal (issue 9). Files N synthetic camera reports through
// CaseDesk (the server's intake path, fsync off so the write phase is quick),
// then opens the journal twice more and times each replay.
//
//   gridroute_replay_bench PACK JOURNAL_DIR EVENTS PROBLEMS
//   e.g. gridroute_replay_bench bench-data/200000 /tmp/j 10000000 100000
//
// Reports are drawn uniformly from PROBLEMS sites (grid box centres of the
// pack), category 0102, 20 ms apart (STEP_MS overrides), so most fold into
// open cases. COMPACT_MB=256 compacts as the server does by default (unset:
// never, so every record is replayed). JOURNAL_DIR must not exist.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "intake/case_desk.h"
#include "snapshot/snapshot.h"

namespace gridroute {
namespace {

int Run(int argc, char** argv) {
  if (argc != 5 || std::atol(argv[3]) <= 0 || std::atoi(argv[4]) <= 0) {
    std::fprintf(
        stderr,
        "usage: gridroute_replay_bench PACK JOURNAL_DIR EVENTS PROBLEMS\n");
    return 2;
  }
  const std::string pack = argv[1], dir = argv[2];
  const long n = std::atol(argv[3]);
  const int problems = std::atoi(argv[4]);
  auto snap = LoadPack(pack);
  if (!snap.ok()) {
    fprintf(stderr, "%s\n", std::string(snap.status().message()).c_str());
    return 1;
  }
  const Snapshot& s = **snap;
  CaseDeskOptions o;
  o.journal_dir = dir;
  o.journal.fsync = false;
  o.compact_after_bytes = getenv("COMPACT_MB")
                              ? (uint64_t(atol(getenv("COMPACT_MB"))) << 20)
                              : (uint64_t{1} << 40);
  {
    auto desk = CaseDesk::Open(o, s, pack);
    if (!desk.ok()) {
      fprintf(stderr, "%s\n", std::string(desk.status().message()).c_str());
      return 1;
    }
    std::mt19937_64 rng(1);
    // Problem sites: a grid's box centre, a category.
    struct Site {
      uint32_t g;
      double lon, lat;
    };
    std::vector<Site> sites(problems);
    for (auto& st : sites) {
      st.g = rng() % s.num_grids();
      const IBox& b = s.geometry().box(st.g);
      st.lon = s.quantizer().ToX((b.min_x + b.max_x) / 2);
      st.lat = s.quantizer().ToY((b.min_y + b.max_y) / 2);
    }
    std::vector<ReportSlot> slots(1000);
    std::vector<CaseOutcome> out;
    absl::Time t = absl::FromUnixSeconds(1770000000);
    const auto t0 = std::chrono::steady_clock::now();
    long folded = 0;
    for (long i = 0; i < n; i += 1000) {
      for (int k = 0; k < 1000; ++k) {
        const Site& st = sites[rng() % problems];
        ReportSlot& sl = slots[k];
        sl.chain.clear();
        std::vector<int32_t> chain(s.hierarchy().levels().size());
        s.hierarchy().Chain(s.grid_parent(st.g), chain);
        for (int32_t r : chain)
          sl.chain.push_back(
              r >= 0 ? absl::string_view(s.hierarchy().region(r).code)
                     : absl::string_view());
        Report& r = sl.report;
        r = Report{};
        r.category = "0102";
        r.grid = s.grid_code(st.g);
        r.chain = sl.chain;
        r.lead = "D01";
        r.lon = st.lon;
        r.lat = st.lat;
        t += absl::Milliseconds(getenv("STEP_MS") ? atol(getenv("STEP_MS"))
                                                  : 20);
        r.reported_at = t;
        r.due = t + absl::Hours(24);
        r.source = ReportSource::kVideo;
        r.source_id = "cam1";
      }
      auto st = (*desk)->Intake(slots, &out);
      if (!st.ok()) {
        fprintf(stderr, "%s\n", std::string(st.message()).c_str());
        return 1;
      }
      for (auto& oc : out) folded += oc.folded;
    }
    const double w =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    auto info = (*desk)->info();
    printf(
        "wrote %ld events (%ld folded) in %.1f s (%.0f/s): %zu cases, journal "
        "%.0f MB\n",
        n, folded, w, n / w, info.cases, info.journal.bytes / 1e6);
  }
  for (int rep = 0; rep < 2; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    auto desk = CaseDesk::Open(o, s, pack);
    if (!desk.ok()) {
      std::fprintf(stderr, "%s\n",
                   std::string(desk.status().message()).c_str());
      return 1;
    }
    const double w =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
            .count();
    auto info = (*desk)->info();
    printf(
        "replay %d: %.2f s (desk says %.2f s), %zu cases, %zu open, %lu "
        "records\n",
        rep, w, info.replay_seconds, info.cases, info.open,
        info.journal.replayed);
  }
  return 0;
}

}  // namespace
}  // namespace gridroute

int main(int argc, char** argv) { return gridroute::Run(argc, argv); }
