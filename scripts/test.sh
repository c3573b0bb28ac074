#!/usr/bin/env bash
# Install vcservice with its test tools into .venv, then lint, type-check and run the tests.
# Extra arguments go to pytest (e.g. scripts/test.sh -m "not slow").
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev]'

# PostgreSQL for the contract and API tests (installed from Debian and started if needed).
if [ -z "${VCSERVICE_TEST_POSTGRES_URL:-}" ]; then
  pg_env=$(bash scripts/postgres.sh) && eval "$pg_env"
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
