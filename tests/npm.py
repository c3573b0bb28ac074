"""Test-only JavaScript reference implementations: ``npm ci`` of a pinned package, once."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

NPM_CI_TIMEOUT = 240
# Fail fast without a registry: npm's defaults retry for minutes before giving up.
NPM_CI = (
    "ci",
    "--no-audit",
    "--no-fund",
    "--prefer-offline",
    "--fetch-retries=1",
    "--fetch-retry-mintimeout=2000",
    "--fetch-retry-maxtimeout=10000",
    "--fetch-timeout=60000",
)


def npm_ci(package_dir: Path) -> str:
    """Install the locked dependencies of ``package_dir`` and return the path of ``node``;
    skip the calling test when Node, npm or the registry is absent."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node/npm not found on PATH")
    try:
        completed = subprocess.run(
            [npm, *NPM_CI, "--prefix", str(package_dir)],
            capture_output=True,
            text=True,
            timeout=NPM_CI_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm ci did not finish in {NPM_CI_TIMEOUT}s (registry unreachable?)")
    if completed.returncode != 0:
        errors = [
            line.removeprefix("npm error").strip()
            for line in completed.stderr.splitlines()
            if line.startswith("npm error") and not line.strip().endswith(("{", "}"))
        ]
        pytest.skip(f"npm ci failed (exit {completed.returncode}): {' | '.join(errors[:4])}")
    return node
