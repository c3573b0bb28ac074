"""A bounded, thread-safe, in-memory cache whose entries expire."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["TtlCache"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """Least-recently-used eviction past ``max_entries`` (and, with ``weigh``, past
    ``max_bytes`` of the entries' weights in all); no entry outlives ``max_ttl_seconds``.

    ``weigh`` gives an entry's size in bytes (what it holds in memory, near enough); an
    entry heavier than ``max_bytes`` on its own is not kept. ``clock`` returns seconds as a
    float (``time.time`` by default) and is injectable for tests.
    """

    def __init__(
        self,
        *,
        max_entries: int,
        max_ttl_seconds: float,
        clock: Callable[[], float] = time.time,
        max_bytes: int | None = None,
        weigh: Callable[[V], int] | None = None,
    ) -> None:
        if max_entries < 1 or max_ttl_seconds < 0:
            raise ValueError("max_entries must be >= 1 and max_ttl_seconds >= 0 (0 keeps nothing)")
        if (max_bytes is None) != (weigh is None) or (max_bytes is not None and max_bytes < 1):
            raise ValueError("max_bytes (>= 1) and weigh go together")
        self.max_entries = max_entries
        self.max_ttl_seconds = max_ttl_seconds
        self.max_bytes = max_bytes
        self._weigh = weigh
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The live value for ``key``, or None (expired entries are dropped)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires_at, value, _ = entry
            if self._clock() >= expires_at:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V, *, ttl_seconds: float | None = None) -> None:
        """Store ``value`` for ``ttl_seconds`` (default and cap: ``max_ttl_seconds``)."""
        ttl = (
            self.max_ttl_seconds if ttl_seconds is None else min(ttl_seconds, self.max_ttl_seconds)
        )
        weight = self._weigh(value) if self._weigh is not None else 0
        with self._lock:
            self._drop(key)
            if ttl <= 0 or (self.max_bytes is not None and weight > self.max_bytes):
                return
            self._entries[key] = (self._clock() + ttl, value, weight)
            self._bytes += weight
            while len(self._entries) > self.max_entries or (
                self.max_bytes is not None and self._bytes > self.max_bytes
            ):
                self._drop(next(iter(self._entries)))

    @property
    def bytes(self) -> int:
        """The weights of the entries kept, in all (0 without ``weigh``)."""
        with self._lock:
            return self._bytes

    def drop(self, key: K) -> None:
        """Forget ``key``'s entry, if there is one."""
        with self._lock:
            self._drop(key)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key: K) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry[2]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
