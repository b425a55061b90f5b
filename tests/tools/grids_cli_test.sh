#!/usr/bin/env bash
# Copyright 2026 gridroute authors.
#
# ctest tools_grids_cli_test: `gridroute grids` (the console's map data,
# offline) on a generated city: every grid at grid level (the count the
# generator wrote), the communities at community level (their count in
# regions.csv), and bad flags refused naming the flag (exit 2).
#   grids_cli_test.sh <bin dir>
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin/gridroute-gen" --grids 300 --seed 2 --out "$tmp/city" --points 1 --events 1 > /dev/null
world=-180,-90,180,90
"$bin/gridroute" grids --pack "$tmp/city" --bbox "$world" --out "$tmp/grids.json" 2> "$tmp/err" \
  || fail "grids: $(cat "$tmp/err")"
grep -q "300 features of 300 matched" "$tmp/err" || fail "want 300 grids: $(cat "$tmp/err")"
/usr/bin/python3 - "$tmp/grids.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["type"] == "FeatureCollection" and d["level"] == "grid" and not d["truncated"], d.keys()
assert len(d["features"]) == 300
f = d["features"][0]
assert f["properties"]["community"] and f["properties"]["street_name"], f["properties"]
ring = f["geometry"]["coordinates"][0] if f["geometry"]["type"] == "Polygon" else f["geometry"]["coordinates"][0][0]
assert ring[0] == ring[-1] and 119 < ring[0][0] < 122 and 30 < ring[0][1] < 33, ring[:2]
PY
echo "ok: 300 grids"
communities=$(awk -F, 'NR > 1 && $3 == "community"' "$tmp/city/regions.csv" | wc -l)
"$bin/gridroute" grids --pack "$tmp/city" --bbox "$world" --level community --simplify 0.0001 \
  --out "$tmp/communities.json" 2> "$tmp/err" || fail "grids --level community: $(cat "$tmp/err")"
grep -q "$communities features of $communities matched" "$tmp/err" \
  || fail "want $communities communities: $(cat "$tmp/err")"
echo "ok: $communities communities"
rc=0
"$bin/gridroute" grids --pack "$tmp/city" --bbox 1,2,3 > /dev/null 2> "$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q "bbox" "$tmp/err" || fail "bad --bbox: rc $rc, $(cat "$tmp/err")"
rc=0
"$bin/gridroute" grids --pack "$tmp/city" --bbox "$world" --level planet > /dev/null 2> "$tmp/err" || rc=$?
[[ $rc -eq 2 ]] && grep -q "level" "$tmp/err" || fail "bad --level: rc $rc, $(cat "$tmp/err")"
echo "ok: bad flags refused"
echo "PASS"
