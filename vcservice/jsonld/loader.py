"""The document loader: serves pinned contexts from the local store, never the network."""

from __future__ import annotations

from typing import Any, Protocol

from vcservice.jsonld.store import ContextStore


class DocumentLoader(Protocol):
    """Returns the parsed JSON-LD document for a URL, or raises ``ContextError``."""

    def load(self, url: str) -> Any:
        """Return the document for ``url``."""
        ...


class PinnedDocumentLoader:
    """Loads contexts only from a ``ContextStore``; each is read and digest-checked once."""

    def __init__(self, store: ContextStore) -> None:
        self._store = store
        self._documents: dict[str, Any] = {}

    def load(self, url: str) -> Any:
        """Return the pinned context ``url`` (CONTEXT_NOT_PINNED / NOT_INSTALLED otherwise)."""
        documents = self._documents  # a read under pins that change meanwhile is dropped
        document = documents.get(url)
        if document is None:
            document = self._store.read(url)
            # Bounded: only manifest URLs can ever be stored here.
            documents[url] = document
        return document

    def forget(self) -> None:
        """Drop the documents read so far: the pins changed."""
        self._documents = {}
