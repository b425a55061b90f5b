// Copyright 2026 gridroute authors.
//
// CRC32C (Castagnoli, the iSCSI/ext4/leveldb checksum): the journal's record
// checksum. Debian's Abseil 20220623 has no absl/crc, so it is written here.
//
//   uint32_t c = Crc32c(data, n);                 // one buffer
//   uint32_t d = Crc32cExtend(Crc32c(a, na), b, nb);  // == Crc32c(a ++ b)
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at
// start-up; the build has no -msse4.2), else a slicing-by-8 table. Both give
// the same values (tests/journal/journal_test.cc checks them against the
// RFC 3720 vectors). Thread-safe, no allocation.
#ifndef GRIDROUTE_COMMON_CRC32C_H_
#define GRIDROUTE_COMMON_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace gridroute {

// The CRC32C of `crc`'s message followed by data[0, n). Crc32cExtend(0, ...)
// starts a new message.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

inline uint32_t Crc32c(const void* data, size_t n) {
  return Crc32cExtend(0, data, n);
}

namespace internal {
// The two implementations behind Crc32cExtend, exposed for tests.
uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t n);
// REQUIRES: Crc32cHardwareAvailable().
uint32_t Crc32cHardware(uint32_t crc, const void* data, size_t n);
bool Crc32cHardwareAvailable();
}  // namespace internal

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_CRC32C_H_
