#!/usr/bin/env bash
# Move uv.lock to the newest releases pyproject.toml allows, then run the whole test suite
# on them. Arguments go to `uv lock` instead of --upgrade, e.g. --upgrade-package fastapi.
# Review `git diff uv.lock`, and commit the lock only when the suite passes.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/uv.sh
"$UV" lock "${@:---upgrade}"
exec bash scripts/test.sh
