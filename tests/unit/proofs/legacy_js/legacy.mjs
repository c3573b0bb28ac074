#!/usr/bin/env node
// Test-only reference signers for the legacy proof suites vcservice verifies (never signs):
// Digital Bazaar's Ed25519Signature2018 and Ed25519Signature2020, Transmute's
// JsonWebSignature2020, each through jsonld-signatures' sign() with an assertionMethod purpose.
//
//   node legacy.mjs sign --suite SUITE --key KEY.json --in DOCUMENT.json
//       prints the document with the proof the library made
//
// KEY.json, written by the Python test:
//   Ed25519 suites:        {"id": VM, "controller": DID, "seed": "<64 hex digits>"}
//   JsonWebSignature2020:  {"id": VM, "controller": DID, "publicKeyJwk": {...},
//                           "privateKeyJwk": {...}}
//
// The document loader serves JSON-LD contexts only, and only pinned ones: from the vcservice
// context store named by VCSERVICE_CONTEXT_STORE (files <sha256>.jsonld) or, for contexts the
// project ships, from beside contexts/manifest.json; each is checked against its JCS SHA-256.
// Nothing is fetched.

import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

import {Ed25519Signature2018} from '@digitalbazaar/ed25519-signature-2018';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2018} from '@digitalbazaar/ed25519-verification-key-2018';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {JsonWebKey, JsonWebSignature} from '@transmute/json-web-signature';
import canonicalize from 'canonicalize';
import jsigs from 'jsonld-signatures';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXTS_DIR = resolve(HERE, '../../../../contexts');

class UsageError extends Error {}

const pinned = JSON.parse(readFileSync(join(CONTEXTS_DIR, 'manifest.json'), 'utf8')).contexts;

function pinnedContext(url) {
  const entry = pinned[url];
  if(!entry) {
    throw new Error(`legacy.mjs document loader: ${url} is not a pinned context`);
  }
  let path;
  if(entry.file) {
    path = join(CONTEXTS_DIR, entry.file);
  } else if(process.env.VCSERVICE_CONTEXT_STORE) {
    path = join(process.env.VCSERVICE_CONTEXT_STORE, `${entry.sha256}.jsonld`);
  } else {
    throw new Error(`legacy.mjs document loader: VCSERVICE_CONTEXT_STORE unset (for ${url})`);
  }
  const document = JSON.parse(readFileSync(path, 'utf8'));
  const digest = createHash('sha256').update(canonicalize(document), 'utf8').digest('hex');
  if(digest !== entry.sha256) {
    throw new Error(`legacy.mjs document loader: ${path} is not the pinned ${url}`);
  }
  return document;
}

async function documentLoader(url) {
  return {contextUrl: null, documentUrl: url, document: pinnedContext(url)};
}

function seedOf(key) {
  if(!/^[0-9a-f]{64}$/.test(key.seed || '')) {
    throw new UsageError('an Ed25519 key file needs "seed": 64 hex digits');
  }
  return Uint8Array.from(Buffer.from(key.seed, 'hex'));
}

const SUITES = {
  async Ed25519Signature2018(key) {
    const {id, controller} = key;
    const pair = await Ed25519VerificationKey2018.generate({seed: seedOf(key), id, controller});
    return new Ed25519Signature2018({key: pair});
  },
  async Ed25519Signature2020(key) {
    const {id, controller} = key;
    const pair = await Ed25519VerificationKey2020.generate({seed: seedOf(key), id, controller});
    return new Ed25519Signature2020({key: pair});
  },
  async JsonWebSignature2020(key) {
    const pair = await JsonWebKey.from({
      id: key.id,
      type: 'JsonWebKey2020',
      controller: key.controller,
      publicKeyJwk: key.publicKeyJwk,
      privateKeyJwk: key.privateKeyJwk
    });
    return new JsonWebSignature({key: pair});
  }
};

function parseArgs(argv, names) {
  const options = {};
  for(let index = 0; index < argv.length; index += 2) {
    const name = argv[index].replace(/^--/, '');
    if(!names.includes(name) || argv[index + 1] === undefined) {
      throw new UsageError(`unexpected argument ${argv[index]}`);
    }
    options[name] = argv[index + 1];
  }
  const missing = names.filter(name => options[name] === undefined);
  if(missing.length > 0) {
    throw new UsageError(`missing --${missing.join(', --')}`);
  }
  return options;
}

async function sign(argv) {
  const options = parseArgs(argv, ['suite', 'key', 'in']);
  const makeSuite = SUITES[options.suite];
  if(!makeSuite) {
    throw new UsageError(`unknown --suite ${options.suite}`);
  }
  const suite = await makeSuite(JSON.parse(readFileSync(options.key, 'utf8')));
  const document = JSON.parse(readFileSync(options.in, 'utf8'));
  return jsigs.sign(document, {
    suite,
    purpose: new jsigs.purposes.AssertionProofPurpose(),
    documentLoader,
    addSuiteContext: false
  });
}

async function main() {
  const [command, ...argv] = process.argv.slice(2);
  if(command !== 'sign') {
    throw new UsageError('usage: legacy.mjs sign --suite SUITE --key KEY.json --in DOC.json');
  }
  process.stdout.write(`${JSON.stringify(await sign(argv), null, 2)}\n`);
}

main().catch(error => {
  process.stderr.write(`legacy.mjs: ${error.stack || error}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
