#!/usr/bin/env bash
# Configures and builds gridroute into build/ (Release, Ninja); binaries land in
# build/bin/. Extra arguments go to cmake, e.g. -DGRIDROUTE_SANITIZE=ON.
# BUILD_DIR overrides the build directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
# 2 jobs: the heaviest translation units (Boost.Geometry R-tree, generated gRPC
# code) need ~400-600 MB each (docs/TOOLCHAIN.md).
# pipefail: the pipeline fails (and set -e stops) when ninja does; grep
# finding nothing to print is not a failure.
ninja -C "$build" -j "${JOBS:-2}" | { grep -v '^\[' || true; }
