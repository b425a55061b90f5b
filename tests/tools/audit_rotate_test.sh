#!/usr/bin/env bash
# Copyright 2026 gridroute authors.
#
# ctest tools_audit_rotate_test: the audit log survives logrotate on a real
# gridroute-server (issue 16 item 6):
#  - a Reload is audited in --audit-log FILE;
#  - FILE is renamed (what logrotate does), one more Reload still lands, whole,
#    in the renamed file (the server keeps its descriptor until told);
#  - SIGHUP: the server reopens FILE; the next Reload lands in the new FILE;
#  - every line of both files is one whole JSON object, none lost.
#   audit_rotate_test.sh <bin dir>
set -euo pipefail
bin=$1
source "$(dirname "$0")/lib.sh"  # $tmp, fail, start_server, stop_server
# Waits (<= 30 s, a hang guard) until the server's log has `n` lines matching `re`.
wait_log() {
  local re=$1 n=$2
  for _ in $(seq 1 300); do
    [[ $(grep -c -- "$re" "$tmp/server.err" || true) -ge $n ]] && return 0
    sleep 0.1
  done
  cat "$tmp/server.err" >&2
  fail "no $n lines '$re' in the server log"
}

"$bin/gridroute-gen" --grids 20 --seed 1 --out "$tmp/city" --points 1 --events 1 > /dev/null
start_server "$bin/gridroute-server" --pack "$tmp/city" --listen 127.0.0.1:0 --threads 1 \
  --audit-log "$tmp/audit.jsonl"
reload() { "$bin/gridroute" reload --server "$addr" > /dev/null || fail "reload $1"; }

reload 1
mv "$tmp/audit.jsonl" "$tmp/audit.jsonl.1"   # logrotate's rename
reload 2                                     # still the old descriptor
kill -HUP "$srv_pid"                         # logrotate's postrotate
wait_log "SIGHUP: done" 1
grep -q "SIGHUP: audit log reopened: $tmp/audit.jsonl" "$tmp/server.err" ||
  fail "no reopen line: $(cat "$tmp/server.err")"
reload 3

[[ -f $tmp/audit.jsonl ]] || fail "no new audit.jsonl after SIGHUP"
old=$(grep -c 'AdminService/Reload' "$tmp/audit.jsonl.1" || true)
new=$(grep -c 'AdminService/Reload' "$tmp/audit.jsonl" || true)
[[ $old -eq 2 && $new -eq 1 ]] || fail "Reload lines: $old in the renamed file (want 2), $new in the new one (want 1)"
grep -q '"method":"SIGHUP/audit-log".*"outcome":"OK"' "$tmp/audit.jsonl" ||
  fail "the new file does not start with the reopen line: $(cat "$tmp/audit.jsonl")"
for f in "$tmp/audit.jsonl.1" "$tmp/audit.jsonl"; do
  [[ $(tail -c 1 "$f" | od -An -c | tr -d ' ') == '\n' ]] || fail "$f ends inside a line"
  while IFS= read -r line; do
    [[ $line == '{"time":"'*'"}' ]] || fail "not a whole line in $f: $line"
  done < "$f"
done
echo "ok: audit log reopened on SIGHUP, no line lost"
