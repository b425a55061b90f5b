#!/usr/bin/env bash
# One command for the whole benchmark report (bench/README.md):
#   bench/run.sh
# installs missing packages (tools/setup.sh), builds (tools/build.sh),
# generates the datasets, runs gridroute_bench (5 repetitions, medians) and
# gridroute-pgbench at each size, and writes bench/results/latest.json,
# bench/results/latest.md (the table) and bench/results/locate.png.
#
# Environment:
#   BUILD_DIR              build directory (default <repo>/build)
#   GRIDROUTE_BENCH_SIZES  grid counts (default 2000,200000,2000000)
#   GRIDROUTE_BENCH_DATA   dataset cache (default $BUILD_DIR/bench-data)
#   REPETITIONS            Google Benchmark repetitions (default 5)
#   PG_POINTS              points per PostGIS run (default 100000)
#   SKIP_BUILD=1, SKIP_PG=1  skip the build / the PostGIS peer
#   BENCH_PEERS            peers to gate and time, e.g. BoostRtree (default
#                          all; at 10M grids GEOS and S2 need tens of GB)
# Raw outputs (benchmark JSON, logs) stay in $BUILD_DIR/bench-results.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
sizes=${GRIDROUTE_BENCH_SIZES:-2000,200000,2000000}
reps=${REPETITIONS:-5}
pg_points=${PG_POINTS:-100000}
export GRIDROUTE_BENCH_DATA=${GRIDROUTE_BENCH_DATA:-$build/bench-data}
raw=$build/bench-results
results=$root/bench/results
mkdir -p "$raw" "$results"

"$root/tools/setup.sh"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  BUILD_DIR="$build" "$root/tools/build.sh"
fi

echo "== datasets ($sizes) in $GRIDROUTE_BENCH_DATA"
"$build/bin/gridroute_bench" --bench_sizes="$sizes" --bench_prepare_only

echo "== gridroute_bench ($reps repetitions, medians)"
rm -f "$raw"/pgbench-*.json
peers=()
[[ -n ${BENCH_PEERS:-} ]] && peers=(--bench_peers="$BENCH_PEERS")
"$build/bin/gridroute_bench" --bench_sizes="$sizes" "${peers[@]}" \
  --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
  --benchmark_out="$raw/gridroute_bench.json" --benchmark_out_format=json \
  2>&1 | tee "$raw/gridroute_bench.txt"
test "${PIPESTATUS[0]}" -eq 0

if [[ ${SKIP_PG:-0} != 1 ]]; then
  for n in ${sizes//,/ }; do
    echo "== gridroute-pgbench $n grids"
    "$build/bin/gridroute-pgbench" --pack "$GRIDROUTE_BENCH_DATA/$n" --points "$pg_points" \
      --batch 1000 --clients 1,2 --json "$raw/pgbench-$n.json" 2>&1 | tee "$raw/pgbench-$n.txt"
    test "${PIPESTATUS[0]}" -eq 0
  done
fi

echo "== report"
/usr/bin/python3 "$root/bench/report.py" --bench "$raw/gridroute_bench.json" \
  --pg "$raw"/pgbench-*.json --out "$results" --plot-data "$raw/locate.dat"
gnuplot -e "datafile='$raw/locate.dat'; outfile='$results/locate.png'" "$root/bench/locate.gp"
echo "wrote $results/latest.md, $results/latest.json, $results/locate.png"
