// Copyright 2026 gridroute authors.
#include "fuzz_util.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace gridroute::fuzz {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fuzz: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

struct Scratch {
  std::string dir;
  Scratch() {
    std::error_code ec;
    std::string base = fs::is_directory("/dev/shm", ec) ? "/dev/shm" : "";
    if (base.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      base = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
    }
    std::string tmpl = base + "/gridroute-fuzz-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) Die("cannot create a scratch directory in " + base);
    dir = buf.data();
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

const std::string& PackDir() {
  static const std::string dir = [] {
    const char* env = std::getenv("GRIDROUTE_FUZZ_PACK");
    return std::string(env != nullptr && *env != '\0' ? env : GRIDROUTE_FUZZ_PACK_DIR);
  }();
  return dir;
}

const std::string& ScratchDir() {
  static const Scratch* scratch = [] {
    static Scratch s;  // destroyed at exit, removing the directory
    return &s;
  }();
  return scratch->dir;
}

void WriteFileOrDie(const std::string& path, absl::string_view text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) Die("cannot write " + path);
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok) Die("cannot write " + path);
}

std::string WriteScratch(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = ScratchDir() + "/" + name;
  WriteFileOrDie(path, absl::string_view(reinterpret_cast<const char*>(data), size));
  return path;
}

std::string Amplify(absl::string_view input, size_t min_bytes) {
  if (input.substr(0, kBigPrefix.size()) != kBigPrefix) return std::string(input);
  input.remove_prefix(kBigPrefix.size());
  const size_t nl = input.find('\n');
  if (nl == absl::string_view::npos || nl + 1 == input.size()) return std::string(input);
  const absl::string_view body = input.substr(nl + 1);
  std::string out(input.substr(0, nl + 1));
  out.reserve(min_bytes + body.size());
  while (out.size() < min_bytes) out.append(body.data(), body.size());
  return out;
}

const std::string& ScratchPack() {
  static const std::string dir = [] {
    const std::string d = ScratchDir() + "/pack";
    std::error_code ec;
    fs::create_directories(d, ec);
    fs::copy(PackDir(), d, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
    if (ec) Die("cannot copy " + PackDir() + " to " + d + ": " + ec.message());
    // Without its calendar: building the calendar's table (1991..2100) costs
    // more than loading the rest of the pack; fuzz_calendar covers it.
    std::ifstream in(d + "/manifest.json");
    std::string manifest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string calendar = ",\"calendar\":\"calendar.json\"";
    const size_t at = manifest.find(calendar);
    if (at == std::string::npos) Die("the fixed pack's manifest names no calendar.json");
    WriteFileOrDie(d + "/manifest.json", manifest.erase(at, calendar.size()));
    return d;
  }();
  return dir;
}

const std::shared_ptr<const Snapshot>& FixedSnapshot() {
  static const std::shared_ptr<const Snapshot> s = [] {
    LoadOptions o;
    o.threads = 1;
    absl::StatusOr<std::shared_ptr<const Snapshot>> loaded = LoadPack(PackDir(), o);
    if (!loaded.ok()) Die("the fixed pack does not load: " + loaded.status().ToString());
    return *std::move(loaded);
  }();
  return s;
}

void CheckNotInternal(const absl::Status& s, const char* what) {
  static const bool verbose = std::getenv("GRIDROUTE_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "fuzz: %s: %s\n", what, s.ToString().c_str());
  if (s.code() == absl::StatusCode::kInternal) {
    Die(std::string(what) + " answered Internal: " + std::string(s.message()));
  }
}

void Check(bool ok, const char* what) {
  if (!ok) Die(std::string("broken invariant: ") + what);
}

bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;  // cut short
    for (size_t k = 1; k <= n; ++k) {
      const unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = cp << 6 | (d & 0x3F);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace gridroute::fuzz
