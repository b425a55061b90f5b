// Copyright 2026 gridroute authors.
#include "service/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace gridroute {
namespace {

constexpr struct {
  uint32_t bit;
  const char* name;
} kRoles[] = {{kRoleRoute, "route"},
              {kRolePersonal, "personal"},
              {kRoleCasesRead, "cases-read"},
              {kRoleCasesWrite, "cases-write"},
              {kRoleAdmin, "admin"}};

// At most 32 bytes of untrusted input, for error messages.
std::string Prefix(absl::string_view s) {
  if (s.size() <= 32) return absl::CHexEscape(s);
  return absl::StrCat(absl::CHexEscape(s.substr(0, 32)), "...");
}

absl::Status RowError(absl::string_view where, absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": field '", field, "': ", what));
}

std::vector<absl::string_view> Words(absl::string_view s) {
  return absl::StrSplit(s, ' ', absl::SkipWhitespace());
}

absl::Status ParseRoles(absl::string_view cell, absl::string_view where, uint32_t* out) {
  *out = 0;
  for (absl::string_view w : Words(cell)) {
    uint32_t bit = 0;
    for (const auto& r : kRoles) {
      if (w == r.name) bit = r.bit;
    }
    if (bit == 0) {
      return RowError(where, "roles",
                      absl::StrCat("unknown role '", Prefix(w),
                                   "' (known: route personal cases-read cases-write admin)"));
    }
    *out |= bit;
  }
  if (*out == 0) return RowError(where, "roles", "at least one role is required");
  return absl::OkStatus();
}

// SHA-256 into `md` (32 bytes). OpenSSL 3's one-shot SHA256() looks the
// algorithm up on every call (~0.9 us for a short token); the algorithm
// fetched once and a per-thread context make it ~0.2 us.
void Digest(absl::string_view data, unsigned char* md) {
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);  // never freed
  struct Ctx {
    EVP_MD_CTX* c = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(c); }
  };
  thread_local Ctx ctx;
  unsigned int n = 0;
  EVP_DigestInit_ex2(ctx.c, kSha256, nullptr);
  EVP_DigestUpdate(ctx.c, data.data(), data.size());
  EVP_DigestFinal_ex(ctx.c, md, &n);
}

constexpr size_t kDigestBytes = 32;

}  // namespace

const char* RoleName(uint32_t role) {
  for (const auto& r : kRoles) {
    if (r.bit == role) return r.name;
  }
  return "?";
}

std::string RoleNames(uint32_t mask) {
  std::string out;
  for (const auto& r : kRoles) {
    if ((mask & r.bit) != 0) absl::StrAppend(&out, out.empty() ? "" : " ", r.name);
  }
  return out;
}

bool Principal::Reaches(absl::string_view dept) const {
  if (departments.empty()) return true;
  return std::find(departments.begin(), departments.end(), dept) != departments.end();
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char md[kDigestBytes];
  Digest(data, md);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(md), sizeof(md)));
}

absl::Status TokenTable::AddRow(const std::vector<absl::string_view>& cells,
                                absl::string_view where) {
  static const char* const kFields[] = {"token_sha256", "principal", "roles", "departments"};
  if (cells.size() < 3 || cells.size() > 4) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": expected 3 or 4 fields (token_sha256,principal,roles[,departments]), got ",
        cells.size()));
  }
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].size() > kMaxField) {
      return RowError(where, kFields[i], absl::StrCat("longer than ", kMaxField, " bytes"));
    }
  }
  absl::string_view hex = absl::StripAsciiWhitespace(cells[0]);
  Principal p;
  p.name = std::string(absl::StripAsciiWhitespace(cells[1]));
  if (p.name.empty()) return RowError(where, "principal", "required");
  if (absl::Status st = ParseRoles(cells[2], where, &p.roles); !st.ok()) return st;
  if (cells.size() == 4) {
    for (absl::string_view d : Words(cells[3])) p.departments.emplace_back(d);
  }
  if (hex.empty()) {  // a mutual-TLS principal: its certificate's CN
    if (!by_cn_.emplace(p.name, p).second) {
      return RowError(where, "principal",
                      absl::StrCat("certificate principal '", Prefix(p.name), "' repeated"));
    }
    return absl::OkStatus();
  }
  std::string digest;
  if (hex.size() != 64 || !std::all_of(hex.begin(), hex.end(), absl::ascii_isxdigit)) {
    return RowError(where, "token_sha256",
                    absl::StrCat("must be 64 hex digits (SHA-256 of the token), got '",
                                 Prefix(hex), "'"));
  }
  digest = absl::HexStringToBytes(absl::AsciiStrToLower(hex));
  if (!by_digest_.emplace(std::move(digest), std::move(p)).second) {
    return RowError(where, "token_sha256", "the same token hash is listed twice");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const TokenTable>> TokenTable::Parse(absl::string_view text,
                                                                     absl::string_view file) {
  if (text.size() > kMaxBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": larger than ", kMaxBytes, " bytes"));
  }
  static std::atomic<uint64_t> next_id{1};
  auto t = std::make_shared<TokenTable>();
  t->id_ = next_id.fetch_add(1, std::memory_order_relaxed);
  int line = 0, rows = 0;
  bool header = false;
  for (absl::string_view l : absl::StrSplit(text, '\n')) {
    ++line;
    l = absl::StripSuffix(l, "\r");
    if (absl::StripAsciiWhitespace(l).empty() || absl::StartsWith(l, "#")) continue;
    const std::string where = absl::StrCat(file, ":", line);
    if (!header) {
      if (absl::StripAsciiWhitespace(l) != "token_sha256,principal,roles,departments") {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": header must be 'token_sha256,principal,roles,departments', got '",
            Prefix(l), "'"));
      }
      header = true;
      continue;
    }
    if (++rows > kMaxRows) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": more than ", kMaxRows, " rows"));
    }
    if (absl::Status st = t->AddRow(absl::StrSplit(l, ','), where); !st.ok()) return st;
  }
  if (!header) return absl::InvalidArgumentError(absl::StrCat(file, ": empty (no header)"));
  return std::shared_ptr<const TokenTable>(std::move(t));
}

absl::StatusOr<std::shared_ptr<const TokenTable>> TokenTable::Load(const std::string& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return absl::NotFoundError(absl::StrCat(path, ": ", ec.message()));
  if (size > kMaxBytes) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": larger than ", kMaxBytes, " bytes"));
  }
  std::ifstream in(path, std::ios::binary);
  std::string text(static_cast<size_t>(size), '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  }
  return Parse(text, path);
}

const Principal* TokenTable::FindToken(absl::string_view token) const {
  // A client sends the same token call after call: the last token this
  // thread resolved against this table (by id: a reloaded table may reuse an
  // address) is compared in constant time before hashing anything.
  struct Last {
    uint64_t table = 0;
    std::string token;
    const Principal* who = nullptr;
  };
  thread_local Last last;
  if (last.table == id_ && last.token.size() == token.size() &&
      CRYPTO_memcmp(last.token.data(), token.data(), token.size()) == 0) {
    return last.who;
  }
  unsigned char md[kDigestBytes];
  Digest(token, md);
  auto it = by_digest_.find(absl::string_view(reinterpret_cast<const char*>(md), sizeof(md)));
  const Principal* who = it == by_digest_.end() ? nullptr : &it->second;
  if (token.size() <= kMaxField) {
    last.table = id_;
    last.token.assign(token.data(), token.size());
    last.who = who;
  }
  return who;
}

const Principal* TokenTable::FindCertName(absl::string_view cn) const {
  auto it = by_cn_.find(cn);
  return it == by_cn_.end() ? nullptr : &it->second;
}

absl::Status TokenFile::Reload() {
  absl::StatusOr<std::shared_ptr<const TokenTable>> t = TokenTable::Load(path_);
  if (!t.ok()) return t.status();
  table_.store(*std::move(t), std::memory_order_release);
  return absl::OkStatus();
}

bool InsidePackRoot(const std::string& root, const std::string& dir, std::string* resolved) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path r = fs::weakly_canonical(fs::absolute(root, ec), ec);
  if (ec) return false;
  const fs::path d = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  if (ec) return false;
  auto ri = r.begin(), di = d.begin();
  for (; ri != r.end(); ++ri, ++di) {
    if (ri->empty()) continue;  // a trailing separator
    if (di == d.end() || *ri != *di) return false;
  }
  *resolved = d.string();
  return true;
}

}  // namespace gridroute
