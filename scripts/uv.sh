# Sourced by the other scripts: puts the pinned uv (scripts/uv-requirements.txt, hash-checked)
# in .tools/ and exports UV, its path. uv then installs .venv exactly as uv.lock says.
# shellcheck shell=bash

UV_VERSION=$(sed -n 's/^uv==\([0-9.]*\).*/\1/p' scripts/uv-requirements.txt)
UV=$PWD/.tools/bin/uv
if [[ ! -x $UV || $("$UV" --version 2>/dev/null) != "uv $UV_VERSION"* ]]; then
  echo "uv.sh: installing uv $UV_VERSION into .tools/" >&2
  rm -rf .tools
  python3 -m venv .tools
  # --isolated: the machine's pip configuration (extra indexes, find-links) plays no part.
  .tools/bin/python -m pip --isolated --disable-pip-version-check install --quiet \
    --require-hashes --no-deps -r scripts/uv-requirements.txt >&2
fi
# .venv runs on the machine's python3, never on an interpreter uv would download.
# The interpreter itself, not a launcher such as a pyenv shim: uv compares the path with the
# one .venv was made from, and recreates .venv (dropping what else it held) when they differ.
export UV UV_PYTHON="${UV_PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}" UV_PYTHON_DOWNLOADS=never
export UV_LINK_MODE="${UV_LINK_MODE:-copy}"
