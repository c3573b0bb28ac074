#!/usr/bin/env bash
# Provision a running vcservice for the traceability-interop collection (harness only).
#   provision.sh <public-url> <admin-token | @file-with-token> <out.json> [ISSUER…]
# Creates the organisation $TRACE_ORG (default "tradeco"), allowed to issue any type, and one
# OAuth2 client holding every scope the collection uses; writes what newman needs to out.json
# (did, clientId, clientSecret, apiBase, tokenEndpoint, audience).
# vcservice's verifier trusts only the issuers of its trust registry (ISSUER_NOT_TRUSTED
# otherwise): the organisation and each ISSUER given (the collection's test issuers) are
# accredited there, as a verifier deployment would register the issuers it trusts.
set -euo pipefail
URL=${1:?public url, e.g. https://localhost:24443}
URL=${URL%/}
TOKEN=${2:?admin token or @file}
OUT=${3:?out.json}
shift 3
if [[ "$TOKEN" == @* ]]; then TOKEN=$(cat "${TOKEN#@}"); fi
ORG=${TRACE_ORG:-tradeco}
admin() { # admin PATH JSON: POST as the administrator, the response body on stdout (fails on 4xx/5xx)
  curl -sSk --fail-with-body -X POST "$URL$1" -H "Authorization: Bearer $TOKEN" \
    -H 'content-type: application/json' -d "$2"
}
authority=$(admin /admin/authorities "{\"name\":\"$ORG\",\"displayName\":\"Trade Co\",\"credentialTypes\":[\"*\"]}")
client=$(admin "/admin/authorities/$ORG/clients" '{"scopes":["resolve:dids","issue:credentials",
  "update:credentials","verify:credentials","prove:presentations","verify:presentations",
  "submit:presentations"]}')
python3 - "$URL" "$ORG" "$OUT" "$authority" "$client" <<'PY'
import json, os, sys
url, org, out, authority, client = sys.argv[1:]
authority, client = json.loads(authority), json.loads(client)
values = {
    "did": authority["did"],
    "clientId": client["clientId"],
    "clientSecret": client["clientSecret"],
    "apiBase": f"{url}/issuers/{org}",
    "tokenEndpoint": f"{url}/oauth/token",
    "audience": url,
}
fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds a client secret
with os.fdopen(fd, "w") as f:
    json.dump(values, f, indent=2)
print(f"organisation {org}: {values['did']}, client {values['clientId']}", file=sys.stderr)
PY

did=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["did"])' "$OUT")
for issuer in "$did" "$@"; do
  # base-type credentials need only the registry entry; the type list may not be empty
  admin /admin/trust-registry/issuers \
    "{\"id\":\"$issuer\",\"name\":\"traceability-interop test issuer\",\"credentialTypes\":[\"VerifiableCredential\"]}" >/dev/null
  echo "accredited $issuer in the trust registry" >&2
done
