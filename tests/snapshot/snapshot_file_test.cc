// Copyright 2026 gridroute authors.
//
// Compiled snapshot files (.grsnap; engine/snapshot/SNAPSHOT_FORMAT.md):
// a generated city compiled and loaded back answers every Locate and Route
// exactly as the directory it came from (the oracle), and every damaged or
// foreign file is refused with a clear status (full and lazy verification
// alike); unverified (VerifyMode::kNone) a damaged file either is refused
// or answers, never reads out of bounds (run
// under ASan: tools/build.sh -DGRIDROUTE_SANITIZE=ON).
#include <fcntl.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "model/rules.h"
#include "route/router.h"
#include "snapshot/snap_codec.h"
#include "snapshot/snap_file.h"
#include "snapshot/snapshot.h"
#include "testing/generated_city.h"
#include "testing/test_pack.h"

namespace gridroute {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

struct Section {
  uint32_t id;
  uint64_t offset, length;
};

// The section table as SNAPSHOT_FORMAT.md lays it out (read independently
// of snap_file.cc).
std::vector<Section> Sections(const std::string& bytes) {
  uint32_t count;
  uint64_t table;
  std::memcpy(&count, bytes.data() + 12, 4);
  std::memcpy(&table, bytes.data() + 16, 8);
  std::vector<Section> out;
  for (uint32_t i = 0; i < count; ++i) {
    Section s;
    const char* e = bytes.data() + table + 32 * i;
    std::memcpy(&s.id, e, 4);
    std::memcpy(&s.offset, e + 8, 8);
    std::memcpy(&s.length, e + 16, 8);
    out.push_back(s);
  }
  return out;
}

// Section `id` of the table above, if the file has one.
std::optional<Section> FindSection(const std::string& bytes, SnapSection id) {
  for (const Section& s : Sections(bytes)) {
    if (s.id == static_cast<uint32_t>(id)) return s;
  }
  return std::nullopt;
}

// Every directory datum of `b` equals `a`'s (below).
void ExpectSameDirectoryData(const Snapshot& a, const Snapshot& b);

class SnapshotFileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const testing::GeneratedCity& city = testing::GetGeneratedCity(3000, 7);
    dir_ = new std::string(city.dir);
    file_ = new std::string(testing::MakeTempDir("snapshot_file_test") +
                            "/city.grsnap");
    ASSERT_TRUE(CompileSnapshot(*city.snapshot, city.dir, *file_).ok());
  }
  static std::shared_ptr<const Snapshot> FromDir() {
    return testing::GetGeneratedCity(3000, 7).snapshot;
  }
  // `bytes` written to a file of its own, loaded.
  static absl::StatusOr<std::shared_ptr<const Snapshot>> LoadBytes(
      const std::string& bytes, VerifyMode verify, bool in_place = false) {
    static int n = 0;
    const std::string path = testing::MakeTempDir("snapshot_file_bytes") +
                             "/f" + std::to_string(n++) + ".grsnap";
    testing::WriteText(path, bytes);
    LoadOptions o;
    o.verify = verify;
    o.view_in_place = in_place;
    o.threads = 1;
    return LoadPack(path, o);
  }
  // Points over and around the city: each grid's first vertex (on an edge),
  // its box centre, random points in and beyond the box.
  static std::vector<IPoint> Points(const Snapshot& s) {
    std::vector<IPoint> p;
    const GridGeometry& g = s.geometry();
    IBox all;
    for (uint32_t i = 0; i < s.num_grids(); ++i) {
      const IBox& b = g.box(i);
      all.Expand(b);
      p.push_back(g.ring(g.grid_ring_begin(i))[0]);
      p.push_back(IPoint{b.min_x / 2 + b.max_x / 2, b.min_y / 2 + b.max_y / 2});
    }
    std::mt19937_64 rng(11);
    const int64_t wx = all.max_x - all.min_x, wy = all.max_y - all.min_y;
    std::uniform_int_distribution<int64_t> dx(-wx / 4, wx + wx / 4),
        dy(-wy / 4, wy + wy / 4);
    for (int i = 0; i < 5000; ++i)
      p.push_back(IPoint{all.min_x + dx(rng), all.min_y + dy(rng)});
    return p;
  }

  // The file loaded with the arrays copied, then viewed in place.
  static std::vector<std::shared_ptr<const Snapshot>> FileLoads() {
    std::vector<std::shared_ptr<const Snapshot>> out;
    for (bool in_place : {false, true}) {
      LoadOptions o;
      o.view_in_place = in_place;
      absl::StatusOr<std::shared_ptr<const Snapshot>> s = LoadPack(*file_, o);
      EXPECT_TRUE(s.ok()) << s.status();
      if (s.ok()) out.push_back(*std::move(s));
    }
    return out;
  }

  static std::string* dir_;
  static std::string* file_;
};
std::string* SnapshotFileTest::dir_ = nullptr;
std::string* SnapshotFileTest::file_ = nullptr;

TEST_F(SnapshotFileTest, LocateAnswersEqualTheDirectoryLoad) {
  auto a = FromDir();
  for (const std::shared_ptr<const Snapshot>& loaded : FileLoads()) {
    const std::shared_ptr<const Snapshot>* b = &loaded;
    ASSERT_EQ((*b)->num_grids(), a->num_grids());
    int64_t inside = 0, outside = 0;
    for (const IPoint& p : Points(*a)) {
      for (double snap : {0.0, 200.0}) {
        const LocateResult x = a->locator().Locate(p, {.snap_m = snap});
        const LocateResult y = (*b)->locator().Locate(p, {.snap_m = snap});
        ASSERT_EQ(x, y) << p.x << "," << p.y << " snap " << snap;
        inside += x.how == How::kInside;
        outside += x.how == How::kOutside;
      }
    }
    EXPECT_GT(inside, 1000);  // the points exercise both answers
    EXPECT_GT(outside, 100);
    for (uint32_t g = 0; g < a->num_grids(); g += 7) {
      ASSERT_EQ((*b)->grid_code(g), a->grid_code(g));
      ASSERT_EQ((*b)->grid_name(g), a->grid_name(g));
      ASSERT_EQ((*b)->grid_parent(g), a->grid_parent(g));
      ASSERT_EQ((*b)->FindGrid(a->grid_code(g)), g);
    }
    EXPECT_EQ((*b)->manifest().version, a->manifest().version);
    EXPECT_EQ((*b)->warnings(), a->warnings());
  }
}

void ExpectSameDecision(const Decision& x, const Decision& y,
                        const std::string& where) {
  ASSERT_EQ(x.outcome, y.outcome) << where;
  ASSERT_EQ(x.location, y.location) << where;
  ASSERT_EQ(x.chain, y.chain) << where;
  ASSERT_EQ(x.category, y.category) << where;
  ASSERT_EQ(x.urgency, y.urgency) << where;
  ASSERT_EQ(x.rule, y.rule) << where;
  ASSERT_EQ(x.lead, y.lead) << where;
  ASSERT_EQ(x.helpers, y.helpers) << where;
  ASSERT_EQ(x.team.size(), y.team.size()) << where;
  for (size_t i = 0; i < x.team.size(); ++i) {
    ASSERT_EQ(x.team[i].role, y.team[i].role) << where;
    ASSERT_EQ(x.team[i].specialty, y.team[i].specialty) << where;
    ASSERT_EQ(x.team[i].person, y.team[i].person) << where;
    ASSERT_EQ(x.team[i].from_grid, y.team[i].from_grid) << where;
    ASSERT_EQ(x.team[i].scope, y.team[i].scope) << where;
  }
  ASSERT_EQ(x.layers, y.layers) << where;
  ASSERT_EQ(x.component, y.component) << where;
  ASSERT_EQ(x.component_distance_m, y.component_distance_m) << where;
  ASSERT_EQ(x.deadline, y.deadline) << where;
}

TEST_F(SnapshotFileTest, RouteDecisionsEqualTheDirectoryLoadForEveryCategory) {
  auto a = FromDir();
  for (const std::shared_ptr<const Snapshot>& loaded : FileLoads()) {
    const std::shared_ptr<const Snapshot>* b = &loaded;
    ASSERT_TRUE(a->routes());
    ASSERT_TRUE((*b)->routes());
    Router ra(a), rb(*b);
    const std::vector<IPoint> points = Points(*a);
    const Categories& cats = a->categories();
    int64_t routed = 0;
    for (size_t i = 0; i < points.size(); i += 5) {
      for (int32_t c = 0; c < cats.size(); ++c) {
        Event e;
        e.x = a->quantizer().ToX(points[i].x);
        e.y = a->quantizer().ToY(points[i].y);
        e.category_type = cats.at(c).type;
        e.category = cats.at(c).code;
        e.reported_at =
            absl::FromUnixSeconds(1767225600 + 3599 * static_cast<int64_t>(i));
        Decision x, y;
        const absl::Status sx = ra.Route(e, {.snap_m = 50}, &x);
        const absl::Status sy = rb.Route(e, {.snap_m = 50}, &y);
        const std::string where =
            absl::StrCat("point ", i, " category ", e.category);
        ASSERT_EQ(sx, sy) << where;
        if (!sx.ok()) continue;
        ExpectSameDecision(x, y, where);
        routed += x.outcome == Outcome::kRouted;
      }
    }
    EXPECT_GT(routed, 1000);
    // Component reports by code (the code index) and by point (the lattice).
    const Components& comps = a->components();
    ASSERT_GT(comps.size(), 0);
    for (int32_t i = 0; i < comps.size();
         i += std::max(1, comps.size() / 300)) {
      const Component c = comps.at(i);
      Event e;
      e.category_type = CategoryType::kComponent;
      e.category = cats.at(c.category).code;
      e.x = a->quantizer().ToX(c.point.x) + 1e-5;
      e.y = a->quantizer().ToY(c.point.y);
      e.reported_at = absl::FromUnixSeconds(1767225600);
      for (bool by_code : {true, false}) {
        e.component_code = by_code ? std::string(comps.code(i)) : "";
        Decision x, y;
        const absl::Status sx = ra.Route(e, {}, &x);
        ASSERT_EQ(sx, rb.Route(e, {}, &y));
        if (sx.ok()) ExpectSameDecision(x, y, absl::StrCat("component ", i));
      }
      ASSERT_EQ((*b)->components().FindCode(comps.code(i)), i);
    }
  }
}

// Copied and viewed in place (the string tables, components and grid
// records then live in the file's mapping).
TEST_F(SnapshotFileTest, DirectoryDataEqualTheDirectoryLoad) {
  auto a = FromDir();
  for (const std::shared_ptr<const Snapshot>& loaded : FileLoads()) {
    ExpectSameDirectoryData(*a, *loaded);
  }
}

void ExpectSameDirectoryData(const Snapshot& a_ref, const Snapshot& b) {
  const Snapshot* a = &a_ref;
  ASSERT_EQ(b.num_grids(), a->num_grids());
  for (uint32_t g = 0; g < a->num_grids(); ++g) {
    ASSERT_EQ(b.grid_code(g), a->grid_code(g));
    ASSERT_EQ(b.grid_name(g), a->grid_name(g));
    ASSERT_EQ(b.FindGrid(a->grid_code(g)), g);
  }
  EXPECT_EQ(b.geometry().one_ring_per_grid(), a->geometry().one_ring_per_grid());
  EXPECT_EQ(b.geometry().num_rings(), a->geometry().num_rings());
  const Components& ca = a->components();
  ASSERT_EQ(b.components().size(), ca.size());
  for (int32_t i = 0; i < ca.size(); ++i) {
    ASSERT_EQ(b.components().code(i), ca.code(i));
    const Component x = ca.at(i), y = b.components().at(i);
    ASSERT_EQ(std::tie(x.category, x.owner, x.property, x.maintainer, x.point.x, x.point.y),
              std::tie(y.category, y.owner, y.property, y.maintainer, y.point.x, y.point.y));
  }
  ASSERT_EQ(b.departments().size(), a->departments().size());
  for (int32_t i = 0; i < a->departments().size(); ++i) {
    const Department &x = a->departments().at(i), &y = b.departments().at(i);
    EXPECT_EQ(std::tie(x.code, x.name, x.kind, x.channel, x.parent),
              std::tie(y.code, y.name, y.kind, y.channel, y.parent));
    EXPECT_EQ(b.departments().Find(x.code), i);
  }
  ASSERT_EQ(b.categories().size(), a->categories().size());
  EXPECT_EQ(b.categories().urgencies(), a->categories().urgencies());
  EXPECT_EQ(b.categories().specialties(), a->categories().specialties());
  for (int32_t i = 0; i < a->categories().size(); ++i) {
    const Category &x = a->categories().at(i), &y = b.categories().at(i);
    EXPECT_EQ(std::tie(x.type, x.code, x.name, x.major, x.standard, x.specialty,
                       x.urgency_mask, x.specialty_id),
              std::tie(y.type, y.code, y.name, y.major, y.standard, y.specialty,
                       y.urgency_mask, y.specialty_id));
    EXPECT_EQ(b.categories().Find(x.type, x.code), i);
  }
  ASSERT_EQ(b.teams().num_people(), a->teams().num_people());
  for (int32_t i = 0; i < a->teams().num_people(); i += 3) {
    EXPECT_EQ(b.teams().person_id(i), a->teams().person_id(i));
    EXPECT_EQ(b.teams().person_name(i), a->teams().person_name(i));
    EXPECT_EQ(b.teams().person_phone(i), a->teams().person_phone(i));
  }
  ASSERT_EQ(b.layers().size(), a->layers().size());
  for (int32_t i = 0; i < a->layers().size(); ++i) {
    EXPECT_EQ(b.layers().code(i), a->layers().code(i));
    EXPECT_EQ(b.layers().owner(i), a->layers().owner(i));
    EXPECT_EQ(b.layers().rank(i), a->layers().rank(i));
    EXPECT_EQ(b.layers().Find(a->layers().code(i)), i);
  }
  ASSERT_EQ(b.hierarchy().num_regions(), a->hierarchy().num_regions());
  for (int32_t i = 0; i < a->hierarchy().num_regions(); ++i) {
    EXPECT_EQ(b.hierarchy().region(i).code, a->hierarchy().region(i).code);
    EXPECT_EQ(b.hierarchy().Find(a->hierarchy().region(i).code), i);
  }
  // Nearest component of each category around each grid's box centre.
  for (uint32_t g = 0; g < a->num_grids(); g += 11) {
    const IBox& box = a->geometry().box(g);
    const IPoint p{box.min_x / 2 + box.max_x / 2,
                   box.min_y / 2 + box.max_y / 2};
    for (int32_t c = 0; c < a->categories().size(); ++c) {
      double da = 0, db = 0;
      ASSERT_EQ(a->components().Nearest(p, c, 300, &da),
                b.components().Nearest(p, c, 300, &db));
      ASSERT_EQ(da, db);
    }
  }
  EXPECT_EQ(b.calendar().time_zone().name(), a->calendar().time_zone().name());
}

TEST_F(SnapshotFileTest, WrongMagicIsFailedPrecondition) {
  std::string bytes = ReadAll(*file_);
  bytes[1] = 'X';
  auto s = LoadBytes(bytes, VerifyMode::kFull);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(
      absl::StrContains(s.status().message(), "not a gridroute snapshot file"))
      << s.status();
  EXPECT_TRUE(absl::StrContains(s.status().message(), ".grsnap")) << s.status();
}

TEST_F(SnapshotFileTest, OtherFormatVersionIsFailedPrecondition) {
  std::string bytes = ReadAll(*file_);
  ASSERT_EQ(bytes[8], static_cast<char>(kSnapFormatVersion));
  bytes[8] = static_cast<char>(kSnapFormatVersion + 1);
  auto s = LoadBytes(bytes, VerifyMode::kFull);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(absl::StrContains(s.status().message(),
                                absl::StrCat("format version ", kSnapFormatVersion + 1)))
      << s.status();
}

TEST_F(SnapshotFileTest, TruncatedFilesAreRefused) {
  const std::string bytes = ReadAll(*file_);
  std::vector<size_t> cuts = {
      0, 4, 8, 30, 63, 64, 100, bytes.size() - 1, bytes.size() - 64};
  uint64_t table;
  std::memcpy(&table, bytes.data() + 16, 8);
  cuts.push_back(table + 5);  // inside the section table
  for (const Section& s : Sections(bytes))
    cuts.push_back(s.offset + s.length / 2);
  for (size_t cut : cuts) {
    for (VerifyMode v : {VerifyMode::kFull, VerifyMode::kLazy}) {
      auto s = LoadBytes(bytes.substr(0, cut), v);
      ASSERT_FALSE(s.ok()) << "cut at " << cut;
      if (cut >= 64) {
        EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument)
            << s.status();
        EXPECT_TRUE(absl::StrContains(s.status().message(), "truncated"))
            << s.status();
      }
    }
  }
}

// SnapFile::CheckUnchanged, which LoadPack calls once every section is read.
TEST_F(SnapshotFileTest, AFileWrittenAfterOpenIsRefusedAndOneRenamedOverIsNot) {
  const std::string bytes = ReadAll(*file_);
  const std::string dir = testing::MakeTempDir("snapshot_file_changed");
  const std::string path = dir + "/served.grsnap";
  testing::WriteText(path, bytes);
  absl::StatusOr<std::shared_ptr<SnapFile>> f = SnapFile::Open(path, VerifyMode::kLazy);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE((*f)->CheckUnchanged().ok());

  // Replaced by rename: the opened file is still what was opened.
  testing::WriteText(dir + "/new.grsnap", bytes);
  ASSERT_EQ(std::rename((dir + "/new.grsnap").c_str(), path.c_str()), 0);
  EXPECT_TRUE((*f)->CheckUnchanged().ok());

  // Written in place: one byte appended.
  absl::StatusOr<std::shared_ptr<SnapFile>> g = SnapFile::Open(path, VerifyMode::kLazy);
  ASSERT_TRUE(g.ok()) << g.status();
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << 'x';
  }
  absl::Status changed = (*g)->CheckUnchanged();
  EXPECT_EQ(changed.code(), absl::StatusCode::kAborted) << changed;
  EXPECT_TRUE(absl::StrContains(changed.message(), path + ": the snapshot file was written"))
      << changed;
  EXPECT_TRUE(absl::StrContains(changed.message(), absl::StrCat(bytes.size(), " bytes at open, ",
                                                                bytes.size() + 1, " now")))
      << changed;

  // The same size, a new modification time (set explicitly: a write within
  // one tick of the file system's clock keeps the time, SNAPSHOT_FORMAT.md).
  testing::WriteText(path, bytes);
  absl::StatusOr<std::shared_ptr<SnapFile>> h = SnapFile::Open(path, VerifyMode::kLazy);
  ASSERT_TRUE(h.ok()) << h.status();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  times[1].tv_sec += 1;
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  changed = (*h)->CheckUnchanged();
  EXPECT_EQ(changed.code(), absl::StatusCode::kAborted) << changed;
  EXPECT_TRUE(absl::StrContains(changed.message(), "modified since open")) << changed;
}

TEST_F(SnapshotFileTest, AFlippedByteInEachSectionIsAChecksumErrorNamingIt) {
  const std::string bytes = ReadAll(*file_);
  const std::vector<Section> sections = Sections(bytes);
  EXPECT_GE(sections.size(), 16u);
  for (const Section& s : sections) {
    if (s.length == 0) continue;
    std::string bad = bytes;
    bad[s.offset + s.length / 3] ^= 0x20;
    // Checked before any section is read, or as each one is.
    for (VerifyMode v : {VerifyMode::kFull, VerifyMode::kLazy}) {
      for (bool in_place : {false, true}) {
        auto r = LoadBytes(bad, v, in_place);
        ASSERT_FALSE(r.ok()) << SnapSectionName(s.id);
        EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
        EXPECT_TRUE(absl::StrContains(
            r.status().message(), absl::StrCat("section '", SnapSectionName(s.id),
                                               "': checksum mismatch")))
            << r.status();
      }
    }
  }
  // The header and the table guard themselves, in every mode.
  for (size_t at : {size_t{20}, static_cast<size_t>(sections[0].offset - 1)}) {
    std::string bad = bytes;
    bad[at] ^= 1;
    auto r = LoadBytes(bad, VerifyMode::kNone);
    EXPECT_FALSE(r.ok()) << at;
  }
}

// No verification (VerifyMode::kNone, what the fuzz target runs): a damaged
// section is refused by the structural checks or loads with other contents;
// queries on what loads stay in bounds.
TEST_F(SnapshotFileTest, UnverifiedLoadOfDamagedSectionsNeverReadsOutOfBounds) {
  const std::string bytes = ReadAll(*file_);
  auto a = FromDir();
  std::vector<IPoint> points = Points(*a);
  points.resize(3000);
  std::mt19937_64 rng(5);
  int refused = 0, loaded = 0;
  for (const Section& s : Sections(bytes)) {
    if (s.length == 0) continue;
    std::uniform_int_distribution<uint64_t> at(0, s.length - 1);
    for (int k = 0; k < 12; ++k) {
      std::string bad = bytes;
      bad[s.offset + at(rng)] ^= static_cast<char>(1 << (k % 8));
      auto r = LoadBytes(bad, VerifyMode::kNone, /*in_place=*/k % 2 == 1);
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument)
            << r.status();
        ++refused;
        continue;
      }
      ++loaded;
      Router router(*r);
      for (size_t i = 0; i < points.size(); i += 3) {
        (void)(*r)->locator().Locate(points[i], {.snap_m = 100});
        Event e;
        e.x = a->quantizer().ToX(points[i].x);
        e.y = a->quantizer().ToY(points[i].y);
        e.category = a->categories()
                         .at(static_cast<int32_t>(i % a->categories().size()))
                         .code;
        e.category_type =
            a->categories()
                .at(static_cast<int32_t>(i % a->categories().size()))
                .type;
        e.reported_at = absl::FromUnixSeconds(1767225600);
        Decision d;
        (void)router.Route(e, {}, &d);
      }
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(loaded, 0);
}

// Found by the grsnap fuzz target: a rule's deadline amount of -3e231 (a
// file loaded unverified) reached the router's int conversion (UBSan). A
// deadline now loads only within what ParseDeadlines accepts.
TEST_F(SnapshotFileTest, ADeadlineAmountOutOfRangeIsRefusedUnverified) {
  const std::string bytes = ReadAll(*file_);
  const std::optional<Section> rules = FindSection(bytes, SnapSection::kRules);
  ASSERT_TRUE(rules.has_value());
  // A deadline as stored: a unit byte, then the amount (f64). Find the
  // first working-days deadline of 1 day and make it -3e231 days.
  std::string pattern(1, static_cast<char>(DeadlineUnit::kWorkingDays));
  const double one = 1.0;
  pattern.append(reinterpret_cast<const char*>(&one), 8);
  const size_t at = bytes.find(pattern, rules->offset);
  ASSERT_LT(at, rules->offset + rules->length) << "no 1wd deadline in the rules section";
  std::string bad = bytes;
  const double huge = -3.10522e231;
  std::memcpy(bad.data() + at + 1, &huge, 8);
  auto r = LoadBytes(bad, VerifyMode::kNone);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "section 'rules'")) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "deadline")) << r.status();
}

// Found by the grsnap fuzz target: a category allowing an urgency the pack
// does not name (a file loaded unverified) made the router read past the
// deadline table (ASan). A category now loads only with urgencies the pack
// names, and at least one.
TEST_F(SnapshotFileTest, ACategoryUrgencyOutOfRangeIsRefusedUnverified) {
  const std::string bytes = ReadAll(*file_);
  const std::optional<Section> cats = FindSection(bytes, SnapSection::kCategories);
  ASSERT_TRUE(cats.has_value());
  // The first category as stored: a type byte, then code, name, major,
  // standard and specialty (u64 length + bytes each), then the urgency mask.
  const std::string code = FromDir()->categories().at(0).code;
  std::string stored(8, '\0');
  const uint64_t len = code.size();
  std::memcpy(stored.data(), &len, 8);
  stored += code;
  size_t at = bytes.find(stored, cats->offset);
  ASSERT_LT(at, cats->offset + cats->length) << "first category not found";
  for (int field = 0; field < 5; ++field) {
    uint64_t n;
    std::memcpy(&n, bytes.data() + at, 8);
    at += 8 + n;
  }
  uint32_t mask;
  std::memcpy(&mask, bytes.data() + at, 4);
  ASSERT_NE(mask, 0u);
  ASSERT_EQ(mask >> FromDir()->categories().urgencies().size(), 0u);
  for (uint32_t bad_mask : {0u, 1u << 15, mask | 1u << 15}) {
    std::string bad = bytes;
    std::memcpy(bad.data() + at, &bad_mask, 4);
    auto r = LoadBytes(bad, VerifyMode::kNone);
    ASSERT_FALSE(r.ok()) << bad_mask;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(r.status().message(), "categories: an urgency out of range"))
        << r.status();
  }
}

// Found by the grsnap fuzz target: a vertex at -9.2e18 (a file loaded
// unverified) overflowed MetricFrame::X while snapping. Vertices (and so the
// boxes computed from them) load only inside the lattice a pack can produce.
TEST_F(SnapshotFileTest, AVertexOutsideTheLatticeIsRefusedUnverified) {
  const std::string bytes = ReadAll(*file_);
  const std::optional<Section> geometry = FindSection(bytes, SnapSection::kGeometry);
  ASSERT_TRUE(geometry.has_value());
  // The section opens with the points: a u64 count, then the array at the
  // next 64-byte boundary (SNAPSHOT_FORMAT.md).
  const size_t first = (geometry->offset + 8 + 63) / 64 * 64;
  const IPoint stored{FromDir()->geometry().points()[0]};
  int64_t x;
  std::memcpy(&x, bytes.data() + first, 8);
  ASSERT_EQ(x, stored.x);
  for (int64_t bad_x : {int64_t{-9'223'371'916'854'775'807}, kMaxLatticeUnits + 1}) {
    std::string bad = bytes;
    std::memcpy(bad.data() + first, &bad_x, 8);
    auto r = LoadBytes(bad, VerifyMode::kNone);
    ASSERT_FALSE(r.ok()) << bad_x;
    EXPECT_TRUE(absl::StrContains(r.status().message(), "geometry: a vertex outside the lattice"))
        << r.status();
  }
}

TEST_F(SnapshotFileTest, ADirectoryStillLoadsAsAPackAndAMissingFileIsNotFound) {
  auto s = LoadPack(*dir_);
  ASSERT_TRUE(s.ok()) << s.status();
  auto m = LoadPack(*file_ + ".missing");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kNotFound) << m.status();
}

// The grsnap fuzz target's seed is a file of this format version that loads
// (a stale seed would only exercise the version check): after a format
// change, `gridroute compile --pack tests/fuzz/pack --out
// tests/fuzz/corpus/grsnap/fuzz_pack.grsnap`.
TEST(FuzzSeedTest, TheGrsnapSeedIsCurrentAndLoads) {
  LoadOptions o;
  o.verify = VerifyMode::kFull;
  auto seed = LoadPack(GRIDROUTE_FUZZ_DIR "/corpus/grsnap/fuzz_pack.grsnap", o);
  ASSERT_TRUE(seed.ok()) << seed.status();
  auto dir = LoadPack(GRIDROUTE_FUZZ_DIR "/pack", LoadOptions{});
  ASSERT_TRUE(dir.ok()) << dir.status();
  ASSERT_EQ((*seed)->num_grids(), (*dir)->num_grids());
  for (uint32_t g = 0; g < (*dir)->num_grids(); ++g) {
    EXPECT_EQ((*seed)->grid_code(g), (*dir)->grid_code(g));
  }
}

}  // namespace
}  // namespace gridroute
