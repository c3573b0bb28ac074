"""The operator's pins: contexts and schemas added to a context store, beside the built-in ones.

``<store>/overlay.json`` lists them (URL, kind, JCS SHA-256, when, the review's summary);
each document is stored beside it under its digest, byte for byte as given. Writers take
``overlay.lock`` (an exclusive ``flock``) and replace files atomically (a temporary file,
then a rename), so a reader always sees a whole overlay; every write gives the file a new
modification time, so a reader knows it changed from one ``stat``. A change is written to
temporary files first, then told to ``changing`` (the audit log), then renamed into place:
a write that fails leaves neither a record of a change not made nor a stray file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from vcservice.errors import ParsingError, StorageError

OVERLAY_NAME = "overlay.json"
LOCK_NAME = "overlay.lock"
Kind = Literal["context", "schema"]
SUFFIXES: Mapping[Kind, str] = {"context": ".jsonld", "schema": ".json"}
Signature = tuple[int, int, int]
"""What a ``stat`` says of the overlay file: inode, modification time (ns), size."""
Changing = Callable[["OverlayEntry"], None]
"""Told of an entry about to be added or removed, under the lock, once the new files are
written to temporary ones and before they are renamed into place (an audit log: no change
is made that it did not record; raising stops it, and nothing is left behind)."""

_ABOUT = (
    "Contexts and schemas an operator pinned in this store (vcservice contexts add, "
    "vcservice schemas add); each document is the file named by its sha256."
)


@dataclass(frozen=True, slots=True)
class OverlayEntry:
    """One pinned document: its URL, kind, JCS SHA-256, when it was added, its review."""

    url: str
    kind: Kind
    sha256: str
    added_at: str
    review: Mapping[str, Any] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        """The name of the stored document: its digest and the kind's suffix."""
        return f"{self.sha256}{SUFFIXES[self.kind]}"

    def to_json(self) -> dict[str, Any]:
        """The entry as ``overlay.json`` holds it."""
        return {
            "url": self.url,
            "kind": self.kind,
            "sha256": self.sha256,
            "addedAt": self.added_at,
            "review": dict(self.review),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> OverlayEntry:
        """The entry from its ``overlay.json`` form (KeyError/ValueError if malformed)."""
        kind = value["kind"]
        if kind not in SUFFIXES:
            raise ValueError(f"unknown kind {kind!r}")
        return cls(value["url"], kind, value["sha256"], value["addedAt"], value.get("review", {}))


@dataclass(frozen=True, slots=True)
class OverlaySnapshot:
    """The overlay as read once: its entries, and the ``stat`` of the file read."""

    signature: Signature | None
    entries: tuple[OverlayEntry, ...] = ()

    def of_kind(self, kind: Kind) -> dict[str, OverlayEntry]:
        """The entries of ``kind`` by URL."""
        return {entry.url: entry for entry in self.entries if entry.kind == kind}


class Overlay:
    """``overlay.json`` and the pinned documents in one store directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / OVERLAY_NAME

    def signature(self) -> Signature | None:
        """The file's ``stat`` now (None when there is no overlay): cheap, for polling."""
        try:
            return _signature(self.path.stat())
        except FileNotFoundError:
            return None

    def read(self) -> OverlaySnapshot:
        """The overlay now (empty when there is none); ParsingError if it is malformed."""
        try:
            with self.path.open("rb") as handle:
                signature = _signature(os.fstat(handle.fileno()))
                text = handle.read()
        except FileNotFoundError:
            return OverlaySnapshot(None)
        try:
            entries = tuple(OverlayEntry.from_json(item) for item in json.loads(text)["entries"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ParsingError(f"cannot read {self.path}: {exc}", field=OVERLAY_NAME) from exc
        return OverlaySnapshot(signature, entries)

    def document_path(self, entry: OverlayEntry) -> Path:
        """Where ``entry``'s document is stored."""
        return self.directory / entry.file_name

    def add(
        self, entry: OverlayEntry, content: bytes, *, changing: Changing = lambda _: None
    ) -> OverlayEntry:
        """Pin ``entry`` with ``content`` (its exact bytes); returns the entry now held.

        The same URL and kind already pinned to the same digest is no change (the held
        entry is returned); to another digest it is a CONFLICT: remove it first.
        """
        with self._locked():
            entries = list(self.read().entries)
            held = next((e for e in entries if (e.kind, e.url) == (entry.kind, entry.url)), None)
            if held is not None and held.sha256 == entry.sha256:
                return held
            if held is not None:
                raise StorageError(
                    f"{entry.url} is already pinned as a {entry.kind} with sha256 {held.sha256}; "
                    "remove it first to pin other content",
                    code="CONFLICT",
                    field="url",
                )
            document = self.directory / entry.file_name
            staged: list[tuple[Path, Path]] = []  # (temporary file, target), renamed in order
            try:
                if not document.exists():  # the same content may be there already
                    staged.append((_staged(document, content), document))
                staged.append((self._staged([*entries, entry]), self.path))
            except BaseException:
                _unlink(temporary for temporary, _ in staged)
                raise
            self._commit(entry, changing, staged)
        return entry

    def remove(
        self,
        kind: Kind,
        url: str,
        *,
        keep: frozenset[str] = frozenset(),
        changing: Changing = lambda _: None,
    ) -> OverlayEntry:
        """Unpin ``url``; its document goes too unless another entry, or a digest in
        ``keep`` (a built-in context's), has the same content. NOT_FOUND if not pinned."""
        with self._locked():
            entries = list(self.read().entries)
            held = next((e for e in entries if (e.kind, e.url) == (kind, url)), None)
            if held is None:
                raise StorageError(f"no added {kind} {url}", code="NOT_FOUND", field="url")
            remaining = [e for e in entries if e is not held]
            self._commit(held, changing, [(self._staged(remaining), self.path)])
            still_used = {e.file_name for e in remaining} | {
                f"{digest}{SUFFIXES[kind]}" for digest in keep
            }
            if held.file_name not in still_used:
                self.document_path(held).unlink(missing_ok=True)
        return held

    def _staged(self, entries: list[OverlayEntry]) -> Path:
        """``overlay.json`` listing ``entries``, in a temporary file to rename onto it."""
        document = {"about": _ABOUT, "entries": [entry.to_json() for entry in entries]}
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        return _staged(self.path, text.encode("utf-8"), newer_than=self.signature())

    def _commit(
        self, entry: OverlayEntry, changing: Changing, staged: list[tuple[Path, Path]]
    ) -> None:
        """Tell ``changing`` of ``entry``, then rename each staged file onto its target, in
        order (``overlay.json`` last); on any failure, unlink the temporary files and the new
        documents already renamed. An audit entry for a change whose rename then fails (a
        rename within one directory, after the content is on disk) is the residual risk
        accepted: the log may record a change that was not made, never the reverse."""
        renamed: list[Path] = []
        try:
            changing(entry)
            for temporary, target in staged:
                temporary.replace(target)
                renamed.append(target)
        except BaseException:
            _unlink(temporary for temporary, _ in staged)
            _unlink(target for target in renamed if target != self.path)
            raise

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold the writers' lock; a file system's refusal (a read-only store) is a
        STORAGE_ERROR naming the store."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with (self.directory / LOCK_NAME).open("a") as lock:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        except OSError as exc:
            raise StorageError(
                f"cannot write the context store {self.directory}: {exc}", code="STORAGE_ERROR"
            ) from exc


def _signature(status: os.stat_result) -> Signature:
    return (status.st_ino, status.st_mtime_ns, status.st_size)


def _staged(target: Path, content: bytes, *, newer_than: Signature | None = None) -> Path:
    """A temporary file beside ``target`` holding ``content`` (on disk), to be renamed onto
    it; with ``newer_than``, its modification time is later than that one's, so a reader
    polling ``stat`` sees the change even within the clock's resolution."""
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        if newer_than is not None:
            moment = max(time.time_ns(), newer_than[1] + 1_000)
            os.utime(temporary, ns=(moment, moment))
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def _unlink(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
