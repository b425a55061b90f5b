#!/usr/bin/env bash
# README command 1: install what is missing, build, generate the built-in
# sample city (2,000 grids around Suzhou, seed 1) into data/sample-city/, and
# answer real queries against it.
set -euo pipefail
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
