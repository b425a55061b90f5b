// Copyright 2026 gridroute authors.
//
// Writes the binary seeds of tests/fuzz/corpus: journal directories made by
// the real Journal (fuzz_journal's input format) and serialized messages
// (fuzz_convert's). The text seeds (CSV, JSON, GeoJSON) are plain files
// kept in the corpus directly.
//
//   build-fuzz/bin/fuzz_make_seeds tests/fuzz/corpus
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "gridroute/v1/routing.pb.h"
#include "journal/journal.h"

namespace gridroute {
namespace {
namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary);
  f << bytes;
  if (!f) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

std::string ReadAll(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// A journal directory as one fuzz_journal input (see fuzz_journal.cc).
std::string Pack(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string out;
  for (const fs::path& p : files) {
    const std::string name = p.filename().string();
    char kind;
    if (name.ends_with(".snap.tmp")) {
      kind = 2;
    } else if (name.ends_with(".log")) {
      kind = 0;
    } else if (name.ends_with(".snap")) {
      kind = 1;
    } else {
      continue;  // LOCK
    }
    const uint64_t seq = std::stoull(name.substr(0, 20));
    if (!out.empty()) out += "\n#F#";
    out += seq < 256 ? kind : static_cast<char>(kind | 0x80);
    for (int i = 0; i < (seq < 256 ? 1 : 8); ++i) out += static_cast<char>(seq >> (8 * i));
    out += ReadAll(p);
  }
  return out;
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "make_seeds: %s failed\n", what);
    std::exit(1);
  }
}

std::unique_ptr<Journal> Open(const fs::path& dir, uint64_t segment_bytes) {
  JournalOptions o;
  o.fsync = false;
  o.segment_bytes = segment_bytes;
  auto j = Journal::Open(dir, o, [](uint64_t, std::string_view) { return absl::OkStatus(); });
  Check(j.ok(), "Journal::Open");
  return *std::move(j);
}

void Append(Journal& j, std::vector<std::string_view> records) {
  Check(j.Append(records).ok(), "Journal::Append");
}

void JournalSeeds(const fs::path& work, const fs::path& out) {
  fs::create_directories(out);
  auto fresh = [&](const char* name) {
    fs::path d = work / name;
    fs::remove_all(d);
    return d;
  };
  {  // One segment, three commit groups.
    fs::path d = fresh("one_segment");
    auto j = Open(d, 64 << 20);
    Append(*j, {"case 1 opened"});
    Append(*j, {"case 1 folded", "case 2 opened"});
    Append(*j, {""});
    j.reset();
    Write(out / "one_segment", Pack(d));
  }
  {  // Rotation: several segments.
    fs::path d = fresh("segments");
    auto j = Open(d, 64);
    for (int i = 0; i < 6; ++i) Append(*j, {"record of forty bytes or so, to rotate"});
    j.reset();
    Write(out / "segments", Pack(d));
  }
  {  // Compact: a snapshot, then more appends.
    fs::path d = fresh("snapshot");
    auto j = Open(d, 64 << 20);
    Append(*j, {"a", "b"});
    Append(*j, {"c"});
    Check(j->Compact([](const Journal::EmitFn& emit) {
            emit("state a");
            emit("state b+c");
          }).ok(),
          "Compact");
    Append(*j, {"d"});
    j.reset();
    Write(out / "snapshot", Pack(d));
  }
  {  // CompactAt mid-segment: the segment's older records are skipped.
    fs::path d = fresh("compact_at");
    auto j = Open(d, 64 << 20);
    Append(*j, {"a"});
    Append(*j, {"b"});
    Append(*j, {"c"});
    Check(j->CompactAt(3, [](const Journal::EmitFn& emit) { emit("state a+b"); }).ok(),
          "CompactAt");
    j.reset();
    Write(out / "compact_at", Pack(d));
  }
  {  // A torn tail: the last group cut in its payload.
    fs::path d = fresh("torn_tail");
    auto j = Open(d, 64 << 20);
    Append(*j, {"kept"});
    Append(*j, {"torn away"});
    j.reset();
    fs::path seg = d / "00000000000000000001.log";
    fs::resize_file(seg, fs::file_size(seg) - 3);
    Write(out / "torn_tail", Pack(d));
  }
  {  // A crashed Compact left its temp file.
    fs::path d = fresh("leftover_tmp");
    auto j = Open(d, 64 << 20);
    Append(*j, {"x"});
    j.reset();
    Write(d / "00000000000000000002.snap.tmp", "half a snapshot");
    Write(out / "leftover_tmp", Pack(d));
  }
  {  // A record the replay refuses.
    fs::path d = fresh("replay_fails");
    auto j = Open(d, 64 << 20);
    Append(*j, {"ok", "FAIL"});
    j.reset();
    Write(out / "replay_fails", Pack(d));
  }
}

google::protobuf::Timestamp Time(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(nanos);
  return t;
}

v1::RouteRequest Request(double x, double y, const char* category, int type = 0) {
  v1::RouteRequest r;
  r.mutable_point()->set_x(x);
  r.mutable_point()->set_y(y);
  r.set_category(category);
  r.set_category_type(static_cast<v1::CategoryType>(type));
  *r.mutable_reported_at() = Time(1772589600);  // 2026-03-04 10:00 +08:00
  return r;
}

void ConvertSeeds(const fs::path& out) {
  fs::create_directories(out);
  auto write = [&](const char* name, char selector, const google::protobuf::Message& m) {
    Write(out / name, std::string(1, selector) + m.SerializeAsString());
  };
  write("route_inside", 0, Request(120.0005, 31.0005, "0102"));
  v1::RouteRequest r = Request(120.0003, 31.0003, "0102");
  r.set_urgency("urgent");
  r.set_view(v1::DECISION_VIEW_CODES);
  write("route_layer_codes", 0, r);
  r = Request(120.0015, 31.0005, "0101", 1);
  r.set_component_code("3205010101000002");
  r.set_component_radius_m(0);
  write("route_component", 0, r);
  r = Request(13358390, 3632800, "0501");
  r.mutable_point()->set_crs("EPSG:3857");
  r.set_snap_m(50);
  write("route_epsg", 0, r);
  r = Request(120.0015, 31.0005, "0401");
  r.mutable_point()->set_crs("gcj02");
  *r.mutable_reported_at() = Time(253402300799, 999999999);
  write("route_late_gcj02", 0x80, r);
  v1::RouteBatchRequest batch;
  *batch.add_events() = Request(120.0005, 31.0005, "0102");
  *batch.add_events() = Request(120.0025, 31.0005, "0504");
  *batch.add_events() = Request(121, 31, "0102");
  batch.set_view(v1::DECISION_VIEW_FULL);
  write("batch", 1, batch);
  v1::DetectionBatch det;
  for (double x : {120.0005, 120.0015, 120.0025, 120.5}) {
    v1::Detection* d = det.add_detections();
    d->set_correlation_id("c1");
    d->set_camera_id("cam-7");
    *d->mutable_frame_time() = Time(1772632800);  // 22:00 +08:00
    d->set_category("0501");
    d->set_category_type(v1::CATEGORY_TYPE_EVENT);
    d->mutable_point()->set_x(x);
    d->mutable_point()->set_y(31.0005);
  }
  det.set_snap_m(20);
  det.set_view(v1::DECISION_VIEW_CODES);
  write("detections", 2, det);
}

}  // namespace
}  // namespace gridroute

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const std::filesystem::path corpus = argv[1];
  const std::filesystem::path work =
      std::filesystem::temp_directory_path() / "gridroute-make-seeds";
  gridroute::JournalSeeds(work, corpus / "journal");
  gridroute::ConvertSeeds(corpus / "convert");
  std::filesystem::remove_all(work);
  return 0;
}
