#!/usr/bin/env bash
# ctest tools_load_smoke_test: gridroute-load against a real gridroute-server
# on a 2,000-grid city generated here. Bounded by --requests; checks the JSON
# (zero errors, counts add up, percentiles ordered), never speed.
#   load_test.sh <bin dir>
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
srv_pid=
cleanup() {
  if [[ -n $srv_pid ]]; then kill -TERM "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
"$bin/gridroute-gen" --grids 2000 --seed 1 --out "$tmp/city" --points 2000 --events 2000 > /dev/null

# A port below 32768 (outside the ephemeral range); retry on a collision.
for attempt in 1 2 3 4 5; do
  port=$((20000 + (RANDOM % 10000)))
  "$bin/gridroute-server" --pack "$tmp/city" --listen "127.0.0.1:$port" --threads 1 \
    > "$tmp/server.out" 2> "$tmp/server.err" &
  srv_pid=$!
  for _ in $(seq 1 300); do  # <= 30 s: the server prints "serving" when ready
    grep -q serving "$tmp/server.out" 2>/dev/null && break
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q serving "$tmp/server.out" && break
  wait "$srv_pid" 2>/dev/null || true
  srv_pid=
done
[[ -n $srv_pid ]] || { echo "server did not start"; cat "$tmp/server.err"; exit 1; }
addr="127.0.0.1:$port"

check() {  # check <name> <json file> <expected requests> <stream 0/1>
  /usr/bin/python3 - "$@" <<'PY'
import json, sys
name, path, want, stream = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
r = json.load(open(path))
def need(cond, what):
    if not cond:
        sys.exit(f"{name}: {what}: {json.dumps(r)}")
need(r["errors"] == 0 and r["errors_by_code"] == {}, "errors")
if want < 0:  # bounded by time: any positive count
    want = r["requests"]
    need(want > 0, "no requests")
need(r["requests"] == want and r["ok"] == want, f"requests != {want}")
lat = r["latency_us"]
need(lat["count"] == want, "latency count")
need(0 < lat["min"] <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99_9"] <= lat["max"], "percentiles ordered")
need(r["requests_per_s"] > 0 and r["seconds"] > 0, "rates")
if stream:
    need(r["items"] == want * r["batch"] and r["item_errors"] == 0, "items")
    need(r["outcomes"]["routed"] + r["outcomes"]["outside_coverage"] == r["items"], "outcomes")
else:
    need(r["outcomes"]["routed"] + r["outcomes"]["outside_coverage"] == want, "outcomes")
print(f"{name}: ok ({r['requests']} requests, p50 {lat['p50']} us)")
PY
}

load=("$bin/gridroute-load" --server "$addr" --progress=false --json)
"${load[@]}" --events "$tmp/city/events.csv" --requests 500 --concurrency 8 > "$tmp/closed.json"
check unary-closed "$tmp/closed.json" 500 0
"${load[@]}" --points "$tmp/city/points.csv" --requests 200 --rate 400 > "$tmp/open.json"
check unary-open "$tmp/open.json" 200 0
"${load[@]}" --events "$tmp/city/events.csv" --mode stream --batch 64 --concurrency 2 \
  --requests 40 > "$tmp/stream.json"
check stream-closed "$tmp/stream.json" 40 1
"${load[@]}" --events "$tmp/city/events.csv" --mode stream --batch 32 --concurrency 2 \
  --rate 200 --requests 30 > "$tmp/stream_open.json"
check stream-open "$tmp/stream_open.json" 30 1
# Bounded by time instead of count.
"${load[@]}" --points "$tmp/city/points.csv" --duration-s 1 --concurrency 4 > "$tmp/timed.json"
check unary-timed "$tmp/timed.json" -1 0
# Rows the server rejects, sent anyway: counted by status code, exit status 1.
if "${load[@]}" --events "$tmp/city/events.csv" --drop-rejected=false --requests 2000 \
     --concurrency 8 > "$tmp/rejected.json" 2> /dev/null; then
  echo "errors not reflected in the exit status"; exit 1
fi
/usr/bin/python3 - "$tmp/rejected.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
codes = r["errors_by_code"]
if not (r["errors"] > 0 and set(codes) <= {"INVALID_ARGUMENT", "NOT_FOUND"}
        and sum(codes.values()) == r["errors"] and r["ok"] + r["errors"] == r["requests"] == 2000):
    sys.exit(f"rejected rows: {json.dumps(r)}")
print(f"rejected-rows: ok ({codes})")
PY
# The async clients count exactly over several channels (unary), and with
# several streams and completion-queue threads (stream); --view is reported (the server may still answer FULL for CODES).
"${load[@]}" --events "$tmp/city/events.csv" --requests 777 --concurrency 5 --channels 3 \
  --view codes > "$tmp/multi.json"
check unary-multi-channel "$tmp/multi.json" 777 0
"${load[@]}" --points "$tmp/city/points.csv" --requests 301 --rate 600 --channels 2 \
  > "$tmp/multi_open.json"
check unary-open-multi-channel "$tmp/multi_open.json" 301 0
"${load[@]}" --events "$tmp/city/events.csv" --mode stream --batch 16 --streams 3 --window 3 \
  --channels 2 --client-threads 2 --requests 41 --view codes > "$tmp/multi_stream.json"
check stream-multi "$tmp/multi_stream.json" 41 1
/usr/bin/python3 - "$tmp/multi.json" "$tmp/multi_stream.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    r = json.load(open(path))
    if r["view"] != "codes" or not r["response_bytes_per_decision"] > 0 or r["channels"] < 2:
        sys.exit(f"view/bytes/channels: {json.dumps(r)}")
print("view-reported: ok")
PY
# A bad --view is a usage error (exit 2) naming the accepted values.
set +e
"${load[@]}" --events "$tmp/city/events.csv" --requests 1 --view names 2> "$tmp/view.err"
rc=$?
set -e
[[ $rc == 2 ]] && grep -q "codes or full" "$tmp/view.err" || { echo "bad --view: rc $rc"; cat "$tmp/view.err"; exit 1; }
# --write-request: a gRPC-framed RouteRequest (h2load --data), length prefix right.
"$bin/gridroute-load" --server "$addr" --events "$tmp/city/events.csv" \
  --write-request "$tmp/route.bin" 2> /dev/null
/usr/bin/python3 - "$tmp/route.bin" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
if len(b) < 6 or b[0] != 0 or struct.unpack(">I", b[1:5])[0] != len(b) - 5:
    sys.exit(f"--write-request: bad frame {b[:8]!r} ({len(b)} bytes)")
print(f"write-request: ok ({len(b)} bytes)")
PY
# --request-file sends exactly those bytes (what h2load posts), counted exactly.
"${load[@]}" --request-file "$tmp/route.bin" --requests 123 --concurrency 4 > "$tmp/file.json"
check request-file "$tmp/file.json" 123 0
# The flags of the old driver (--points) still mean what they meant.
"$bin/gridroute-load" --server "$addr" --points "$tmp/city/points.csv" --requests 50 \
  --progress=false --json > "$tmp/points.json"
check points-flag "$tmp/points.json" 50 0
# Refuses a non-loopback target with a clear message, before connecting.
if "$bin/gridroute-load" --server 10.1.2.3:9090 --points "$tmp/city/points.csv" 2> "$tmp/refuse.err"; then
  echo "non-loopback target accepted"; exit 1
fi
grep -q "only targets loopback" "$tmp/refuse.err" || { cat "$tmp/refuse.err"; exit 1; }
echo "load smoke test passed"
