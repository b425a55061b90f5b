#!/usr/bin/env bash
# Server CPU per streamed detection, binary A against binary B, interleaved
# (the machine is shared: wall-clock rates move with the other load, the
# server's own CPU time per detection much less).
#   bench/stream_cpu.sh BIN_A BIN_B [VIEW] [ROUNDS] [PACK]
# BIN_A/BIN_B: directories holding gridroute-server and gridroute-load (e.g.
# a copy of main's build/bin and this tree's). VIEW codes (default) or full;
# ROUNDS alternating A/B rounds (default 3); PACK defaults to
# $BUILD_DIR/bench-data/200000. Per run: the server on core 0 (--threads 1),
# gridroute-load on core 1 sending batches of 1000 detections of the pack's
# events.csv on 2 streams for 8 s; the server's utime+stime from /proc
# between the client's 1 s and 7 s progress lines, divided by the
# detections answered in between. Prints one line per run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
a=$1; b=$2; view=${3:-codes}; rounds=${4:-3}; pack=${5:-$build/bench-data/200000}
port=${GRIDROUTE_PORT:-19778}
work=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$work"' EXIT
hz=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
run() {  # run LABEL BINDIR
  local label=$1 bin=$2 err=$work/$1.err
  taskset -c 0 "$bin/gridroute-server" --pack "$pack" --listen "127.0.0.1:$port" --threads 1 \
    --insecure-no-auth > "$work/$label.server" 2>&1 &
  spid=$!
  until grep -q "connections: at most" "$work/$label.server" 2>/dev/null; do
    kill -0 "$spid" 2>/dev/null || { cat "$work/$label.server"; exit 1; }
    sleep 0.2
  done
  taskset -c 1 "$bin/gridroute-load" --server "127.0.0.1:$port" --events "$pack/events.csv" \
    --mode stream --batch 1000 --concurrency 2 --duration-s 8 --view "$view" > /dev/null 2> "$err" &
  local cpid=$!
  local s1 s2 d1 d2
  until grep -q '^\[ *1\.[0-9]s\]' "$err" 2>/dev/null; do sleep 0.01; done
  s1=$(cpu "$spid"); d1=$(grep '^\[ *1\.[0-9]s\]' "$err" | awk '{print $3}')
  until grep -q '^\[ *7\.[0-9]s\]' "$err" 2>/dev/null; do sleep 0.01; done
  s2=$(cpu "$spid"); d2=$(grep '^\[ *7\.[0-9]s\]' "$err" | awk '{print $3}')
  wait "$cpid"
  kill "$spid"; wait "$spid" 2>/dev/null || true; spid=
  awk -v l="$label" -v v="$view" -v s="$((s2 - s1))" -v d="$(((d2 - d1) * 1000))" -v hz="$hz" \
    'BEGIN { printf "%s %s: %.3f us server CPU per detection (%d detections)\n", l, v, 1e6 * s / hz / d, d }'
}
for r in $(seq "$rounds"); do
  run "A$r" "$a"
  run "B$r" "$b"
done
