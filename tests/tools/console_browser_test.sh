#!/usr/bin/env bash
# Copyright 2026 gridroute authors.
#
# ctest console_browser_test: the console (tools/console) in headless Debian
# chromium, driven by puppeteer-core (tests/console/console_browser_test.mjs),
# against a real gridroute-server with auth, cases and the HTTP listener.
#  1. The page loads with a bearer token and draws the generated city.
#  2. A click inside a known grid shows that grid's code and lead department
#     in the decision panel; the oracle is the offline CLI (`gridroute route
#     --pack`) on the exact point the page clicked.
#  3. Five reports sent by another client appear in the live feed, and the
#     case list shows cases with the month-old one highlighted as overdue,
#     and the stats choropleth has streets.
#  4. A screenshot is saved (build dir: console_browser_test.png; the README's
#     docs/console.png is one of these).
# Skips (exit 77) only when chromium is missing (tools/setup.sh installs it)
# or the npm registry cannot be reached (no puppeteer-core to drive it).
# Needs node and npm: puppeteer-core is installed with `npm ci` from
# tests/console/package-lock.json into <build dir>/console-test-node.
#   console_browser_test.sh <bin dir> <build dir>
set -euo pipefail
bin=$1
build=$2
here=$(cd "$(dirname "$0")/../console" && pwd)
chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium ]]; then
  echo "SKIP: chromium is not installed (Debian package 'chromium'; tools/setup.sh installs it)"
  exit 77
fi
command -v node > /dev/null || { echo "FAIL: node is missing (tools/setup.sh installs nodejs and npm)" >&2; exit 1; }
tmp=$(mktemp -d)
srv_pid=
cleanup() {
  if [[ -n $srv_pid ]]; then kill -TERM "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# puppeteer-core, once per lock file.
mods=$build/console-test-node
lock_sum=$(sha256sum "$here/package-lock.json" | cut -c1-64)
if [[ ! -f $mods/.lock-sum || $(cat "$mods/.lock-sum") != "$lock_sum" ]]; then
  rm -rf "$mods"
  mkdir -p "$mods"
  cp "$here/package.json" "$here/package-lock.json" "$mods/"
  if ! (cd "$mods" && timeout 600 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error); then
    # Without the registry there is no driver to run the browser with: say so
    # and skip, as for a missing chromium; any other npm failure fails.
    if ! (cd "$mods" && timeout 60 npm ping --loglevel=error > /dev/null 2>&1); then
      echo "SKIP: the npm registry is unreachable, so puppeteer-core cannot be installed"
      exit 77
    fi
    fail "npm ci (puppeteer-core) in $mods"
  fi
  echo "$lock_sum" > "$mods/.lock-sum"
fi
cp "$here/console_browser_test.mjs" "$mods/"

"$bin/gridroute-gen" --grids 2000 --seed 3 --out "$tmp/city" --points 200 --events 10 > /dev/null
pack=$tmp/city
token=console-browser-test-token
{
  echo "token_sha256,principal,roles,departments"
  echo "$(printf '%s' "$token" | sha256sum | cut -c1-64),console,route personal cases-read,"
} > "$tmp/tokens.csv"

"$bin/gridroute-server" --pack "$pack" --listen 127.0.0.1:0 --http-listen 127.0.0.1:0 --threads 1 \
  --auth-tokens "$tmp/tokens.csv" --journal-dir "$tmp/journal" --journal-fsync=false \
  > "$tmp/server.out" 2> "$tmp/server.err" &
srv_pid=$!
for _ in $(seq 1 600); do  # <= 60 s (hang guard)
  grep -q serving "$tmp/server.out" 2>/dev/null && break
  kill -0 "$srv_pid" 2>/dev/null || break
  sleep 0.1
done
grep -q serving "$tmp/server.out" || { cat "$tmp/server.err" >&2; fail "server did not start"; }
http_port=$(sed -n 's/.*HTTP on .* (port \([0-9]*\)).*/\1/p' "$tmp/server.out" | head -1)
[[ -n $http_port ]] || fail "no HTTP port in: $(cat "$tmp/server.out")"
url=http://127.0.0.1:$http_port/

# Six points well inside grids (the offline locator says so): the first is
# clicked, the others are sent as reports.
"$bin/gridroute" locate --pack "$pack" --in "$pack/points.csv" --out "$tmp/located.csv" 2> /dev/null
mapfile -t inside < <(awk -F, 'NR > 1 && $4 == "inside" { print $1 "," $2 }' "$tmp/located.csv" | head -6)
[[ ${#inside[@]} -eq 6 ]] || fail "fewer than 6 points inside grids"
reported_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
overdue_at=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
reports=""
for p in "${inside[@]:1}"; do reports+="${reports:+,}{\"lon\":${p%,*},\"lat\":${p#*,}}"; done
cat > "$tmp/config.json" <<EOF
{"url": "$url", "token": "$token", "chromium": "$chromium",
 "screenshot": "$build/console_browser_test.png", "category": "0102",
 "click": {"lon": ${inside[0]%,*}, "lat": ${inside[0]#*,}}, "reports": [$reports],
 "reportedAt": "$reported_at", "overdueReportedAt": "$overdue_at"}
EOF
(cd "$mods" && timeout 600 node console_browser_test.mjs "$tmp/config.json" "$tmp/result.json") \
  || { tail -20 "$tmp/server.err" >&2; fail "the browser run failed (see above)"; }

# The oracle: the offline CLI routes the exact point the page clicked.
read -r lon lat < <(/usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["clicked"]; print(repr(r["lon"]), repr(r["lat"]))' "$tmp/result.json")
{
  echo "id,lon,lat,crs,category_type,category,urgency,reported_at"
  echo "click,$lon,$lat,wgs84,event,0102,,$reported_at"
} > "$tmp/click.csv"
"$bin/gridroute" route --pack "$pack" --in "$tmp/click.csv" --out "$tmp/click.out.csv" 2> /dev/null
want=$(/usr/bin/python3 - "$tmp/click.out.csv" <<'EOF'
import csv, sys
row = next(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
print(row["grid"], row["lead_dept"])
EOF
)
want_grid=${want% *}
want_lead=${want#* }
[[ -n $want_grid && -n $want_lead ]] || fail "the CLI did not route the clicked point: $(cat "$tmp/click.out.csv")"
/usr/bin/python3 - "$tmp/result.json" "$want_grid" "$want_lead" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
grid, lead = sys.argv[2], sys.argv[3]
p = r["panel"]
assert p["grid"] == grid, f"panel grid {p['grid']!r}, the CLI says {grid!r}"
assert p["lead"] == lead, f"panel lead {p['lead']!r}, the CLI says {lead!r}"
assert grid in p["text"] and lead in p["text"], f"panel text lacks {grid}/{lead}: {p['text']!r}"
missing = [g for g in r["reports"] if g not in r["feedGrids"]]
assert not missing, f"reports not in the feed: {missing}; feed: {r['feedGrids']}"
assert r["caseRows"], "the case list is empty"
assert len(r["overdueRows"]) == 1, f"overdue rows {r['overdueRows']} (want the month-old report's case)"
assert r["statsStreets"], "the stats choropleth has no street"
assert "filed" in r["statsTotal"] and "filed 0," not in r["statsTotal"], r["statsTotal"]
print(f"ok: panel shows grid {grid} lead {lead}; feed shows {len(r['reports'])} reports; "
      f"case list shows {len(r['caseRows'])} cases, {len(r['overdueRows'])} overdue")
EOF
[[ -s $build/console_browser_test.png ]] || fail "no screenshot"
echo "ok: screenshot $build/console_browser_test.png"
echo "PASS"
