"""VersionedCache: a value serves readers of its version or older, within LRU and TTL bounds."""

from __future__ import annotations

import pytest

from vcservice.services.versioned_cache import VersionedCache


class Clock:
    """Seconds that move only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_value_serves_its_version_and_older_ones_never_newer() -> None:
    cache: VersionedCache[str, str] = VersionedCache(max_entries=4)
    cache.put("list", 3, "at 3")
    assert cache.get("list", 2) == "at 3"
    assert cache.get("list", 3) == "at 3"
    assert cache.get("list", 4) is None
    assert cache.get("other", 0) is None


def test_a_value_of_a_later_version_is_not_replaced_by_an_older_one() -> None:
    cache: VersionedCache[str, str] = VersionedCache(max_entries=4)
    cache.put("list", 5, "at 5")
    cache.put("list", 4, "at 4")  # a slower reader finishing late
    assert cache.get("list", 5) == "at 5"
    cache.put("list", 5, "at 5, again")
    cache.put("list", 6, "at 6")
    assert cache.get("list", 5) == "at 6"


def test_the_least_recently_used_key_goes_first_past_the_bound() -> None:
    cache: VersionedCache[int, str] = VersionedCache(max_entries=2)
    cache.put(1, 0, "one")
    cache.put(2, 0, "two")
    assert cache.get(1, 0) == "one"
    cache.put(3, 0, "three")
    assert len(cache) == 2
    assert cache.get(2, 0) is None
    assert cache.get(1, 0) == "one"
    assert cache.get(3, 0) == "three"


@pytest.mark.parametrize(("elapsed", "kept"), [(59.0, True), (60.0, False)])
def test_no_value_outlives_its_time(elapsed: float, kept: bool) -> None:
    clock = Clock()
    cache: VersionedCache[str, str] = VersionedCache(max_entries=2, max_ttl_seconds=60, clock=clock)
    cache.put("list", 1, "at 1")
    clock.now = elapsed
    assert (cache.get("list", 1) == "at 1") is kept
