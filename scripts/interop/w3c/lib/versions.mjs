// node versions.mjs <vcservice-url>  → JSON on stdout: the run's metadata (meta.json of a result):
// vcservice's commit and provisioned authorities, the reference's package versions, the suites.
// Reads HARNESS_STATE (state directory), INTEROP_SUITES_DIR and the reference's lock file.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const state = process.env.HARNESS_STATE;
const suitesDir = process.env.INTEROP_SUITES_DIR;
const url = process.argv[2];
const readJson = file => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
};

const lock = readJson(path.join(here, '..', 'reference', 'package-lock.json'));
const pkgs = {};
for(const [p, v] of Object.entries(lock.packages)) {
  // top-level packages only (node_modules/<name>, not nested copies)
  if(p.startsWith('node_modules/') && !p.slice(13).includes('node_modules/')) {
    pkgs[p.slice(13)] = v.version;
  }
}
const direct = Object.keys(lock.packages[''].dependencies);
const vcs = readJson(path.join(state, 'vcservice.json'));
const ref = readJson(path.join(state, 'reference.json'));
let commit = null;
try {
  commit = fs.readFileSync(path.join(state, 'vcservice.commit'), 'utf8').trim();
} catch {}

console.log(JSON.stringify({
  time: new Date().toISOString(),
  node: process.version,
  vcservice: {
    url: url || vcs?.url,
    commit,
    authorities: vcs && Object.fromEntries(Object.entries(vcs.authorities).map(([k, a]) =>
      [k, {name: a.name, did: a.did, keyType: a.keyType, didMethodRequest: a.didMethodRequest}])),
    notes: vcs?.notes
  },
  reference: {
    instances: ref && Object.fromEntries(Object.entries(ref.instances).map(([k, i]) =>
      [k, {did: i.did, keyType: i.keyType}])),
    directDependencies: Object.fromEntries(direct.map(d => [d, pkgs[d]])),
    allDigitalBazaarPackages: Object.fromEntries(Object.entries(pkgs).filter(([n]) =>
      n.startsWith('@digitalbazaar/') || ['jsonld', 'rdf-canonize', 'jsonld-signatures'].includes(n)))
  },
  suites: suitesDir && readJson(path.join(suitesDir, 'VERSIONS.json'))
}, null, 2));
