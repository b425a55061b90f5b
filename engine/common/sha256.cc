// Copyright 2026 gridroute authors.
#include "common/sha256.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

namespace gridroute {
namespace {

constexpr size_t kBlockBytes = size_t{1} << 20;

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxFree>;

// The algorithm fetched once (OpenSSL 3 looks it up on every one-shot call).
const EVP_MD* Sha256() {
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);  // never freed
  return kSha256;
}

std::string Hex(const unsigned char* md, unsigned int n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(2 * n, '0');
  for (unsigned int i = 0; i < n; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 0xF];
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> Sha256File(const RegularFile& file) {
  Ctx ctx(EVP_MD_CTX_new());
  EVP_DigestInit_ex2(ctx.get(), Sha256(), nullptr);
  std::unique_ptr<char[]> buf(new char[kBlockBytes]);
  for (uint64_t at = 0; at < file.size();) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kBlockBytes, file.size() - at));
    if (absl::Status st = file.ReadAt(at, n, buf.get()); !st.ok()) return st;
    EVP_DigestUpdate(ctx.get(), buf.get(), n);
    at += n;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx.get(), md, &n);
  return Hex(md, n);
}

bool IsSha256Hex(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace gridroute
