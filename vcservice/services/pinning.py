"""Pin a partner's context or schema, list the pins, unpin: the CLI's and the admin API's.

Adding reviews the document (``vcservice.jsonld.review``, ``certificates.pinned_schemas``)
against what is pinned now, then records it in the context store's overlay; every process
sharing the store uses it from its next verification (``services.pins``). The review runs
outside the overlay's lock; under it, the documents an addition refers to are checked to be
pinned still (one removed meanwhile refuses it). Each change is appended to the audit log
under the lock, before it is made: none goes unrecorded. Built-in contexts and schemas can
be neither replaced nor removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.certificates.pinned_schemas import SchemaRefusedError, review_schema
from vcservice.certificates.schema_files import SCHEMA_BASE_URL, schemas_by_id
from vcservice.clock import Clock
from vcservice.errors import ParsingError, StorageError
from vcservice.jsonld.digest import jcs_sha256
from vcservice.jsonld.loader import PinnedDocumentLoader
from vcservice.jsonld.manifest import ADDED, BUILT_IN
from vcservice.jsonld.overlay import Kind, OverlayEntry
from vcservice.jsonld.review import DEFAULT_AFTER, ContextRefusedError, review_context
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import AuditAction, AuditEntry, AuditEvent
from vcservice.services.audit import audit_event
from vcservice.services.core import Core
from vcservice.services.pins import read_pinned_schema

__all__ = ["PinOutcome", "PinnedView", "PinningService", "pinned_contexts", "pinned_schemas"]

Record = Callable[[AuditEvent], AuditEntry]
"""Appends an event to the audit log (the service's store's)."""
_ACTIONS = {
    ("context", True): AuditAction.CONTEXT_ADDED,
    ("context", False): AuditAction.CONTEXT_REMOVED,
    ("schema", True): AuditAction.SCHEMA_ADDED,
    ("schema", False): AuditAction.SCHEMA_REMOVED,
}


@dataclass(frozen=True, slots=True)
class PinnedView:
    """One pinned context or schema as listed: built in or added, digest, installed."""

    url: str
    source: str
    sha256: str
    installed: bool
    entry: OverlayEntry | None = None

    def to_json(self) -> dict[str, Any]:
        """The listing's row (an added one with when, and its review)."""
        row = {
            "url": self.url,
            "source": self.source,
            "sha256": self.sha256,
            "installed": self.installed,
        }
        if self.entry is not None:
            row |= {"addedAt": self.entry.added_at, "review": dict(self.entry.review)}
        return row


@dataclass(frozen=True, slots=True)
class PinOutcome:
    """An add or a removal: the entry, whether anything changed, the audit entry if so."""

    entry: OverlayEntry
    changed: bool
    audit: AuditEntry | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry, ``changed``, and the audit log's sequence of its record."""
        sequence = None if self.audit is None else self.audit.sequence
        return self.entry.to_json() | {"changed": self.changed, "auditSequence": sequence}


class PinningService:
    """Adds, lists and removes the operator's pins in ``core``'s context store."""

    def __init__(self, core: Core, *, clock: Clock, record: Record) -> None:
        self._core = core
        self._store = core.store
        self._clock = clock
        self._record = record

    def add_context(
        self, url: str, content: bytes, *, after: Sequence[str] = DEFAULT_AFTER
    ) -> PinOutcome:
        """Review the context ``content`` (after the pinned ``after``) and pin it at ``url``."""
        self._core.pins.refresh()
        if url in self._store.builtin.contexts:
            raise _built_in("context", url)
        document = _json(content)
        review = review_context(
            url,
            document,
            after=after,
            loader=PinnedDocumentLoader(self._store),
            pinned=frozenset(self._store.manifest.contexts) - {url},
        )
        return self._add("context", url, document, content, review.to_json())

    def add_schema(self, url: str, content: bytes) -> PinOutcome:
        """Check the JSON Schema ``content`` and pin it at ``url``."""
        self._core.pins.refresh()
        builtin = schemas_by_id()
        if url in builtin or url.startswith(SCHEMA_BASE_URL):
            raise _built_in("schema", url)
        document = _json(content)
        pinned = builtin | {
            entry.url: read_pinned_schema(self._store.overlay, entry).document
            for entry in self._store.pins.of_kind("schema").values()
            if entry.url != url
        }
        return self._add("schema", url, document, content, review_schema(url, document, pinned))

    def remove_context(self, url: str) -> PinOutcome:
        """Unpin the added context ``url`` (built-in ones stay)."""
        if url in self._store.builtin.contexts:
            raise _built_in("context", url)
        keep = frozenset(pinned.sha256 for pinned in self._store.builtin)
        return self._remove("context", url, keep)

    def remove_schema(self, url: str) -> PinOutcome:
        """Unpin the added schema ``url`` (built-in ones stay)."""
        if url in schemas_by_id():
            raise _built_in("schema", url)
        return self._remove("schema", url, frozenset())

    def contexts(self) -> list[PinnedView]:
        """Every pinned context: built in, then added."""
        return pinned_contexts(self._core)

    def schemas(self) -> list[PinnedView]:
        """Every pinned schema: the project's, then added ones."""
        return pinned_schemas(self._core)

    def _add(
        self, kind: Kind, url: str, document: Any, content: bytes, review: dict[str, Any]
    ) -> PinOutcome:
        entry = OverlayEntry(
            url, kind, jcs_sha256(document), format_datetime(self._clock.now()), review
        )
        audited: list[AuditEntry] = []

        def changing(added: OverlayEntry) -> None:
            _refuse_if_unpinned(added, self._pinned_now(added.kind))
            audited.append(self._audit(added, True))

        held = self._store.overlay.add(entry, content, changing=changing)
        self._core.pins.refresh()
        return PinOutcome(held, bool(audited), audited[0] if audited else None)

    def _remove(self, kind: Kind, url: str, keep: frozenset[str]) -> PinOutcome:
        audited: list[AuditEntry] = []

        def changing(entry: OverlayEntry) -> None:
            _refuse_if_referred_to(entry, self._store.overlay.read().entries)
            audited.append(self._audit(entry, False))

        removed = self._store.overlay.remove(kind, url, keep=keep, changing=changing)
        self._core.pins.refresh()
        return PinOutcome(removed, True, audited[0])

    def _pinned_now(self, kind: Kind) -> frozenset[str]:
        """The URLs of ``kind`` pinned now, built in or added (read under the lock)."""
        builtin = self._store.builtin.contexts if kind == "context" else schemas_by_id()
        return frozenset(builtin) | frozenset(self._store.overlay.read().of_kind(kind))

    def _audit(self, entry: OverlayEntry, added: bool) -> AuditEntry:
        details = {"kind": entry.kind, "sha256": entry.sha256, "store": str(self._store.directory)}
        if added and entry.kind == "context":
            details["after"] = entry.review.get("after", [])
        event = audit_event(
            self._clock,
            _ACTIONS[(entry.kind, added)],
            subject=entry.url,
            authority=None,
            details=details,
        )
        return self._record(event)


def pinned_contexts(core: Core) -> list[PinnedView]:
    """Every context ``core`` accepts now: built in, then added."""
    core.pins.refresh()
    store, added = core.store, core.store.pins.of_kind("context")
    return [
        PinnedView(
            pinned.url,
            pinned.source,
            pinned.sha256,
            store.is_installed(pinned),
            added.get(pinned.url) if pinned.source == ADDED else None,
        )
        for pinned in sorted(store.manifest, key=lambda p: (p.source != BUILT_IN, p.url))
    ]


def pinned_schemas(core: Core) -> list[PinnedView]:
    """Every schema ``core`` validates against now: the project's, then added ones."""
    core.pins.refresh()
    builtin = [
        PinnedView(url, BUILT_IN, jcs_sha256(document), True)
        for url, document in sorted(schemas_by_id().items())
    ]
    overlay = core.store.overlay
    added = [
        PinnedView(entry.url, ADDED, entry.sha256, overlay.document_path(entry).is_file(), entry)
        for entry in sorted(core.store.pins.of_kind("schema").values(), key=_by_url)
    ]
    return builtin + added


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParsingError(f"the document is not JSON: {exc}", field="document") from None
    except RecursionError:
        raise ParsingError("the document nests too deeply to read", field="document") from None


def _built_in(kind: Kind, url: str) -> StorageError:
    return StorageError(
        f"{url} is vcservice's own {kind} (built in): it cannot be added, replaced or removed",
        code="CONFLICT",
        field="url",
    )


def _refuse_if_unpinned(entry: OverlayEntry, pinned: frozenset[str]) -> None:
    """Refuse ``entry`` when a document its review found it refers to is no longer pinned."""
    key = "refersTo" if entry.kind == "context" else "refs"
    missing = [url for url in entry.review.get(key, ()) if url not in pinned]
    if not missing:
        return
    message = (
        f"{entry.url} refers to {missing[0]}, which is no longer pinned (it was removed "
        "during the review): pin it first"
    )
    if entry.kind == "context":
        raise ContextRefusedError(message, field="@context")
    raise SchemaRefusedError(message, field="$ref")


def _refuse_if_referred_to(entry: OverlayEntry, entries: Sequence[OverlayEntry]) -> None:
    """CONFLICT when another added document of the kind refers to ``entry``'s URL."""
    key = "refersTo" if entry.kind == "context" else "refs"
    for other in entries:
        if other.kind == entry.kind and entry.url in other.review.get(key, ()):
            raise StorageError(
                f"{other.url} refers to {entry.url}: remove that {entry.kind} first",
                code="CONFLICT",
                field="url",
            )


def _by_url(entry: OverlayEntry) -> str:
    return entry.url
