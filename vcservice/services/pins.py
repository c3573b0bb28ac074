"""The operator's pinned contexts and schemas as one process holds them, kept current.

``Pins.refresh`` runs at the start of every verification: one ``stat`` of the store's
overlay when nothing changed; when it did (``vcservice contexts add`` or the admin API, in
this process or any other sharing the store), the overlay is read again and everything kept
from pinned content is forgotten — resolved and walked contexts, loaded documents, canonical
hashes, schema answers — so the very next verification reads only what is pinned now.
Noticing the change and forgetting are one critical section: the revision is recorded only
once everything is forgotten, so no thread answers "no change" while another still forgets
(it waits for the lock instead, which is taken only when the ``stat`` differs).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from vcservice.certificates.pinned_schemas import AddedSchemas, PinnedSchema
from vcservice.certificates.schema_files import schemas_by_id
from vcservice.certificates.schemas import pinned_schema_problems
from vcservice.errors import Problem, VcError
from vcservice.jsonld.digest import jcs_sha256
from vcservice.jsonld.overlay import Overlay, OverlayEntry
from vcservice.jsonld.store import ContextStore

__all__ = ["Pins", "read_pinned_schema"]

Snapshot = Callable[[], AbstractContextManager[None]]


class Pins:
    """The store's pins, the caches to empty when they change, and the schema validator
    that knows the added schemas."""

    def __init__(self, store: ContextStore) -> None:
        self._store = store
        self._forget: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._seen = store.pins.signature  # the overlay's revision nothing kept predates
        self._builtin_schemas = schemas_by_id()
        self._schemas = self._added_schemas()

    def on_change(self, forget: Callable[[], None]) -> None:
        """Call ``forget`` whenever the pins change."""
        self._forget.append(forget)

    def refresh(self) -> bool:
        """Read the pins again if they changed, then forget what was kept; whether they did
        (False also when another thread did it meanwhile: this one waited for it)."""
        if self._store.overlay.signature() == self._seen:
            return False  # the usual case: one stat, no lock
        with self._lock:
            self._store.refresh()
            revision = self._store.pins.signature  # of the overlay as read
            if revision == self._seen:
                return False  # another thread read it and forgot meanwhile
            self._schemas = self._added_schemas()
            for forget in self._forget:
                forget()
            self._seen = revision  # only now: the caches answer for this revision
        return True

    def around(self, snapshot: Snapshot) -> Snapshot:
        """``snapshot`` (entered around each verification), after a ``refresh``."""

        @contextmanager
        def refreshed() -> Iterator[None]:
            self.refresh()
            with snapshot():
                yield

        return refreshed

    def schema_problems(self, credential: Mapping[str, Any]) -> list[Problem] | None:
        """Problems against the project's schemas and the added ones ``credential`` names;
        None when it names none of them."""
        answers = [pinned_schema_problems(credential), self._schemas.problems(credential)]
        known = [answer for answer in answers if answer is not None]
        return None if not known else [problem for answer in known for problem in answer]

    def _added_schemas(self) -> AddedSchemas:
        entries = self._store.pins.of_kind("schema")

        def read(url: str) -> PinnedSchema:
            entry = entries.get(url)
            if entry is None:
                raise VcError(f"schema {url} is not pinned here", code="SCHEMA_NOT_INSTALLED")
            return read_pinned_schema(self._store.overlay, entry)

        return AddedSchemas(entries, read, self._builtin_schemas)


def read_pinned_schema(overlay: Overlay, entry: OverlayEntry) -> PinnedSchema:
    """The schema ``entry`` pinned, checked against its digest (SCHEMA_NOT_INSTALLED if it
    is missing or altered)."""
    path = overlay.document_path(entry)
    try:
        content = path.read_bytes()
        document = json.loads(content)
    except (OSError, ValueError) as exc:
        raise VcError(
            f"pinned schema {entry.url} cannot be read from {path}: {exc}",
            code="SCHEMA_NOT_INSTALLED",
        ) from exc
    if not isinstance(document, dict) or jcs_sha256(document) != entry.sha256:
        raise VcError(
            f"{path} does not hold the schema pinned at {entry.url} (sha256 {entry.sha256})",
            code="SCHEMA_NOT_INSTALLED",
        )
    return PinnedSchema(content, document)
