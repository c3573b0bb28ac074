#!/usr/bin/env bash
# Install vcservice into .venv, install the pinned JSON-LD contexts, and run the demo:
# keys for every algorithm, trade certificates signed with every suite, verified, and tampered.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

export VCSERVICE_CONTEXT_STORE="${VCSERVICE_CONTEXT_STORE:-$PWD/vcservice-data/contexts}"
if [ -d ../shared/upstream/contexts ]; then
  .venv/bin/vcservice contexts install --from ../shared/upstream/contexts >/dev/null
else
  .venv/bin/vcservice contexts install >/dev/null   # from the contexts' canonical URLs
fi
exec .venv/bin/vcservice demo --out "${1:-out}"
