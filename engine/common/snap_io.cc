// Copyright 2026 gridroute authors.
#include "common/snap_io.h"

#include <sys/mman.h>

#include <cstdint>

#include "absl/strings/str_cat.h"

namespace gridroute {

bool SnapReader::Fail(absl::string_view reason) {
  if (status_.ok()) {
    status_ = absl::InvalidArgumentError(absl::StrCat(
        what_, ": ", reason, " (at byte ", pos_, " of ", bytes_.size(), ")"));
  }
  return false;
}

void SnapReader::AdviseHugePages(const void* p, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kHuge - 1);
  // Advice only: where THP is off or the range is refused, 4 KiB pages.
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

bool SnapReader::GetString(std::string* s, uint64_t max_bytes) {
  uint64_t n = 0;
  if (!GetU64(&n)) return false;
  if (n > remaining())
    return Fail("truncated (a string runs past the section's end)");
  if (n > max_bytes)
    return Fail(
        absl::StrCat("a string of ", n, " bytes, more than ", max_bytes));
  s->assign(bytes_.data() + pos_, n);
  pos_ += n;
  return true;
}

bool SnapReader::GetString(PodArray<char>* out, uint64_t max_bytes) {
  uint64_t n = 0;
  if (!GetU64(&n)) return false;
  if (n > remaining())
    return Fail("truncated (a string runs past the section's end)");
  if (n > max_bytes)
    return Fail(absl::StrCat("a string of ", n, " bytes, more than ", max_bytes));
  const absl::Span<const char> v(bytes_.data() + pos_, n);
  if (backing_ != nullptr) {
    out->Borrow(v, backing_);
  } else {
    CopyArray(v.data(), v.size(), &out->owned());
  }
  pos_ += n;
  return true;
}

bool SnapReader::GetStrings(std::vector<std::string>* v, uint64_t max_count) {
  uint64_t n = 0;
  if (!GetU64(&n)) return false;
  // Each string takes at least its 8-byte length.
  if (n > remaining() / 8)
    return Fail("truncated (a string list runs past the section's end)");
  if (n > max_count)
    return Fail(absl::StrCat(n, " strings, more than ", max_count));
  v->clear();
  v->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    v->emplace_back();
    if (!GetString(&v->back())) return false;
  }
  return true;
}

bool SnapReader::GetArrayBytes(size_t elem, size_t align, uint64_t max_count,
                               const char** p, uint64_t* n) {
  if (!GetU64(n)) return false;
  const uint64_t pad = (align - pos_ % align) % align;
  if (pad > remaining())
    return Fail("truncated (an array runs past the section's end)");
  pos_ += pad;
  if (*n > remaining() / elem)
    return Fail("truncated (an array runs past the section's end)");
  if (*n > max_count)
    return Fail(
        absl::StrCat("an array of ", *n, " entries, more than ", max_count));
  *p = bytes_.data() + pos_;
  pos_ += *n * elem;
  return true;
}

absl::Status SnapReader::Finish() {
  if (status_.ok() && remaining() != 0) {
    Fail(absl::StrCat(remaining(), " bytes left over after the last field"));
  }
  return status_;
}

}  // namespace gridroute
