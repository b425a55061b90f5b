#!/usr/bin/env bash
# Copyright 2026 gridroute authors.
#
# ctest tools_journal_cli_test: `gridroute journal check|repair` on a journal
# written by a real gridroute-server (issue 17).
#  1. A clean journal: check exits 0 and counts the records.
#  2. One flipped byte in the middle: check exits 1 naming the damage and the
#     last good record; the server refuses to start and its message points at
#     both commands; repair needs --truncate-after-damage (exit 2), then keeps
#     exactly the records before the damage, with a byte-identical backup of
#     the damaged segment; check exits 0 and the server starts, replaying the
#     records that were kept.
#  3. A torn tail: check exits 3, the server starts and drops it.
#  4. Usage errors exit 2; --help lists the commands.
#   journal_cli_test.sh <bin dir>
set -euo pipefail
bin=$1
source "$(dirname "$0")/lib.sh"  # $tmp, fail, start_server, stop_server

"$bin/gridroute-gen" --grids 50 --seed 1 --out "$tmp/city" --points 10 --events 40 > /dev/null
pack=$tmp/city
jdir=$tmp/journal
seg=$jdir/00000000000000000001.log

serve() {  # lib.sh start_server with this test's journal
  start_server "$bin/gridroute-server" --pack "$pack" --listen 127.0.0.1:0 --threads 1 \
    --journal-dir "$jdir" --journal-fsync=false
}
# run <want exit code> <output file> <command...>
run() {
  local want=$1 out=$2 rc=0
  shift 2
  "$@" > "$out" 2>&1 || rc=$?
  [[ $rc -eq $want ]] || { cat "$out" >&2; fail "$* exited $rc, want $want"; }
}

# 1. A journal written by the server: one case per routed event.
serve
routed=0
while IFS=, read -r _ lon lat crs _ cat _ at _; do
  [[ -n $lon && -n $cat ]] || continue
  if "$bin/gridroute" route --server "$addr" --lon "$lon" --lat "$lat" --crs "$crs" \
      --category "$cat" --reported-at "$at" > /dev/null 2>&1; then
    routed=$((routed + 1))
  fi
  [[ $routed -lt 20 ]] || break
done < <(tail -n +2 "$pack/events.csv")
stop_server
[[ $routed -ge 10 ]] || fail "only $routed events routed"
run 0 "$tmp/check0" "$bin/gridroute" journal check --dir "$jdir"
grep -q ": clean" "$tmp/check0" || fail "not clean: $(cat "$tmp/check0")"
total=$(sed -n 's/.*records: \([0-9]*\) replayable.*/\1/p' "$tmp/check0")
[[ $total -ge $routed ]] || fail "$total records for $routed routed events"
echo "ok: clean journal of $total records"

# 2. One flipped byte in the middle of the segment.
size=$(stat -c %s "$seg")
flip=$((size / 2))
byte=$(od -An -tu1 -j "$flip" -N1 "$seg" | tr -d ' ')
printf "\\$(printf '%03o' $(( byte ^ 90 )))" | dd of="$seg" bs=1 seek="$flip" conv=notrunc status=none
cp "$seg" "$tmp/damaged.log"
run 1 "$tmp/check1" "$bin/gridroute" journal check --dir "$jdir"
grep -q "DAMAGED (the server refuses to start)" "$tmp/check1" || fail "check: $(cat "$tmp/check1")"
good_seq=$(sed -n 's/.*last good record: seq \([0-9]*\), ends at offset \([0-9]*\).*/\1/p' "$tmp/check1")
good_end=$(sed -n 's/.*last good record: seq \([0-9]*\), ends at offset \([0-9]*\).*/\2/p' "$tmp/check1")
[[ -n $good_seq && $good_end -le $flip ]] || fail "last good record ends at $good_end, after the flipped byte $flip"
grep -q "damage in $seg at offset $good_end of $size bytes (seq $((good_seq + 1)) expected there)" \
  "$tmp/check1" || fail "damage line: $(grep damage "$tmp/check1")"
echo "ok: check names the damage at offset $good_end (flipped byte $flip), $good_seq records before it"

rc=0
timeout 60 "$bin/gridroute-server" --pack "$pack" --listen 127.0.0.1:0 --journal-dir "$jdir" \
  > "$tmp/refuse.out" 2> "$tmp/refuse.err" || rc=$?
[[ $rc -ne 0 && $rc -ne 124 ]] || fail "server on a damaged journal: exit $rc"
! grep -q serving "$tmp/refuse.out" || fail "server served a damaged journal"
grep -qF "gridroute journal check --dir $jdir" "$tmp/refuse.err" || fail "refusal: $(cat "$tmp/refuse.err")"
grep -qF "gridroute journal repair --dir $jdir --truncate-after-damage" "$tmp/refuse.err" \
  || fail "refusal lacks the repair command: $(cat "$tmp/refuse.err")"
echo "ok: the server refuses and points at the tools"

run 2 "$tmp/repair0" "$bin/gridroute" journal repair --dir "$jdir"
cmp -s "$seg" "$tmp/damaged.log" || fail "repair without --truncate-after-damage changed the segment"
run 0 "$tmp/repair1" "$bin/gridroute" journal repair --dir "$jdir" --truncate-after-damage
grep -q "kept: every record before seq $((good_seq + 1)) ($good_seq replayable)" "$tmp/repair1" \
  || fail "repair: $(cat "$tmp/repair1")"
[[ $(stat -c %s "$seg") -eq $good_end ]] || fail "segment is $(stat -c %s "$seg") bytes, want $good_end"
backup=$(ls -d "$jdir"/damaged-*)
cmp "$backup/00000000000000000001.log" "$tmp/damaged.log" || fail "the backup is not the damaged segment"
[[ -s $backup/REPAIR.txt ]] || fail "no REPAIR.txt"
run 0 "$tmp/check2" "$bin/gridroute" journal check --dir "$jdir"
echo "ok: repair kept $good_seq records; backup $backup"

serve
grep -q "journal $jdir: 1 segment(s), $good_seq record(s) replayed" "$tmp/server.err" \
  || fail "server log: $(grep journal "$tmp/server.err")"
stop_server
echo "ok: the server starts with the $good_seq records kept"

# 3. A torn tail: the server would drop it itself.
printf 'torn' >> "$seg"
run 3 "$tmp/check3" "$bin/gridroute" journal check --dir "$jdir"
grep -q "torn tail only" "$tmp/check3" || fail "torn: $(cat "$tmp/check3")"
serve
grep -q "dropped torn tail of 4 bytes" "$tmp/server.err" || fail "server log: $(grep journal "$tmp/server.err")"
stop_server
echo "ok: a torn tail is exit 3 and the server drops it"

# 4. Usage.
run 2 "$tmp/u1" "$bin/gridroute" journal
run 2 "$tmp/u2" "$bin/gridroute" journal check
run 2 "$tmp/u3" "$bin/gridroute" journal check --dir "$tmp/nonexistent"
run 2 "$tmp/u4" "$bin/gridroute" journal verify --dir "$jdir"
run 2 "$tmp/help" "$bin/gridroute"
grep -q "journal repair --dir DIR --truncate-after-damage" "$tmp/help" || fail "usage lacks journal repair"
echo "ok: usage errors exit 2"
echo PASS
