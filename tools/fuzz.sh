#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, docs/FUZZING.md) into build-fuzz/
# with clang-14, ASan and UBSan, then runs each for SECONDS (default 60) and
# prints, per target, the inputs executed, the coverage (libFuzzer's cov =
# edges, ft = features) and the crashes. Exits 1 if any target crashed,
# leaked, timed out (an input over 10 s) or ran out of memory (over 2048 MB);
# the reproducer is kept under build-fuzz/crashes/<target>/.
#
#   tools/fuzz.sh            # every target, 60 s each
#   tools/fuzz.sh 600 teams  # one target for 10 minutes
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_PARALLEL (targets
# run at once, default 2), FUZZ_MAX_LEN (default 8192 bytes per input).
# The corpus a run grows is kept in build-fuzz/corpus/<target>/ (seeds:
# tests/fuzz/corpus/<target>/, read only), so later runs start from it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-60}
shift || true
parallel=${FUZZ_PARALLEL:-2}
max_len=${FUZZ_MAX_LEN:-8192}

all=(geojson regions departments categories rules teams components layers calendar manifest
     event_csv convert journal json grsnap)
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz: unknown target '$t' (targets: ${all[*]})" >&2; exit 2; }
done
if ! command -v clang++-14 >/dev/null; then
  echo "fuzz: clang++-14 not found; run tools/setup.sh (tools/apt-packages.txt lists it)" >&2
  exit 2
fi

# Build (ninja does nothing when up to date).
if [[ ! -f "$build/build.ninja" ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -G Ninja -DGRIDROUTE_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
ninja -C "$build" -j "${JOBS:-2}" fuzzers | grep -v '^\[' || true
test "${PIPESTATUS[0]}" -eq 0

logs="$build/logs"
mkdir -p "$logs"
run_one() {
  local t=$1
  local corpus="$build/corpus/$t" crashes="$build/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  local dict=()
  [[ -f "$root/tests/fuzz/dict/$t.dict" ]] && dict=(-dict="$root/tests/fuzz/dict/$t.dict")
  local rc=0 t0 len=$max_len
  # A compiled snapshot's seed (a 3-grid city) is ~10 KB.
  [[ $t == grsnap && $len -lt 16384 ]] && len=16384
  t0=$(date +%s)
  "$build/bin/fuzz_$t" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 \
    -timeout=10 -max_len="$len" -artifact_prefix="$crashes/" "${dict[@]}" \
    "$corpus" "$root/tests/fuzz/corpus/$t" >"$logs/$t.log" 2>&1 || rc=$?
  echo "$rc" >"$logs/$t.rc"
  echo $(($(date +%s) - t0)) >"$logs/$t.time"
}

touch "$logs/.start"
running=0
for t in "${targets[@]}"; do
  rm -f "$logs/$t.rc" "$logs/$t.time"
  run_one "$t" &
  running=$((running + 1))
  if ((running >= parallel)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

failed=0
printf '%-12s %8s %12s %8s %8s  %s\n' target seconds executions cov ft crashes
for t in "${targets[@]}"; do
  log="$logs/$t.log"
  rc=$(cat "$logs/$t.rc" 2>/dev/null || echo 1)
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  time=$(cat "$logs/$t.time" 2>/dev/null || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  found=$(find "$build/crashes/$t" -type f -newer "$logs/.start" 2>/dev/null || true)
  status=none
  if [[ "$rc" != 0 ]]; then
    failed=1
    # Our own invariant message, else UBSan's, else the sanitizer's summary.
    reason=$(grep -m1 -oE '^fuzz: .*' "$log" || grep -m1 -oE 'runtime error: .*' "$log" ||
             grep -m1 -oE 'SUMMARY: .*' "$log" || echo "see the log")
    status="exit $rc: ${reason:0:160}"
    [[ -n "$found" ]] && status="$status; reproducer: $(echo "$found" | head -1)"
  fi
  printf '%-12s %8s %12s %8s %8s  %s\n' "$t" "$time" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$status"
done
echo "logs: $logs/<target>.log; grown corpus: $build/corpus/<target>/"
if ((failed)); then
  echo "fuzz: a target failed; reproduce with $build/bin/fuzz_<target> <reproducer> (docs/FUZZING.md)" >&2
  exit 1
fi
