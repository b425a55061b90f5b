// Copyright 2026 gridroute authors.
//
// Helpers shared by the generator's translation units (not a public API):
// SplitMix64, a portable RNG, the local equirectangular projection, Chinese
// name syllables and a buffered streaming output file.
//
// Thread-safety: none of these objects may be shared between threads without
// external synchronisation; the free functions are pure.
#ifndef GRIDROUTE_TOOLS_GEN_INTERNAL_GEN_UTIL_H_
#define GRIDROUTE_TOOLS_GEN_INTERNAL_GEN_UTIL_H_

#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gen/city_generator.h"
#include "common/json_string.h"

namespace gridroute::gen::internal {

inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kWgs84A = 6378137.0;
inline constexpr double kWgs84F = 1.0 / 298.257223563;

inline uint64_t Mix64(uint64_t z) {  // SplitMix64 finaliser
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// std::mt19937_64 with our own distributions: std::uniform_*_distribution
// are implementation-defined, so they would tie the output to libstdc++.
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  uint64_t Next() { return engine_(); }
  // Uniform in [lo, hi] (multiply-shift; bias < 2^-40 for our ranges).
  int64_t Int(int64_t lo, int64_t hi) {
    const uint64_t range = static_cast<uint64_t>(hi - lo) + 1;
    if (range == 0) return static_cast<int64_t>(Next());
    return lo + static_cast<int64_t>(
                    (static_cast<unsigned __int128>(Next()) * range) >> 64);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Real(double lo, double hi) { return lo + (hi - lo) * Unit(); }

 private:
  std::mt19937_64 engine_;
};

// Local equirectangular projection: x = Δlon·N·cosφ0, y = Δlat·M with the
// WGS-84 prime-vertical (N) and meridional (M) radii at φ0.
class LocalProjection {
 public:
  LocalProjection(double lon0_deg, double lat0_deg)
      : lon0_e7_(lon0_deg * 1e7), lat0_e7_(lat0_deg * 1e7) {
    const double phi0 = lat0_deg * kPi / 180.0;
    const double e2 = kWgs84F * (2.0 - kWgs84F);
    const double w = 1.0 - e2 * std::sin(phi0) * std::sin(phi0);
    const double n = kWgs84A / std::sqrt(w);
    const double m = kWgs84A * (1.0 - e2) / (w * std::sqrt(w));
    e7_per_m_x_ = 1e7 * 180.0 / kPi / (n * std::cos(phi0));
    e7_per_m_y_ = 1e7 * 180.0 / kPi / m;
  }
  LonLatE7 ToE7(double x_m, double y_m) const {
    return {std::llround(lon0_e7_ + x_m * e7_per_m_x_),
            std::llround(lat0_e7_ + y_m * e7_per_m_y_)};
  }

  // 1e-7 degree units per metre, east and north.
  double e7_per_m_x() const { return e7_per_m_x_; }
  double e7_per_m_y() const { return e7_per_m_y_; }

 private:
  double lon0_e7_, lat0_e7_, e7_per_m_x_, e7_per_m_y_;
};

// Characters that read well in Chinese place names.
constexpr std::array<absl::string_view, 72> kSyllables = {
    "东", "西", "南", "北", "中", "新", "安", "和", "平", "华", "兴", "福",
    "泰", "康", "宁", "明", "光", "阳", "春", "秋", "金", "银", "玉", "清",
    "湖", "河", "江", "山", "桥", "塘", "湾", "港", "园", "林", "松", "柏",
    "竹", "梅", "兰", "桂", "德", "仁", "文", "武", "永", "长", "乐", "昌",
    "盛", "丰", "富", "嘉", "瑞", "祥", "吉", "凤", "龙", "云", "海", "石",
    "沙", "溪", "泉", "枫", "柳", "桃", "李", "杏", "荷", "苑", "庄", "亭"};

// A two-syllable name + suffix, unique within `used` (the parent's scope).
inline std::string MakeName(Rng& rng, absl::string_view suffix,
                     std::set<std::string>& used) {
  for (;;) {
    std::string name = absl::StrCat(
        kSyllables[rng.Int(0, kSyllables.size() - 1)],
        kSyllables[rng.Int(0, kSyllables.size() - 1)], suffix);
    if (used.insert(name).second) return name;
  }
}

// Streaming output through a 1 MB buffer.

class OutFile {
 public:
  static absl::StatusOr<std::unique_ptr<OutFile>> Open(std::string path) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      return absl::UnavailableError(
          absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
    }
    return std::unique_ptr<OutFile>(new OutFile(f, std::move(path)));
  }
  ~OutFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  void Append(absl::string_view s) {
    buf_.append(s.data(), s.size());
    if (buf_.size() >= kFlushBytes) Flush();
  }
  void Char(char c) {
    buf_.push_back(c);
    if (buf_.size() >= kFlushBytes) Flush();
  }
  // 1e-7 degree units with exactly 7 decimals.
  void E7(int64_t v) {
    char tmp[32];
    char* p = tmp;
    uint64_t u = static_cast<uint64_t>(v);
    if (v < 0) {
      *p++ = '-';
      u = 0 - u;
    }
    p = std::to_chars(p, tmp + sizeof(tmp), u / 10000000).ptr;
    *p++ = '.';
    uint64_t frac = u % 10000000;
    for (int k = 6; k >= 0; --k) {
      p[k] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    buf_.append(tmp, p + 7 - tmp);
    if (buf_.size() >= kFlushBytes) Flush();
  }
  // A CSV field, quoted only if it holds a comma, quote or line break.
  void CsvField(absl::string_view s) {
    if (s.find_first_of(",\"\r\n") == absl::string_view::npos) {
      Append(s);
      return;
    }
    Char('"');
    for (char c : s) {
      if (c == '"') Char('"');
      Char(c);
    }
    Char('"');
  }
  // A JSON string body (without the quotes).
  void JsonString(absl::string_view s) {
    AppendJsonStringBody(std::string_view(s.data(), s.size()), &buf_);
    if (buf_.size() >= kFlushBytes) Flush();
  }
  absl::StatusOr<int64_t> Close() {
    Flush();
    const bool write_failed = std::ferror(file_) != 0;
    const int rc = std::fclose(file_);
    file_ = nullptr;
    if (write_failed || rc != 0) {
      return absl::UnavailableError(absl::StrCat("cannot write ", path_));
    }
    return bytes_;
  }

 private:
  static constexpr size_t kFlushBytes = 1 << 20;
  OutFile(FILE* f, std::string path) : file_(f), path_(std::move(path)) {
    buf_.reserve(kFlushBytes + 4096);
  }
  void Flush() {
    std::fwrite(buf_.data(), 1, buf_.size(), file_);
    bytes_ += static_cast<int64_t>(buf_.size());
    buf_.clear();
  }

  FILE* file_;
  std::string path_;
  std::string buf_;
  int64_t bytes_ = 0;
};

}  // namespace gridroute::gen::internal

#endif  // GRIDROUTE_TOOLS_GEN_INTERNAL_GEN_UTIL_H_
