#!/usr/bin/env bash
# Makes a fresh token file for a deployment: one random 256-bit token per
# principal, the file keeps only their SHA-256.
#
#   docker/make-tokens.sh [OUT_DIR]            # default: docker/secrets (git-ignored)
#
# Writes OUT_DIR/tokens.csv (for --auth-tokens) and OUT_DIR/<principal>.token
# (mode 600; hand each to its client; `gridroute ... --token-file FILE`).
# Edit ROWS below for your principals, roles and departments, then send
# SIGHUP to the servers to load a changed tokens.csv.
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)/secrets}
ROWS=(
  "healthcheck|route|"
  "dispatcher|route personal|"
  "camera-gateway|route|"
  "ops|admin route|"
  "hotline-desk|cases-read cases-write|"
)
umask 077
mkdir -p "$out"
echo "token_sha256,principal,roles,departments" > "$out/tokens.csv"
for row in "${ROWS[@]}"; do
  IFS='|' read -r who roles depts <<< "$row"
  token=$(openssl rand -hex 32)
  printf '%s\n' "$token" > "$out/$who.token"
  echo "$(printf %s "$token" | sha256sum | cut -d' ' -f1),$who,$roles,$depts" >> "$out/tokens.csv"
done
chmod 644 "$out/tokens.csv"
echo "make-tokens: wrote $out/tokens.csv and ${#ROWS[@]} token files; for compose:"
echo "  export GRIDROUTE_TOKENS=$out/tokens.csv GRIDROUTE_HEALTH_TOKEN=$out/healthcheck.token"
