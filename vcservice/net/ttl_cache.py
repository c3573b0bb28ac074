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
    """Least-recently-used eviction past ``max_entries``; no entry outlives ``max_ttl_seconds``.

    ``clock`` returns seconds as a float (``time.time`` by default) and is injectable for tests.
    """

    def __init__(
        self,
        *,
        max_entries: int,
        max_ttl_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_entries < 1 or max_ttl_seconds < 0:
            raise ValueError("max_entries must be >= 1 and max_ttl_seconds >= 0 (0 keeps nothing)")
        self.max_entries = max_entries
        self.max_ttl_seconds = max_ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The live value for ``key``, or None (expired entries are dropped)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires_at, value = entry
            if self._clock() >= expires_at:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V, *, ttl_seconds: float | None = None) -> None:
        """Store ``value`` for ``ttl_seconds`` (default and cap: ``max_ttl_seconds``)."""
        ttl = (
            self.max_ttl_seconds if ttl_seconds is None else min(ttl_seconds, self.max_ttl_seconds)
        )
        with self._lock:
            if ttl <= 0:
                self._entries.pop(key, None)
                return
            self._entries[key] = (self._clock() + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
