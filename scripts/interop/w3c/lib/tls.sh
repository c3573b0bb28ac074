#!/usr/bin/env bash
# tls.sh STATE_DIR: a self-signed localhost certificate in STATE_DIR/tls (once). The reference
# server and the nginx front of vcservice share it; vcservice trusts it for its outbound fetches
# through VCSERVICE_OUTBOUND_CA_FILE, the suites' Node clients do not check certificates.
set -euo pipefail
dir=${1:?state dir}/tls
[ -s "$dir/cert.pem" ] && exit 0
mkdir -p "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
