"""Shared fixtures: reference data from ../shared, skipped cleanly when it is absent."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = Path(os.environ.get("VCSERVICE_SHARED_DIR", REPO_ROOT.parent / "shared"))
UPSTREAM_DIR = SHARED_DIR / "upstream"

# Every document the suite turns into RDF — in this process and in every service it
# starts — goes through both JSON-LD paths, and any difference fails (FastPathDisagreement).
os.environ.setdefault("VCSERVICE_JSONLD_PATH", "checked")


def upstream_path(*parts: str) -> Path:
    """Return a path under ../shared/upstream, skipping the calling test if it does not exist."""
    path = UPSTREAM_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data not available: {path}")
    return path


@pytest.fixture(scope="session")
def context_store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A context store installed from ../shared/upstream/contexts by the real install path."""
    from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
    from vcservice.jsonld.store import ContextStore

    source = upstream_path("contexts")
    directory = tmp_path_factory.mktemp("contexts")
    report = ContextStore(
        directory, ContextManifest.load(default_contexts_dir())
    ).install_from_directory(source)
    assert report.complete, report.missing
    return directory


@pytest.fixture(scope="session")
def core(context_store_dir: Path) -> Any:
    """The wired credential core over the pinned store (system clock, no status checker)."""
    from vcservice.services.core import CoreConfig, build_core

    return build_core(CoreConfig(store_dir=context_store_dir, jsonld_path="checked"))


@pytest.fixture(scope="session")
def fixed_core(context_store_dir: Path) -> Any:
    """The credential core with its clock stopped at ``tests.factories.NOW``."""
    from tests.factories import NOW
    from vcservice.clock import FixedClock
    from vcservice.services.core import CoreConfig, build_core

    return build_core(
        CoreConfig(store_dir=context_store_dir, jsonld_path="checked"), clock=FixedClock(NOW)
    )


@pytest.fixture
def offline(
    tmp_path: Path,
    context_store_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Any:
    """``vcservice verify`` in-process over the test context store, network refused."""
    from tests.api.offline import OfflineVerifier

    return OfflineVerifier(tmp_path, context_store_dir, monkeypatch, capsys)
