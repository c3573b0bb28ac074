"""The pinned context store: install by digest, refuse tampering, never fetch at load time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import upstream_path
from vcservice.errors import ContextError
from vcservice.jsonld.digest import jcs_sha256
from vcservice.jsonld.loader import PinnedDocumentLoader
from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
from vcservice.jsonld.store import ContextStore

pytestmark = pytest.mark.shared
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def manifest() -> ContextManifest:
    return ContextManifest.load(default_contexts_dir())


def test_digest_ignores_byte_layout() -> None:
    compact = json.loads('{"b": 1, "a": [1, 2]}')
    spaced = json.loads('{\n  "a": [1, 2],\n  "b": 1\n}')
    assert jcs_sha256(compact) == jcs_sha256(spaced)
    assert jcs_sha256(compact) != jcs_sha256({"a": [2, 1], "b": 1})


def test_every_published_context_installs_from_shared(
    tmp_path: Path, manifest: ContextManifest
) -> None:
    store = ContextStore(tmp_path, manifest)
    report = store.install_from_directory(upstream_path("contexts"))
    assert report.complete, report.missing
    published = [pinned.url for pinned in manifest if pinned.bundled_file is None]
    assert sorted(report.installed) == sorted(published)
    # A second run finds them installed and changes nothing.
    again = store.install_from_directory(upstream_path("contexts"))
    assert again.installed == [] and sorted(again.present) == sorted(p.url for p in manifest)


def test_bundled_contexts_match_their_pinned_digest(manifest: ContextManifest) -> None:
    bundled = [pinned for pinned in manifest if pinned.bundled_file is not None]
    for pinned in bundled:
        pinned.check(json.loads(pinned.bundled_file.read_text(encoding="utf-8")))  # type: ignore[union-attr]


def test_a_source_with_altered_content_is_refused(
    tmp_path: Path, manifest: ContextManifest
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    original = json.loads(upstream_path("contexts", "credentials-v2.jsonld").read_text())
    original["@context"]["name"] = "https://attacker.example/name"
    (source / "credentials-v2.jsonld").write_text(json.dumps(original))
    store = ContextStore(tmp_path / "store", manifest)
    report = store.install_from_directory(source)
    assert CREDENTIALS_V2 in report.missing
    assert not store.is_installed(manifest.get(CREDENTIALS_V2))


def test_fetcher_content_with_wrong_digest_is_refused(
    tmp_path: Path, manifest: ContextManifest
) -> None:
    def fetch(url: str) -> Any:
        return {"@context": {"@vocab": "https://attacker.example/"}}

    store = ContextStore(tmp_path, manifest)
    report = store.install_from_fetcher(fetch)
    assert not report.installed
    assert "does not match its pinned digest" in report.missing[CREDENTIALS_V2]


def test_tampered_store_file_is_detected_at_load(tmp_path: Path, manifest: ContextManifest) -> None:
    store = ContextStore(tmp_path, manifest)
    store.install_from_directory(upstream_path("contexts"))
    path = store.path_for(manifest.get(CREDENTIALS_V2))
    document = json.loads(path.read_text())
    document["@context"]["extra"] = "https://attacker.example/extra"
    path.write_text(json.dumps(document))
    with pytest.raises(ContextError) as raised:
        PinnedDocumentLoader(store).load(CREDENTIALS_V2)
    assert raised.value.code == "CONTEXT_DIGEST_MISMATCH"


def test_unpinned_and_uninstalled_contexts_name_the_url(
    tmp_path: Path, manifest: ContextManifest
) -> None:
    loader = PinnedDocumentLoader(ContextStore(tmp_path, manifest))
    with pytest.raises(ContextError) as unpinned:
        loader.load("https://example.com/unknown/v1")
    assert unpinned.value.code == "CONTEXT_NOT_PINNED"
    assert "https://example.com/unknown/v1" in unpinned.value.message
    with pytest.raises(ContextError) as uninstalled:
        loader.load(CREDENTIALS_V2)
    assert uninstalled.value.code == "CONTEXT_NOT_INSTALLED"
    assert CREDENTIALS_V2 in uninstalled.value.message
