#!/usr/bin/env bash
# Copyright 2026 gridroute authors.
#
# ctest http_prometheus_scrape_test: the start-up refusal of a non-loopback
# --http-listen without tokens, then Debian's real Prometheus scrapes
# gridroute-server's /metrics, and its HTTP API (/api/v1/query) returns the
# gridroute_ series: calls by transport (gRPC's and HTTP's), the latency
# histogram's buckets, items, the snapshot and cases gauges, and up == 1
# (the page parsed). Skips (exit 77) when the prometheus binary is missing
# (tools/setup.sh installs it). Polls with a generous hang guard; no timing
# is asserted.
#   prometheus_scrape_test.sh <bin dir>
set -euo pipefail
bin=$1
# First (also without prometheus): a non-loopback --http-listen without
# --auth-tokens is refused at start, as a non-loopback --listen is.
gen=$(mktemp -d)
"$bin/gridroute-gen" --grids 50 --seed 1 --out "$gen/city" --points 10 --events 10 > /dev/null
rc=0
timeout 60 "$bin/gridroute-server" --pack "$gen/city" --listen 127.0.0.1:0 \
  --http-listen 0.0.0.0:0 > "$gen/out" 2> "$gen/err" || rc=$?
if [[ $rc -eq 0 || $rc -eq 124 ]] || ! grep -q "refusing to listen on 0.0.0.0:0 without --auth-tokens" "$gen/err"; then
  echo "FAIL: a non-loopback --http-listen without tokens was not refused (exit $rc)" >&2
  cat "$gen/err" >&2
  rm -rf "$gen"
  exit 1
fi
rm -rf "$gen"
echo "ok: --http-listen 0.0.0.0 without --auth-tokens refused (exit $rc)"
if ! command -v prometheus > /dev/null; then
  echo "SKIP: prometheus is not installed (tools/apt-packages.txt lists it; run tools/setup.sh)"
  exit 77
fi
tmp=$(mktemp -d)
srv_pid=
prom_pid=
cleanup() {
  for p in $prom_pid $srv_pid; do kill -TERM "$p" 2> /dev/null || true; wait "$p" 2> /dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  [[ -f $tmp/prom.log ]] && tail -20 "$tmp/prom.log" >&2
  exit 1
}

"$bin/gridroute-gen" --grids 50 --seed 1 --out "$tmp/city" --points 10 --events 10 > /dev/null
"$bin/gridroute-server" --pack "$tmp/city" --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 \
  --journal-dir "$tmp/journal" > "$tmp/server.out" 2> "$tmp/server.err" &
srv_pid=$!
for _ in $(seq 600); do grep -q serving "$tmp/server.out" && break; sleep 0.1; done
http_port=$(sed -n 's/.*HTTP on .* (port \([0-9]*\)).*/\1/p' "$tmp/server.out")
[[ -n $http_port ]] || { cat "$tmp/server.err" >&2; fail "the server did not start with HTTP"; }
echo "ok: server HTTP on port $http_port"

# A few calls over HTTP (one refused) so that the counters are not empty.
point=$(sed -n '2p' "$tmp/city/events.csv" | cut -d, -f2,3)
lon=${point%,*}
lat=${point#*,}
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for _ in 1 2 3; do
  curl -sf -X POST "http://127.0.0.1:$http_port/v1/route" \
    -d "{\"point\":{\"x\":$lon,\"y\":$lat},\"category\":\"0102\",\"reportedAt\":\"$now\"}" > /dev/null || fail "/v1/route"
done
curl -s -X POST "http://127.0.0.1:$http_port/v1/route" -d '{"nope":1}' > /dev/null
curl -sf "http://127.0.0.1:$http_port/v1/info" > /dev/null || fail "/v1/info"

cat > "$tmp/prometheus.yml" << EOF2
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: gridroute
    static_configs:
      - targets: ['127.0.0.1:$http_port']
EOF2
# A port below 32768 (the ephemeral range collides with load tests' sockets).
prom_port=
for try in $(seq 20); do
  port=$((21600 + (RANDOM % 300)))
  prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
    --web.listen-address="127.0.0.1:$port" > "$tmp/prom.log" 2>&1 &
  prom_pid=$!
  for _ in $(seq 300); do
    if grep -qs "Server is ready to receive web requests" "$tmp/prom.log"; then prom_port=$port; break; fi
    kill -0 "$prom_pid" 2> /dev/null || break
    sleep 0.1
  done
  [[ -n $prom_port ]] && break
  kill -TERM "$prom_pid" 2> /dev/null || true
  wait "$prom_pid" 2> /dev/null || true
  prom_pid=
done
[[ -n $prom_port ]] || fail "prometheus did not start"
echo "ok: prometheus on port $prom_port"

# query <promql> <text the answer must hold>: polls until it does (hang guard 120 s).
query() {
  local q=$1 want=$2 out
  for _ in $(seq 240); do
    out=$(curl -s -G "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$q" || true)
    if grep -qF -- "$want" <<< "$out"; then
      echo "ok: $q -> $(head -c 200 <<< "$out")"
      return 0
    fi
    sleep 0.5
  done
  fail "query '$q' never returned '$want'; last answer: $out"
}
query 'up{job="gridroute"}' '"value":[' 
query 'up{job="gridroute"} == 1' '"job":"gridroute"'
query 'gridroute_calls_total{transport="http",method="Route",code="OK"}' '"value":['
query 'gridroute_calls_total{transport="http",method="Route",code="INVALID_ARGUMENT"}' '"code":"INVALID_ARGUMENT"'
query 'gridroute_call_seconds_bucket{transport="http",method="Route",le="+Inf"}' '"le":"+Inf"'
query 'gridroute_items_total{outcome="routed"}' '"outcome":"routed"'
query 'gridroute_snapshot_grids' '"50"]'
query 'gridroute_cases{state="open"}' '"state":"open"'
query 'gridroute_process_resident_bytes > 0' '"__name__":"gridroute_process_resident_bytes"'
# The scrape itself is counted (method Metrics over HTTP).
query 'gridroute_calls_total{method="Metrics"}' '"method":"Metrics"'
echo "PASS"
