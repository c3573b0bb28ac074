#!/usr/bin/env bash
# Install vcservice into .venv exactly as uv.lock says, install the pinned JSON-LD contexts,
# and run the demo: the whole issuer → holder → verifier story over real HTTP.
# Usage: bash scripts/demo.sh [OUT_DIR] [demo options, e.g. --keep]   (OUT_DIR default ./out)
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/uv.sh
# --inexact: what the lock pins, without removing what else is there (the test tools, say).
"$UV" sync --locked --inexact --quiet

# Into the context store every command uses by default ($VCSERVICE_CONTEXT_STORE, else
# ~/.local/share/vcservice/contexts), so `vcservice serve` and `verify` find them afterwards.
origin=()   # default: from the contexts' canonical URLs (needs the internet once)
if [ -d ../shared/upstream/contexts ]; then origin=(--from ../shared/upstream/contexts); fi
if ! installed=$(.venv/bin/vcservice contexts install "${origin[@]}"); then
  echo "$installed" >&2
  echo "demo.sh: some pinned contexts could not be installed (see \"missing\" above)" >&2
  exit 1
fi
store=$(.venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["store"])' <<<"$installed")
echo "demo.sh: the pinned contexts are installed in $store"
out=out
if [[ $# -gt 0 && $1 != -* ]]; then out=$1; shift; fi
exec .venv/bin/vcservice demo --out "$out" "$@"
