#!/usr/bin/env bash
# The test command of README.md and CI: install what is missing, build, and run
# every test with ctest. With SANITIZE=1 (and always under CI=true) it also builds into build-asan/ with
# AddressSanitizer + UBSan and runs the tests there. With FUZZ=1 (and always
# under CI=true) it then runs every libFuzzer target for FUZZ_SECONDS (default
# 15) each (tools/fuzz.sh, docs/FUZZING.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
"$root/tools/build.sh"
(cd "$root/build" && ctest --output-on-failure -j 2)
if [[ "${SANITIZE:-0}" == "1" || "${CI:-}" == "true" ]]; then
  BUILD_DIR="$root/build-asan" "$root/tools/build.sh" -DGRIDROUTE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRIDROUTE_BUILD_BENCH=OFF
  (cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=0 ctest --output-on-failure -j 2)
fi
if [[ "${FUZZ:-0}" == "1" || "${CI:-}" == "true" ]]; then
  "$root/tools/fuzz.sh" "${FUZZ_SECONDS:-15}"
fi
