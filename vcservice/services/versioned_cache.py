"""Objects built from database rows, kept in this process until the database says they changed.

Each value is kept with the version its rows had, a counter that every write to them
bumps in the writing transaction (a status list's ``version``, an authority's
``key_version``). A reader reads the current version first — one cheap query — and is
given a value only if it was built at that version or later; otherwise it rebuilds. As a
value is built from reads made after its version was read, it is never older than its
version says, so a change committed by any process is seen by the very next lookup in
every other one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from vcservice.net import TtlCache

__all__ = ["KEPT_SECONDS", "VersionedCache"]

KEPT_SECONDS = 600.0
"""How long a value is kept at most, by default, however current its version."""

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class VersionedCache(Generic[K, V]):
    """One value per key with its version: LRU past ``max_entries``, none older than
    ``max_ttl_seconds`` (a bound on memory and on a missed bump, not on correctness)."""

    def __init__(
        self,
        *,
        max_entries: int,
        max_ttl_seconds: float = KEPT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._entries: TtlCache[K, tuple[int, V]] = TtlCache(
            max_entries=max_entries, max_ttl_seconds=max_ttl_seconds, clock=clock
        )

    def get(self, key: K, version: int) -> V | None:
        """The value kept for ``key`` if it was built at ``version`` or later, else None."""
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] >= version else None

    def put(self, key: K, version: int, value: V) -> None:
        """Keep ``value``, built at ``version``, unless a value of a later version is kept."""
        entry = self._entries.get(key)
        if entry is None or entry[0] <= version:
            self._entries.put(key, (version, value))

    def __len__(self) -> int:
        return len(self._entries)
