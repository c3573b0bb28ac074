"""The operator's overlay: written whole under a lock, seen changed from one stat, layered
under the built-in manifest."""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

from vcservice.errors import ContextError, ParsingError, StorageError
from vcservice.jsonld.digest import jcs_sha256
from vcservice.jsonld.manifest import ADDED, BUILT_IN, ContextManifest, default_contexts_dir
from vcservice.jsonld.overlay import Overlay, OverlayEntry
from vcservice.jsonld.store import ContextStore

PARTNER = "https://partner.example/contexts/v1"
DOCUMENT = {"@context": {"carrier": "https://partner.example/vocab#carrier"}}
CONTENT = b'{ "@context": {"carrier": "https://partner.example/vocab#carrier"} }'


def _entry(url: str = PARTNER, document: object = DOCUMENT) -> OverlayEntry:
    return OverlayEntry(url, "context", jcs_sha256(document), "2026-12-01T00:00:00Z", {"k": 1})


def test_an_added_document_is_kept_byte_for_byte_under_its_digest(tmp_path: Path) -> None:
    overlay = Overlay(tmp_path)
    assert overlay.read().entries == () and overlay.signature() is None
    overlay.add(_entry(), CONTENT)
    [entry] = overlay.read().entries
    assert entry == _entry()
    assert overlay.document_path(entry).read_bytes() == CONTENT
    assert entry.file_name == f"{jcs_sha256(DOCUMENT)}.jsonld"


def test_every_write_changes_the_signature_even_within_one_clock_tick(tmp_path: Path) -> None:
    overlay = Overlay(tmp_path)
    seen = {overlay.signature()}
    for _ in range(3):  # the same bytes each time, as fast as it goes
        overlay.add(_entry(), CONTENT)
        seen.add(overlay.signature())
        overlay.remove("context", PARTNER)
        seen.add(overlay.signature())
    assert len(seen) == 7


def test_the_same_content_again_is_no_change_other_content_a_conflict(tmp_path: Path) -> None:
    overlay = Overlay(tmp_path)
    overlay.add(_entry(), CONTENT)
    before = overlay.signature()
    assert overlay.add(_entry(), CONTENT, changing=pytest.fail) == _entry()
    assert overlay.signature() == before
    other = {"@context": {"carrier": "https://elsewhere.example/carrier"}}
    with pytest.raises(StorageError) as conflict:
        overlay.add(_entry(document=other), json.dumps(other).encode())
    assert (conflict.value.code, conflict.value.field) == ("CONFLICT", "url")


def test_removal_drops_the_document_unless_its_digest_is_kept(tmp_path: Path) -> None:
    overlay = Overlay(tmp_path)
    overlay.add(_entry(), CONTENT)
    path = overlay.document_path(_entry())
    overlay.remove("context", PARTNER, keep=frozenset({_entry().sha256}))
    assert path.is_file()
    overlay.add(_entry(), CONTENT)
    overlay.remove("context", PARTNER)
    assert not path.exists()
    with pytest.raises(StorageError) as missing:
        overlay.remove("context", PARTNER)
    assert missing.value.code == "NOT_FOUND"


def test_a_refused_change_writes_nothing(tmp_path: Path) -> None:
    overlay = Overlay(tmp_path)

    def refuse(entry: OverlayEntry) -> None:
        raise StorageError("the audit log is down", code="STORAGE_ERROR")

    with pytest.raises(StorageError):
        overlay.add(_entry(), CONTENT, changing=refuse)
    assert overlay.read().entries == ()
    assert not overlay.document_path(_entry()).exists()


def _failing_to_write(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Writing ``name`` (its temporary file) fails, as on a full disk."""
    mkstemp = tempfile.mkstemp

    def failing(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("prefix", "").startswith(f".{name}."):
            raise OSError(28, "No space left on device")
        return mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", failing)


def _failing_to_rename_onto(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Renaming a file onto ``name`` fails."""
    replace = Path.replace

    def failing(self: Path, target: Any) -> Any:
        if Path(target).name == name:
            raise OSError(5, "Input/output error")
        return replace(self, target)

    monkeypatch.setattr(Path, "replace", failing)


def test_a_failed_write_is_not_audited_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = Overlay(tmp_path)
    told: list[OverlayEntry] = []
    _failing_to_write(monkeypatch, "overlay.json")
    with pytest.raises(StorageError, match="No space left on device"):
        overlay.add(_entry(), CONTENT, changing=told.append)
    assert told == []  # the audit log was not told of a change that was not made
    assert sorted(path.name for path in tmp_path.iterdir()) == ["overlay.lock"]
    assert overlay.read().entries == ()


def test_a_failed_removal_is_not_audited_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overlay = Overlay(tmp_path)
    overlay.add(_entry(), CONTENT)
    before = sorted(path.name for path in tmp_path.iterdir())
    told: list[OverlayEntry] = []
    _failing_to_write(monkeypatch, "overlay.json")
    with pytest.raises(StorageError):
        overlay.remove("context", PARTNER, changing=told.append)
    assert told == []
    assert sorted(path.name for path in tmp_path.iterdir()) == before
    assert overlay.read().entries == (_entry(),)


@pytest.mark.parametrize("name", ["overlay.json", _entry().file_name])
def test_a_failed_rename_leaves_no_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    overlay = Overlay(tmp_path)
    _failing_to_rename_onto(monkeypatch, name)
    with pytest.raises(StorageError, match="Input/output error"):
        overlay.add(_entry(), CONTENT)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["overlay.lock"]
    assert overlay.read().entries == ()


def test_concurrent_writers_each_keep_their_entry(tmp_path: Path) -> None:
    overlay = Overlay(tmp_path)
    urls = [f"{PARTNER}/{n}" for n in range(8)]
    threads = [threading.Thread(target=overlay.add, args=(_entry(url), CONTENT)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(entry.url for entry in overlay.read().entries) == urls


def test_a_malformed_overlay_is_named(tmp_path: Path) -> None:
    (tmp_path / "overlay.json").write_text('{"entries": [{"url": 1}]}')
    with pytest.raises(ParsingError, match=r"overlay\.json"):
        Overlay(tmp_path).read()


def test_the_store_layers_added_contexts_under_built_in_ones(tmp_path: Path) -> None:
    store = ContextStore(tmp_path, ContextManifest.load(default_contexts_dir()))
    builtin = next(iter(store.builtin))
    with pytest.raises(ContextError):
        store.manifest.get(PARTNER)
    overlay = Overlay(tmp_path)
    overlay.add(_entry(), CONTENT)
    overlay.add(OverlayEntry(builtin.url, "context", "0" * 64, "2026-12-01T00:00:00Z"), b"{}")
    assert store.refresh() and not store.refresh()
    assert store.manifest.get(PARTNER).source == ADDED
    assert store.manifest.get(builtin.url) == builtin and builtin.source == BUILT_IN
    assert store.read(PARTNER) == DOCUMENT
