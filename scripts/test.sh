#!/usr/bin/env bash
# Install vcservice with its test tools into .venv exactly as uv.lock says, then lint,
# type-check and run the tests. Extra arguments go to pytest (e.g. scripts/test.sh -m "not slow").
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/uv.sh
# The lock must match pyproject.toml: a dependency changed without `uv lock` fails here.
if ! "$UV" lock --check; then
  echo "test.sh: uv.lock is out of date with pyproject.toml; run: bash scripts/update-dependencies.sh" >&2
  exit 1
fi
"$UV" sync --locked --extra dev --quiet

# PostgreSQL for the contract and API tests (installed from Debian and started if needed).
if [ -z "${VCSERVICE_TEST_POSTGRES_URL:-}" ]; then
  pg_env=$(bash scripts/postgres.sh) && eval "$pg_env"
fi

# SoftHSM2 for the PKCS#11 key store tests (tests/hsm make throwaway tokens in temporary
# directories; they skip without it). Installed from Debian if missing, like PostgreSQL.
if ! command -v softhsm2-util >/dev/null || [ ! -e /usr/lib/softhsm/libsofthsm2.so ]; then
  echo "test.sh: installing SoftHSM2 from Debian" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq softhsm2; } >&2
fi
export VCSERVICE_TEST_REQUIRE_SOFTHSM=1 # here a missing SoftHSM2 fails those tests, not skips

# Chromium and its driver for the verify page's browser tests (marker "browser"; they skip
# without them elsewhere). Debian's packages: the driver matches the browser's version.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "test.sh: installing chromium and chromium-driver from Debian" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; } >&2
fi
export VCSERVICE_TEST_REQUIRE_BROWSER=1 # here a missing browser fails those tests, not skips

# docker-compose (Debian's) validates docker-compose.yml in tests/cli/test_compose.py; no
# container engine is needed for that.
if ! command -v docker-compose >/dev/null && ! docker compose version >/dev/null 2>&1; then
  echo "test.sh: installing docker-compose from Debian" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose; } >&2
fi
export VCSERVICE_TEST_REQUIRE_COMPOSE=1

# nginx (Debian's) runs deploy/nginx.conf.template in front of the service in
# tests/integration/test_behind_nginx.py (on loopback, from a temporary directory).
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  echo "test.sh: installing nginx from Debian" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; } >&2
fi
export VCSERVICE_TEST_REQUIRE_NGINX=1

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
