#!/usr/bin/env bash
# Copyright 2026 gridroute authors.
#
# ctest tools_views_cli_test: the CLI's --view and directory against a real
# gridroute-server (cases off) on a 50-grid generated city.
#  - route --view codes prints codes only (no names) and --json holds
#    "codes", not "decision"; route/stream --view bogus exit 2 naming --view;
#  - stream --view codes prints the table and JSON lines with "codes";
#  - directory --all-pages with a small page size lists every region and
#    person once; --json prints one object per page; a page size over
#    20000 is the server's INVALID_ARGUMENT (exit 1).
#   views_cli_test.sh <bin dir>
set -euo pipefail
bin=$1
source "$(dirname "$0")/lib.sh"  # $tmp, fail, start_server, stop_server

"$bin/gridroute-gen" --grids 50 --seed 1 --out "$tmp/city" --points 10 --events 20 > /dev/null
start_server "$bin/gridroute-server" --pack "$tmp/city" --listen 127.0.0.1:0 --threads 1

# The first generated event (routed in the generated city).
IFS=, read -r _ lon lat crs ctype cat urgency at _ < <(sed -n 2p "$tmp/city/events.csv")
route() {
  "$bin/gridroute" route --server "$addr" --lon "$lon" --lat "$lat" --crs "$crs" \
    --category-type "$ctype" --category "$cat" --urgency "$urgency" --reported-at "$at" "$@"
}
full=$(route) || fail "route: $full"
codes=$(route --view codes) || fail "route --view codes: $codes"
grep -q "^  regions " <<< "$codes" || fail "codes view has no regions line: $codes"
grep -q "^  chain " <<< "$full" || fail "full view has no chain line: $full"
lead=$(echo "$full" | sed -n 's/^  lead *\([^ ]*\) .*/\1/p')
[[ -n $lead ]] || fail "no lead in: $full"
grep -q "^  lead *$lead\$" <<< "$codes" || fail "codes lead is not $lead: $codes"
name=$(echo "$full" | sed -n 's/^  team *[^ ]* [^ ]* \([^ ]*\) .*/\1/p' | head -1)
[[ -n $name ]] || fail "no team name in: $full"
! grep -qF "$name" <<< "$codes" || fail "codes view shows the name $name: $codes"
json=$(route --view codes --json) || fail "route --json: $json"
[[ $json == *'"codes":'* && $json != *'"decision":'* ]] || fail "route --view codes --json: $json"
echo "ok: route --view codes"

rc=0
route --view bogus > "$tmp/out" 2> "$tmp/err" || rc=$?
[[ $rc -eq 2 ]] || fail "route --view bogus: exit $rc, want 2"
grep -q -- "--view must be full or codes" "$tmp/err" || fail "route --view bogus: $(cat "$tmp/err")"

(echo "camera_id,frame_time,class,lon,lat,crs"
 tail -n +2 "$tmp/city/events.csv" | awk -F, '$5 == "event" {print "cam1,"$8","$6","$2","$3","$4}') \
  > "$tmp/det.csv"
n=$(($(wc -l < "$tmp/det.csv") - 1))
out=$("$bin/gridroute" stream --server "$addr" --in "$tmp/det.csv" --view codes 2> /dev/null) \
  || fail "stream --view codes: $out"
[[ $(echo "$out" | grep -c " routed$\| outside_coverage$") -eq $n ]] || fail "stream table: $out"
out=$("$bin/gridroute" stream --server "$addr" --in "$tmp/det.csv" --view codes --json 2> /dev/null)
[[ $(echo "$out" | grep -c '"codes":') -eq $n ]] || fail "stream --json: $out"
rc=0
"$bin/gridroute" stream --server "$addr" --in "$tmp/det.csv" --view CODES > /dev/null 2>&1 || rc=$?
[[ $rc -eq 2 ]] || fail "stream --view CODES: exit $rc, want 2"
echo "ok: stream --view codes ($n detections)"

regions=$(($(wc -l < "$tmp/city/regions.csv") - 1))
out=$("$bin/gridroute" directory --server "$addr" --page-size 7 --all-pages) || fail "directory: $out"
total=$(echo "$out" | sed -n 's/^directory of .*: \([0-9]*\) regions, \([0-9]*\) persons$/\1 \2/p')
read -r r p <<< "$total"
[[ $r -eq $regions ]] || fail "directory: $r regions, regions.csv has $regions"
[[ $(echo "$out" | grep -c '^region ') -eq $r ]] || fail "directory regions: $out"
[[ $(echo "$out" | grep -c '^person ') -eq $p ]] || fail "directory persons: $out"
[[ $(echo "$out" | grep '^person ' | sort -u | wc -l) -eq $p ]] || fail "directory: duplicate persons"
grep -q "^department $lead " <<< "$out" || fail "directory lacks department $lead"
pages=$("$bin/gridroute" directory --server "$addr" --page-size 7 --all-pages --json | wc -l)
[[ $pages -eq $(((r + p + 6) / 7)) ]] || fail "directory --json: $pages pages for $((r + p)) entries"
rc=0
"$bin/gridroute" directory --server "$addr" --page-size 30000 > /dev/null 2> "$tmp/err" || rc=$?
[[ $rc -eq 1 ]] && grep -q "INVALID_ARGUMENT: page_size" "$tmp/err" || fail "directory --page-size 30000: exit $rc: $(cat "$tmp/err")"
echo "ok: directory ($r regions, $p persons, $pages pages of 7)"
