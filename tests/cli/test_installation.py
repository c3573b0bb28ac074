"""The tests run in the environment uv.lock describes, and the lock pins the npm side too."""

from __future__ import annotations

import importlib.metadata
import json
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NPM_PROJECTS = [ROOT / "tests" / "interop" / "js"]
EXACT_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, set[str]]:
    """Each locked package's versions (several where the resolution forks by Python version)."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    locked: dict[str, set[str]] = {}
    for package in lock["package"]:
        locked.setdefault(_normalise(package["name"]), set()).add(package["version"])
    return locked


def test_every_installed_distribution_is_the_locked_one() -> None:
    locked = _locked()
    installed = {
        _normalise(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
    }
    assert installed, "no distributions found"
    unlocked = sorted(set(installed) - set(locked))
    assert not unlocked, f"installed but not in uv.lock: {unlocked} (run scripts/test.sh)"
    different = {
        name: f"{version} installed, {sorted(locked[name])} locked"
        for name, version in installed.items()
        if version not in locked[name]
    }
    assert not different


def test_every_locked_package_is_pinned_by_hash() -> None:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    for package in lock["package"]:
        if package["source"].get("editable") == ".":
            continue  # vcservice itself
        files = [*package.get("wheels", []), *([package["sdist"]] if "sdist" in package else [])]
        assert files, package["name"]
        assert all(str(file.get("hash", "")).startswith("sha256:") for file in files), package


def test_npm_dependencies_are_exact_versions_with_a_lock() -> None:
    for project in NPM_PROJECTS:
        manifest = json.loads((project / "package.json").read_text(encoding="utf-8"))
        lock = json.loads((project / "package-lock.json").read_text(encoding="utf-8"))
        declared = manifest["dependencies"]
        assert all(EXACT_VERSION.match(version) for version in declared.values()), declared
        packages = lock["packages"]
        assert packages[""]["dependencies"] == declared
        for path, entry in packages.items():
            if path:
                assert entry.get("integrity", "").startswith("sha512-"), path
        for name, version in declared.items():
            assert packages[f"node_modules/{name}"]["version"] == version
