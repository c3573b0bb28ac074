#!/usr/bin/env node
// A minimal VC API verifier over Digital Bazaar's libraries, for bench/bench_http_compare.py.
//
//   node server.mjs --preload DOCS.json [--port 0] [--host 127.0.0.1]
//       [--context-store DIR] [--check-status [--status-lists each|once]]
//
// One process, Node's own node:http. POST /credentials/verify takes the VC API body
// {"verifiableCredential": {...}, "options": {...}} (options are accepted and ignored) and
// answers 200 {"verified": true, "checks": [...], "warnings": [], "errors": []} when
// @digitalbazaar/vc verifyCredential verifies it (DataIntegrityProof with eddsa-rdfc-2022 or
// ecdsa-rdfc-2019, CredentialIssuancePurpose for assertionMethod, the library's own shape
// and date checks), else 422 with "verified": false and the errors.
//
// Status: @digitalbazaar/vc refuses a credential with credentialStatus unless it is given a
// checkStatus function. By default the status is not checked (a checkStatus that passes).
// With --check-status, @digitalbazaar/vc-bitstring-status-list checkStatus reads every
// BitstringStatusListEntry from the preloaded list credentials, and a set revocation or
// suspension bit fails; other purposes (message, with statusSize 2, which that library does
// not read) are not interpreted. Its list credentials are verified on every request
// (--status-lists each, the library's default: proof and validity period) or once at
// startup (--status-lists once, as vcservice keeps the lists it has verified; their validity
// period is then not checked again); in both, the issuers must match.
//
// The document loader is offline: JSON-LD contexts come only from the vcservice context
// store (--context-store, else VCSERVICE_CONTEXT_STORE; files named <sha256>.jsonld, checked
// against the pinned digests of contexts/manifest.json) and the contexts bundled next to the
// manifest; every other document (DID documents, verification methods, status list
// credentials) only from the --preload file, {url: document}. Anything else throws.
//
// Prints "listening on http://HOST:PORT" once it accepts connections; stops on SIGTERM/SIGINT.

import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {createServer} from 'node:http';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

import * as vc from '@digitalbazaar/vc';
import canonicalize from 'canonicalize';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {describeError} from '../../tests/interop/js/results.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const MANIFEST_PATH = resolve(HERE, '../../contexts/manifest.json');
const VERIFY_PATH = '/credentials/verify';
const MAX_BODY_BYTES = 1_000_000;
const FAILING_PURPOSES = new Set(['revocation', 'suspension']);

const SUITES = [eddsaRdfc2022, ecdsaRdfc2019].map(
  cryptosuite => new DataIntegrityProof({cryptosuite}));

class RequestError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// ---------------------------------------------------------------- document loader

function deepFreeze(value) {
  if(value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

function contextLoader(storeDir) {
  const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')).contexts;
  const loaded = new Map();
  return url => {
    if(loaded.has(url)) {
      return loaded.get(url);
    }
    const pinned = manifest[url];
    if(!pinned) {
      throw new Error(`offline document loader: ${url} is neither preloaded nor pinned`);
    }
    const path = pinned.file ?
      join(dirname(MANIFEST_PATH), pinned.file) : join(storeDir, `${pinned.sha256}.jsonld`);
    const document = JSON.parse(readFileSync(path, 'utf8'));
    const digest = createHash('sha256').update(canonicalize(document), 'utf8').digest('hex');
    if(digest !== pinned.sha256) {
      throw new Error(
        `offline document loader: ${path} has digest ${digest}, pinned ${pinned.sha256}`);
    }
    loaded.set(url, deepFreeze(document));
    return document;
  };
}

function offlineDocumentLoader({storeDir, preloaded}) {
  const context = contextLoader(storeDir);
  return async url => {
    const document = preloaded.has(url) ? preloaded.get(url) : context(url);
    return {contextUrl: null, documentUrl: url, document};
  };
}

// ---------------------------------------------------------------- status

function statusNotChecked() {
  return {verified: true};
}

async function verifyStatusLists({preloaded, documentLoader}) {
  for(const [url, document] of preloaded) {
    if(!document.type?.includes?.('BitstringStatusListCredential')) {
      continue;
    }
    const result = await vc.verifyCredential({
      credential: document, suite: SUITES, documentLoader});
    if(!result.verified) {
      throw new Error(`status list ${url} does not verify: ${describeError(result)}`);
    }
  }
}

function bitstringStatus({verifyLists}) {
  return async options => {
    const result = await checkStatus({
      ...options, verifyBitstringStatusListCredential: verifyLists});
    if(!result.verified) {
      return result;
    }
    const set = result.results.filter(
      ({credentialStatus, status}) =>
        status === true && FAILING_PURPOSES.has(credentialStatus.statusPurpose));
    if(set.length > 0) {
      const purposes = set.map(({credentialStatus}) => credentialStatus.statusPurpose);
      return {...result, verified: false, error: new Error(`status set: ${purposes}`)};
    }
    return result;
  };
}

// ---------------------------------------------------------------- verification

function verifier({documentLoader, statusCheck, checks}) {
  return async credential => {
    const result = await vc.verifyCredential({
      credential, suite: SUITES, documentLoader, checkStatus: statusCheck});
    if(result.verified === true) {
      return {status: 200, body: {verified: true, checks, warnings: [], errors: []}};
    }
    const error = describeError(result);
    return {status: 422, body: {verified: false, checks, warnings: [], errors: [error], error}};
  };
}

// ---------------------------------------------------------------- HTTP

function readBody(request) {
  return new Promise((resolvePromise, reject) => {
    const chunks = [];
    let size = 0;
    request.on('data', chunk => {
      size += chunk.length;
      if(size > MAX_BODY_BYTES) {
        reject(new RequestError(413, 'body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolvePromise(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseVerifyRequest(bytes) {
  let body;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch(error) {
    throw new RequestError(400, `body is not JSON: ${error.message}`);
  }
  const credential = body?.verifiableCredential;
  if(!credential || typeof credential !== 'object' || Array.isArray(credential)) {
    throw new RequestError(400, 'body.verifiableCredential must be an object');
  }
  return credential;
}

function send(response, status, body) {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': payload.length
  });
  response.end(payload);
}

function handler(verify) {
  return async (request, response) => {
    try {
      if(request.url !== VERIFY_PATH) {
        throw new RequestError(404, `no route ${request.url}`);
      }
      if(request.method !== 'POST') {
        throw new RequestError(405, `${request.method} is not allowed`);
      }
      const credential = parseVerifyRequest(await readBody(request));
      const {status, body} = await verify(credential);
      send(response, status, body);
    } catch(error) {
      const status = error instanceof RequestError ? error.status : 500;
      send(response, status, {verified: false, errors: [error.message], error: error.message});
    }
  };
}

// ---------------------------------------------------------------- main

function options() {
  const {values} = parseArgs({
    options: {
      'preload': {type: 'string'},
      'port': {type: 'string', default: '0'},
      'host': {type: 'string', default: '127.0.0.1'},
      'context-store': {type: 'string'},
      'check-status': {type: 'boolean', default: false},
      'status-lists': {type: 'string', default: 'each'}
    }
  });
  const storeDir = values['context-store'] ?? process.env.VCSERVICE_CONTEXT_STORE;
  if(!storeDir) {
    throw new Error('give --context-store or set VCSERVICE_CONTEXT_STORE');
  }
  if(!values.preload) {
    throw new Error('give --preload DOCS.json ({url: document})');
  }
  if(!['each', 'once'].includes(values['status-lists'])) {
    throw new Error('--status-lists is "each" or "once"');
  }
  return {...values, storeDir, port: Number(values.port)};
}

async function main() {
  const settings = options();
  const preloaded = new Map(Object.entries(
    deepFreeze(JSON.parse(readFileSync(settings.preload, 'utf8')))));
  const documentLoader = offlineDocumentLoader({storeDir: settings.storeDir, preloaded});
  let statusCheck = statusNotChecked;
  const checks = ['proof'];
  if(settings['check-status']) {
    const verifyLists = settings['status-lists'] === 'each';
    if(!verifyLists) {
      await verifyStatusLists({preloaded, documentLoader});
    }
    statusCheck = bitstringStatus({verifyLists});
    checks.push('credentialStatus');
  }
  const server = createServer(handler(verifier({documentLoader, statusCheck, checks})));
  server.keepAliveTimeout = 0; // keep an idle client's connection open between its batches
  server.listen(settings.port, settings.host, () => {
    const {address, port} = server.address();
    process.stdout.write(`listening on http://${address}:${port}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(error => {
  process.stderr.write(`server.mjs: ${error.stack || error}\n`);
  process.exit(1);
});
