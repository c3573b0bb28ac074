#!/usr/bin/env bash
# Stop what the harness started, by its PID files only: reference server, logging tap, vcservice
# and nginx.   stop-all.sh [--state DIR]   (default $INTEROP_WORK/w3c/state)
set -euo pipefail
H=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../common.sh
source "$H/../common.sh"
STATE=$WORK/w3c/state
while [ $# -gt 0 ]; do
  case "$1" in
    --state) STATE=$2; shift 2 ;;
    *) die "unknown argument $1" ;;
  esac
done
pids=()
for name in reference tap vcservice nginx; do
  f=$STATE/$name.pid
  [ -s "$f" ] || continue
  p=$(cat "$f")
  # nginx's master stops gracefully on QUIT; the others on TERM
  if kill "-$([ "$name" = nginx ] && echo QUIT || echo TERM)" "$p" 2>/dev/null; then
    log "stopped $name ($p)"
    pids+=("$p")
  fi
  rm -f "$f"
done
# wait (up to 10 s) until they are gone, so the ports are free for the next start
for _ in $(seq 1 50); do
  running=0
  for p in "${pids[@]}"; do
    if kill -0 "$p" 2>/dev/null && [ "$(ps -o stat= -p "$p" | cut -c1)" != Z ]; then running=1; fi
  done
  [ "$running" = 0 ] && break
  sleep 0.2
done
