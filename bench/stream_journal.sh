#!/usr/bin/env bash
# RouteStream throughput with cases off, journal without fsync, and journal
# with one fdatasync per batch (issue 9), side by side on one pack, ROUNDS
# alternating rounds (the machine is shared: compare within a round).
#   bench/stream_journal.sh [PACK] [ROUNDS]
# PACK defaults to $BUILD_DIR/bench-data/200000 (bench/run.sh makes it). The
# server is pinned to one core (--threads 1); gridroute-load sends batches of
# 1000 detections from the pack's events.csv on 2 streams for 8 s per mode.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
bin=$build/bin
pack=${1:-$build/bench-data/200000}
rounds=${2:-2}
port=${GRIDROUTE_PORT:-19777}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in $(seq "$rounds"); do
  for mode in off nofsync fsync; do
    args=()
    [[ $mode != off ]] && args=(--journal-dir "$work/journal-$round-$mode")
    [[ $mode == nofsync ]] && args+=(--journal-fsync=false)
    : > "$work/out"  # not the previous round's "serving" (the child truncates late)
    "$bin/gridroute-server" --pack "$pack" --listen "127.0.0.1:$port" --threads 1 "${args[@]}" \
      > "$work/out" 2> "$work/err" &
    pid=$!
    for _ in $(seq 600); do grep -q serving "$work/out" && break; sleep 0.1; done
    "$bin/gridroute-load" --server "127.0.0.1:$port" --events "$pack/events.csv" --mode stream \
      --batch 1000 --streams 2 --duration-s 8 --drop_rejected --progress=false --json > "$work/r.json"
    kill -TERM $pid
    wait $pid
    /usr/bin/python3 -c "
import json; d = json.load(open('$work/r.json')); l = d['latency_us']
print('round $round %-8s %8.0f detections/s  batch p50 %6.1f ms  p99 %6.1f ms' % ('$mode', d['items_per_s'], l['p50'] / 1e3, l['p99'] / 1e3))"
  done
done
