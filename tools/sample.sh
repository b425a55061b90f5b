#!/usr/bin/env bash
# README command 1: install what is missing, build, generate the built-in
# sample city (2,000 grids around Suzhou, seed 1) into data/sample-city/, and
# answer real queries against it; ends with the console's URL.
#   tools/sample.sh            the tour, then stops the server
#   tools/sample.sh --serve    the tour, then keeps the server (and its console
#                              at http://127.0.0.1:18080/) up until Ctrl-C
set -euo pipefail
serve=0
[[ ${1:-} == --serve ]] && serve=1
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
echo "== building (Release) into build/ ..."
"$root/tools/build.sh"
bin="$root/build/bin"
data="$root/data"
city="$data/sample-city"
if [[ ! -f "$city/manifest.json" ]]; then
  echo "== generating the sample city into data/sample-city/ ..."
  "$bin/gridroute-gen" --grids 2000 --seed 1 --out "$city" --points 100000 --events 100000
fi
show() { column -s, -t | cut -c1-220; }

echo
echo "== locate: the first points of data/sample-city/points.csv (some fall outside the city; --snap-m 50 snaps those within 50 m)"
head -6 "$city/points.csv" > "$data/sample-points.csv"
"$bin/gridroute" locate --pack "$city" --in "$data/sample-points.csv" --out - --snap-m 50 | show

echo
echo "== route: the first hotline reports of data/sample-city/events.csv"
head -9 "$city/events.csv" > "$data/sample-events.csv"
"$bin/gridroute" route --pack "$city" --in "$data/sample-events.csv" --out - --quiet |
  cut -d, -f1,6,10,16-19,26-27 | show

echo
echo "== route: all $(($(wc -l < "$city/events.csv") - 1)) events of events.csv (summary; rows in data/sample-decisions.csv)"
"$bin/gridroute" route --pack "$city" --in "$city/events.csv" --out "$data/sample-decisions.csv" --quiet

echo
echo "== the gRPC service: gridroute-server on the sample city (127.0.0.1:${GRIDROUTE_PORT:-19090})"
addr="127.0.0.1:${GRIDROUTE_PORT:-19090}"
srv_out=$(mktemp)
# Cases on: every routed report is filed (or folded) in a journal under data/.
rm -rf "$data/sample-journal"
http_addr="127.0.0.1:${GRIDROUTE_HTTP_PORT:-18080}"
: > "$srv_out"  # not an earlier run's "serving" (the child truncates late)
"$bin/gridroute-server" --pack "$city" --listen "$addr" --http-listen "$http_addr" \
  --journal-dir "$data/sample-journal" > "$srv_out" 2> "$data/sample-server.log" &
srv_pid=$!
trap 'kill -TERM $srv_pid 2>/dev/null || true; rm -f "$srv_out"' EXIT
for _ in $(seq 300); do  # bounded: up to 30 s for the "serving" line
  grep -q serving "$srv_out" && break
  kill -0 $srv_pid 2>/dev/null || { cat "$data/sample-server.log"; exit 1; }
  sleep 0.1
done
grep serving "$srv_out"
"$bin/gridroute" info --server "$addr"

# A hotline report: the first wgs84 event of events.csv.
IFS=, read -r _ lon lat _ _ cat _ at _ < <(awk -F, 'NR>1 && $4=="wgs84" && $5=="event" {print; exit}' "$city/events.csv")
echo
echo "-- gridroute route --server: a 12345 hotline report ($cat at $lon,$lat)"
"$bin/gridroute" route --server "$addr" --lon "$lon" --lat "$lat" --category "$cat" --reported-at "$at"

# A component report: the first component of components.csv, named by code.
IFS=, read -r ccode ccat _ < <(sed -n 2p "$city/components.csv")
echo
echo "-- the same problem reported again a minute later, 3 m away: it folds into the same case (并单)"
at2=$(date -d "$at +1 minute" --iso-8601=seconds)
"$bin/gridroute" route --server "$addr" --lon "$(awk -v x="$lon" 'BEGIN{printf "%.7f", x+0.00003}')" \
  --lat "$lat" --category "$cat" --reported-at "$at2" | grep -E "case|lead"
case_id=$("$bin/gridroute" cases --server "$addr" 2>/dev/null | awk 'NR==2 {print $1}')

echo
echo "-- gridroute route --server: a component report (component $ccode)"
"$bin/gridroute" route --server "$addr" --category-type component --category "$ccat" \
  --component-code "$ccode" --no-point --reported-at "2026-03-04T10:00:00+08:00"

echo
echo "-- gridroute route --server: a point outside coverage (Shanghai's Pudong airport)"
"$bin/gridroute" route --server "$addr" --lon 121.8053 --lat 31.1434 --category "$cat" --reported-at "$at"

echo
echo "-- gridroute stream --server: 12 camera detections in batches of 5"
awk -F, 'NR==1 {print "correlation_id,camera_id,frame_time,class,category_type,lon,lat,crs"; next}
         $5=="event" && n<12 {n++; printf "det-%02d,cam-%02d,%s,%s,%s,%s,%s,%s\n", n, n%3, $8, $6, $5, $2, $3, $4}' \
  "$city/events.csv" > "$data/sample-detections.csv"
"$bin/gridroute" stream --server "$addr" --in "$data/sample-detections.csv" --batch 5

echo
echo "-- the case's lifecycle: dispatch, accept, handle, verify, close; then the statistics"
for st in dispatched accepted handled verified closed; do
  "$bin/gridroute" case-update --server "$addr" --id "$case_id" --state "$st" --actor sample \
    --at "$(date -d "$at +2 hours" --iso-8601=seconds)" > /dev/null
done
"$bin/gridroute" case --server "$addr" --id "$case_id"
"$bin/gridroute" case-stats --server "$addr" --group-by district

console="http://$http_addr/"
if [[ $serve -eq 1 ]]; then
  echo
  echo "== the console: open $console (auth is off on loopback: no token needed)"
  echo "   grids by street/community, click to route, live feed, cases, stats. Ctrl-C stops the server."
  trap 'kill -TERM $srv_pid 2>/dev/null || true; wait $srv_pid 2>/dev/null; rm -f "$srv_out"' EXIT INT TERM
  wait $srv_pid
  exit 0
fi
echo
echo "== stopping the server (SIGTERM drains calls in flight)"
kill -TERM $srv_pid
wait $srv_pid && echo "gridroute-server exited 0"
trap - EXIT
rm -f "$srv_out"
echo
echo "== the console: tools/sample.sh --serve keeps the server up; then open $console"
