#!/bin/sh
# Cache lines touched per located point, simulated by callgrind (this VM has no
# hardware counters: `perf stat -e cache-misses` says <not supported>).
#
#   bench/cache_misses.sh [build dir] [grid counts] [points]
#   bench/cache_misses.sh build "2000 200000 2000000" 100000
#
# Simulated caches: D1 = the host's (48 KB), LL = 2 MB, 16-way (this VM's L2
# per core; its L3 is slow, see engine/index/CELL_LOCATOR.md). Prints, per
# point, for Locate (single) and LocateBatch (256 a call): instructions, D1
# misses (read + write) and LL misses (read + write). Packs are cached under
# $GRIDROUTE_BENCH_DATA like gridroute_bench's. Needs valgrind (tools/apt-packages.txt).
set -eu
build=${1:-build}
sizes=${2:-"2000 200000 2000000"}
points=${3:-100000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-9s %-6s %8s %8s %8s\n' grids call instr D1miss LLmiss
for n in $sizes; do
  valgrind --tool=callgrind --instr-atstart=no --simulate-cache=yes \
    --LL=2097152,16,64 --callgrind-out-file="$out/cg.$n" \
    "$build/bin/gridroute_cache_sim" "$n" "$points" >"$out/log.$n" 2>&1 ||
    { cat "$out/log.$n"; exit 1; }
  callgrind_annotate --inclusive=yes "$out/cg.$n" 2>/dev/null |
    awk -v n="$n" -v pts="$points" '
      # Columns: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw, each "count (pct)".
      /RunSingle|RunBatch/ {
        gsub(/\([^)]*\)/, ""); gsub(/,/, "");
        call = ($0 ~ /RunSingle/) ? "single" : "batch";
        p = int(pts / 256) * 256;
        printf "%-9s %-6s %8.0f %8.2f %8.2f\n", n, call, $1 / p, ($5 + $6) / p, ($8 + $9) / p
      }'
done
