#!/usr/bin/env bash
# The service benchmark matrix in one run (bench/README.md, "Service"):
#   bench/service.sh [GRIDS]            # default 200000 grids, ~2.5 min + city/build
#   QUICK=1 bench/service.sh            # ~2 s cases
#   SKIP_BUILD=1 BUILD_DIR=/tmp/b bench/service.sh 2000
# gridroute-server runs pinned to one core (taskset -c $SERVER_CPU, --threads 1),
# every client pinned to another (taskset -c $CLIENT_CPU):
#   h2load Route vs h2load grpc.health.v1.Health/Check (same server);
#   gridroute-load unary closed loop, then open loop at half that rate;
#   gridroute-load RouteStream --view codes / full, cases off, then on
#     (server with --journal-dir on a temp dir): the events' own times, months
#     apart, so every detection files a new case (intake's worst case);
#   the CODES stream with cases on and --times-now (a live feed: a problem
#     detected again folds into its case), on a fresh journal;
#   in-process BM_Route_Gridroute / BM_Locate_Gridroute at the same size (the
#     median of 3 repetitions: the ratios' denominator moves by ~25 % between
#     single runs on these VMs).
# Writes bench/results/service.md and bench/results/service.json; raw outputs
# in $BUILD_DIR/bench-results/service/.
#
# Environment:
#   BUILD_DIR             build directory (default <repo>/build)
#   GRIDROUTE_SERVICE_GRIDS  grid count when no argument is given (200000)
#   GRIDROUTE_BENCH_DATA  dataset cache (default $BUILD_DIR/bench-data); the
#                         city is generated once into service-<GRIDS>/
#   QUICK=1               ~2 s per case instead of CASE_S (default 8)
#   CASE_S                seconds per case
#   ROUNDS                rounds of the h2load Route / Health / gridroute-load
#                         unary comparison, interleaved (default 3; QUICK 1);
#                         the report takes each case's best round (the machine
#                         may be shared: the best round is the least disturbed)
#   GRIDROUTE_PORT        server port (default 19781, loopback)
#   SERVER_CPU, CLIENT_CPU  cores (default 0 and 1)
#   SKIP_BUILD=1, SKIP_INPROC=1  skip the build / the in-process benchmarks
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
bin=$build/bin
grids=${1:-${GRIDROUTE_SERVICE_GRIDS:-200000}}
quick=${QUICK:-0}
if [[ $quick == 1 ]]; then secs=${CASE_S:-2}; rounds=${ROUNDS:-1}; else secs=${CASE_S:-8}; rounds=${ROUNDS:-3}; fi
export GRIDROUTE_BENCH_DATA=${GRIDROUTE_BENCH_DATA:-$build/bench-data}
city=$GRIDROUTE_BENCH_DATA/service-$grids
port=${GRIDROUTE_PORT:-19781}
addr=127.0.0.1:$port
server_cpu=${SERVER_CPU:-0}
client_cpu=${CLIENT_CPU:-1}
raw=$build/bench-results/service
results=$root/bench/results
work=$(mktemp -d)
srv_pid=
cleanup() {
  if [[ -n $srv_pid ]]; then kill -TERM "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
rm -rf "$raw"
mkdir -p "$raw" "$results"

"$root/tools/setup.sh"
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  BUILD_DIR="$build" "$root/tools/build.sh"
fi

ensure_city() {
  [[ -f $city/.complete ]] && return 0
  echo "== generating the $grids-grid city (seed 1) into $city"
  local tmp=$city.tmp-$$
  rm -rf "$tmp"
  "$bin/gridroute-gen" --grids "$grids" --seed 1 --out "$tmp" --points 100000 --events 100000 > /dev/null
  echo "gridroute-gen grids=$grids seed=1 points=100000 events=100000" > "$tmp/.complete"
  rm -rf "$city"
  mv "$tmp" "$city"
}

start_server() {  # start_server <label> [server flags...]
  local label=$1
  shift
  : > "$raw/server-$label.out"  # not an earlier run's "serving" (the child truncates late)
  taskset -c "$server_cpu" "$bin/gridroute-server" --pack "$city" --listen "$addr" --threads 1 "$@" \
    > "$raw/server-$label.out" 2> "$raw/server-$label.err" &
  srv_pid=$!
  for _ in $(seq 1 1200); do  # <= 120 s: loading a large pack takes a while
    grep -q serving "$raw/server-$label.out" 2>/dev/null && return 0
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "service.sh: gridroute-server ($label) did not start; is port $port free?" >&2
  tail -5 "$raw/server-$label.err" >&2
  exit 1
}

stop_server() {
  kill -TERM "$srv_pid"
  wait "$srv_pid" || true
  srv_pid=
}

client() { taskset -c "$client_cpu" "$@"; }

h2load_case() {  # h2load_case <name> <body file> <path>
  echo "== h2load $1 (${secs}s)"
  client h2load -c 4 -m 16 -D "$secs" --warm-up-time=1 --data "$2" \
    -H 'content-type: application/grpc' -H 'te: trailers' "http://$addr$3" > "$raw/h2load-$1.txt"
  grep -E '^(finished|requests:)' "$raw/h2load-$1.txt"
}

# nghttp shows the trailers h2load ignores: the payload must answer grpc-status 0.
check_grpc_status() {  # check_grpc_status <body file> <path>
  if ! nghttp -v -H ':method: POST' -H 'content-type: application/grpc' -H 'te: trailers' \
       -d "$1" "http://$addr$2" 2>&1 | grep -q 'grpc-status: 0'; then
    echo "service.sh: $2 with $1 does not answer grpc-status 0:" >&2
    nghttp -v -H ':method: POST' -H 'content-type: application/grpc' -H 'te: trailers' \
      -d "$1" "http://$addr$2" 2>&1 | grep -E 'grpc-(status|message)' >&2 || true
    exit 1
  fi
}

load_case() {  # load_case <name> [gridroute-load flags...] (default workload: the events)
  local name=$1
  shift
  local workload=(--events "$city/events.csv")
  [[ " $* " == *" --request-file "* ]] && workload=()
  echo "== gridroute-load $name (${secs}s)"
  client "$bin/gridroute-load" --server "$addr" "${workload[@]}" --progress=false \
    --json --duration-s "$secs" "$@" > "$raw/load-$name.json" 2> "$raw/load-$name.err" || {
    echo "service.sh: gridroute-load $name failed:" >&2
    cat "$raw/load-$name.err" >&2
    exit 1
  }
  /usr/bin/python3 -c "
import json, sys; d = json.load(open(sys.argv[1])); l = d['latency_us']
print('   %.0f req/s  %.0f items/s  p50 %.3f ms  p99 %.3f ms  %.0f B/decision' % (d['requests_per_s'],
      d.get('items_per_s', 0), l['p50'] / 1e3, l['p99'] / 1e3, d.get('response_bytes_per_decision', 0)))" \
    "$raw/load-$name.json"
}

half_best_rate() {  # half_best_rate <load json>... -> half the best requests_per_s
  /usr/bin/python3 -c "import json, sys; print(round(max(json.load(open(p))['requests_per_s'] for p in sys.argv[1:]) / 2))" "$@"
}

run_unary_cases() {
  client "$bin/gridroute-load" --server "$addr" --events "$city/events.csv" \
    --write-request "$work/route.bin" 2> "$raw/write-request.err"
  printf '\0\0\0\0\0' > "$work/health.bin"  # an empty HealthCheckRequest
  check_grpc_status "$work/route.bin" /gridroute.v1.RoutingService/Route
  check_grpc_status "$work/health.bin" /grpc.health.v1.Health/Check
  # Interleaved rounds: a disturbance on a shared machine hits all three alike.
  # unary-same sends h2load's request (same bytes, same server work, same 64
  # in flight over 4 connections) for the ratio; unary-closed / unary-open
  # cycle through the city's events (the realistic workload: every call a
  # different point, so the server's caches help less).
  for r in $(seq "$rounds"); do
    h2load_case "route-r$r" "$work/route.bin" /gridroute.v1.RoutingService/Route
    h2load_case "health-r$r" "$work/health.bin" /grpc.health.v1.Health/Check
    load_case "unary-same-r$r" --request-file "$work/route.bin" --concurrency 64 --channels 4
  done
  load_case unary-closed --concurrency 64
  load_case unary-open --rate "$(half_best_rate "$raw/load-unary-closed.json")"
}

run_stream_cases() {  # run_stream_cases <cases off|on>
  for view in codes full; do
    load_case "stream-$view-cases-$1" --mode stream --batch 256 --streams 4 --view "$view"
  done
}

run_inproc() {
  [[ ${SKIP_INPROC:-0} == 1 ]] && return 0
  echo "== gridroute_bench BM_Route_Gridroute / BM_Locate_Gridroute at $grids grids"
  [[ $quick == 1 ]] && export GRIDROUTE_BENCH_POINTS=${GRIDROUTE_BENCH_POINTS:-200000}
  taskset -c "$server_cpu" "$bin/gridroute_bench" --bench_sizes="$grids" \
    --benchmark_filter='^BM_(Route|Locate)_Gridroute/[0-9]+/real_time/threads:1$' \
    --benchmark_min_time="$(( (secs + 2) / 3 ))" --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true --benchmark_out="$raw/gridroute_bench.json" \
    --benchmark_out_format=json > "$raw/gridroute_bench.txt" 2>&1 || {
    tail -20 "$raw/gridroute_bench.txt" >&2
    exit 1
  }
  grep -E '^BM_' "$raw/gridroute_bench.txt"
}

ensure_city
cat /proc/loadavg > "$raw/loadavg-start"
start_server cases-off
run_unary_cases
run_stream_cases off
stop_server
mkdir -p "$work/journal"
start_server cases-on --journal-dir "$work/journal"
run_stream_cases on
stop_server
mkdir -p "$work/journal-live"
start_server cases-on-live --journal-dir "$work/journal-live"
load_case stream-codes-cases-on-live --mode stream --batch 256 --streams 4 --view codes --times-now
stop_server
run_inproc
cat /proc/loadavg > "$raw/loadavg-end"

/usr/bin/python3 "$root/bench/service_report.py" --raw "$raw" --grids "$grids" --case-s "$secs" \
  --out "$results"
echo "wrote $results/service.md, $results/service.json"
