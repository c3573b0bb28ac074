/*
 * Reference VC-API server for the W3C suites (scripts/interop/w3c; not part of vcservice).
 *
 * Built only from Digital Bazaar's npm packages (exact versions in package.json /
 * package-lock.json) under node:https, so that every suite also runs against the libraries the
 * suites were written with: the acceptance rule is "what the reference passes, vcservice
 * passes". Behaviour follows Digital Bazaar's own platform services (@bedrock/vc-issuer 31.1.1,
 * @bedrock/vc-verifier 23.6.1, @bedrock/did-io 10.x): request-body schemas (taken from their
 * npm tarballs, see schemas.js), response shapes and status codes, did:key / did:web handling.
 * Not reproduced (it needs bedrock, MongoDB, a KMS): zcaps, per-instance context stores,
 * persistence beyond the keys and OAuth2 clients in REF_STATE_FILE.
 *
 * Endpoints (same shape as vcservice):
 *   POST /oauth/token                      client_credentials → Bearer token for one issuer instance
 *   POST /credentials/issue                (Bearer) {credential, options} → 201 {verifiableCredential}
 *   POST /credentials/verify               {verifiableCredential, options:{checks:[…]}} → 200 | 400
 *   POST /presentations/verify             {verifiablePresentation, options:{challenge, domain, checks}} → 200 | 400
 *   POST /challenges                       → {challenge}
 *   GET  /status-lists/<instance>/<purpose>/<n>   signed BitstringStatusListCredential
 *   GET  /instances                        the issuer instances (DIDs, client ids) — no secrets
 */
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as vc from '@digitalbazaar/vc';
import * as didMethodKey from '@digitalbazaar/did-method-key';
import * as didMethodWeb from '@digitalbazaar/did-method-web';
import {checkStatus as bslCheckStatus, createCredential as bslCreateCredential,
  createList as bslCreateList} from '@digitalbazaar/vc-bitstring-status-list';
import {CachedResolver} from '@digitalbazaar/did-io';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {Ed25519Signature2018} from '@digitalbazaar/ed25519-signature-2018';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';
import {cryptosuite as ecdsaRdfc2019Cryptosuite} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {cryptosuite as eddsaRdfc2022Cryptosuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {httpClient} from '@digitalbazaar/http-client';
import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {contexts as diContexts} from '@digitalbazaar/data-integrity-context';
import {contexts as multikeyContexts} from '@digitalbazaar/multikey-context';
import {contexts as ed2020Contexts} from 'ed25519-signature-2020-context';
import {contexts as didContexts} from 'did-context';
import {contexts as securityContexts} from '@digitalbazaar/security-context';
import {contexts as bslContexts} from '@digitalbazaar/vc-bitstring-status-list-context';
import Ajv from 'ajv';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import {issueCredentialBody, verifyCredentialBody, verifyPresentationBody} from './schemas.js';

const PORT = Number(process.env.REF_PORT || 9443);
const HOST = process.env.REF_HOST || '127.0.0.1';
const PUBLIC_URL = (process.env.REF_PUBLIC_URL || `https://localhost:${PORT}`).replace(/\/$/, '');
// start-reference.sh sets these (the harness's state directory)
const STATE_FILE = required('REF_STATE_FILE');
const TLS_CERT = required('REF_TLS_CERT');
const TLS_KEY = required('REF_TLS_KEY');
function required(name) {
  if(!process.env[name]) {
    throw new Error(`${name} is not set (start the reference with start-reference.sh)`);
  }
  return process.env[name];
}
// JSON lines: one per request, with request and response bodies (truncated) — for the harness's
// failure reports (time-correlated with the tests)
const LOG = process.env.REF_LOG ? fs.createWriteStream(process.env.REF_LOG, {flags: 'a'}) : null;
const LOG_MAX = 20000;
// the status-list length: the BSL spec's minimum (16 KB), as bedrock's default list size
const LIST_LENGTH = 131072;

// Issuer instances (bedrock: one vc-issuer instance per key / configuration).
const INSTANCES = [
  {name: 'ed25519', keyType: 'Ed25519', cryptosuite: 'eddsa-rdfc-2022'},
  {name: 'p256', keyType: 'P-256', cryptosuite: 'ecdsa-rdfc-2019'},
  {name: 'p384', keyType: 'P-384', cryptosuite: 'ecdsa-rdfc-2019'},
  // bedrock configures status lists per instance (`statusListOptions`), not per request
  {name: 'ed25519-status', keyType: 'Ed25519', cryptosuite: 'eddsa-rdfc-2022',
    statusListOptions: [{type: 'BitstringStatusList', statusPurpose: 'revocation'}]}
];

// ---------------------------------------------------------------- document loader
// bedrock: static contexts (@bedrock/*-context), did-io, then an https web loader
// (vc-verifier config documentLoader.https = true by default).
const examplesV2 = {'@context': {'@vocab': 'https://www.w3.org/ns/credentials/examples#'}};
const didIo = new CachedResolver();
const didKeyDriver = didMethodKey.driver();
// @bedrock/did-io: Ed25519 → Ed25519VerificationKey2020, P-256/P-384 → EcdsaMultikey
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519VerificationKey2020.from});
didKeyDriver.use({multibaseMultikeyHeader: 'zDna', fromMultibase: EcdsaMultikey.from});
didKeyDriver.use({multibaseMultikeyHeader: 'z82L', fromMultibase: EcdsaMultikey.from});
didIo.use(didKeyDriver);
// our setup: self-signed localhost certificates (vcservice behind nginx) must be accepted
const insecureAgent = new https.Agent({rejectUnauthorized: false});
const didWebDriver = didMethodWeb.driver({
  fetchOptions: {size: 16384, timeout: 5000, agent: insecureAgent}
});
didWebDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519VerificationKey2020.from});
didWebDriver.use({multibaseMultikeyHeader: 'zDna', fromMultibase: EcdsaMultikey.from});
didWebDriver.use({multibaseMultikeyHeader: 'z82L', fromMultibase: EcdsaMultikey.from});
didIo.use(didWebDriver);

const staticLoader = new JsonLdDocumentLoader();
for(const map of [credentialsContexts, diContexts, multikeyContexts, ed2020Contexts,
  didContexts, securityContexts, bslContexts]) {
  staticLoader.addDocuments({documents: map});
}
// in the DB platform this would come from the instance's context store
staticLoader.addStatic('https://www.w3.org/ns/credentials/examples/v2', examplesV2);
const staticLoad = staticLoader.build();

async function webLoad(url) {
  // own status lists without the network
  const own = ownStatusList(url);
  if(own) {
    return {contextUrl: null, documentUrl: url, document: await own};
  }
  const {data} = await httpClient.get(url, {agent: insecureAgent, timeout: 5000,
    headers: {accept: 'application/ld+json, application/json'}});
  return {contextUrl: null, documentUrl: url, document: data};
}

function createDocumentLoader({allowWeb = true} = {}) {
  return async function documentLoader(url) {
    if(url.startsWith('did:')) {
      const document = await didIo.get({url});
      return {contextUrl: null, documentUrl: url, document};
    }
    try {
      return await staticLoad(url);
    } catch(e) {
      if(allowWeb && url.startsWith('https:')) {
        return webLoad(url);
      }
      throw e;
    }
  };
}

// ---------------------------------------------------------------- state (keys, clients)
async function generateKey(keyType) {
  const kp = keyType === 'Ed25519' ? await Ed25519Multikey.generate() :
    await EcdsaMultikey.generate({curve: keyType});
  const fingerprint = kp.publicKeyMultibase;
  const did = `did:key:${fingerprint}`;
  const exported = await kp.export({publicKey: true, secretKey: true, includeContext: true});
  return {...exported, id: `${did}#${fingerprint}`, controller: did};
}

async function loadState() {
  let state = {instances: {}};
  if(fs.existsSync(STATE_FILE)) {
    state = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
  }
  let changed = false;
  for(const inst of INSTANCES) {
    if(!state.instances[inst.name] || state.instances[inst.name].keyType !== inst.keyType) {
      const key = await generateKey(inst.keyType);
      state.instances[inst.name] = {
        keyType: inst.keyType, cryptosuite: inst.cryptosuite, did: key.controller,
        clientId: `ref-${inst.name}`,
        clientSecret: crypto.randomBytes(24).toString('base64url'), key
      };
      changed = true;
    }
  }
  if(changed) {
    fs.mkdirSync(path.dirname(STATE_FILE), {recursive: true});
    fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2), {mode: 0o600});
  }
  return state;
}

const state = await loadState();
const instances = new Map();
for(const inst of INSTANCES) {
  const s = state.instances[inst.name];
  const keyPair = inst.keyType === 'Ed25519' ? await Ed25519Multikey.from(s.key) :
    await EcdsaMultikey.from(s.key);
  instances.set(inst.name, {...inst, ...s, keyPair, lists: new Map()});
}

// ---------------------------------------------------------------- OAuth2 client credentials
const tokens = new Map();
function grantToken(form, headers) {
  let clientId = form.get('client_id');
  let secret = form.get('client_secret');
  const auth = headers.authorization || '';
  if(auth.toLowerCase().startsWith('basic ')) {
    const [id, ...rest] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
    clientId = decodeURIComponent(id); secret = decodeURIComponent(rest.join(':'));
  }
  if(form.get('grant_type') !== 'client_credentials') {
    return [400, {error: 'unsupported_grant_type'}];
  }
  const inst = [...instances.values()].find(i => i.clientId === clientId);
  if(!inst || !secret || !timingSafeEqual(secret, inst.clientSecret)) {
    return [401, {error: 'invalid_client'}];
  }
  const token = crypto.randomBytes(32).toString('base64url');
  tokens.set(token, {instance: inst.name, expires: Date.now() + 3600_000});
  return [200, {access_token: token, token_type: 'Bearer', expires_in: 3600,
    scope: 'issue:credentials'}];
}
function timingSafeEqual(a, b) {
  const x = Buffer.from(String(a)); const y = Buffer.from(String(b));
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
function authorisedInstance(headers) {
  const m = /^Bearer (.+)$/i.exec(headers.authorization || '');
  const t = m && tokens.get(m[1]);
  if(!t || t.expires < Date.now()) {
    return null;
  }
  return instances.get(t.instance);
}

// ---------------------------------------------------------------- status lists
async function getList(inst, statusPurpose) {
  let list = inst.lists.get(statusPurpose);
  if(!list) {
    list = {
      id: `${PUBLIC_URL}/status-lists/${inst.name}/${statusPurpose}/1`,
      statusPurpose, list: await bslCreateList({length: LIST_LENGTH}),
      used: new Set(), signed: null
    };
    inst.lists.set(statusPurpose, list);
  }
  return list;
}
function allocateIndex(list) {
  // bedrock allocates random blocks of an index-allocation document; random index here
  for(;;) {
    const index = crypto.randomInt(LIST_LENGTH);
    if(!list.used.has(index)) {
      list.used.add(index);
      return index;
    }
  }
}
async function signedStatusList(inst, list) {
  if(!list.signed) {
    const credential = await bslCreateCredential({
      id: list.id, list: list.list, statusPurpose: list.statusPurpose});
    credential.issuer = inst.did;
    list.signed = await vc.issue({credential, suite: issuingSuite(inst),
      documentLoader: createDocumentLoader()});
  }
  return list.signed;
}
function ownStatusList(url) {
  const m = new RegExp(`^${escapeRe(PUBLIC_URL)}/status-lists/([^/]+)/([^/]+)/1$`).exec(url);
  const inst = m && instances.get(m[1]);
  const list = inst && inst.lists.get(m[2]);
  return list ? signedStatusList(inst, list) : null;
}
function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------- issuing
function issuingSuite(inst) {
  const cryptosuite = inst.cryptosuite === 'eddsa-rdfc-2022' ?
    eddsaRdfc2022Cryptosuite : ecdsaRdfc2019Cryptosuite;
  // library default: `date` undefined → `created` = now (bedrock's modern instances pass
  // `date: null` unless `includeCreated`; its legacy `suiteName` instances include it)
  return new DataIntegrityProof({signer: inst.keyPair.signer(), cryptosuite});
}

async function issue(inst, body) {
  const {credential} = body;
  const options = body.options || {};
  // bedrock lib/issuer.js: the instance's issuer replaces whatever the request says
  if(typeof credential.issuer === 'object') {
    credential.issuer = {...credential.issuer, id: inst.did};
  } else {
    credential.issuer = inst.did;
  }
  // bedrock CredentialStatusIssuer.initialize: add the bitstring status context to v1 VCs
  if((inst.statusListOptions || []).length > 0 && Array.isArray(credential['@context']) &&
    credential['@context'].includes('https://www.w3.org/2018/credentials/v1') &&
    !credential['@context'].includes('https://www.w3.org/ns/credentials/status/v1')) {
    credential['@context'].push('https://www.w3.org/ns/credentials/status/v1');
  }
  for(const {statusPurpose} of inst.statusListOptions || []) {
    const list = await getList(inst, statusPurpose);
    const statusListIndex = allocateIndex(list);
    const entry = {
      id: `${list.id}#${statusListIndex}`, type: 'BitstringStatusListEntry',
      statusPurpose, statusListIndex: `${statusListIndex}`, statusListCredential: list.id
    };
    if(Array.isArray(credential.credentialStatus)) {
      credential.credentialStatus.push(entry);
    } else if(typeof credential.credentialStatus === 'object') {
      credential.credentialStatus = [credential.credentialStatus, entry];
    } else {
      credential.credentialStatus = entry;
    }
  }
  void options; // credentialId / mandatoryPointers / extraInformation: nothing to do here
  return vc.issue({credential: {...credential}, documentLoader: createDocumentLoader(),
    suite: issuingSuite(inst)});
}

// ---------------------------------------------------------------- verifying (bedrock vc-verifier)
function verifySuites() {
  return [
    new Ed25519Signature2018(), new Ed25519Signature2020(),
    new DataIntegrityProof({cryptosuite: ecdsaRdfc2019Cryptosuite}),
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022Cryptosuite})
  ];
}

function createCheckStatus() {
  return async function checkStatus(options) {
    try {
      const {credentialStatus} = options.credential;
      if(!credentialStatus) {
        return {verified: true};
      }
      const statuses = Array.isArray(credentialStatus) ? credentialStatus : [credentialStatus];
      const type = statuses[0]?.type;
      if(statuses.some(s => s.type !== type)) {
        throw new Error('Combinations of different credential status types are not ' +
          'presently supported.');
      }
      if(type !== 'BitstringStatusListEntry') {
        throw new Error(`Unsupported credentialStatus type "${type}".`);
      }
      const result = await bslCheckStatus({...options, documentLoader: createDocumentLoader()});
      if(result.error) {
        throw result.error;
      }
      return result;
    } catch(error) {
      return {verified: false, error};
    }
  };
}

async function verifyCredential({credential, checks}) {
  const documentLoader = createDocumentLoader();
  const suite = verifySuites();
  const checkStatus = checks.includes('credentialStatus') ? createCheckStatus() :
    () => ({verified: true});
  const result = await vc.verifyCredential({credential, documentLoader, suite, checkStatus});
  if(checks.includes('proof') && result.error && !result.proof && result.results?.[0] &&
    typeof credential.issuanceDate === 'string') {
    const proofResult = await vc.verifyCredential({credential, documentLoader, suite,
      now: new Date(credential.issuanceDate), checkStatus});
    if(proofResult.verified) {
      result.results[0] = {...proofResult.results[0], ...result.results[0], proofVerified: true};
    }
  }
  const verified = !!(result.verified && result?.results?.every(r => r.verified));
  return {...result, verified, credential};
}

const challenges = new Map();
async function verifyPresentation({presentation, challenge, domain, checks}) {
  if(checks.includes('challenge')) {
    const c = challenges.get(challenge);
    if(!c || c.expires < Date.now()) {
      throw Object.assign(new Error('Invalid or expired challenge.'), {name: 'NotAllowedError'});
    }
    c.uses++;
  }
  // bedrock: "FIXME: do not set a default domain"
  const expectedDomain = domain ?? (presentation?.proof?.domain && 'issuer.example.com');
  return vc.verify({
    presentation, challenge, domain: expectedDomain,
    documentLoader: createDocumentLoader(), suite: verifySuites(),
    unsignedPresentation: !checks.includes('proof'),
    checkStatus: createCheckStatus(), includeCredentials: true
  });
}

function serializeError(error) {
  if(!error || typeof error !== 'object') {
    return {name: 'VerificationError', message: String(error || 'Verification error.')};
  }
  const out = {name: error.name && error.name !== 'Error' ? error.name : 'VerificationError',
    message: error.message || 'Verification error.'};
  if(Array.isArray(error.errors)) {
    out.errors = error.errors.map(serializeError);
  }
  if(error.details && typeof error.details === 'object') {
    out.details = error.details;
  }
  return out;
}

// bedrock vc-verifier lib/http.js _createResponse (trimmed)
function createResponse({credential, result, error, checks}) {
  result = result || {verified: false, error};
  if(result.verified) {
    return {...jsonSafe(result), checks};
  }
  if(!error && result.error) {
    error = result.error;
  }
  if(!error) {
    for(const cr of result.credentialResults ?? [result]) {
      if(cr.error) {
        error = cr.error; break;
      }
      if(cr.statusResult?.verified === false) {
        error = cr.statusResult.error ?
          {message: 'A credential status could not be checked.',
            cause: cr.statusResult.error.message} :
          {message: 'A credential failed a status check.'};
        break;
      }
    }
  }
  const serialized = serializeError(error || {message: 'Verification error.'});
  let message = serialized.message;
  if(serialized.errors?.length > 0) {
    message = serialized.errors[0].message;
  }
  return {...jsonSafe(result), verified: false, error: serialized,
    checks: [{check: checks, id: credential && credential.id, error: message}]};
}
function jsonSafe(value) {
  // errors serialized without stacks (bedrock: serialize-error, then `delete error.stack`)
  return JSON.parse(JSON.stringify(value, (k, v) => v instanceof Error ? serializeError(v) :
    k === 'stack' ? undefined : v));
}

// ---------------------------------------------------------------- HTTP
const ajv = new Ajv({strict: false, allErrors: false});
const validators = {
  issue: ajv.compile(issueCredentialBody),
  verifyCredential: ajv.compile(verifyCredentialBody()),
  verifyPresentation: ajv.compile(verifyPresentationBody())
};
function validationError(validate) {
  return {name: 'ValidationError', message: 'A validation error occurred.',
    details: {errors: validate.errors}};
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []; let size = 0;
    req.on('data', c => {
      size += c.length;
      if(size > 10 * 1024 * 1024) {
        reject(Object.assign(new Error('too large'), {status: 413}));
        req.destroy();
      } else {
        chunks.push(c);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, body, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res._logBody = text;
  res.writeHead(status, {'content-type': type, 'content-length': Buffer.byteLength(text)});
  res.end(text);
}

async function handle(req, res) {
  const url = new URL(req.url, PUBLIC_URL);
  const p = url.pathname;
  if(req.method === 'GET') {
    if(p === '/healthz') {
      return send(res, 200, {ok: true});
    }
    if(p === '/instances') {
      return send(res, 200, Object.fromEntries([...instances].map(([n, i]) =>
        [n, {did: i.did, keyType: i.keyType, cryptosuite: i.cryptosuite, clientId: i.clientId,
          statusListOptions: i.statusListOptions || []}])));
    }
    const m = /^\/status-lists\/([^/]+)\/([^/]+)\/1$/.exec(p);
    if(m && instances.get(m[1])?.lists.get(m[2])) {
      const inst = instances.get(m[1]);
      return send(res, 200, await signedStatusList(inst, inst.lists.get(m[2])),
        'application/vc+ld+json');
    }
    return send(res, 404, {name: 'NotFoundError', message: 'Not found.'});
  }
  if(req.method !== 'POST') {
    return send(res, 405, {name: 'NotAllowedError', message: 'Method not allowed.'});
  }
  const raw = await readBody(req);
  req._logBody = p === '/oauth/token' ? '(form)' : raw;
  if(p === '/oauth/token') {
    const [status, body] = grantToken(new URLSearchParams(raw), req.headers);
    return send(res, status, body);
  }
  let body;
  try {
    // body-parser json({strict: false}): any JSON value
    body = raw.length ? JSON.parse(raw) : {};
  } catch(e) {
    return send(res, 400, {name: 'SyntaxError', message: e.message});
  }
  if(p === '/challenges') {
    const challenge = crypto.randomBytes(16).toString('base64url');
    challenges.set(challenge, {expires: Date.now() + 15 * 60_000, uses: 0});
    return send(res, 200, {challenge});
  }
  if(p === '/credentials/issue') {
    // bedrock: validate({bodySchema}) runs before authorization
    if(!validators.issue(body)) {
      return send(res, 400, validationError(validators.issue));
    }
    const inst = authorisedInstance(req.headers);
    if(!inst) {
      return send(res, 401, {name: 'NotAllowedError', message: 'Not authorized.'});
    }
    try {
      const verifiableCredential = await issue(inst, body);
      return send(res, 201, {verifiableCredential});
    } catch(cause) {
      const dataErrors = new Set(['DataError', 'jsonld.InvalidUrl', 'jsonld.ValidationError']);
      return send(res, cause.httpStatusCode ?? 400, {
        name: dataErrors.has(cause.name) ? 'DataError' : 'OperationError',
        message: 'Invalid credential.', details: {error: serializeError(cause)}});
    }
  }
  if(p === '/credentials/verify') {
    if(!validators.verifyCredential(body)) {
      return send(res, 400, validationError(validators.verifyCredential));
    }
    let response;
    const {options = {}, verifiableCredential: credential} = body;
    const {checks} = options;
    try {
      if(!Array.isArray(checks)) {
        throw Object.assign(new TypeError('"options.checks" must be an array.'));
      }
      const result = await verifyCredential({credential, checks});
      response = createResponse({credential, result, checks});
    } catch(e) {
      response = createResponse({error: e, checks});
    }
    return send(res, response.verified ? 200 : 400, response);
  }
  if(p === '/presentations/verify') {
    if(!validators.verifyPresentation(body)) {
      return send(res, 400, validationError(validators.verifyPresentation));
    }
    let response;
    const {verifiablePresentation: presentation, options = {}} = body;
    const {challenge, checks, domain} = options;
    try {
      if(!challenge) {
        throw new TypeError('"options.challenge" is required.');
      }
      if(!Array.isArray(checks)) {
        throw new TypeError('"options.checks" must be an array.');
      }
      const result = await verifyPresentation({presentation, challenge, domain, checks});
      response = createResponse({result, checks});
    } catch(e) {
      response = createResponse({error: e, checks});
    }
    return send(res, response.verified ? 200 : 400, response);
  }
  return send(res, 404, {name: 'NotFoundError', message: 'Not found.'});
}

const server = https.createServer({
  cert: fs.readFileSync(TLS_CERT), key: fs.readFileSync(TLS_KEY)
}, (req, res) => {
  const started = Date.now();
  handle(req, res).catch(e => {
    if(!res.headersSent) {
      send(res, e.status || 500, {name: 'OperationError', message: e.message});
    }
  }).finally(() => {
    LOG?.write(JSON.stringify({t: started, ms: Date.now() - started, method: req.method, url: req.url,
      status: res.statusCode, req: (req._logBody || '').slice(0, LOG_MAX),
      res: req.url.startsWith('/status-lists/') ? '(status list)' : (res._logBody || '').slice(0, LOG_MAX)}) + '\n');
  });
});
server.listen(PORT, HOST, () => {
  console.log(`reference VC-API server on ${PUBLIC_URL} (listening ${HOST}:${PORT}), ` +
    `state ${STATE_FILE}`);
});
