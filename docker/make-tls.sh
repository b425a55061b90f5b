#!/usr/bin/env bash
# Makes a test CA and a server certificate for nginx's TLS listener
# (docker/nginx.conf) with the openssl CLI, the commands of README "Deploying".
#
#   docker/make-tls.sh [OUT_DIR] [EXTRA_SAN]   # default: docker/secrets/tls (git-ignored)
#
# The certificate names localhost and 127.0.0.1, plus EXTRA_SAN if given
# (e.g. "DNS:gridroute.example,IP:10.0.0.5"). Clients trust OUT_DIR/ca.crt:
#   build/bin/gridroute info --server 127.0.0.1:8080 --tls-ca OUT_DIR/ca.crt --token-file ...
# For anything real use a certificate from your own CA instead.
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)/secrets/tls}
san="DNS:localhost,IP:127.0.0.1${2:+,$2}"
umask 077
mkdir -p "$out"
cd "$out"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
    -subj /CN=gridroute-test-ca -keyout ca.key -out ca.crt 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=gridroute \
    -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=%s' "$san" > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 365 \
    -extfile server.ext -out server.crt 2>/dev/null
rm -f server.csr server.ext ca.srl
# nginx's master reads the key as root; the CA certificate goes to clients.
chmod 644 ca.crt server.crt
echo "make-tls: wrote $out/{ca.crt,server.crt,server.key} ($san); for compose:"
echo "  export GRIDROUTE_TLS_DIR=$out"
