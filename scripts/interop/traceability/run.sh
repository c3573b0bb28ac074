#!/usr/bin/env bash
# Run the w3c-ccg traceability-interop conformance collection (newman) against vcservice:
# a fresh service behind the TLS front (the collection's did:web URLs are https), provisioning,
# the collection (upstream's, pinned, plus our overlay: build_collection.py), newman, a summary;
# then stops what it started.
#
#   run.sh [--checkout DIR] [--commit REV | --src DIR] [--collection FILE | --ref COMMIT]
#          [--port N] [--tap-port N] [--https-port N] [--data DIR] [--keep-running]
#
#   --collection FILE  a local copy of the upstream collection (default: download it from GitHub
#                      at the commit pinned in build_collection.py, or at --ref COMMIT)
#   ports: $INTEROP_TRACE_PORT (24080), $INTEROP_TRACE_TAP_PORT (24081), $INTEROP_TRACE_HTTPS_PORT
#   (24443); data directory $INTEROP_TRACE_DATA or $INTEROP_WORK/trace/data (emptied first)
# Output: $INTEROP_WORK/trace/results/<UTC timestamp>/ (linked as latest): summary.md,
# summary.json, newman-report.json, newman.txt, collection.json (what ran), source.json.
set -euo pipefail
H=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common.sh
source "$H/../common.sh"
W3C=$H/../w3c
STATE=$WORK/trace/state DATA=${INTEROP_TRACE_DATA:-$WORK/trace/data}
PORT=${INTEROP_TRACE_PORT:-24080} TAP_PORT=${INTEROP_TRACE_TAP_PORT:-24081}
HTTPS_PORT=${INTEROP_TRACE_HTTPS_PORT:-24443}
START=() BUILD=() KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --checkout|--commit|--src) START+=("$1" "$2"); shift 2 ;;
    --collection|--ref) BUILD+=("$1" "$2"); shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --tap-port) TAP_PORT=$2; shift 2 ;;
    --https-port) HTTPS_PORT=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --keep-running) KEEP=1; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
RESULTS=${INTEROP_TRACE_RESULTS:-$WORK/trace/results}
TS=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$RESULTS/$TS
mkdir -p "$OUT"

# 1. the collection first: a failed download should not cost a service start
python3 "$H/build_collection.py" --out "$OUT/collection.json" "${BUILD[@]}" > "$OUT/source.json"
npm_install_copy "$H/newman" "$WORK/trace/newman"

# 2. a fresh service, provisioned
"$W3C/stop-all.sh" --state "$STATE" >/dev/null 2>&1 || true
if [ "$KEEP" = 0 ]; then trap '"$W3C/stop-all.sh" --state "$STATE"' EXIT; fi
"$W3C/start-vcservice.sh" "${START[@]}" --state "$STATE" --data "$DATA" --fresh \
  --port "$PORT" --tap-port "$TAP_PORT" --https-port "$HTTPS_PORT"
URL=https://localhost:$HTTPS_PORT
mapfile -t issuers < <(python3 -c 'import json, sys; [print(i) for i in json.load(open(sys.argv[1]))["verifyIssuers"]]' "$OUT/source.json")
"$H/provision.sh" "$URL" "@$DATA/admin-token" "$STATE/trace.json" "${issuers[@]}"
cp "$STATE/vcservice.commit" "$OUT/vcservice.commit"
value() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$STATE/trace.json" "$1"; }
DID=$(value did) CLIENT_ID=$(value clientId) CLIENT_SECRET=$(value clientSecret)
API=$(value apiBase) TOKEN_ENDPOINT=$(value tokenEndpoint) AUDIENCE=$(value audience)

# 3. the credential the overlay's round trip verifies, issued through the profile's own endpoint
token=$(curl -sSk --fail-with-body -X POST "$TOKEN_ENDPOINT" -u "$CLIENT_ID:$CLIENT_SECRET" \
  -d grant_type=client_credentials -d scope=issue:credentials |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
issue=$(python3 -c '
import json, sys
from datetime import datetime, timezone
print(json.dumps({"credential": {
    "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/traceability/v1"],
    "type": ["VerifiableCredential"], "issuer": sys.argv[1],
    "issuanceDate": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "credentialSubject": {"id": "did:example:123"}}, "options": {"type": "Ed25519Signature2018"}}))
' "$DID")
if ! VALID_VC=$(curl -sSk --fail-with-body -X POST "$API/credentials/issue" -H "Authorization: Bearer $token" \
  -H 'content-type: application/json' -d "$issue" |
  python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin)["verifiableCredential"]))'); then
  log "issuing the round-trip credential failed; the overlay's verify items will fail"
  VALID_VC=null
fi

# 4. newman (a failing assertion is a result, not an error of this script)
log "newman: $(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["source"])' "$OUT/source.json")"
rc=0
"$WORK/trace/newman/node_modules/.bin/newman" run "$OUT/collection.json" --insecure \
  --env-var "ORGANIZATION_DID_WEB=$DID" --env-var "CLIENT_ID=$CLIENT_ID" \
  --env-var "CLIENT_SECRET=$CLIENT_SECRET" --env-var "TOKEN_AUDIENCE=$AUDIENCE" \
  --env-var "TOKEN_ENDPOINT=$TOKEN_ENDPOINT" --env-var "API_BASE_URL=$API" \
  --env-var "VALID_VC=$VALID_VC" \
  --reporters cli,json --reporter-json-export "$OUT/newman-report.json" >"$OUT/newman.txt" 2>&1 || rc=$?
[ -s "$OUT/newman-report.json" ] || die "newman wrote no report (exit $rc); see $OUT/newman.txt"
python3 "$H/summarize.py" "$OUT"
ln -sfn "$TS" "$RESULTS/latest"
log "results in $OUT"
