// One localConfig for all six mocha suites: two implementations, `vcservice` and `reference`.
// vc-test-suite-implementations loads it from <APP_ROOT_PATH>/localConfig.cjs (run-all.sh sets
// APP_ROOT_PATH to this directory). It reads what provisioning wrote into the state directory
// (HARNESS_STATE): vcservice.json (provision-vcservice.sh) and reference.json (reference/server.js).
// REF_URL is the reference's base URL; HARNESS_IMPLEMENTATIONS limits the implementations tested.
// Secrets go to process.env here, because the lib's oauth2.clientSecret is the NAME of an env var.
// Note: the lib treats a MODULE_NOT_FOUND from this file as "no local config" and would then test
// every remote implementation, so missing state is reported with a different error.
const fs = require('node:fs');
const path = require('node:path');

const stateDir = process.env.HARNESS_STATE;
function readState(file) {
  const p = stateDir && path.join(stateDir, file);
  if(!p || !fs.existsSync(p)) {
    const e = new Error(`harness state ${p ?? `(HARNESS_STATE unset)/${file}`} is missing ` +
      '(run the suites with run-all.sh or rerun.sh)');
    e.code = 'HARNESS_STATE_MISSING';
    throw e;
  }
  return JSON.parse(fs.readFileSync(p, 'utf8'));
}
const only = (process.env.HARNESS_IMPLEMENTATIONS || 'vcservice,reference').split(',');
// diagnostic probe (run-all.sh --probe-no-checks): vcservice verifiers get no settings.options, so the
// DI/BSL suites send `options: {}` — shows the verifier's verdicts where `options.checks` is refused
const vcsVerifyOptions = process.env.HARNESS_VCS_VERIFY_OPTIONS === 'none' ? {} :
  {options: {checks: ['proof']}};
const vcsStatusVerifyOptions = process.env.HARNESS_VCS_VERIFY_OPTIONS === 'none' ? {} :
  {options: {checks: ['proof', 'credentialStatus']}};

function oauth(envName, {clientId, clientSecret}, base, scopes) {
  process.env[envName] = clientSecret;
  return {
    oauth2: {clientId, clientSecret: envName, tokenEndpoint: `${base}/oauth/token`, tokenAudience: base},
    ...(scopes ? {scopes} : {})
  };
}

const implementations = [];

if(only.includes('vcservice')) {
  const vcs = readState('vcservice.json');
  const base = vcs.url;
  const a = vcs.authorities;
  const issuer = (tag, extra) => ({
    id: a[tag].did,
    endpoint: `${base}/credentials/issue`,
    supports: {vc: ['1.1', '2.0']},
    options: {format: a[tag].format},
    ...oauth(`VCS_${tag.toUpperCase()}_SECRET`, a[tag], base, ['issue:credentials']),
    ...extra
  });
  implementations.push({
    name: 'vcservice',
    implementation: 'vcservice',
    issuers: [
      issuer('ed25519', {tags: ['eddsa-rdfc-2022', 'vc2.0', 'vc-api']}),
      // the ecdsa suite's issuer tests use the FIRST ecdsa-rdfc-2019 issuer: P-256 first
      issuer('p256', {tags: ['ecdsa-rdfc-2019'], supportedEcdsaKeyTypes: ['P-256']}),
      issuer('p384', {tags: ['ecdsa-rdfc-2019'], supportedEcdsaKeyTypes: ['P-384']}),
      // the BSL suite sends no credentialStatus: ask for an entry in options (engineers' interface)
      issuer('ed25519', {
        supports: {vc: ['2.0']},
        options: {format: a.ed25519.format,
          credentialStatus: {type: 'BitstringStatusListEntry', statusPurpose: 'revocation'}},
        tags: ['BitstringStatusList']
      })
    ],
    verifiers: [{
      id: `${base}/verifier`,
      endpoint: `${base}/credentials/verify`,
      supports: {vc: ['1.1', '2.0']},
      supportedEcdsaKeyTypes: ['P-256', 'P-384'],
      ...vcsVerifyOptions,
      tags: ['eddsa-rdfc-2022', 'ecdsa-rdfc-2019', 'vc2.0', 'vc-api'],
      ...oauth('VCS_VERIFY_SECRET', a.ed25519, base, ['verify:credentials'])
    }, {
      // BSL: the suite sends settings.options verbatim — ask for the status check explicitly
      id: `${base}/verifier#status`,
      endpoint: `${base}/credentials/verify`,
      supports: {vc: ['1.1', '2.0']},
      ...vcsStatusVerifyOptions,
      tags: ['BitstringStatusList'],
      ...oauth('VCS_VERIFY_SECRET', a.ed25519, base, ['verify:credentials'])
    }],
    vpVerifiers: [{
      id: `${base}/verifier`,
      endpoint: `${base}/presentations/verify`,
      ...vcsVerifyOptions,
      tags: ['vc2.0'],
      ...oauth('VCS_VERIFY_SECRET', a.ed25519, base, ['verify:credentials'])
    }]
  });
}

if(only.includes('reference')) {
  const ref = readState('reference.json');
  const base = (process.env.REF_URL || 'https://localhost:9443').replace(/\/$/, '');
  const i = ref.instances;
  const issuer = (name, extra) => ({
    id: i[name].did,
    endpoint: `${base}/credentials/issue`,
    supports: {vc: ['1.1', '2.0']},
    ...oauth(`REF_${name.toUpperCase().replace(/-/g, '_')}_SECRET`, i[name], base),
    ...extra
  });
  implementations.push({
    name: 'reference',
    implementation: 'Digital Bazaar libraries (local reference)',
    issuers: [
      issuer('ed25519', {tags: ['eddsa-rdfc-2022', 'vc2.0', 'vc-api']}),
      issuer('p256', {tags: ['ecdsa-rdfc-2019'], supportedEcdsaKeyTypes: ['P-256']}),
      issuer('p384', {tags: ['ecdsa-rdfc-2019'], supportedEcdsaKeyTypes: ['P-384']}),
      // status lists are per instance configuration in DB's issuer (statusListOptions)
      issuer('ed25519-status', {supports: {vc: ['2.0']}, tags: ['BitstringStatusList']})
    ],
    verifiers: [{
      id: `${base}/verifier`,
      endpoint: `${base}/credentials/verify`,
      supports: {vc: ['1.1', '2.0']},
      supportedEcdsaKeyTypes: ['P-256', 'P-384'],
      options: {checks: ['proof']},
      tags: ['eddsa-rdfc-2022', 'ecdsa-rdfc-2019', 'vc2.0', 'vc-api']
    }, {
      id: `${base}/verifier#status`,
      endpoint: `${base}/credentials/verify`,
      supports: {vc: ['1.1', '2.0']},
      options: {checks: ['proof', 'credentialStatus']},
      tags: ['BitstringStatusList']
    }],
    vpVerifiers: [{
      id: `${base}/verifier`,
      endpoint: `${base}/presentations/verify`,
      options: {checks: ['proof']},
      tags: ['vc2.0']
    }]
  });
}

module.exports = {
  settings: {enableInteropTests: true, testAllImplementations: false},
  implementations
};
