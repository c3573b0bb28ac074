# shellcheck shell=bash
# Sourced by the interop scripts: where the checkout, the work directory and the installed
# suites are. Every path can be overridden from the environment, so nothing here is tied to
# one machine:
#   INTEROP_REPO         the vcservice checkout to test (default: the repository holding this file)
#   INTEROP_WORK         generated files: suites, node_modules, state, results (default $REPO/.interop)
#   INTEROP_SUITES_DIR   the installed W3C/CCG suites (default $INTEROP_WORK/suites)
INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=${INTEROP_REPO:-$(git -C "$INTEROP_DIR" rev-parse --show-toplevel)}
WORK=${INTEROP_WORK:-$REPO/.interop}
SUITES_DIR=${INTEROP_SUITES_DIR:-$WORK/suites}
export INTEROP_DIR REPO WORK SUITES_DIR

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# wait_for URL [tries] [curl options…]: poll until URL answers 2xx (0.2 s apart); 1 if it never does
wait_for() {
  local url=$1 tries=${2:-50}
  shift $(( $# < 2 ? $# : 2 ))
  for _ in $(seq 1 "$tries"); do
    curl -sf "$@" "$url" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

# npm_install_copy SRC_DIR DEST_DIR: copy a package.json/package-lock.json pair (plus any
# other files named after them) out of the repository and `npm ci` it in DEST_DIR, once per
# lock file: node_modules never lands in the repository.
npm_install_copy() {
  local src=$1 dest=$2; shift 2
  mkdir -p "$dest"
  cp "$src/package.json" "$src/package-lock.json" "$@" "$dest/"
  local want; want=$(sha256sum "$src/package-lock.json" | cut -d' ' -f1)
  if [ ! -d "$dest/node_modules" ] || [ "$(cat "$dest/.installed-lock" 2>/dev/null)" != "$want" ]; then
    log "npm ci in $dest"
    (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$want" > "$dest/.installed-lock"
  fi
}
