#!/usr/bin/env bash
# Start `vcservice serve` from a checkout, a logging pass-through (lib/tap.mjs) and an nginx TLS
# front: https://localhost:HTTPS_PORT → tap 127.0.0.1:TAP_PORT → vcservice 127.0.0.1:PORT.
#
#   start-vcservice.sh [--checkout DIR] [--commit REV | --src DIR] [--state DIR] [--data DIR]
#                      [--context-store DIR] [--port N] [--tap-port N] [--https-port N] [--fresh]
#
#   --checkout DIR  the vcservice checkout whose .venv runs the service (default: this repository)
#   --commit REV    run that commit of the checkout, read-only (git archive into $INTEROP_WORK/src)
#   --src DIR       run the code of another source tree (with the checkout's .venv)
#                   (neither: the checkout's working tree as it is, uncommitted edits included)
#   --state DIR     PID files, logs, TLS certificate (default $INTEROP_WORK/w3c/state)
#   --data DIR      vcservice's data directory (default $INTEROP_WORK/w3c/data); --fresh empties it
#   --context-store DIR  installed JSON-LD contexts (default $INTEROP_WORK/contexts); filled by
#                   `vcservice contexts install`, from $INTEROP_CONTEXTS_FROM if set (offline)
#   ports: $INTEROP_PORT (8080), $INTEROP_TAP_PORT (8081), $INTEROP_HTTPS_PORT (8443) by default
# stop-all.sh --state DIR stops what this started (by its PID files).
set -euo pipefail
H=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common.sh
source "$H/../common.sh"

CHECKOUT=$REPO COMMIT='' SRCDIR='' STATE=$WORK/w3c/state DATA=$WORK/w3c/data CTX=$WORK/contexts FRESH=0
PORT=${INTEROP_PORT:-8080} TAP_PORT=${INTEROP_TAP_PORT:-8081} HTTPS_PORT=${INTEROP_HTTPS_PORT:-8443}
while [ $# -gt 0 ]; do
  case "$1" in
    --checkout) CHECKOUT=$2; shift 2 ;;
    --commit) COMMIT=$2; shift 2 ;;
    --src) SRCDIR=$2; shift 2 ;;
    --state) STATE=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --context-store) CTX=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --tap-port) TAP_PORT=$2; shift 2 ;;
    --https-port) HTTPS_PORT=$2; shift 2 ;;
    --fresh) FRESH=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
mkdir -p "$STATE/nginx-tmp" "$(dirname "$DATA")" "$CTX"
STATE=$(cd "$STATE" && pwd) CTX=$(cd "$CTX" && pwd)
VCS=${VCSERVICE_BIN:-$CHECKOUT/.venv/bin/vcservice}
[ -x "$VCS" ] || die "no $VCS: install the checkout first (cd $CHECKOUT && source scripts/uv.sh && \"\$UV\" sync --locked)"
"$H/lib/tls.sh" "$STATE"
PUBLIC=https://localhost:$HTTPS_PORT

# alive NAME: the process of STATE/NAME.pid is running (ours, from an earlier start)
alive() { [ -s "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }
# free PORT NAME: nobody else answers on PORT (a process we did not start would be tested instead)
free() {
  if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/" || curl -sk -o /dev/null --max-time 2 "https://127.0.0.1:$1/"; then
    die "port $1 ($2) is in use by a process this harness did not start; choose other ports"
  fi
}

# the code to run
SRC=$CHECKOUT
if [ -n "$SRCDIR" ]; then
  SRC=$(cd "$SRCDIR" && pwd)
  echo "source tree $SRC (checkout $CHECKOUT, $(date -u +%FT%TZ))" > "$STATE/vcservice.commit"
elif [ -n "$COMMIT" ]; then
  SHA=$(git -C "$CHECKOUT" rev-parse --verify "$COMMIT^{commit}")
  SRC=$WORK/src/${SHA:0:12}
  if [ ! -d "$SRC/vcservice" ]; then mkdir -p "$SRC"; git -C "$CHECKOUT" archive "$SHA" | tar -x -C "$SRC"; fi
  echo "$SHA" > "$STATE/vcservice.commit"
else
  { git -C "$CHECKOUT" rev-parse HEAD; git -C "$CHECKOUT" status --short | sed 's/^/dirty: /'; } > "$STATE/vcservice.commit"
fi

if ! alive vcservice; then
  free "$PORT" vcservice
  if [ "$FRESH" = 1 ]; then rm -rf "$DATA"; fi
  # The pinned contexts, installed as a deployment would (offline from a directory if given)
  "$VCS" --context-store "$CTX" contexts install ${INTEROP_CONTEXTS_FROM:+--from "$INTEROP_CONTEXTS_FROM"} \
    >"$STATE/contexts-install.log" 2>&1 ||
    die "installing contexts into $CTX failed (see $STATE/contexts-install.log; offline? set INTEROP_CONTEXTS_FROM)"
  # Settings, not code changes. The public URL is the https one (status-list and did:web URLs
  # must be https); the suites send hundreds of requests a minute from one address (rate
  # limits off, quotas up); the reference's status lists and DID documents are on loopback
  # (private networks allowed) behind the harness certificate (an extra outbound CA).
  (
    cd "$SRC"
    export VCSERVICE_PUBLIC_URL=$PUBLIC VCSERVICE_ALLOW_PRIVATE_NETWORKS=true \
      VCSERVICE_OUTBOUND_CA_FILE=$STATE/tls/cert.pem \
      VCSERVICE_VERIFY_RATE_PER_MINUTE=0 VCSERVICE_CLIENT_VERIFY_RATE_PER_MINUTE=0 \
      VCSERVICE_ISSUE_RATE_PER_MINUTE=0 VCSERVICE_TOKEN_RATE_PER_MINUTE=0 \
      VCSERVICE_ANONYMOUS_OPEN_QUOTA=100000 VCSERVICE_CLIENT_OPEN_QUOTA=100000 \
      VCSERVICE_ACCESS_TOKEN_LIFETIME_SECONDS=3600
    # --commit/--src: that tree's package first on the path, the checkout's .venv for the rest
    [ "$SRC" = "$CHECKOUT" ] || export PYTHONPATH=$SRC${PYTHONPATH:+:$PYTHONPATH}
    nohup "$VCS" --context-store "$CTX" serve --port "$PORT" --data "$DATA" \
      --public-url "$PUBLIC" --log-format text >"$STATE/vcservice.log" 2>&1 &
    echo $! > "$STATE/vcservice.pid"
  )
  wait_for "http://127.0.0.1:$PORT/healthz" 150 || die "vcservice did not start; see $STATE/vcservice.log"
fi

if ! alive tap; then
  free "$TAP_PORT" tap
  nohup node "$H/lib/tap.mjs" "$TAP_PORT" "$PORT" "$STATE/vcservice-exchanges.jsonl" >"$STATE/tap.log" 2>&1 &
  echo $! > "$STATE/tap.pid"
  wait_for "http://127.0.0.1:$TAP_PORT/healthz" || die "logging tap did not start; see $STATE/tap.log"
fi

if ! alive nginx; then
  free "$HTTPS_PORT" nginx
  sed -e "s#\${STATE}#$STATE#g" -e "s#\${HTTPS_PORT}#$HTTPS_PORT#g" -e "s#\${UPSTREAM_PORT}#$TAP_PORT#g" \
    "$H/nginx/nginx.conf.template" > "$STATE/nginx.conf"
  # -e: the early error log too, so nginx writes nothing outside the state directory
  nginx -e "$STATE/nginx-error.log" -c "$STATE/nginx.conf" -p "$STATE"
  wait_for "$PUBLIC/healthz" 50 -k || die "nginx front not answering on $PUBLIC; see $STATE/nginx-error.log"
fi
log "vcservice: $PUBLIC (upstream 127.0.0.1:$PORT, data $DATA, admin token $DATA/admin-token)"
