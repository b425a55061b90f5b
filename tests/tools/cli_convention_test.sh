#!/usr/bin/env bash
# The command-line convention every tool follows (README "One convention for
# every tool", tools/common/cli.h): dashed and underscore flag spellings, one
# exit-code table (0 ok, 1 failure, 2 usage), --help on stdout with exit 0;
# and the offline `gridroute locate|route` printing the pack's load warnings
# on stderr as gridroute-server logs them.
#
#   tests/tools/cli_convention_test.sh build/bin
set -euo pipefail
bin=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_rc WANT CMD...: runs CMD, stdout in $tmp/out, stderr in $tmp/err.
expect_rc() {
  local want=$1 rc=0
  shift
  "$@" > "$tmp/out" 2> "$tmp/err" || rc=$?
  [[ $rc -eq $want ]] || { cat "$tmp/err" >&2; fail "$* exited $rc, want $want"; }
}

# gridroute-gen: --center-lon and --center_lon are one flag (the underscore
# spelling is a contract), and a value after '=' or as the next argument.
expect_rc 0 "$bin/gridroute-gen" --grids 30 --seed 5 --out "$tmp/a" --points 20 --events 20 \
  --center-lon 116.40 --center-lat=39.90
grep -q "bbox      : 116\." "$tmp/out" || fail "--center-lon ignored: $(cat "$tmp/out")"
expect_rc 0 "$bin/gridroute-gen" --grids 30 --seed 5 --out "$tmp/b" --points 20 --events 20 \
  --center_lon=116.40 --center_lat 39.90
diff -r "$tmp/a" "$tmp/b" > /dev/null || fail "--center-lon and --center_lon wrote different packs"
echo "ok: gridroute-gen takes --center-lon and --center_lon"

# Usage errors exit 2 with "<tool>: ..." and "Try --help." on stderr.
expect_rc 2 "$bin/gridroute-server" --pack "$tmp/a" --listen 127.0.0.1:0 \
  --http-listen 127.0.0.1:0 --http-blocking-threads 0
grep -q "^gridroute-server: --http-blocking-threads must be in 1..1024" "$tmp/err" \
  || fail "server --http-blocking-threads 0: $(cat "$tmp/err")"
expect_rc 2 "$bin/gridroute-gen" --grids 0 --out "$tmp/c"
grep -q "^gridroute-gen: --grids must be in" "$tmp/err" || fail "gen --grids 0: $(cat "$tmp/err")"
expect_rc 2 "$bin/gridroute-gen" --grids 30 --cities 0 --out "$tmp/c"
grep -q "^gridroute-gen: --cities must be in \[1, 16\], got 0" "$tmp/err" || fail "gen --cities 0: $(cat "$tmp/err")"
expect_rc 2 "$bin/gridroute-gen" --grids 2 --cities 3 --out "$tmp/c"
grep -q "^gridroute-gen: --grids must be in \[3, " "$tmp/err" || fail "gen --grids 2 --cities 3: $(cat "$tmp/err")"
expect_rc 2 "$bin/gridroute-gen" --grids 30 --out "$tmp/c" --no-such-flag 1
grep -q "unknown flag --no_such_flag" "$tmp/err" || fail "gen unknown flag: $(cat "$tmp/err")"
grep -q "Try --help" "$tmp/err" || fail "gen unknown flag: no 'Try --help'"
expect_rc 2 "$bin/gridroute-gen" --grids many --out "$tmp/c"
expect_rc 2 "$bin/gridroute-import" --no-such-flag
expect_rc 2 "$bin/gridroute-import"
expect_rc 2 "$bin/gridroute-load" --no-such-flag
expect_rc 2 "$bin/gridroute" locate --in "$tmp/a/points.csv"
grep -q "^gridroute: locate: --pack is required" "$tmp/err" || fail "locate without --pack: $(cat "$tmp/err")"
expect_rc 2 "$bin/gridroute" no-such-command
expect_rc 2 "$bin/gridroute"
echo "ok: usage errors exit 2"

# Failures exit 1: a pack that does not exist, an input that does not.
expect_rc 1 "$bin/gridroute" locate --pack "$tmp/nowhere" --in "$tmp/a/points.csv" --out -
expect_rc 1 "$bin/gridroute" route --pack "$tmp/a" --in "$tmp/missing.csv" --out -
expect_rc 1 "$bin/gridroute-gen" --grids 30 --out /proc/no-such-dir/city
echo "ok: failures exit 1"

# --help: usage, the flags and the exit-code table on stdout; exit 0.
for tool in gridroute gridroute-gen gridroute-import gridroute-load; do
  expect_rc 0 "$bin/$tool" --help
  grep -q "Exit codes: 0 ok, 1 failure" "$tmp/out" || fail "$tool --help: no exit-code table"
done
expect_rc 0 "$bin/gridroute-gen" --help
grep -q -- "--center_lon" "$tmp/out" || fail "gridroute-gen --help lists no flags: $(cat "$tmp/out")"
echo "ok: --help exits 0 and shows the exit codes"

# The offline commands print the pack's load warnings, as the server does.
/usr/bin/python3 - "$tmp/a/manifest.json" <<'PY'
import json, sys
p = sys.argv[1]
m = json.load(open(p))
m.pop("checksums", None)
json.dump(m, open(p, "w"))
PY
expect_rc 0 "$bin/gridroute" locate --pack "$tmp/a" --in "$tmp/a/points.csv" --out "$tmp/loc.csv"
grep -q "^gridroute: warning: .*checksums" "$tmp/err" || fail "locate printed no load warning: $(cat "$tmp/err")"
expect_rc 0 "$bin/gridroute" route --pack "$tmp/a" --in "$tmp/a/events.csv" --out - --quiet
grep -q "^gridroute: warning: .*checksums" "$tmp/err" || fail "route printed no load warning: $(cat "$tmp/err")"
echo "ok: gridroute locate and route print the pack's load warnings"
echo "PASS"
