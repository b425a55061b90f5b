// Copyright 2026 gridroute authors.
//
// Shared pieces of the libFuzzer targets (docs/FUZZING.md): a scratch
// directory, the fixed pack (tests/fuzz/pack) the routing targets take their
// context from, and the checks that turn a parser's own "this is a bug"
// answer into a crash the fuzzer reports.
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     const std::string path = fuzz::WriteScratch("teams.csv", data, size);
//     fuzz::CheckNotInternal(Teams::Load(path, ...).status(), "Teams::Load");
//     return 0;
//   }
//
// Not thread-safe: one fuzz target per process, one input at a time.
#ifndef GRIDROUTE_TESTS_FUZZ_FUZZ_UTIL_H_
#define GRIDROUTE_TESTS_FUZZ_FUZZ_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "snapshot/snapshot.h"

namespace gridroute::fuzz {

// The fixed pack: $GRIDROUTE_FUZZ_PACK, else tests/fuzz/pack of the source
// tree the target was built from.
const std::string& PackDir();

// This process's scratch directory: under /dev/shm when it exists (no disk
// I/O per input), else $TMPDIR or /tmp. Removed at exit.
const std::string& ScratchDir();

// Writes [data, data + size) to ScratchDir()/name and returns the path.
// Aborts if the write fails (the machine, not the input, is broken then).
std::string WriteScratch(const std::string& name, const uint8_t* data, size_t size);
void WriteFileOrDie(const std::string& path, absl::string_view text);

// Inputs that start with kBigPrefix ("#big\n") stand for a big file: the
// rest's first line (the CSV header) once, then the remaining bytes repeated
// until the file is at least `min_bytes`. Loaders cut files of a few MiB
// into chunks parsed on several threads (model/csv_chunks.h), which small
// inputs never reach. Other inputs are returned as they are.
inline constexpr absl::string_view kBigPrefix = "#big\n";
std::string Amplify(absl::string_view input, size_t min_bytes);

// A copy of the fixed pack in a directory of its own (made on the first
// call), whose manifest names no calendar (its table costs more than the
// rest of the load): targets overwrite one of its files per input and load
// it.
const std::string& ScratchPack();

// The fixed pack, loaded once (aborts if it does not load).
const std::shared_ptr<const Snapshot>& FixedSnapshot();

// Aborts with `what` and the message when `s` is Internal: the loaders use
// that code for their own inconsistencies (e.g. a parallel and a sequential
// read that disagree), never for bad input. With $GRIDROUTE_FUZZ_VERBOSE set,
// prints every status it is given (to see what a reproducer does).
void CheckNotInternal(const absl::Status& s, const char* what);

// Aborts with a message when `ok` is false (a broken invariant).
void Check(bool ok, const char* what);

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code
// points past U+10FFFF).
bool IsValidUtf8(absl::string_view s);

}  // namespace gridroute::fuzz

#endif  // GRIDROUTE_TESTS_FUZZ_FUZZ_UTIL_H_
