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
city="$root/data/sample-city"
if [[ ! -f "$city/manifest.json" ]]; then
  echo "== generating the sample city into data/sample-city/ ..."
  "$bin/gridroute-gen" --grids 2000 --seed 1 --out "$city" --points 100000
fi
echo
echo "== a few lookups: a point inside a grid, one on a shared edge, one just outside (snapped within 50 m), one far away"
# Point 1: the first grid's seed point; point 2: a vertex shared by grids; point 3/4: outside.
queries="$root/data/sample-queries.csv"
"$bin/gridroute" sample-queries --pack "$city" --out "$queries"
"$bin/gridroute" locate --pack "$city" --in "$queries" --out - --snap-m 50 | column -s, -t
echo
echo "== re-locating all $(($(wc -l < "$city/points.csv") - 1)) random points of data/sample-city/points.csv"
"$bin/gridroute" locate --pack "$city" --in "$city/points.csv" --out "$root/data/sample-located.csv"
echo "   first rows of data/sample-located.csv:"
head -4 "$root/data/sample-located.csv" | column -s, -t
