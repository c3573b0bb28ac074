#!/usr/bin/env bash
# Start the reference VC-API server (reference/server.js) in the background, once.
#   start-reference.sh [--state DIR] [--port N]   (defaults $INTEROP_WORK/w3c/state, $INTEROP_REF_PORT or 9443)
# Installs it first into $INTEROP_WORK/w3c/reference (npm ci from the pinned lock; the request
# schemas from their npm tarballs). Its keys and OAuth2 clients: STATE/reference.json.
set -euo pipefail
H=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common.sh
source "$H/../common.sh"
STATE=$WORK/w3c/state PORT=${INTEROP_REF_PORT:-9443}
while [ $# -gt 0 ]; do
  case "$1" in
    --state) STATE=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    *) die "unknown argument $1" ;;
  esac
done
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
URL=https://localhost:$PORT
if [ -s "$STATE/reference.pid" ] && kill -0 "$(cat "$STATE/reference.pid")" 2>/dev/null &&
  wait_for "$URL/healthz" 5 -k; then
  log "reference already up on $URL"
  exit 0
fi
if curl -sk -o /dev/null --max-time 2 "$URL/"; then
  die "port $PORT is in use by a process this harness did not start; choose another (--port)"
fi

APP=$WORK/w3c/reference
src=$H/reference
npm_install_copy "$src" "$APP" "$src/server.js" "$src/schemas.js" "$src/vendor-schemas.mjs" "$src/schema-packages.json"
want=$(sha256sum "$src/schema-packages.json" | cut -d' ' -f1)
if [ "$(cat "$APP/vendor/.installed" 2>/dev/null)" != "$want" ]; then
  (cd "$APP" && node vendor-schemas.mjs >/dev/null) || die "could not unpack the request schemas (npm registry?)"
  echo "$want" > "$APP/vendor/.installed"
fi
"$H/lib/tls.sh" "$STATE"
(
  cd "$APP"
  REF_PORT=$PORT REF_STATE_FILE=$STATE/reference.json REF_TLS_CERT=$STATE/tls/cert.pem \
    REF_TLS_KEY=$STATE/tls/key.pem REF_LOG=$STATE/reference-exchanges.jsonl \
    nohup node server.js >>"$STATE/reference.log" 2>&1 &
  echo $! > "$STATE/reference.pid"
)
wait_for "$URL/healthz" 100 -k || die "reference did not start; see $STATE/reference.log"
log "reference up on $URL (pid $(cat "$STATE/reference.pid"))"
