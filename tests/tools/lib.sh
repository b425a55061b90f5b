# Copyright 2026 gridroute authors.
#
# Sourced by the shell tests that run a real gridroute-server:
#   source "$(dirname "$0")/lib.sh"
# gives $tmp (a directory removed at exit, with any server start_server left
# running stopped first), fail MESSAGE, and
#   start_server COMMAND...   # e.g. start_server "$bin/gridroute-server" --pack "$pack" --listen 127.0.0.1:0
# which runs COMMAND with its output in $tmp/server.out and $tmp/server.err,
# waits until it prints "serving" (a 120 s hang guard, for ASan on a loaded
# machine), and sets srv_pid, port and addr (127.0.0.1:port); and
#   stop_server               # SIGTERM, and fail unless it exits 0.
# The output files are emptied in this shell before the start: the wait
# must not find an earlier run's "serving" before the child's redirection
# truncates them.
tmp=$(mktemp -d)
srv_pid=
cleanup() {
  if [[ -n $srv_pid ]]; then kill -TERM "$srv_pid" 2>/dev/null || true; wait "$srv_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

start_server() {
  : > "$tmp/server.out"
  : > "$tmp/server.err"
  "$@" > "$tmp/server.out" 2> "$tmp/server.err" &
  srv_pid=$!
  for _ in $(seq 1 1200); do
    grep -q serving "$tmp/server.out" 2>/dev/null && break
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.1
  done
  grep -q serving "$tmp/server.out" || { cat "$tmp/server.err" >&2; fail "server did not start"; }
  port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$tmp/server.out" | head -1)
  [[ -n $port && $port -gt 0 ]] || fail "no port in: $(cat "$tmp/server.out")"
  addr=127.0.0.1:$port
}

stop_server() {
  kill -TERM "$srv_pid"
  wait "$srv_pid" || fail "server exit code $? on SIGTERM"
  srv_pid=
}
