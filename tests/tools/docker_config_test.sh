#!/usr/bin/env bash
# Copyright 2026 gridroute authors.
#
# ctest tools_docker_config_test: what docker/ ships is safe by default,
# checked without a Docker engine (CI has none):
#  1. compose publishes ports only on ${GRIDROUTE_BIND:-127.0.0.1};
#  2. the image's entrypoint runs with tokens, --pack-root and an audit log,
#     and as a non-root user;
#  3. the sample token file and health token work: a server started with the
#     entrypoint's flags (paths swapped for local ones) answers the image's
#     HEALTHCHECK command, and refuses it without the token.
#   docker_config_test.sh <bin dir> <repo root>
set -euo pipefail
bin=$1
root=$2
source "$(dirname "$0")/lib.sh"  # $tmp, fail, start_server, stop_server

# 1. Every published port of compose.yaml is bound to GRIDROUTE_BIND, default loopback.
compose=$root/docker/compose.yaml
published=$(awk '/^ *ports:/ {p=1; next} p && /^ *- / {print; next} {p=0}' "$compose")
[[ -n $published ]] || fail "no published port found in $compose"
while IFS= read -r line; do
  [[ $line == *'"${GRIDROUTE_BIND:-127.0.0.1}:'* ]] || fail "published on all interfaces: $line"
done <<< "$published"
echo "ok: compose publishes only on \${GRIDROUTE_BIND:-127.0.0.1}"

# 2. The entrypoint's flags.
dockerfile=$root/docker/Dockerfile
entry=$(sed -n '/^ENTRYPOINT/,/]/p' "$dockerfile" | tr -d '\n\\')
for flag in --auth-tokens --pack-root --audit-log; do
  [[ $entry == *"\"$flag\""* ]] || fail "ENTRYPOINT lacks $flag: $entry"
done
grep -q '^USER gridroute' "$dockerfile" || fail "the image does not drop root"
echo "ok: entrypoint has tokens, --pack-root, audit log; runs as user gridroute"

# 3. The sample tokens with the entrypoint's flags, and the HEALTHCHECK command.
"$bin/gridroute-gen" --grids 20 --seed 1 --out "$tmp/pack" --points 1 --events 1 > /dev/null
start_server "$bin/gridroute-server" --pack "$tmp/pack" --listen 127.0.0.1:0 --threads 1 \
  --auth-tokens "$root/docker/tokens.sample.csv" --pack-root "$tmp/pack" \
  --audit-log "$tmp/audit.jsonl"
health=$(sed -n '/HEALTHCHECK/,/]/p' "$dockerfile" | tr -d '\n\\')
[[ $health == *'"info"'* && $health == *'"--token-file", "/etc/gridroute/health.token"'* ]] \
  || fail "HEALTHCHECK is not 'gridroute info' with the health token: $health"
"$bin/gridroute" info --server "127.0.0.1:$port" --timeout-s 10 \
  --token-file "$root/docker/health.sample.token" > "$tmp/info.out" 2>&1 \
  || { cat "$tmp/info.out" >&2; fail "the HEALTHCHECK command failed with the sample health token"; }
rc=0
"$bin/gridroute" info --server "127.0.0.1:$port" --timeout-s 10 > "$tmp/noauth.out" 2>&1 || rc=$?
[[ $rc -ne 0 ]] || fail "info answered without a token"
grep -qi "unauthenticated" "$tmp/noauth.out" || fail "no token: $(cat "$tmp/noauth.out")"
echo "ok: the sample health token passes the HEALTHCHECK command; no token is UNAUTHENTICATED"
