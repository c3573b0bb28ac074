// Mocha reporter (harness): JSON like mocha's `json` reporter, plus what the W3C interop
// reporter uses to place a test in its matrix (`test.cell` = {columnId, rowId}, set by the
// suites in beforeEach) and the parent suite titles. Output: --reporter-option output=<file>.
'use strict';
const fs = require('node:fs');
// (no require('mocha'): this file lives outside the suites' node_modules)
const EVENT_RUN_END = 'end', EVENT_TEST_PASS = 'pass', EVENT_TEST_FAIL = 'fail',
  EVENT_TEST_PENDING = 'pending';

function clean(test, state, err) {
  const cell = test.cell || (test.ctx && test.ctx.currentTest === test && test.ctx.currentTest.cell) || null;
  return {
    state,
    title: test.title,
    fullTitle: test.fullTitle(),
    titlePath: test.titlePath(),
    file: test.file ? require('node:path').relative(process.cwd(), test.file) : undefined,
    cell: cell ? {columnId: cell.columnId, rowId: cell.rowId} : null,
    duration: test.duration,
    started: test._harnessStarted, ended: Date.now(),
    err: err ? {message: String(err.message || err).slice(0, 4000),
      status: err.status ?? err.response?.status ?? err.data?.status,
      data: err.data ? safe(err.data) : undefined} : undefined
  };
}
function safe(v) {
  try {
    const s = JSON.stringify(v);
    return s && s.length > 4000 ? s.slice(0, 4000) + '…' : JSON.parse(s);
  } catch {
    return String(v);
  }
}

class CellReporter {
  constructor(runner, options = {}) {
    const out = (options.reporterOptions || options.reporterOption || {}).output;
    const tests = [];
    runner.on('test', t => { t._harnessStarted = Date.now(); });
    // a failing hook has no 'test' event: its window starts where the previous one ended
    runner.on('hook', h => { h._harnessStarted = Date.now(); });
    // every hook's time window, so requests made in before() can be tied to the tests they serve
    const hooks = [];
    runner.on('hook end', h => hooks.push({title: h.title,
      suitePath: h.parent ? h.parent.titlePath() : [], started: h._harnessStarted, ended: Date.now()}));
    runner.on(EVENT_TEST_PASS, t => tests.push(clean(t, 'passed')));
    runner.on(EVENT_TEST_FAIL, (t, err) => {
      // hook failures are reported as failures of a pseudo test
      tests.push(clean(t, 'failed', err));
    });
    runner.on(EVENT_TEST_PENDING, t => tests.push(clean(t, 'pending')));
    runner.once(EVENT_RUN_END, () => {
      const count = st => tests.filter(t => t.state === st).length;
      const doc = {stats: {...(runner.stats || {}), passes: count('passed'), failures: count('failed'),
        pending: count('pending'), tests: tests.length}, tests, hooks};
      const text = JSON.stringify(doc, null, 1);
      if(out) {
        fs.writeFileSync(out, text);
      } else {
        process.stdout.write(text + '\n');
      }
    });
  }
}
module.exports = CellReporter;
