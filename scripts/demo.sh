#!/usr/bin/env bash
# Install vcservice into .venv exactly as uv.lock says, install the pinned JSON-LD contexts,
# and run the demo: the whole issuer → holder → verifier story over real HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/uv.sh
# --inexact: what the lock pins, without removing what else is there (the test tools, say).
"$UV" sync --locked --inexact --quiet

export VCSERVICE_CONTEXT_STORE="${VCSERVICE_CONTEXT_STORE:-$PWD/vcservice-data/contexts}"
if [ -d ../shared/upstream/contexts ]; then
  .venv/bin/vcservice contexts install --from ../shared/upstream/contexts >/dev/null
else
  .venv/bin/vcservice contexts install >/dev/null   # from the contexts' canonical URLs
fi
exec .venv/bin/vcservice demo --out "${1:-out}"
