"""The token buckets of the rate limits, on each backend: refilled at their rate up to their
burst, overdrawn by spending, purged when idle, and never granted twice under concurrency."""

from __future__ import annotations

import pytest

from tests.contract.test_concurrency import PROCESSES, _run_processes
from tests.contract.workers import lease_tokens
from vcservice.model.rates import Lease
from vcservice.storage.sql import SqlStore

T0 = 1_000_000.0
RATE, BURST = 1.0, 10.0  # one token a second, up to ten


def _lease(store: SqlStore, want: int, now: float, key: str = "verify:a") -> Lease:
    return store.rate_buckets.lease(key, want=want, rate=RATE, burst=BURST, now=now)


def test_a_new_bucket_starts_full_and_grants_whole_tokens(store: SqlStore) -> None:
    assert _lease(store, 4, T0) == Lease(4, 6.0)
    assert _lease(store, 8, T0) == Lease(6, 0.0)
    assert _lease(store, 1, T0) == Lease(0, 0.0)


def test_a_bucket_refills_at_its_rate_up_to_its_burst(store: SqlStore) -> None:
    _lease(store, 10, T0)
    assert _lease(store, 10, T0 + 2.5) == Lease(2, pytest.approx(0.5))
    assert _lease(store, 20, T0 + 1000) == Lease(10, 0.0)


def test_a_clock_that_goes_back_refills_nothing(store: SqlStore) -> None:
    _lease(store, 10, T0)
    assert _lease(store, 1, T0 - 60) == Lease(0, 0.0)


def test_spending_overdraws_a_bucket_until_it_refills(store: SqlStore) -> None:
    store.rate_buckets.spend("verify:a", cost=25, rate=RATE, burst=BURST, now=T0)
    assert _lease(store, 1, T0 + 10) == Lease(0, pytest.approx(-5.0))
    assert _lease(store, 1, T0 + 16) == Lease(1, pytest.approx(0.0))


def test_buckets_of_other_keys_are_apart(store: SqlStore) -> None:
    _lease(store, 10, T0, key="verify:a")
    assert _lease(store, 10, T0, key="verify:b").granted == 10
    assert _lease(store, 10, T0, key="issue:a").granted == 10


def test_purging_deletes_only_the_idle_buckets(store: SqlStore) -> None:
    _lease(store, 1, T0, key="verify:idle")
    _lease(store, 1, T0 + 100, key="verify:busy")
    assert store.rate_buckets.purge_idle(T0 + 50) == 1
    # The purged bucket starts full again; the kept one still holds what it held.
    assert _lease(store, 10, T0 + 100, key="verify:idle").granted == 10
    assert _lease(store, 10, T0 + 100, key="verify:busy").granted == 9


def test_processes_leasing_from_one_bucket_at_once_share_its_tokens(
    store: SqlStore, database_url: str
) -> None:
    """Every process asks for more than the bucket holds at one instant: exactly the burst
    (50) is granted in all, whatever the interleaving."""
    reported = _run_processes(lease_tokens, [(database_url, "verify:a", 30, T0)] * PROCESSES)
    assert sum(granted for grants in reported for granted in grants) == 50


def test_reading_a_level_takes_nothing(store: SqlStore) -> None:
    assert store.rate_buckets.level("verify:new", rate=RATE, burst=BURST, now=T0) == BURST
    _lease(store, 7, T0)
    for _ in range(3):
        assert store.rate_buckets.level("verify:a", rate=RATE, burst=BURST, now=T0 + 2) == 5.0
    assert _lease(store, 10, T0 + 2).granted == 5
