// summarize.mjs <results-dir> — table.md, failures.md and summary.json from the per-suite JSON files
// written by cell-reporter.cjs. A test belongs to an implementation when a parent suite title is its
// name (or "<name>: <key type>"); interop tests ("A should verify B") belong to both parties: same
// party → that implementation's count, different parties → the "cross" column.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
// request/response logs (reference/server.js and lib/tap.mjs), copied into the results by run-all.sh
function readExchanges(name) {
  const f = path.join(dir, `exchanges-${name}.jsonl`);
  if(!fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map(l => {
    try { return JSON.parse(l); } catch { return null; }
  }).filter(x => x && !/^\/(healthz|oauth\/token|status-lists\/)/.test(x.url));
}
// a test's own requests; when none of them failed, also those of the before-hooks of its suites
function exchangesWithHooks(test, impls, hookWindows) {
  const own = exchangesFor(test, impls);
  if(own.some(e => e.status >= 400)) return own;
  const path = test.titlePath.slice(0, -1).join('\u0001');
  const fromHooks = [];
  for(const h of hookWindows) {
    if(!/^"before (all|each)" hook/.test(h.title)) continue;
    const hp = h.suitePath.join('\u0001');
    if(hp && !path.startsWith(hp)) continue;
    for(const e of exchangesFor(h, impls)) fromHooks.push({...e, hook: h.title});
  }
  const seen = new Set(own.map(e => e.t + e.url));
  return [...own, ...fromHooks.filter(e => e.status >= 400 && !seen.has(e.t + e.url)).slice(0, 10)];
}
const EXCHANGES = {vcservice: readExchanges('vcservice'), reference: readExchanges('reference')};
function exchangesFor(test, impls) {
  if(!test.started) return [];
  const out = [];
  for(const i of impls) {
    for(const x of EXCHANGES[i] || []) {
      if(x.t >= test.started - 2 && x.t <= (test.ended ?? test.started) + 2) {
        out.push({impl: i, t: x.t, method: x.method, url: x.url, status: x.status,
          req: String(x.req).slice(0, 3000), res: String(x.res).slice(0, 3000)});
      }
    }
  }
  return out.sort((a, b) => a.t - b.t);
}
const IMPLS = ['vcservice', 'reference'];
const SUITES = [
  ['eddsa', 'w3c vc-di-eddsa-test-suite'],
  ['ecdsa', 'w3c vc-di-ecdsa-test-suite'],
  ['vcdm2', 'w3c vc-data-model-2.0-test-suite'],
  ['bsl', 'w3c vc-bitstring-status-list-test-suite'],
  ['vcapi-issuer', 'w3c-ccg vc-api-issuer-test-suite'],
  ['vcapi-verifier', 'w3c-ccg vc-api-verifier-test-suite']
];

function implOf(s) {
  if(typeof s !== 'string') return null;
  const t = s.replace(/^"|"$/g, '');
  return IMPLS.find(n => t === n || t.startsWith(`${n}:`)) || null;
}
export function parties(test) {
  const parents = test.titlePath.slice(0, -1);
  for(const p of parents) {
    const i = implOf(p);
    if(i) return [i];
  }
  const m = /^"?([\w.-]+)(?::[^"]*)?"?\s+should verify\s+"?([\w.-]+)/.exec(test.title);
  if(m && implOf(m[1]) && implOf(m[2])) return [...new Set([implOf(m[1]), implOf(m[2])])];
  const fromCell = [implOf(test.cell?.columnId), implOf(test.cell?.rowId)].filter(Boolean);
  if(fromCell.length) return [...new Set(fromCell)];
  return [];
}
function oneLine(s, n = 300) {
  return String(s ?? '').replace(/\s+/g, ' ').trim().slice(0, n);
}

const summary = {dir, suites: {}};
const rows = [];
const failureSections = [];
for(const [key, label] of SUITES) {
  const file = path.join(dir, `${key}.json`);
  if(!fs.existsSync(file)) {
    rows.push(`| ${label} | (no results) | (no results) | |`);
    continue;
  }
  const realDoc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const real = realDoc.tests;
  const hookWindows = realDoc.hooks || [];
  const isHook = t => /^"(before|after) (all|each)" hook/.test(t.title);
  const hooks = real.filter(t => isHook(t) && t.state === 'failed');
  const tkey = t => t.titlePath.join('\u0001');
  const planFile = path.join(dir, `${key}.plan.json`);
  const tests = real.filter(t => !isHook(t));
  if(fs.existsSync(planFile)) {
    const seen = new Set(tests.map(tkey));
    for(const p of JSON.parse(fs.readFileSync(planFile, 'utf8')).tests) {
      if(seen.has(tkey(p))) continue;
      if(p.state === 'pending') { tests.push(p); continue; }
      // never ran: find the failed hook of an enclosing suite
      const parent = p.titlePath.slice(0, -1).join(' > ');
      const hook = hooks.find(h => parent.startsWith(h.titlePath.slice(0, -1).join(' > '))) ||
        hooks.find(h => h.titlePath[0] === p.titlePath[0]);
      tests.push({...p, state: 'failed', notRun: true, started: hook?.started, ended: hook?.ended,
        err: {message: hook ? `not run: ${hook.title} failed: ${hook.err?.message}` :
          'not run (no result; the suite stopped or timed out)', status: hook?.err?.status}});
    }
  }
  const buckets = {};
  for(const b of [...IMPLS, 'cross', 'unattributed']) buckets[b] = {passed: 0, failed: 0, pending: 0, failures: []};
  for(const t of tests) {
    const p = parties(t);
    const b = p.length === 1 ? p[0] : p.length > 1 ? 'cross' : 'unattributed';
    buckets[b][t.state]++;
    if(t.state === 'failed') {
      buckets[b].failures.push({notRun: !!t.notRun, title: t.title, path: t.titlePath.slice(0, -1).join(' > '),
        cell: t.cell, status: t.err?.status ?? null, error: oneLine(t.err?.message, 600), data: t.err?.data,
        exchanges: exchangesWithHooks(t, p.length ? p : IMPLS, hookWindows)});
    }
  }
  summary.suites[key] = Object.fromEntries(Object.entries(buckets).map(([k, v]) =>
    [k, {passed: v.passed, run: v.passed + v.failed, pending: v.pending, failures: v.failures}]));
  const cell = b => {
    const v = buckets[b]; const run = v.passed + v.failed;
    return run || v.pending ? `${v.passed} / ${run}${v.pending ? ` (+${v.pending} skipped)` : ''}` : '—';
  };
  const extra = buckets.unattributed.passed + buckets.unattributed.failed ?
    `; unattributed ${cell('unattributed')}` : '';
  rows.push(`| ${label} | ${cell('vcservice')} | ${cell('reference')} | ${cell('cross')}${extra} |`);
  const sec = [`## ${label}`];
  for(const b of [...IMPLS, 'cross', 'unattributed']) {
    const f = buckets[b].failures;
    if(!f.length) continue;
    sec.push(`\n### ${b}: ${f.length} failing\n`);
    for(const x of f) {
      sec.push(`- ${x.notRun ? '(not run) ' : ''}**${x.title}**  \n  _${x.path}_${x.status ? ` — HTTP ${x.status}` : ''}  \n  ${x.error}`);
      for(const e of x.exchanges.slice(0, 6)) {
        sec.push(`  - ${e.impl}: \`${e.method} ${e.url}\` → **${e.status}**  \n    req: \`${oneLine(e.req, 400)}\`  \n    res: \`${oneLine(e.res, 500)}\``);
      }
      if(x.exchanges.length > 6) sec.push(`  - … ${x.exchanges.length - 6} more exchanges in summary.json`);
    }
  }
  if(sec.length > 1) failureSections.push(sec.join('\n'));
}

const meta = fs.existsSync(path.join(dir, 'meta.json')) ?
  JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) : {};
const probe = fs.existsSync(path.join(dir, 'PROBE')) ? fs.readFileSync(path.join(dir, 'PROBE'), 'utf8').trim() : '';
const table = [
  `# W3C suites: vcservice vs. reference (${path.basename(dir)})${probe ? ' — ' + probe + ' (diagnostic, not a baseline)' : ''}`, '',
  `vcservice ${meta.vcservice?.url ?? ''} at ${oneLine(meta.vcservice?.commit ?? '?', 80)}; ` +
  `reference: Digital Bazaar libraries (${Object.entries(meta.reference?.directDependencies ?? {})
    .filter(([n]) => n === '@digitalbazaar/vc').map(([n, v]) => `${n}@${v}`).join(', ')}…, see meta.json)`, '',
  '| suite | vcservice passed / run | reference passed / run | cross (vcservice ↔ reference interop) passed / run |',
  '|---|---|---|---|', ...rows, '',
  'passed / run: tests of that implementation alone (its own issuer/verifier, and interop tests where it is ' +
  'both issuer and verifier); skipped (mocha pending) tests are not run. cross: interop tests whose issuer ' +
  'is one implementation and verifier the other.'
].join('\n');
fs.writeFileSync(path.join(dir, 'table.md'), table + '\n');
fs.writeFileSync(path.join(dir, 'failures.md'),
  `# Failing tests (${path.basename(dir)})\n\n` + failureSections.join('\n\n') + '\n');
fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 1));
console.log(table);

// reasons.md: each implementation's failures grouped by the first refused request (endpoint, status,
// problem code / message), else by the assertion message — the most frequent first
function signature(f, impl) {
  const ex = f.exchanges.filter(e => e.impl === impl);
  // a test that wanted a refusal and got a success: the culprit is the accepted request
  const wantedRefusal = /Missing expected rejection|Expected no result|Expected an error|Failed to reject|should not verify|to be rejected/i
    .test(f.error);
  const bad = wantedRefusal ? null : ex.find(e => e.status >= 400);
  if(bad) {
    let r = null; try { r = JSON.parse(bad.res); } catch {}
    const why = r ? (r.code ? `${r.code}: ${oneLine(r.detail || r.title, 160)}` :
      oneLine(r.error?.errors?.[0]?.message || r.error?.message || r.message || r.name ||
        JSON.stringify(r).slice(0, 160), 160)) : oneLine(bad.res, 120);
    return {key: `${bad.method} ${bad.url} → ${bad.status} ${why}`, ex: bad};
  }
  const posts = ex.filter(e => e.method === 'POST');
  const last = (wantedRefusal ? posts.filter(e => e.status < 300) : posts).pop();
  const msg = oneLine(f.error.replace(/^not run: /, ''), 160);
  return {key: last ? `${last.method} ${last.url} → ${last.status} (accepted) but: ${msg}` : `no request failed: ${msg}`,
    ex: last};
}
const lines = [`# Failure reasons (${path.basename(dir)})`, ''];
for(const impl of [...IMPLS, 'cross']) {
  const groups = new Map();
  for(const [s, v] of Object.entries(summary.suites)) {
    for(const f of v[impl]?.failures || []) {
      const sig = signature(f, impl === 'cross' ? 'vcservice' : impl);
      const g = groups.get(sig.key) || {n: 0, tests: [], ex: sig.ex};
      g.n++; g.tests.push(`${s}${f.notRun ? ' (not run)' : ''}: ${oneLine(f.title, 110)}`);
      groups.set(sig.key, g);
    }
  }
  if(!groups.size) continue;
  lines.push(`## ${impl}`, '');
  for(const [k, g] of [...groups].sort((a, b) => b[1].n - a[1].n)) {
    lines.push(`### ${g.n}× ${k}`, ...g.tests.slice(0, 5).map(t => `- ${t}`));
    if(g.tests.length > 5) lines.push(`- … ${g.tests.length - 5} more`);
    if(g.ex) lines.push('', `  request: \`${oneLine(g.ex.req, 600)}\``, `  response: \`${oneLine(g.ex.res, 600)}\``);
    lines.push('');
  }
}
fs.writeFileSync(path.join(dir, 'reasons.md'), lines.join('\n') + '\n');

// acceptance.md: the acceptance rule — every test the reference passes must pass against vcservice
// (exceptions: tests that contradict a documented vcservice safety rule; decided by people, listed here)
{
  const norm = t => t.titlePath.map(e => e.replace(/^"?(vcservice|reference)(?=$|:|"| should)/g, 'IMPL')
    .replace(/ should verify "?(vcservice|reference)/g, ' should verify IMPL')).join(' > ');
  const out = [`# Acceptance gap (${path.basename(dir)})`, '',
    'Tests the reference passes and vcservice does not (same test, implementation name normalised). ' +
    'Each must be fixed, or be shown to contradict a documented safety rule of vcservice.', ''];
  let total = 0;
  const info = [];
  for(const [key, label] of SUITES) {
    const file = path.join(dir, `${key}.json`);
    if(!fs.existsSync(file)) continue;
    const st = {vcservice: new Map(), reference: new Map()};
    const s = summary.suites[key];
    const failedTitles = {vcservice: new Set((s.vcservice?.failures || []).map(f => f.path + ' > ' + f.title)),
      reference: new Set((s.reference?.failures || []).map(f => f.path + ' > ' + f.title))};
    const plan = fs.existsSync(path.join(dir, `${key}.plan.json`)) ?
      JSON.parse(fs.readFileSync(path.join(dir, `${key}.plan.json`), 'utf8')).tests :
      JSON.parse(fs.readFileSync(file, 'utf8')).tests;
    const real = JSON.parse(fs.readFileSync(file, 'utf8')).tests;
    const realState = new Map(real.map(t => [t.titlePath.join(' > '), t.state]));
    for(const t of plan) {
      const p = parties(t);
      if(p.length !== 1) continue;
      const full = t.titlePath.join(' > ');
      const state = failedTitles[p[0]].has(full) ? 'failed' : (realState.get(full) ?? 'failed');
      st[p[0]].set(norm(t), {state, title: t.title, path: t.titlePath.slice(0, -1).join(' > ')});
    }
    const gap = [...st.reference].filter(([k, r]) => r.state === 'passed' &&
      st.vcservice.get(k)?.state !== 'passed');
    const ahead = [...st.vcservice].filter(([k, v]) => v.state === 'passed' &&
      st.reference.get(k) && st.reference.get(k).state === 'failed');
    total += gap.length;
    out.push(`## ${label}: ${gap.length} gap`, '');
    for(const [k, r] of gap) out.push(`- ${oneLine(k.replace(/IMPL/g, '·'), 260)}`);
    out.push('');
    for(const [k] of ahead) info.push(`- ${label}: ${oneLine(k.replace(/IMPL/g, '·'), 240)}`);
  }
  out.splice(4, 0, `**Total gap: ${total}**`, '');
  out.push('## For information: vcservice passes, the reference fails', '', ...info, '');
  fs.writeFileSync(path.join(dir, 'acceptance.md'), out.join('\n'));
  console.log(`acceptance gap (reference passes, vcservice does not): ${total} — see acceptance.md`);
}
