#!/usr/bin/env bash
# Everything in one command: a fresh vcservice (nginx TLS front + logging tap), provisioning,
# the reference server, all six suites, the summary; then stops what it started.
#
#   rerun.sh [--checkout DIR] [--commit REV | --src DIR] [--data DIR] [--state DIR] [--keep-running]
#            [--port N] [--tap-port N] [--https-port N] [--ref-port N] [run-all.sh options…]
#
#   rerun.sh                  # this repository's working tree as it is now
#   rerun.sh --commit HEAD    # a commit of it, read-only (git archive into $INTEROP_WORK/src)
# Ports default to $INTEROP_PORT/8080, $INTEROP_TAP_PORT/8081, $INTEROP_HTTPS_PORT/8443 and
# $INTEROP_REF_PORT/9443; the data directory to $INTEROP_VCS_DATA or $INTEROP_WORK/w3c/data
# (emptied first). Results: $INTEROP_WORK/w3c/results/latest/ (see README.md).
set -euo pipefail
H=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common.sh
source "$H/../common.sh"
START=() REST=() KEEP=0 DATA=${INTEROP_VCS_DATA:-$WORK/w3c/data} STATE=$WORK/w3c/state
HTTPS_PORT=${INTEROP_HTTPS_PORT:-8443} REF_PORT=${INTEROP_REF_PORT:-9443}
while [ $# -gt 0 ]; do
  case "$1" in
    --checkout|--commit|--src|--port|--tap-port) START+=("$1" "$2"); shift 2 ;;
    --https-port) HTTPS_PORT=$2; shift 2 ;;
    --ref-port) REF_PORT=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --state) STATE=$2; shift 2 ;;
    --keep-running) KEEP=1; shift ;;
    *) REST+=("$1"); shift ;;
  esac
done
"$H/stop-all.sh" --state "$STATE" >/dev/null 2>&1 || true
if [ "$KEEP" = 0 ]; then trap '"$H/stop-all.sh" --state "$STATE"' EXIT; fi
"$H/start-vcservice.sh" "${START[@]}" --state "$STATE" --https-port "$HTTPS_PORT" --data "$DATA" --fresh
"$H/run-all.sh" "https://localhost:$HTTPS_PORT" --provision "@$DATA/admin-token" --state "$STATE" \
  --ref-port "$REF_PORT" "${REST[@]}"
