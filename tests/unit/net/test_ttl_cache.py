"""TtlCache: expiry, the TTL cap, LRU eviction."""

from __future__ import annotations

import pytest

from vcservice.net import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make(max_entries: int = 3, max_ttl: float = 100) -> tuple[TtlCache[str, int], Clock]:
    clock = Clock()
    return TtlCache(max_entries=max_entries, max_ttl_seconds=max_ttl, clock=clock), clock


def test_entries_expire_after_their_ttl() -> None:
    cache, clock = make()
    cache.put("a", 1, ttl_seconds=10)
    clock.now = 9.9
    assert cache.get("a") == 1
    clock.now = 10
    assert cache.get("a") is None
    assert len(cache) == 0


def test_ttl_defaults_to_and_is_capped_by_the_maximum() -> None:
    cache, clock = make(max_ttl=100)
    cache.put("default", 1)
    cache.put("long", 2, ttl_seconds=10_000)
    clock.now = 99
    assert (cache.get("default"), cache.get("long")) == (1, 2)
    clock.now = 100
    assert (cache.get("default"), cache.get("long")) == (None, None)


def test_a_zero_ttl_removes_the_entry() -> None:
    cache, _ = make()
    cache.put("a", 1)
    cache.put("a", 2, ttl_seconds=0)
    assert cache.get("a") is None


def test_least_recently_used_entries_are_evicted() -> None:
    cache, _ = make(max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    cache.clear()
    assert len(cache) == 0


@pytest.mark.parametrize(("entries", "ttl"), [(0, 10), (1, -1)])
def test_limits_must_be_sensible(entries: int, ttl: float) -> None:
    with pytest.raises(ValueError, match="max_entries"):
        TtlCache[str, int](max_entries=entries, max_ttl_seconds=ttl)


def test_a_zero_lifetime_keeps_nothing() -> None:
    cache = TtlCache[str, int](max_entries=4, max_ttl_seconds=0)
    cache.put("a", 1)
    assert cache.get("a") is None and len(cache) == 0


def test_a_byte_budget_evicts_the_least_recently_used_and_refuses_giants() -> None:
    cache: TtlCache[str, bytes] = TtlCache(
        max_entries=100, max_ttl_seconds=60, max_bytes=10, weigh=len
    )
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # now b is the least recently used
    cache.put("c", b"1234")
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c"), cache.bytes) == (b"1234", b"1234", 8)
    cache.put("giant", b"x" * 11)  # heavier than the whole budget: not kept, evicts nothing
    assert cache.get("giant") is None and cache.bytes == 8
    cache.put("a", b"12")  # replacing an entry counts its new weight only
    assert cache.bytes == 6
    cache.put("a", b"", ttl_seconds=0)
    assert cache.get("a") is None and cache.bytes == 4


def test_a_byte_budget_needs_a_weight() -> None:
    with pytest.raises(ValueError, match="go together"):
        TtlCache(max_entries=1, max_ttl_seconds=1, max_bytes=10)
