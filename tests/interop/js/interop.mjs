#!/usr/bin/env node
// Interop CLI over Digital Bazaar's Data Integrity libraries, for vcservice's tests.
//
//   node interop.mjs sign --suite eddsa-rdfc-2022|ecdsa-rdfc-2019 --key KEYFILE --in CRED.json
//       prints the credential issued with vc.issue (CredentialIssuancePurpose)
//   node interop.mjs verify --in SIGNED.json
//       prints {"verified": bool, "error": string|null} from vc.verifyCredential
//   node interop.mjs canonize --hash SHA-256|SHA-384 --in DOC.json
//       prints the RDFC-1.0 N-Quads the cryptosuites hash (diagnostics)
//
// The document loader is offline: JSON-LD contexts come only from the vcservice context
// store named by VCSERVICE_CONTEXT_STORE (files named <sha256>.jsonld, checked against the
// pinned digests of contexts/manifest.json), bundled contexts from next to the manifest,
// and did:key DIDs/verification methods are built locally. Anything else throws.

import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';
import canonicalize from 'canonicalize';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {describeError} from './results.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const MANIFEST_PATH = resolve(HERE, '../../../contexts/manifest.json');
const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';

const CRYPTOSUITES = {
  [eddsaRdfc2022.name]: eddsaRdfc2022,
  [ecdsaRdfc2019.name]: ecdsaRdfc2019
};

// multicodec varint prefixes of Multikey public keys (after the 'z' base58btc header)
const KEY_HEADERS = [
  {prefix: [0xed, 0x01], library: Ed25519Multikey, suite: eddsaRdfc2022.name},
  {prefix: [0x80, 0x24], library: EcdsaMultikey, suite: ecdsaRdfc2019.name},
  {prefix: [0x81, 0x24], library: EcdsaMultikey, suite: ecdsaRdfc2019.name}
];

class UsageError extends Error {}

// ---------------------------------------------------------------- contexts

let manifestCache;

function manifest() {
  if(!manifestCache) {
    manifestCache = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')).contexts;
  }
  return manifestCache;
}

const contextCache = new Map();

function loadContext(url) {
  if(contextCache.has(url)) {
    return contextCache.get(url);
  }
  const pinned = manifest()[url];
  if(!pinned) {
    throw new Error(`offline document loader: context ${url} is not pinned`);
  }
  let path;
  if(pinned.file) {
    path = join(dirname(MANIFEST_PATH), pinned.file);
  } else {
    const store = process.env.VCSERVICE_CONTEXT_STORE;
    if(!store) {
      throw new Error(
        `offline document loader: VCSERVICE_CONTEXT_STORE is not set (needed for ${url})`);
    }
    path = join(store, `${pinned.sha256}.jsonld`);
  }
  const document = JSON.parse(readFileSync(path, 'utf8'));
  const digest = createHash('sha256').update(canonicalize(document), 'utf8').digest('hex');
  if(digest !== pinned.sha256) {
    throw new Error(
      `offline document loader: ${path} has digest ${digest}, pinned ${pinned.sha256}`);
  }
  contextCache.set(url, document);
  return document;
}

// ---------------------------------------------------------------- did:key

function base58Decode(text) {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let value = 0n;
  for(const char of text) {
    const digit = alphabet.indexOf(char);
    if(digit < 0) {
      throw new Error(`invalid base58 character ${JSON.stringify(char)}`);
    }
    value = value * 58n + BigInt(digit);
  }
  const bytes = [];
  while(value > 0n) {
    bytes.unshift(Number(value % 256n));
    value /= 256n;
  }
  for(const char of text) {
    if(char !== '1') {
      break;
    }
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

function keyHeader(publicKeyMultibase) {
  if(typeof publicKeyMultibase !== 'string' || !publicKeyMultibase.startsWith('z')) {
    throw new Error('publicKeyMultibase must be a base58btc multibase string');
  }
  const bytes = base58Decode(publicKeyMultibase.slice(1));
  const header = KEY_HEADERS.find(
    ({prefix}) => prefix.every((byte, index) => bytes[index] === byte));
  if(!header) {
    throw new Error(`unsupported did:key multicodec in ${publicKeyMultibase}`);
  }
  return header;
}

async function didKeyDocuments(did) {
  const publicKeyMultibase = did.slice('did:key:'.length);
  const {library} = keyHeader(publicKeyMultibase);
  const vmId = `${did}#${publicKeyMultibase}`;
  // import the key so malformed or off-curve keys fail here, as a resolver would
  const key = await library.from({
    '@context': MULTIKEY_CONTEXT,
    id: vmId,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase
  });
  const method = await key.export({publicKey: true, includeContext: true});
  const {'@context': _, ...embedded} = method;
  const didDocument = {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: [embedded],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityInvocation: [vmId],
    capabilityDelegation: [vmId]
  };
  return {didDocument, method, vmId};
}

async function resolveDidKey(url) {
  const [did, fragment, ...rest] = url.split('#');
  if(rest.length > 0 || !/^did:key:z[1-9A-HJ-NP-Za-km-z]+$/.test(did)) {
    throw new Error(`offline document loader: malformed did:key URL ${url}`);
  }
  const {didDocument, method, vmId} = await didKeyDocuments(did);
  if(fragment === undefined) {
    return didDocument;
  }
  if(url !== vmId) {
    throw new Error(`offline document loader: ${url} is not a method of ${did}`);
  }
  return method;
}

async function documentLoader(url) {
  let document;
  if(url.startsWith('did:key:')) {
    document = await resolveDidKey(url);
  } else {
    document = loadContext(url);
  }
  return {contextUrl: null, documentUrl: url, document};
}

// ---------------------------------------------------------------- commands

function parseArgs(argv, allowed) {
  const options = {};
  for(let index = 0; index < argv.length; index += 2) {
    const flag = argv[index];
    const value = argv[index + 1];
    if(!flag.startsWith('--') || !allowed.includes(flag.slice(2)) || value === undefined) {
      throw new UsageError(`unexpected argument ${flag}`);
    }
    options[flag.slice(2)] = value;
  }
  for(const name of allowed) {
    if(options[name] === undefined) {
      throw new UsageError(`missing --${name}`);
    }
  }
  return options;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

async function sign(argv) {
  const {suite: suiteName, key: keyPath, in: inPath} = parseArgs(argv, ['suite', 'key', 'in']);
  const cryptosuite = CRYPTOSUITES[suiteName];
  if(!cryptosuite) {
    throw new UsageError(`unknown --suite ${suiteName}`);
  }
  const keyFile = readJson(keyPath);
  if(keyFile.type !== 'Multikey') {
    throw new Error('key file type must be "Multikey"');
  }
  const header = keyHeader(keyFile.publicKeyMultibase);
  if(header.suite !== suiteName) {
    throw new Error(`a ${keyFile.publicKeyMultibase.slice(0, 5)}… key cannot sign ${suiteName}`);
  }
  const did = `did:key:${keyFile.publicKeyMultibase}`;
  const keyPair = await header.library.from({
    '@context': MULTIKEY_CONTEXT,
    id: `${did}#${keyFile.publicKeyMultibase}`,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: keyFile.publicKeyMultibase,
    secretKeyMultibase: keyFile.secretKeyMultibase
  });
  const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite});
  const credential = readJson(inPath);
  const signed = await vc.issue({credential, suite, documentLoader});
  return signed;
}

async function verify(argv) {
  const {in: inPath} = parseArgs(argv, ['in']);
  const credential = readJson(inPath);
  const suite = Object.values(CRYPTOSUITES).map(
    cryptosuite => new DataIntegrityProof({cryptosuite}));
  const result = await vc.verifyCredential({credential, suite, documentLoader});
  return {verified: result.verified === true, error: describeError(result)};
}

async function canonize(argv) {
  const {hash, in: inPath} = parseArgs(argv, ['hash', 'in']);
  const document = readJson(inPath);
  return ecdsaRdfc2019.canonize(document, {
    documentLoader, safe: true, base: null, messageDigestAlgorithm: hash
  });
}

const COMMANDS = {sign, verify, canonize};

async function main() {
  const [command, ...argv] = process.argv.slice(2);
  const run = COMMANDS[command];
  if(!run) {
    throw new UsageError(`usage: interop.mjs ${Object.keys(COMMANDS).join('|')} ...`);
  }
  const output = await run(argv);
  process.stdout.write(
    typeof output === 'string' ? output : `${JSON.stringify(output, null, 2)}\n`);
}

main().catch(error => {
  process.stderr.write(`interop.mjs: ${error.stack || error}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
