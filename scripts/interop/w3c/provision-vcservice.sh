#!/usr/bin/env bash
# Provision a running vcservice for the W3C suites (harness only).
#   provision-vcservice.sh <public-url> <admin-token | @file-with-token> [out.json]
# Creates (or re-reads) three authorities allowed "*" — suites-ed25519, suites-p256, suites-p384 —
# asking for a did:key of one key ({"didMethod":"key","keyType":…}): the Data Integrity suites
# resolve verification methods with a did:key-only resolver. Where the service refuses that
# (400/422) it falls back to the default did:web authority and says so in the notes.
# Creates one OAuth2 client per authority (issue/read/update/verify scopes; secrets are shown
# once, so a re-run makes new clients) and writes everything to out.json (default
# $INTEROP_WORK/w3c/state/vcservice.json), which config/localConfig.cjs reads.
# Prefix of the authority names: $VCS_AUTHORITY_PREFIX (default "suites").
set -euo pipefail
H=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common.sh
source "$H/../common.sh"
URL=${1:?public url, e.g. https://localhost:8443}
URL=${URL%/}
TOKEN=${2:?admin token or @file}
OUT=${3:-$WORK/w3c/state/vcservice.json}
if [[ "$TOKEN" == @* ]]; then TOKEN=$(cat "${TOKEN#@}"); fi
export URL TOKEN OUT PREFIX=${VCS_AUTHORITY_PREFIX:-suites}
node - <<'EOF'
const https = require('node:https');
const {URL: U} = require('node:url');
const fs = require('node:fs');
const {URL: base, TOKEN, OUT, PREFIX} = process.env;
const agent = new https.Agent({rejectUnauthorized: false});
function call(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const u = new U(base + path);
    const data = body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body));
    const req = (u.protocol === 'https:' ? https : require('node:http')).request(u, {
      method, agent: u.protocol === 'https:' ? agent : undefined,
      headers: {accept: 'application/json', ...(data && typeof body !== 'string' ? {'content-type': 'application/json'} : {}),
        ...headers}
    }, res => {
      let t = ''; res.on('data', c => t += c); res.on('end', () => {
        let j = null; try { j = JSON.parse(t); } catch {}
        resolve({status: res.statusCode, body: j ?? t});
      });
    });
    req.on('error', reject); if(data) req.write(data); req.end();
  });
}
const admin = {authorization: `Bearer ${TOKEN}`};
const KEYS = [
  {tag: 'ed25519', keyType: 'Ed25519', format: 'eddsa-rdfc-2022', prefix: 'did:key:z6Mk'},
  {tag: 'p256', keyType: 'P-256', format: 'ecdsa-rdfc-2019', prefix: 'did:key:zDna'},
  {tag: 'p384', keyType: 'P-384', format: 'ecdsa-rdfc-2019', prefix: 'did:key:z82L'}
];
const SCOPES = ['issue:credentials', 'read:credentials', 'update:credentials', 'verify:credentials'];
(async () => {
  const health = await call('GET', '/healthz');
  if(health.status !== 200) throw new Error(`${base}/healthz → ${health.status}`);
  const out = {url: base, provisionedAt: new Date().toISOString(), authorities: {}, notes: []};
  for(const k of KEYS) {
    const name = `${PREFIX}-${k.tag}`;
    const wanted = {name, displayName: `W3C suites (${k.keyType})`, credentialTypes: ['*'],
      didMethod: 'key', keyType: k.keyType};
    let r = await call('POST', '/admin/authorities', wanted, admin);
    let didMethodRequest = 'key';
    if(r.status === 400 || r.status === 422) {
      out.notes.push(`${name}: did:key refused (${r.status} ${JSON.stringify(r.body).slice(0, 300)}); ` +
        'fell back to the default (did:web) authority');
      didMethodRequest = 'web (fallback)';
      const {didMethod, keyType, ...plain} = wanted;
      r = await call('POST', '/admin/authorities', plain, admin);
    }
    if(r.status === 409) {
      r = await call('GET', `/admin/authorities/${name}`, undefined, admin);
      didMethodRequest = 'existing';
    }
    if(r.status !== 201 && r.status !== 200) {
      throw new Error(`creating ${name}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    const did = r.body.did;
    const c = await call('POST', `/admin/authorities/${name}/clients`, {scopes: SCOPES}, admin);
    if(c.status !== 201) throw new Error(`client for ${name}: ${c.status} ${JSON.stringify(c.body)}`);
    const entry = {name, did, keyType: k.keyType, format: k.format, didMethodRequest,
      didKeyAsExpected: did.startsWith(k.prefix), clientId: c.body.clientId,
      clientSecret: c.body.clientSecret, scopes: c.body.scopes};
    if(!entry.didKeyAsExpected) {
      out.notes.push(`${name}: issuer DID ${did} is not a ${k.prefix}… did:key — the DI suites resolve ` +
        'verification methods with a did:key-only resolver');
    }
    // token check (form body, as vc-test-suite-implementations sends it)
    const form = new URLSearchParams({grant_type: 'client_credentials', client_id: entry.clientId,
      client_secret: entry.clientSecret, audience: base, scope: 'issue:credentials'}).toString();
    const t = await call('POST', '/oauth/token', form, {'content-type': 'application/x-www-form-urlencoded'});
    entry.tokenCheck = t.status;
    out.authorities[k.tag] = entry;
  }
  fs.mkdirSync(require('node:path').dirname(OUT), {recursive: true});
  fs.writeFileSync(OUT, JSON.stringify(out, null, 2), {mode: 0o600});
  for(const [tag, a] of Object.entries(out.authorities)) {
    console.log(`${tag.padEnd(8)} ${a.did}  client ${a.clientId}  token ${a.tokenCheck}  (${a.didMethodRequest})`);
  }
  for(const n of out.notes) console.log(`note: ${n}`);
  console.log(`wrote ${OUT}`);
})().catch(e => { console.error(e.message); process.exit(1); });
EOF
