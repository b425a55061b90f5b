#!/usr/bin/env bash
# Copyright 2026 gridroute authors.
#
# ctest tools_server_cases_test: gridroute-server with cases (--journal-dir).
#  1. Start-up refusals: a journal directory that cannot be created (under a
#     regular file: works as root too), one that is not writable (non-root
#     only), one another server holds, and --nats without --journal-dir. Each
#     must exit non-zero before serving, naming the directory / the flags.
#  2. The CLI against a real server: `gridroute route --server` shows the case
#     (new, then folded), `case`, `cases` and `case-stats` print it, the
#     stats table has its header and a TOTAL row, `case-update` walks it to
#     closed and refuses an illegal step, and a restarted server answers the
#     same figures from its journal.
#   server_cases_test.sh <bin dir>
set -euo pipefail
bin=$1
source "$(dirname "$0")/lib.sh"  # $tmp, fail, start_server, stop_server

"$bin/gridroute-gen" --grids 50 --seed 1 --out "$tmp/city" --points 10 --events 10 > /dev/null
pack=$tmp/city

# refuses <what> <text the message must hold> <server args...>: the server must
# exit non-zero (not be killed by the timeout) without ever serving.
refuses() {
  local what=$1 want=$2
  shift 2
  local rc=0
  timeout 60 "$bin/gridroute-server" --pack "$pack" --listen 127.0.0.1:0 "$@" \
    > "$tmp/refuse.out" 2> "$tmp/refuse.err" || rc=$?
  [[ $rc -ne 0 ]] || fail "$what: exit code 0"
  [[ $rc -ne 124 ]] || fail "$what: still running after 60 s"
  ! grep -q serving "$tmp/refuse.out" || fail "$what: it served"
  grep -qF -- "$want" "$tmp/refuse.err" || { cat "$tmp/refuse.err" >&2; fail "$what: stderr lacks '$want'"; }
  echo "ok: $what refused (exit $rc): $(grep -F -- "$want" "$tmp/refuse.err" | head -1)"
  REFUSE_RC=$rc
}

# 1. Start-up refusals.
echo "not a directory" > "$tmp/file"
refuses "journal dir under a regular file" "$tmp/file/journal" --journal-dir "$tmp/file/journal"
refuses "journal dir that is a regular file" "$tmp/file" --journal-dir "$tmp/file"
if [[ $(id -u) -ne 0 ]]; then
  mkdir "$tmp/readonly"
  chmod 555 "$tmp/readonly"
  refuses "read-only journal dir" "$tmp/readonly" --journal-dir "$tmp/readonly"
  chmod 755 "$tmp/readonly"
else
  echo "skip: read-only journal dir (root bypasses permissions)"
fi
refuses "--nats without --journal-dir" "--nats needs --journal-dir" --nats nats://127.0.0.1:4222
[[ $REFUSE_RC -eq 2 ]] || fail "--nats without --journal-dir: exit $REFUSE_RC, want 2"

# 2. A real server with a journal (port 0: the kernel picks a free one; the
# server prints it).
serve() {  # lib.sh start_server with this test's journal
  start_server "$bin/gridroute-server" --pack "$pack" --listen 127.0.0.1:0 --threads 1 \
    --journal-dir "$tmp/journal" --journal-fsync=false
}
serve

# Another server on the same journal directory is refused (the journal's lock).
refuses "journal dir held by another server" "$tmp/journal" --journal-dir "$tmp/journal"

# The first generated event, twice: a new case, then a fold.
IFS=, read -r _ lon lat crs ctype cat urgency at _ < <(sed -n 2p "$pack/events.csv")
route() {
  "$bin/gridroute" route --server "$addr" --lon "$lon" --lat "$lat" --crs "$crs" \
    --category-type "$ctype" --category "$cat" --urgency "$urgency" --reported-at "$at"
}
out1=$(route) || fail "route: $out1"
grep -q "case .*(new, 1 report)" <<< "$out1" || fail "first route shows no new case: $out1"
case_id=$(echo "$out1" | sed -n 's/^ *case *\([^ ]*\) (new.*/\1/p')
[[ $case_id =~ ^[0-9A-Za-z_]+-[0-9]{8}-[0-9]{6}$ ]] || fail "case id '$case_id'"
out2=$(route) || fail "route: $out2"
grep -qF "case         $case_id (folded: 2 reports)" <<< "$out2" \
  || grep -q "$case_id (folded: 2 reports)" <<< "$out2" || fail "second route did not fold: $out2"

out=$("$bin/gridroute" case --server "$addr" --id "$case_id") || fail "case: $out"
grep -q "^case $case_id: reported" <<< "$out" || fail "case: $out"
out=$("$bin/gridroute" cases --server "$addr" 2> /dev/null) || fail "cases: $out"
[[ $(echo "$out" | grep -c -- "-[0-9]\{8\}-[0-9]\{6\}") -eq 1 ]] || fail "cases: $out"

# stats_ok <label> <TOTAL row regex> <extra args>: the header and the TOTAL row.
# As of 2030, an open case is due and overdue.
stats_ok() {
  local label=$1 total=$2
  shift 2
  local out
  out=$("$bin/gridroute" case-stats --server "$addr" --as-of 2030-01-01T00:00:00+08:00 "$@") \
    || fail "case-stats $label: $out"
  grep -qE "reported +filed +closed +on_time +due +overdue +closure +on_time% +median_h" <<< "${out%%$'\n'*}" \
    || fail "case-stats $label: no header: $out"
  grep -qE "^TOTAL +$total\$" <<< "$out" || fail "case-stats $label: TOTAL row is not '$total': $out"
  echo "ok: case-stats $label"
  echo "$out" | sed 's/^/    /'
}
# reported 2, filed 1, closed 0, on time 0, due 1, overdue 1, rates 0, no median.
open_total='2 +1 +0 +0 +1 +1 +0\.0% +0\.0% +-'
stats_ok "by department" "$open_total"
stats_ok "by district" "$open_total" --group-by district
stats_ok "all" "$open_total" --group-by all
rc=0
"$bin/gridroute" case-stats --server "$addr" --group-by nope > /dev/null 2> "$tmp/stats.err" || rc=$?
[[ $rc -ne 0 ]] && grep -q group_by "$tmp/stats.err" || fail "case-stats --group-by nope: rc $rc, $(cat "$tmp/stats.err")"
echo "ok: case-stats --group-by nope refused"

# Close it through the CLI (the Monday after the report), then an illegal step.
step=0
for state in dispatched accepted handled verified closed; do
  step=$((step + 1))
  out=$("$bin/gridroute" case-update --server "$addr" --id "$case_id" --state "$state" \
    --actor "cli-test" --at "2026-04-20T09:0${step}:00+08:00") || fail "case-update $state: $out"
  grep -q "^case $case_id: $state" <<< "$out" || fail "case-update $state: $out"
done
rc=0
"$bin/gridroute" case-update --server "$addr" --id "$case_id" --state handled --actor x \
  --at 2026-04-20T10:00:00+08:00 > /dev/null 2> "$tmp/update.err" || rc=$?
[[ $rc -ne 0 ]] && grep -q "'closed'" "$tmp/update.err" && grep -q "'handled'" "$tmp/update.err" \
  || fail "illegal case-update: rc $rc, $(cat "$tmp/update.err")"
echo "ok: closed -> handled refused: $(head -1 "$tmp/update.err")"
closed_total='2 +1 +1 +[01] +1 +0 +100\.0% +(0|100)\.0% +[0-9]+\.[0-9]'
stats_ok "closed" "$closed_total"

# A restarted server answers from its journal.
stop_server
serve
stats_ok "after a restart" "$closed_total"
out=$("$bin/gridroute" case --server "$addr" --id "$case_id") || fail "case after restart: $out"
grep -q "^case $case_id: closed" <<< "$out" || fail "case after restart: $out"
grep -q "reports *2," <<< "$out" || fail "case after restart: $out"
echo "PASS"
