#!/usr/bin/env bash
# Run the six W3C/CCG mocha suites against a running vcservice and the local reference server.
#
#   run-all.sh <vcservice-url> [--provision <admin-token|@file>] [--suites "eddsa ecdsa …"]
#              [--only vcservice|reference] [--state DIR] [--ref-port N] [--dry-run]
#              [--probe-no-checks]
#
#   <vcservice-url>   the service's public https URL (e.g. https://localhost:8443); STATE/vcservice.json
#                     must have been written for it by provision-vcservice.sh, or pass --provision
#                     with the admin token to do that first
#   --state DIR       harness state (default $INTEROP_WORK/w3c/state)
#   --ref-port N      the reference server's port (default $INTEROP_REF_PORT or 9443); started if down
#   --probe-no-checks diagnostic, not a baseline: vcservice's verifiers configured without
#                     options.checks
# Suites: $INTEROP_SUITES_DIR (default $INTEROP_WORK/suites); missing ones are installed with
# install-suites.sh (from local mirrors if $INTEROP_MIRROR is set). SUITE_TIMEOUT: seconds per
# suite (default 1800).
# Output: $INTEROP_RESULTS (default $INTEROP_WORK/w3c/results)/<UTC timestamp>/, linked as latest:
# table.md, acceptance.md, reasons.md, failures.md, summary.json, <suite>.json (per-test
# records), <suite>.log, meta.json, exchanges-*.jsonl (request/response logs of the run).
set -euo pipefail
H=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common.sh
source "$H/../common.sh"

VCS_URL=${1:?usage: run-all.sh <vcservice-url> [options] (see the header of this file)}
VCS_URL=${VCS_URL%/}
shift
SUITES="eddsa ecdsa vcdm2 bsl vcapi-issuer vcapi-verifier" PROVISION='' ONLY=vcservice,reference DRY=()
STATE=$WORK/w3c/state REF_PORT=${INTEROP_REF_PORT:-9443}
while [ $# -gt 0 ]; do
  case "$1" in
    --provision) PROVISION=$2; shift 2 ;;
    --suites) SUITES=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --state) STATE=$2; shift 2 ;;
    --ref-port) REF_PORT=$2; shift 2 ;;
    --dry-run) DRY=(--dry-run); shift ;;
    --probe-no-checks) export HARNESS_VCS_VERIFY_OPTIONS=none; shift ;;
    *) die "unknown argument $1" ;;
  esac
done
SUITE_TIMEOUT=${SUITE_TIMEOUT:-1800}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd)
RESULTS=${INTEROP_RESULTS:-$WORK/w3c/results}
TS=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$RESULTS/$TS
mkdir -p "$OUT"
# read by config/localConfig.cjs and lib/versions.mjs
export HARNESS_STATE=$STATE HARNESS_IMPLEMENTATIONS=$ONLY REF_URL=https://localhost:$REF_PORT
export INTEROP_SUITES_DIR=$SUITES_DIR
say() { log "$*" 2>&1 | tee -a "$OUT/run.log" >&2; }

# 1. suites (installed once)
missing=()
for s in $SUITES; do [ -d "$SUITES_DIR/$s/node_modules" ] || missing+=("$s"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing suites: ${missing[*]} (install-suites.sh, log in setup.log)"
  "$INTEROP_DIR/install-suites.sh" ${INTEROP_MIRROR:+--mirror "$INTEROP_MIRROR"} --dest "$SUITES_DIR" \
    "${missing[@]}" >>"$OUT/setup.log" 2>&1 || die "installing the suites failed; see $OUT/setup.log"
fi

# 2. the reference
if [[ ",$ONLY," == *",reference,"* ]]; then
  "$H/start-reference.sh" --state "$STATE" --port "$REF_PORT" 2>&1 | tee -a "$OUT/run.log" >&2
fi

# 3. vcservice
if [[ ",$ONLY," == *",vcservice,"* ]]; then
  curl -skf "$VCS_URL/healthz" >/dev/null || die "vcservice not answering at $VCS_URL/healthz"
  if [ -n "$PROVISION" ]; then
    "$H/provision-vcservice.sh" "$VCS_URL" "$PROVISION" "$STATE/vcservice.json" 2>&1 | tee -a "$OUT/run.log" >&2
  fi
  [ -s "$STATE/vcservice.json" ] || die "no $STATE/vcservice.json: run provision-vcservice.sh or pass --provision"
  got=$(node -p 'require(process.argv[1]).url' "$STATE/vcservice.json")
  [ "$got" = "$VCS_URL" ] || die "$STATE/vcservice.json is for $got, not $VCS_URL: re-provision"
fi
node "$H/lib/versions.mjs" "$VCS_URL" > "$OUT/meta.json"
if [ "${HARNESS_VCS_VERIFY_OPTIONS:-}" = none ]; then
  echo "PROBE: vcservice verifiers without options.checks" > "$OUT/PROBE"
fi

# 4. the suites, each twice: the plan (dry run) lists every test, so tests whose before-hook
# fails (and which therefore never run) are still counted; then the real run
RUN_START=$(date +%s%3N)
for s in $SUITES; do
  say "suite $s"
  mocha=(npx --no-install mocha tests/ --reporter "$H/lib/cell-reporter.cjs" --timeout 15000 --preserve-symlinks)
  (cd "$SUITES_DIR/$s" && APP_ROOT_PATH=$H/config "${mocha[@]}" --dry-run \
    --reporter-option "output=$OUT/$s.plan.json") >"$OUT/$s.plan.log" 2>&1 || true
  rc=0
  (cd "$SUITES_DIR/$s" && APP_ROOT_PATH=$H/config timeout "$SUITE_TIMEOUT" "${mocha[@]}" "${DRY[@]}" \
    --reporter-option "output=$OUT/$s.json") >"$OUT/$s.log" 2>&1 || rc=$?
  [ -s "$OUT/$s.json" ] || say "  $s wrote no results (exit $rc); see $s.log"
  say "  exit $rc (mocha: the number of failed tests)"
done
RUN_END=$(date +%s%3N)

# 5. the summary, with the request/response logs of this run next to it
for impl in vcservice reference; do
  f=$STATE/$impl-exchanges.jsonl
  [ -f "$f" ] || continue
  node -e '
    const [file, from, to] = process.argv.slice(1);
    for(const line of require("node:fs").readFileSync(file, "utf8").split("\n")) {
      let t;
      try { t = JSON.parse(line).t; } catch { continue; }
      if(t >= +from && t <= +to) process.stdout.write(line + "\n");
    }' "$f" "$RUN_START" "$RUN_END" > "$OUT/exchanges-$impl.jsonl"
done
node "$H/lib/summarize.mjs" "$OUT" | tee -a "$OUT/run.log"
ln -sfn "$TS" "$RESULTS/latest"
say "results in $OUT"
