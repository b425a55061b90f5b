#!/usr/bin/env bash
# Copyright 2026 gridroute authors.
#
# ctest tools_grsnap_cli_test: `gridroute compile` on a 60-grid generated
# city, then gridroute-server --pack X.grsnap answers route queries exactly
# as the server on the directory does; the offline `gridroute route` gives
# the same file from both; a damaged .grsnap stops the server at start with
# the section named (and --verify lazy is accepted); compile's usage errors;
# compile refuses a folding.csv the case desk would refuse, naming the line.
#   grsnap_cli_test.sh <bin dir>
set -euo pipefail
bin=$1
source "$(dirname "$0")/lib.sh"  # $tmp, fail, start_server, stop_server

"$bin/gridroute-gen" --grids 60 --seed 3 --out "$tmp/city" --points 10 --events 40 > /dev/null
"$bin/gridroute" compile --pack "$tmp/city" --out "$tmp/city.grsnap" 2> "$tmp/compile.err" \
  || fail "compile: $(cat "$tmp/compile.err")"
[[ -s $tmp/city.grsnap && ! -e $tmp/city.grsnap.tmp ]] || fail "no .grsnap written"
[[ $(head -c 6 "$tmp/city.grsnap") == GRSNAP ]] || fail "no GRSNAP magic"

# Each of the first 10 generated events through a server, one answer per line.
answers() {
  local out=$1
  : > "$out"
  tail -n +2 "$tmp/city/events.csv" | head -10 |
    while IFS=, read -r _ lon lat crs ctype cat urgency at code; do
      "$bin/gridroute" route --server "$addr" --lon "$lon" --lat "$lat" --crs "$crs" \
        --category-type "$ctype" --category "$cat" --urgency "$urgency" --reported-at "$at" \
        ${code:+--component-code "$code"} --json >> "$out" 2>&1 || echo "error" >> "$out"
    done
}
start_server "$bin/gridroute-server" --pack "$tmp/city" --listen 127.0.0.1:0 --threads 1
answers "$tmp/dir.json"
stop_server
start_server "$bin/gridroute-server" --pack "$tmp/city.grsnap" --listen 127.0.0.1:0 --threads 1
answers "$tmp/file.json"
stop_server
grep -q '"lead' "$tmp/dir.json" || fail "no routed answer from the directory: $(head -3 "$tmp/dir.json")"
diff "$tmp/dir.json" "$tmp/file.json" > "$tmp/diff" || fail "answers differ: $(head -20 "$tmp/diff")"
echo "ok: the server on city.grsnap answers as on the directory"

"$bin/gridroute" route --pack "$tmp/city" --in "$tmp/city/events.csv" --out "$tmp/dir.csv" --quiet 2> /dev/null
"$bin/gridroute" route --pack "$tmp/city.grsnap" --verify lazy --in "$tmp/city/events.csv" \
  --out "$tmp/file.csv" --quiet 2> /dev/null
# Rows judged against this machine's clock may differ by the second they ran.
diff <(grep -v "ahead of this machine" "$tmp/dir.csv") <(grep -v "ahead of this machine" "$tmp/file.csv") \
  > "$tmp/diff" || fail "offline route differs: $(head -5 "$tmp/diff")"
echo "ok: gridroute route --pack city.grsnap --verify lazy"

# A flipped byte in the middle of the file: the server refuses to start.
cp "$tmp/city.grsnap" "$tmp/bad.grsnap"
size=$(stat -c %s "$tmp/bad.grsnap")
printf '\xA5' | dd of="$tmp/bad.grsnap" bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null
rc=0
"$bin/gridroute-server" --pack "$tmp/bad.grsnap" --listen 127.0.0.1:0 > "$tmp/bad.out" 2> "$tmp/bad.err" || rc=$?
[[ $rc -ne 0 ]] || fail "server started on a damaged .grsnap"
grep -q "checksum mismatch" "$tmp/bad.err" || fail "damaged .grsnap: $(cat "$tmp/bad.err")"
echo "ok: a damaged .grsnap is refused ($(grep -o "section '[a-z_]*'" "$tmp/bad.err" | head -1))"

rc=0
"$bin/gridroute" compile --pack "$tmp/city" > /dev/null 2> "$tmp/usage.err" || rc=$?
[[ $rc -eq 2 ]] || fail "compile without --out: exit $rc, want 2"
rc=0
"$bin/gridroute-server" --pack "$tmp/city.grsnap" --verify sometimes > /dev/null 2> "$tmp/usage.err" || rc=$?
[[ $rc -ne 0 ]] && grep -q -- "--verify must be full or lazy" "$tmp/usage.err" \
  || fail "--verify sometimes: exit $rc: $(cat "$tmp/usage.err")"
echo "ok: usage errors"

# The fold rules travel in the file: a bad folding.csv is refused at compile.
printf 'category_type,category,radius_m,window_min\nevent,*,-5,60\n' > "$tmp/city/folding.csv"
rc=0
"$bin/gridroute" compile --pack "$tmp/city" --out "$tmp/fold.grsnap" > /dev/null 2> "$tmp/fold.err" || rc=$?
[[ $rc -eq 1 ]] || fail "compile with a bad folding.csv: exit $rc, want 1"
grep -q "folding.csv:2: radius_m '-5'" "$tmp/fold.err" || fail "no line named: $(cat "$tmp/fold.err")"
[[ ! -e $tmp/fold.grsnap ]] || fail "a .grsnap was written from a bad folding.csv"
echo "ok: compile refuses a bad folding.csv"
