// Copyright 2026 gridroute authors.
//
// SnapWriter / SnapReader: the byte encoding of one section of a compiled
// snapshot file (engine/snapshot/SNAPSHOT_FORMAT.md). Fixed-width
// little-endian scalars, length-prefixed strings, and arrays of trivially
// copyable structs written as their raw bytes after a u64 count, padded so
// the array starts at a multiple of 64 bytes from the section's start
// (sections start 64-byte aligned in the file, so an array can be viewed in
// place instead of copied).
//
//   SnapWriter w;
//   w.PutU32(7);
//   w.PutArray<IPoint>(points);
//   ...
//   SnapReader r(bytes, "city.grsnap: section 'geometry'");
//   uint32_t v;
//   std::vector<IPoint> pts;
//   if (!r.GetU32(&v) || !r.GetArray(&pts, kMaxPoints)) return r.status();
//
// A reader never reads past its bytes, whatever they hold: every Get checks
// the remaining length first (counts are checked against the bytes left
// before any allocation), and the first failure sticks (later Gets return
// false, status() names the section and the reason). What the values mean
// (an index into another array) is the caller's to check.
//
// Thread-safety: one object per thread. Cost: a Get is a bounds check and a
// memcpy; GetArray one allocation and one memcpy.
#ifndef GRIDROUTE_COMMON_SNAP_IO_H_
#define GRIDROUTE_COMMON_SNAP_IO_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/pod_array.h"

namespace gridroute {

// Every array starts at a multiple of this from its section's start (and
// sections are 64-byte aligned in a file): a cache line, so an array viewed
// in place is laid out as a freshly allocated one.
inline constexpr size_t kSnapArrayAlign = 64;

static_assert(
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "snapshot files are little-endian and written as the host's bytes");

class SnapWriter {
 public:
  void PutU8(uint8_t v) { PutRaw(&v, 1); }
  void PutBool(bool v) { PutU8(v ? 1 : 0); }
  void PutU32(uint32_t v) { PutRaw(&v, 4); }
  void PutI32(int32_t v) { PutRaw(&v, 4); }
  void PutU64(uint64_t v) { PutRaw(&v, 8); }
  void PutI64(int64_t v) { PutRaw(&v, 8); }
  void PutF64(double v) { PutRaw(&v, 8); }
  // u64 length, then the bytes.
  void PutString(absl::string_view s) {
    PutU64(s.size());
    PutRaw(s.data(), s.size());
  }
  // u64 count, then each string as PutString.
  void PutStrings(absl::Span<const std::string> v) {
    PutU64(v.size());
    for (const std::string& s : v) PutString(s);
  }
  // u64 count, zero padding to the array's alignment, the raw elements.
  // T must have no padding bytes whose value matters (they are written as
  // they are in memory).
  template <typename T>
  void PutArray(absl::Span<const T> v) {
    static_assert(std::is_trivially_copyable_v<T>);
    PutU64(v.size());
    static_assert(alignof(T) <= kSnapArrayAlign);
    Align(kSnapArrayAlign);
    PutRaw(v.data(), v.size() * sizeof(T));
  }
  template <typename T>
  void PutArray(const std::vector<T>& v) {
    PutArray(absl::MakeConstSpan(v));
  }
  template <typename T>
  void PutArray(const PodArray<T>& v) {
    PutArray(v.span());
  }

  const std::string& bytes() const { return bytes_; }
  std::string Release() && { return std::move(bytes_); }

 private:
  void PutRaw(const void* p, size_t n) {
    bytes_.append(static_cast<const char*>(p), n);
  }
  void Align(size_t a) { bytes_.resize((bytes_.size() + a - 1) / a * a, '\0'); }
  std::string bytes_;
};

class SnapReader {
 public:
  // `bytes` must stay alive while the reader (and any span it returned) is
  // used; `what` names it in messages ("x.grsnap: section 'rules'").
  // REQUIRES: bytes.data() is 64-byte aligned or spans are not used.
  // `backing` (may be null) keeps `bytes` alive: a caller may then keep
  // spans from GetSpan() for as long as it holds backing().
  SnapReader(absl::string_view bytes, std::string what,
             std::shared_ptr<const void> backing = nullptr)
      : bytes_(bytes), what_(std::move(what)), backing_(std::move(backing)) {}

  bool GetU8(uint8_t* v) { return GetRaw(v, 1); }
  bool GetBool(bool* v) {
    uint8_t b = 0;
    if (!GetU8(&b)) return false;
    if (b > 1) return Fail("a boolean is neither 0 nor 1");
    *v = b == 1;
    return true;
  }
  bool GetU32(uint32_t* v) { return GetRaw(v, 4); }
  bool GetI32(int32_t* v) { return GetRaw(v, 4); }
  bool GetU64(uint64_t* v) { return GetRaw(v, 8); }
  bool GetI64(int64_t* v) { return GetRaw(v, 8); }
  bool GetF64(double* v) { return GetRaw(v, 8); }
  // A string of at most max_bytes.
  bool GetString(std::string* s, uint64_t max_bytes = kNoLimit);
  // At most max_count strings (each within the bytes left).
  bool GetStrings(std::vector<std::string>* v, uint64_t max_count = kNoLimit);

  // A view of an array PutArray wrote, into the reader's bytes (no copy).
  template <typename T>
  bool GetSpan(absl::Span<const T>* out, uint64_t max_count = kNoLimit) {
    static_assert(std::is_trivially_copyable_v<T>);
    const char* p = nullptr;
    uint64_t n = 0;
    if (!GetArrayBytes(sizeof(T), kSnapArrayAlign, max_count, &p, &n)) {
      return false;
    }
    if (reinterpret_cast<uintptr_t>(p) % alignof(T) != 0)
      return Fail("a misaligned array");
    *out = absl::Span<const T>(reinterpret_cast<const T*>(p), n);
    return true;
  }
  // A copy of an array PutArray wrote (one memcpy).
  // REQUIRES: the reader's bytes start 64-byte aligned (a SnapFile section).
  template <typename T>
  bool GetArray(std::vector<T>* out, uint64_t max_count = kNoLimit) {
    static_assert(std::is_trivially_copyable_v<T>);
    const char* p = nullptr;
    uint64_t n = 0;
    if (!GetArrayBytes(sizeof(T), kSnapArrayAlign, max_count, &p, &n)) {
      return false;
    }
    // One pass (resize() would zero the elements first); p is aligned
    // for T: arrays start at a multiple of alignof(T) in a 64-aligned section.
    CopyArray(reinterpret_cast<const T*>(p), n, out);
    return true;
  }

  // An array PutArray wrote: viewed in place when the reader lends its
  // bytes (backing(): LoadOptions::view_in_place), else copied.
  template <typename T>
  bool GetArray(PodArray<T>* out, uint64_t max_count = kNoLimit) {
    absl::Span<const T> v;
    if (!GetSpan(&v, max_count)) return false;
    if (backing_ != nullptr) {
      out->Borrow(v, backing_);
    } else {
      CopyArray(v.data(), v.size(), &out->owned());
    }
    return true;
  }
  // *out = [first, first + n). An array of kHugeCopyBytes or more first asks
  // for transparent huge pages on its 2 MiB-aligned interior, before the copy
  // touches it: one page fault per 2 MiB instead of per 4 KiB (a 10M-grid
  // province copies ~4.5 GiB out of its file: 4 KiB faults were most of a
  // copying load on a paravirtualised guest), and fewer TLB misses when the
  // array is read at random later.
  template <typename T>
  static void CopyArray(const T* first, size_t n, std::vector<T>* out) {
    if (n * sizeof(T) >= kHugeCopyBytes) {
      if (out->capacity() < n) {
        std::vector<T>().swap(*out);
        out->reserve(n);
      }
      AdviseHugePages(out->data(), n * sizeof(T));
    }
    out->assign(first, first + n);
  }
  static constexpr size_t kHugeCopyBytes = size_t{4} << 20;
  // madvise(MADV_HUGEPAGE) over the whole 2 MiB pages inside [p, p + bytes).
  static void AdviseHugePages(const void* p, size_t bytes);

  // A string PutString wrote, as GetArray above (no alignment needed).
  bool GetString(PodArray<char>* out, uint64_t max_bytes = kNoLimit);

  // Records the first failure ("<what>: <reason>"); returns false.
  bool Fail(absl::string_view reason);
  bool ok() const { return status_.ok(); }
  // OK, or INVALID_ARGUMENT naming the section and the first failure.
  const absl::Status& status() const { return status_; }
  // status(), or an error if bytes are left over (the section is longer
  // than what was read: a different layout).
  absl::Status Finish();
  uint64_t remaining() const { return bytes_.size() - pos_; }
  const std::string& what() const { return what_; }
  // Non-null when the bytes may be viewed in place beyond the reader.
  const std::shared_ptr<const void>& backing() const { return backing_; }

  static constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();

 private:
  bool GetRaw(void* v, size_t n) {
    if (!status_.ok()) return false;
    if (remaining() < n)
      return Fail("truncated (a value runs past the section's end)");
    std::memcpy(v, bytes_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool GetArrayBytes(size_t elem, size_t align, uint64_t max_count,
                     const char** p, uint64_t* n);

  absl::string_view bytes_;
  uint64_t pos_ = 0;
  std::string what_;
  std::shared_ptr<const void> backing_;
  absl::Status status_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_SNAP_IO_H_
