// Copyright 2026 gridroute authors.
//
// Writes small city packs from text literals into a temporary directory, so
// tests state their geometry as text:
//
//   TestPack pack;
//   pack.AddRegion("d1", "District", "district", "");
//   pack.AddGrid("g1", "c1", "[[[0,0],[1,0],[1,1],[0,1],[0,0]]]");
//   auto snapshot = LoadPack(pack.Write());
#ifndef GRIDROUTE_TESTS_TESTING_TEST_PACK_H_
#define GRIDROUTE_TESTS_TESTING_TEST_PACK_H_

#include <string>
#include <vector>

namespace gridroute::testing {

// A fresh empty directory under $TEST_TMPDIR or /tmp, removed at exit.
std::string MakeTempDir(const std::string& tag);
void WriteText(const std::string& path, const std::string& text);

class TestPack {
 public:
  TestPack();
  // Levels top first (default district, street, community).
  void SetLevels(std::vector<std::string> levels) { levels_ = std::move(levels); }
  void SetCrs(std::string crs) { crs_ = std::move(crs); }
  void SetTolerance(double m2) { tolerance_m2_ = m2; }
  void AddRegion(const std::string& code, const std::string& name,
                 const std::string& level, const std::string& parent);
  // Adds district d, street d+"01", community d+"0101" in one call; returns
  // the community code.
  std::string AddChain(const std::string& district);
  // `coordinates` is the GeoJSON coordinates text; type Polygon unless
  // `multi`.
  void AddGrid(const std::string& code, const std::string& parent,
               const std::string& coordinates, bool multi = false);
  // A raw feature line (for malformed input tests).
  void AddRawFeature(const std::string& json) { features_.push_back(json); }
  void SetManifestOverride(std::string json) { manifest_override_ = std::move(json); }
  void SetGridsOverride(std::string text) { grids_override_ = std::move(text); }
  // Adds a file to the pack and names it in the manifest's `files` under
  // `key` (departments, categories, rules, teams, components, layers,
  // calendar).
  void AddFile(const std::string& key, const std::string& name, const std::string& text) {
    extra_files_.push_back({key, name, text});
  }
  // Drops a file added with AddFile (e.g. "teams" of MakeRoutingPack).
  void RemoveFile(const std::string& key) {
    std::erase_if(extra_files_, [&](const auto& f) { return f.key == key; });
  }
  void SetManifestExtra(std::string json_fields) { manifest_extra_ = std::move(json_fields); }
  // Write() then adds the files' sizes and SHA-256 to the manifest
  // (WritePackChecksums), as gridroute-gen and gridroute-import do. Off by
  // default: a pack without them loads with a warning.
  void SetChecksums(bool on) { checksums_ = on; }
  // Writes the pack and returns its directory.
  std::string Write();

  // A square [x0, x0+s] x [y0, y0+s] as GeoJSON coordinates (Polygon).
  static std::string Square(double x0, double y0, double s);

 private:
  std::vector<std::string> levels_{"district", "street", "community"};
  std::string crs_ = "wgs84";
  double tolerance_m2_ = 1.0;
  std::vector<std::string> regions_;
  std::vector<std::string> features_;
  std::string manifest_override_, grids_override_, manifest_extra_;
  struct ExtraFile { std::string key, name, text; };
  std::vector<ExtraFile> extra_files_;
  bool checksums_ = false;
};

}  // namespace gridroute::testing

#endif  // GRIDROUTE_TESTS_TESTING_TEST_PACK_H_
