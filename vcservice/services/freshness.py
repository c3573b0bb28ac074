"""Reads of the shared database kept in this process until its change counter moves.

The database counts every committed change of what a verification reads (authorities and
their keys, holders, trust registry entries, status list versions: ``change_generation``,
moved by triggers in the changing transaction). ``Freshness`` reads that counter once at
the start of a verification and holds it for the verification; a ``Memo`` answers a lookup
from what it read at that counter value, or reads again. The counter is read before the
rows, so a kept answer is never older than its counter value: a change committed by any
process is seen by the next verification in every other one, at the cost of one
primary-key read.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, TypeVar

from vcservice.errors import StorageError
from vcservice.services.versioned_cache import VersionedCache

__all__ = ["Freshness", "Memo"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_held: ContextVar[dict[int, int] | None] = ContextVar("vcservice_generation", default=None)


class Freshness:
    """The change counter of one database, read by ``read``."""

    def __init__(self, read: Callable[[], int]) -> None:
        self._read = read

    @contextmanager
    def held(self) -> Iterator[None]:
        """Read the counter once for the block (one verification): lookups inside it use
        that value. Nested blocks keep the outermost value; when the database cannot
        answer, nothing is held and each lookup meets the failure itself."""
        held = _held.get()
        if held is not None and id(self) in held:
            yield
            return
        try:
            generation = self._read()
        except StorageError:
            yield
            return
        token = _held.set({**(held or {}), id(self): generation})
        try:
            yield
        finally:
            _held.reset(token)

    def current(self) -> int:
        """The counter held for the running verification, else read now."""
        held = _held.get()
        if held is not None and (value := held.get(id(self))) is not None:
            return value
        return self._read()


class Memo(Generic[K, V]):
    """Answers of one kind of lookup, each kept with the counter value it was read at;
    least recently used past ``max_entries``."""

    def __init__(self, freshness: Freshness, *, max_entries: int) -> None:
        self._freshness = freshness
        self._answers: VersionedCache[K, tuple[V]] = VersionedCache(max_entries=max_entries)

    def get(self, key: K, read: Callable[[], V]) -> V:
        """The answer for ``key``: kept, if read at the current counter value, else
        ``read()`` now (and kept)."""
        generation = self._freshness.current()
        kept = self._answers.get(key, generation)
        if kept is not None:
            return kept[0]
        answer = read()
        self._answers.put(key, generation, (answer,))
        return answer
