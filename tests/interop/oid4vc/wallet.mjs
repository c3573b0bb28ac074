// A shipper's wallet that vcservice did not write: the OpenWallet Foundation's OpenID4VC
// libraries (@openid4vc/openid4vci, @openid4vc/openid4vp, @openid4vc/oauth2), SD-JWT VC from
// @sd-jwt/*, DCQL matching from `dcql`, JOSE from `jose`. Driven by
// tests/interop/test_openid4vc_wallet.py: one JSON request a line on stdin, one JSON answer a
// line on stdout ({id, ok, result} or {id, ok: false, error}); requests are handled in order.
//
// The wallet's own code is glue only: callbacks the libraries ask for (hash, random, sign and
// verify a JWT with a resolved key), key resolution (did:web over the service's HTTP, did:key,
// did:jwk, x5c, JWT VC Issuer Metadata), and the DCQL match turned into a presentation frame.
// Tests may ask it to deviate from the protocol on purpose (`tamper`, a stale nonce, an old iat).

import crypto from 'node:crypto';
import readline from 'node:readline';

import { clientAuthenticationAnonymous, decodeJwt, setGlobalConfig } from '@openid4vc/oauth2';
import { Openid4vciClient } from '@openid4vc/openid4vci';
import { Openid4vpClient } from '@openid4vc/openid4vp';
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { DcqlQuery } from 'dcql';
import * as jose from 'jose';

// The service under test listens on http://localhost:PORT; the libraries insist on https
// unless told otherwise. did:web below maps to http for loopback hosts for the same reason.
setGlobalConfig({ allowInsecureUrls: true });

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

// ------------------------------------------------------------------ encoding helpers

const b64u = {
  encode: (bytes) => Buffer.from(bytes).toString('base64url'),
  decode: (text) => new Uint8Array(Buffer.from(text, 'base64url')),
  json: (text) => JSON.parse(Buffer.from(text, 'base64url').toString('utf8')),
};

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58Decode(text) {
  let value = 0n;
  for (const char of text) {
    const digit = BASE58.indexOf(char);
    if (digit < 0) throw new Error(`not base58: ${text}`);
    value = value * 58n + BigInt(digit);
  }
  const bytes = [];
  while (value > 0n) {
    bytes.unshift(Number(value % 256n));
    value /= 256n;
  }
  for (const char of text) {
    if (char !== '1') break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

function varint(bytes) {
  let value = 0;
  let shift = 0;
  let index = 0;
  for (;;) {
    const byte = bytes[index++];
    value |= (byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [value, bytes.subarray(index)];
    shift += 7;
  }
}

const EC_CURVES = { 0x1200: ['P-256', 'prime256v1'], 0x1201: ['P-384', 'secp384r1'] };

/** A Multikey (publicKeyMultibase, base58btc) as a public JWK: Ed25519, P-256, P-384. */
function multikeyToJwk(multibase) {
  if (!multibase.startsWith('z')) throw new Error(`unsupported multibase: ${multibase}`);
  const [codec, key] = varint(base58Decode(multibase.slice(1)));
  if (codec === 0xed) return { kty: 'OKP', crv: 'Ed25519', x: b64u.encode(key) };
  if (EC_CURVES[codec]) {
    const [crv, openssl] = EC_CURVES[codec];
    const point = crypto.ECDH.convertKey(key, openssl, undefined, undefined, 'uncompressed');
    const size = (point.length - 1) / 2;
    return {
      kty: 'EC',
      crv,
      x: b64u.encode(point.subarray(1, 1 + size)),
      y: b64u.encode(point.subarray(1 + size)),
    };
  }
  throw new Error(`unsupported multikey codec 0x${codec.toString(16)}`);
}

function algFor(jwk) {
  if (jwk.kty === 'OKP') return 'EdDSA';
  if (jwk.crv === 'P-256') return 'ES256';
  if (jwk.crv === 'P-384') return 'ES384';
  if (jwk.crv === 'P-521') return 'ES512';
  throw new Error(`no JWS algorithm for ${JSON.stringify(jwk)}`);
}

// ------------------------------------------------------------------ key resolution

const httpLog = [];

async function fetchJson(url, accept = 'application/json') {
  const response = await fetch(url, { headers: { Accept: accept } });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

function didWebUrl(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  const scheme = LOOPBACK.has(host.split(':')[0]) ? 'http' : 'https';
  const tail = path.length ? `${path.join('/')}/did.json` : '.well-known/did.json';
  return `${scheme}://${host}/${tail}`;
}

/** The public JWK a DID URL names (did:web, did:key, did:jwk). */
async function resolveDidUrl(didUrl) {
  const [did, fragment] = didUrl.split('#');
  if (did.startsWith('did:jwk:')) return b64u.json(did.slice('did:jwk:'.length));
  if (did.startsWith('did:key:')) return multikeyToJwk(did.slice('did:key:'.length));
  if (!did.startsWith('did:web:')) throw new Error(`unsupported DID method: ${did}`);
  const document = await fetchJson(didWebUrl(did), 'application/did+json, application/json');
  if (document.id !== did) throw new Error(`DID document ${document.id} is not ${did}`);
  const methods = document.verificationMethod ?? [];
  const wanted = fragment ? [`${did}#${fragment}`, `#${fragment}`] : null;
  const method = methods.find((entry) => (wanted ? wanted.includes(entry.id) : true));
  if (!method) throw new Error(`${didUrl} not found in its DID document`);
  if (method.publicKeyJwk) return method.publicKeyJwk;
  return multikeyToJwk(method.publicKeyMultibase);
}

function x5cLeafJwk(x5c) {
  const certificate = new crypto.X509Certificate(Buffer.from(x5c[0], 'base64'));
  return certificate.publicKey.export({ format: 'jwk' });
}

/** The issuer's key (draft-ietf-oauth-sd-jwt-vc §2.5): x5c, JWT VC Issuer Metadata (§4), or,
 * as this service signs, a DID URL of the `iss` DID in `kid` (an ecosystem mechanism). */
async function issuerJwk(header, payload) {
  if (header.x5c) return x5cLeafJwk(header.x5c);
  const iss = payload?.iss;
  if (header.kid?.startsWith('did:')) {
    // The key must be the issuer's own (SD-JWT VC §7: keep iss and its keys related).
    if (iss?.startsWith('did:') && header.kid.split('#')[0] !== iss) {
      throw new Error(`kid ${header.kid} is not a key of the issuer ${iss}`);
    }
    return resolveDidUrl(header.kid);
  }
  if (iss?.startsWith('did:')) return resolveDidUrl(header.kid ? `${iss}#${header.kid.replace(/^#/, '')}` : iss);
  if (iss && /^https?:/.test(iss)) {
    const url = new URL(iss);
    const metadataUrl = `${url.origin}/.well-known/jwt-vc-issuer${url.pathname === '/' ? '' : url.pathname}`;
    const metadata = await fetchJson(metadataUrl);
    if (metadata.issuer !== iss) throw new Error(`JWT VC Issuer Metadata names ${metadata.issuer}, not ${iss}`);
    const jwks = metadata.jwks ?? (await fetchJson(metadata.jwks_uri));
    const key = jwks.keys.find((entry) => !header.kid || entry.kid === header.kid);
    if (!key) throw new Error(`no key ${header.kid} in the JWKS of ${iss}`);
    return key;
  }
  throw new Error(`cannot find the key of a JWT with header ${JSON.stringify(header)}`);
}

async function verifyCompact(compact, jwk) {
  const key = await jose.importJWK(jwk, jwk.alg ?? algFor(jwk));
  await jose.compactVerify(compact, key);
}

/** @sd-jwt's Verifier callback: the key comes from the header and payload it signs. */
async function sdJwtVerifier(data, signature) {
  const [header, payload] = data.split('.').slice(0, 2).map((part) => b64u.json(part));
  const jwk = await issuerJwk(header, payload);
  try {
    await verifyCompact(`${data}.${signature}`, jwk);
    return true;
  } catch {
    return false;
  }
}

// ------------------------------------------------------------------ the holder and its callbacks

const holder = await ES256.generateKeyPair();
const holderPublicJwk = { kty: 'EC', crv: 'P-256', x: holder.publicKey.x, y: holder.publicKey.y };
const holderKey = await jose.importJWK({ ...holder.privateKey, alg: 'ES256' }, 'ES256');
const holderSigner = { method: 'jwk', alg: 'ES256', publicJwk: holderPublicJwk };
const kbSigner = await ES256.getSigner(holder.privateKey);

const HASHES = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };

const callbacks = {
  fetch: async (input, init) => {
    const response = await fetch(input, init);
    httpLog.push({ method: init?.method ?? 'GET', url: String(input), status: response.status });
    return response;
  },
  hash: (data, alg) => new Uint8Array(crypto.createHash(HASHES[alg] ?? alg).update(data).digest()),
  generateRandom: (length) => new Uint8Array(crypto.randomBytes(length)),
  clientAuthentication: clientAuthenticationAnonymous(),
  signJwt: async (signer, { header, payload }) => {
    if (signer.method !== 'jwk' || signer.publicJwk.x !== holderPublicJwk.x) {
      throw new Error(`the wallet signs with its holder key only (asked for ${signer.method})`);
    }
    const jwt = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader(header)
      .sign(holderKey);
    return { jwt, signerJwk: holderPublicJwk };
  },
  verifyJwt: async (signer, { header, payload, compact }) => {
    let jwk;
    if (signer.method === 'jwk') jwk = signer.publicJwk;
    else if (signer.method === 'did') jwk = await resolveDidUrl(signer.didUrl);
    else if (signer.method === 'x5c') jwk = x5cLeafJwk(signer.x5c);
    else jwk = await issuerJwk(header, payload);
    try {
      await verifyCompact(compact, jwk);
      return { verified: true, signerJwk: jwk };
    } catch {
      return { verified: false, signerJwk: jwk };
    }
  },
  getX509CertificateMetadata: (certificate) => {
    const parsed = new crypto.X509Certificate(Buffer.from(certificate, 'base64'));
    const names = (parsed.subjectAltName ?? '').split(', ');
    return {
      sanDnsNames: names.filter((n) => n.startsWith('DNS:')).map((n) => n.slice(4)),
      sanUriNames: names.filter((n) => n.startsWith('URI:')).map((n) => n.slice(4)),
    };
  },
  decryptJwe: async () => {
    throw new Error('the wallet does not decrypt');
  },
  encryptJwe: async () => {
    throw new Error('the wallet does not encrypt');
  },
};

const vciClient = new Openid4vciClient({ callbacks });
const vpClient = new Openid4vpClient({ callbacks });

function sdJwtVc({ kb = false } = {}) {
  return new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    saltGenerator: generateSalt,
    verifier: sdJwtVerifier,
    statusVerifier: sdJwtVerifier,
    kbSigner: kb ? kbSigner : undefined,
    kbSignAlg: 'ES256',
    loadTypeMetadataFormat: true,
  });
}

// ------------------------------------------------------------------ issuance (OpenID4VCI 1.0)

const sessions = new Map();

function session(id) {
  const found = sessions.get(id);
  if (!found) throw new Error(`no issuance session ${id}`);
  return found;
}

/** Resolve an offer (by value or by credential_offer_uri) and its issuer's metadata. */
async function offer({ offer: link }) {
  const credentialOffer = await vciClient.resolveCredentialOffer(link);
  const issuerMetadata = await vciClient.resolveIssuerMetadata(credentialOffer.credential_issuer);
  const id = crypto.randomUUID();
  sessions.set(id, { credentialOffer, issuerMetadata });
  const grant = credentialOffer.grants?.['urn:ietf:params:oauth:grant-type:pre-authorized_code'];
  return {
    session: id,
    credentialOffer,
    credentialIssuer: issuerMetadata.credentialIssuer,
    authorizationServers: issuerMetadata.authorizationServers,
    originalDraftVersion: issuerMetadata.originalDraftVersion,
    txCode: grant?.tx_code ?? null,
  };
}

async function token({ session: id, txCode }) {
  const state = session(id);
  const { accessTokenResponse } = await vciClient.retrievePreAuthorizedCodeAccessTokenFromOffer({
    credentialOffer: state.credentialOffer,
    issuerMetadata: state.issuerMetadata,
    txCode,
  });
  state.accessToken = accessTokenResponse.access_token;
  return { accessTokenResponse };
}

async function nonce({ session: id }) {
  return vciClient.requestNonce({ issuerMetadata: session(id).issuerMetadata });
}

/** The credential request; `nonce` and `issuedAt` (seconds) may be stale on purpose. */
async function credential({ session: id, configurationId, nonce: cNonce, issuedAt }) {
  const state = session(id);
  const credentialConfigurationId = configurationId ?? state.credentialOffer.credential_configuration_ids[0];
  const proof = await vciClient.createCredentialRequestJwtProof({
    issuerMetadata: state.issuerMetadata,
    credentialConfigurationId,
    signer: holderSigner,
    nonce: cNonce,
    issuedAt: issuedAt === undefined ? undefined : new Date(issuedAt * 1000),
  });
  const { credentialResponse } = await vciClient.retrieveCredentials({
    issuerMetadata: state.issuerMetadata,
    accessToken: state.accessToken,
    credentialConfigurationId,
    proofs: { jwt: [proof.jwt] },
  });
  const credentials = (credentialResponse.credentials ?? []).map((entry) => entry.credential);
  return { credentialResponse, credentials, proof: decodeJwt({ jwt: proof.jwt }) };
}

/** The whole pre-authorized code flow for one offer. */
async function receive({ offer: link, txCode, configurationId }) {
  const offered = await offer({ offer: link });
  const tokenResult = await token({ session: offered.session, txCode });
  const { c_nonce: cNonce } = await nonce({ session: offered.session });
  const issued = await credential({ session: offered.session, configurationId, nonce: cNonce });
  const checks = await Promise.all(issued.credentials.map((c) => verifyCredential({ credential: c })));
  return { ...offered, token: tokenResult.accessTokenResponse, cNonce, ...issued, verification: checks };
}

/** @sd-jwt/sd-jwt-vc's own verification of an issued SD-JWT VC: signature, disclosures,
 * times, status (Token Status List, fetched and verified) and the vct's type metadata;
 * plus the status list decoded again by @sd-jwt/jwt-status-list. */
async function verifyCredential({ credential: compact }) {
  const sdjwt = sdJwtVc();
  const decoded = await sdjwt.decode(compact);
  const header = decoded.jwt.header;
  const payload = decoded.jwt.payload;
  const claims = await sdjwt.getClaims(compact);
  const disclosures = decoded.disclosures.map((d) => ({ key: d.key ?? null, value: d.value, encoded: d.encode() }));
  let status = null;
  if (payload.status?.status_list) {
    const { uri, idx } = payload.status.status_list;
    const response = await fetch(uri, { headers: { Accept: 'application/statuslist+jwt' } });
    const listJwt = await response.text();
    const [listHeader, listPayload] = listJwt.split('.').slice(0, 2).map((part) => b64u.json(part));
    const { lst, ...statusList } = listPayload.status_list ?? {};
    status = {
      uri,
      idx,
      contentType: response.headers.get('content-type'),
      header: listHeader,
      payload: { ...listPayload, status_list: statusList },
      value: getListFromStatusListJWT(listJwt).getStatus(idx),
    };
  }
  let verified;
  try {
    const result = await sdjwt.verify(compact);
    verified = { ok: true, typeMetadata: result.typeMetadata?.mergedTypeMetadata ?? null };
  } catch (error) {
    verified = { ok: false, error: String(error.message ?? error) };
  }
  return { header, payload, claims, disclosures, status, verified };
}

// ------------------------------------------------------------------ presentation (OpenID4VP 1.0)

/** DCQL's matched claims as an @sd-jwt presentation frame (arrays by index). */
function frameFor(output) {
  const frame = {};
  for (const [key, value] of Object.entries(output)) {
    if (Array.isArray(value)) {
      frame[key] = Object.fromEntries(
        value.map((item, index) => [index, item !== null && typeof item === 'object' ? frameFor(item) : true]),
      );
    } else if (value !== null && typeof value === 'object') {
      frame[key] = frameFor(value);
    } else {
      frame[key] = true;
    }
  }
  return frame;
}

/** The Credential Queries to answer (OpenID4VP 1.0 §6.4.2): without credential_sets,
 * every one; with them, the first option the wallet can satisfy of each set (a required
 * set always has one, or the query could not be satisfied). Nothing more is disclosed. */
function chosenQueries(query, match) {
  if (!match.credential_sets) return query.credentials.map((credential) => credential.id);
  const chosen = new Set();
  for (const set of match.credential_sets) {
    const option = set.matching_options?.[0];
    if (option) option.forEach((id) => chosen.add(id));
  }
  return [...chosen];
}

/** Replace the value of one disclosure (after the issuer signed it): a tampered disclosure. */
function tamperDisclosure(presentation, claim) {
  const parts = presentation.split('~');
  for (let i = 1; i < parts.length - 1; i++) {
    const contents = b64u.json(parts[i]);
    if (contents.length === 3 && (!claim || contents[1] === claim)) {
      contents[2] = typeof contents[2] === 'string' ? `${contents[2]} (altered)` : 'altered';
      parts[i] = b64u.encode(Buffer.from(JSON.stringify(contents)));
      return { presentation: parts.join('~'), claim: contents[1] };
    }
  }
  throw new Error(`no disclosure of ${claim ?? 'any claim'} to tamper with`);
}

/** A KB-JWT made by hand (RFC 9901 §4.3), for presentations the library would not make. */
async function keyBindingJwt(withoutKb, { aud, nonce: kbNonce }) {
  const sdHash = b64u.encode(crypto.createHash('sha256').update(withoutKb).digest());
  return new jose.CompactSign(
    new TextEncoder().encode(
      JSON.stringify({ iat: Math.floor(Date.now() / 1000), aud, nonce: kbNonce, sd_hash: sdHash }),
    ),
  )
    .setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' })
    .sign(holderKey);
}

/** Resolve a request (request_uri, signed request object), match its DCQL query against the
 * wallet's credentials, present each with only the matched claims and a KB-JWT, and answer
 * by direct_post. `tamper`: {nonce, aud, disclosure} to deviate on purpose. */
async function present({ request: link, credentials, tamper = {} }) {
  const parsed = vpClient.parseOpenid4vpAuthorizationRequest({ authorizationRequest: link });
  const resolved = await vpClient.resolveOpenId4vpAuthorizationRequest({
    authorizationRequestPayload: parsed.params,
  });
  const request = resolved.authorizationRequestPayload;
  const query = DcqlQuery.parse(resolved.dcql.query);
  DcqlQuery.validate(query);
  const sdjwt = sdJwtVc({ kb: true });
  const held = [];
  for (const compact of credentials) {
    const decoded = await sdjwt.decode(compact);
    held.push({
      compact,
      dcql: {
        credential_format: 'dc+sd-jwt',
        vct: decoded.jwt.payload.vct,
        claims: await sdjwt.getClaims(compact),
        cryptographic_holder_binding: Boolean(decoded.jwt.payload.cnf),
      },
    });
  }
  const match = DcqlQuery.query(query, held.map((entry) => entry.dcql));
  if (!match.can_be_satisfied) {
    return { resolved: describe(resolved), match, submitted: false };
  }
  const audience = tamper.aud ?? resolved.client.effective;
  const kbNonce = tamper.nonce ?? request.nonce;
  const vpToken = {};
  const disclosed = {};
  for (const queryId of chosenQueries(query, match)) {
    const result = match.credential_matches[queryId];
    const chosen = result.valid_credentials[0];
    const frame = frameFor(chosen.claims.valid_claim_sets[0].output);
    const { compact } = held[chosen.input_credential_index];
    let presentation;
    if (tamper.disclosure !== undefined) {
      const withoutKb = await sdjwt.present(compact, frame);
      const altered = tamperDisclosure(withoutKb, tamper.disclosure || null);
      presentation = altered.presentation + (await keyBindingJwt(altered.presentation, { aud: audience, nonce: kbNonce }));
    } else {
      presentation = await sdjwt.present(compact, frame, {
        kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: audience, nonce: kbNonce } },
      });
    }
    vpToken[queryId] = [presentation];
    disclosed[queryId] = {
      frame,
      claims: await sdJwtVc().getClaims(presentation.slice(0, presentation.lastIndexOf('~') + 1)),
    };
  }
  const response = await vpClient.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: { vp_token: vpToken },
  });
  const submitted = await vpClient.submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request,
    authorizationResponsePayload: response.authorizationResponsePayload,
  });
  const text = await submitted.response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return {
    resolved: describe(resolved),
    match: { can_be_satisfied: match.can_be_satisfied },
    disclosed,
    vpToken,
    submitted: true,
    responseMode: submitted.responseMode,
    status: submitted.response.status,
    contentType: submitted.response.headers.get('content-type'),
    body,
  };
}

function describe(resolved) {
  return {
    client: resolved.client,
    request: resolved.authorizationRequestPayload,
    jar: resolved.jar
      ? { header: resolved.jar.jwt?.header, signer: resolved.jar.signer, sendBy: resolved.jar.sendBy }
      : null,
    version: resolved.version,
  };
}

// ------------------------------------------------------------------ the line protocol

const OPS = {
  hello: async () => ({ node: process.version, holderJwk: holderPublicJwk }),
  offer,
  token,
  nonce,
  credential,
  receive,
  verifyCredential,
  present,
  httpLog: async () => httpLog.splice(0),
};

function describeError(error) {
  const described = { name: error?.constructor?.name ?? 'Error', message: String(error?.message ?? error) };
  if (error?.errorResponse) described.errorResponse = error.errorResponse;
  if (error?.response?.status !== undefined) described.status = error.response.status;
  if (error?.response?.credentialErrorResponseResult?.data) {
    described.errorResponse = error.response.credentialErrorResponseResult.data;
  }
  if (error?.response?.response?.status !== undefined) described.status = error.response.response.status;
  if (error?.textResponse) described.body = error.textResponse.slice(0, 2000);
  if (process.env.WALLET_DEBUG) described.stack = String(error?.stack ?? '');
  return described;
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let id = null;
  let answer;
  try {
    const request = JSON.parse(line);
    id = request.id ?? null;
    const op = OPS[request.op];
    if (!op) throw new Error(`unknown op ${request.op}`);
    answer = { id, ok: true, result: await op(request.args ?? {}) };
  } catch (error) {
    answer = { id, ok: false, error: describeError(error) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
