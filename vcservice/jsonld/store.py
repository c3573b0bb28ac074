"""The local context store: installed copies of pinned contexts, addressed by digest.

Its manifest is layered: the built-in one, and the contexts an operator added to this
store's overlay (``vcservice.jsonld.overlay``); the built-in entry wins for a URL in both.
``refresh`` re-reads the overlay once it changed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vcservice.errors import ContextError, VcError
from vcservice.jsonld.digest import jcs_sha256
from vcservice.jsonld.manifest import ADDED, ContextManifest, PinnedContext
from vcservice.jsonld.overlay import Overlay, OverlaySnapshot

JSON_SUFFIXES = (".json", ".jsonld")


@dataclass
class InstallReport:
    """What an install run did: URLs installed, already present, and still missing."""

    installed: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every pinned context is now available."""
        return not self.missing


@dataclass(frozen=True, slots=True)
class _Layered:
    snapshot: OverlaySnapshot
    manifest: ContextManifest


class ContextStore:
    """A directory of installed contexts, each file named by its pinned digest.

    ``builtin`` is the manifest given; ``manifest`` adds the overlay's contexts to it, as
    last read.
    """

    def __init__(self, directory: Path, manifest: ContextManifest) -> None:
        self.directory = directory
        self.builtin = manifest
        self.overlay = Overlay(directory)
        self._lock = threading.Lock()
        self._held = self._layered(self.overlay.read())

    @property
    def manifest(self) -> ContextManifest:
        """The built-in manifest and the overlay's contexts (the built-in entry wins)."""
        return self._held.manifest

    @property
    def pins(self) -> OverlaySnapshot:
        """The overlay as last read."""
        return self._held.snapshot

    def refresh(self) -> bool:
        """Re-read the overlay if it changed since it was read (one ``stat`` if not);
        whether it changed."""
        if self.overlay.signature() == self._held.snapshot.signature:
            return False
        with self._lock:
            if self.overlay.signature() == self._held.snapshot.signature:
                return False  # another thread read it meanwhile
            self._held = self._layered(self.overlay.read())
        return True

    def _layered(self, snapshot: OverlaySnapshot) -> _Layered:
        added = {
            url: PinnedContext(url=url, sha256=entry.sha256, source=ADDED)
            for url, entry in snapshot.of_kind("context").items()
        }
        return _Layered(snapshot, ContextManifest({**added, **self.builtin.contexts}))

    def path_for(self, pinned: PinnedContext) -> Path:
        """Where the content of ``pinned`` lives: its bundled file or its store file."""
        if pinned.bundled_file is not None:
            return pinned.bundled_file
        return self.directory / f"{pinned.sha256}.jsonld"

    def is_installed(self, pinned: PinnedContext) -> bool:
        """True when the content of ``pinned`` is available locally."""
        return self.path_for(pinned).is_file()

    def read(self, url: str) -> Any:
        """Return the parsed content of pinned context ``url``, checked against its digest."""
        pinned = self.manifest.get(url)
        path = self.path_for(pinned)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ContextError(
                f"context {url} is pinned but not installed in {self.directory}; "
                "run `vcservice contexts install`",
                code="CONTEXT_NOT_INSTALLED",
                field="@context",
            ) from None
        except (OSError, ValueError) as exc:
            raise ContextError(
                f"installed copy of context {url} is unreadable: {exc}",
                code="CONTEXT_NOT_INSTALLED",
                field="@context",
            ) from exc
        pinned.check(document)
        return document

    def install_from_directory(self, source: Path) -> InstallReport:
        """Install every pinned context found among the JSON files under ``source``.

        Files are matched by content digest, so their names and layout do not matter;
        files that match nothing are ignored.
        """
        by_digest = self.manifest.by_digest()
        found: dict[str, Any] = {}
        for path in sorted(source.rglob("*")):
            if path.suffix not in JSON_SUFFIXES or not path.is_file():
                continue
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            pinned = by_digest.get(jcs_sha256(document))
            if pinned is not None:
                found[pinned.url] = document
        return self._install(lambda url: _found_or_missing(found, url))

    def install_from_fetcher(self, fetch: Callable[[str], Any]) -> InstallReport:
        """Install every pinned context by fetching its canonical URL with ``fetch``."""
        return self._install(fetch)

    def _install(self, obtain: Callable[[str], Any]) -> InstallReport:
        report = InstallReport()
        self.directory.mkdir(parents=True, exist_ok=True)
        for pinned in self.manifest:
            if self.is_installed(pinned):
                report.present.append(pinned.url)
                continue
            try:
                document = obtain(pinned.url)
                pinned.check(document)
            except VcError as exc:
                report.missing[pinned.url] = exc.message
                continue
            self._write(pinned, document)
            report.installed.append(pinned.url)
        return report

    def _write(self, pinned: PinnedContext, document: Any) -> None:
        target = self.path_for(pinned)
        partial = target.with_suffix(".partial")
        partial.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
        partial.replace(target)


def _found_or_missing(found: dict[str, Any], url: str) -> Any:
    if url not in found:
        raise ContextError(f"no file with the pinned content of {url} in the source directory")
    return found[url]
