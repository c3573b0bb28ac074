"""The token buckets behind the rate limits: leased a few at a time from the shared store, so
that several processes draw from one bucket per caller."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from vcservice.api.rate_limit import LEASE_SECONDS, RateLimiter, RateLimitError, install_rate_limits
from vcservice.settings import Settings
from vcservice.storage.repository import RateBucketRepository
from vcservice.storage.sql import SqlStore, open_store


class _Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    with open_store(f"sqlite:///{tmp_path / 'limits.db'}") as opened:
        yield opened


@pytest.fixture
def buckets(store: SqlStore) -> RateBucketRepository:
    return store.rate_buckets


def _limiter(buckets: RateBucketRepository, per_minute: int, clock: _Clock) -> RateLimiter:
    return RateLimiter(per_minute, name="verify", buckets=buckets, clock=clock)


def test_a_burst_then_a_steady_rate(buckets: RateBucketRepository) -> None:
    clock = _Clock()
    limiter = _limiter(buckets, 60, clock)  # one a second, bursts of ten
    for _ in range(10):
        limiter.take("broker")
    with pytest.raises(RateLimitError) as excinfo:
        limiter.take("broker")
    assert excinfo.value.retry_after == 1 and excinfo.value.code == "RATE_LIMITED"
    clock.now += 1.0
    limiter.take("broker")
    with pytest.raises(RateLimitError):
        limiter.take("broker")


def test_callers_do_not_share_buckets(buckets: RateBucketRepository) -> None:
    limiter = _limiter(buckets, 6, _Clock())  # bursts of one
    limiter.take("a")
    limiter.take("b")
    with pytest.raises(RateLimitError) as excinfo:
        limiter.take("a")
    assert excinfo.value.retry_after == 10


def test_processes_draw_from_one_bucket(buckets: RateBucketRepository) -> None:
    """Two limiters over one store, as two workers: together they get one burst, not two."""
    clock = _Clock()
    first, second = _limiter(buckets, 600, clock), _limiter(buckets, 600, clock)  # bursts of 100
    admitted = 0
    for turn in range(300):
        try:
            (first if turn % 2 else second).take("broker")
            admitted += 1
        except RateLimitError:
            pass
    assert admitted == 100
    other = RateLimiter(600, name="issue", buckets=buckets, clock=clock)
    other.take("broker")  # another limit's bucket of the same caller is its own


def test_unspent_leased_tokens_are_given_up(buckets: RateBucketRepository) -> None:
    clock = _Clock()
    first, second = _limiter(buckets, 600, clock), _limiter(buckets, 600, clock)  # leases of 10
    first.take("broker")  # leases ten, spends one
    for _ in range(90):
        second.take("broker")  # the ninety the bucket still holds
    with pytest.raises(RateLimitError):
        second.take("broker")
    for _ in range(9):
        first.take("broker")  # its lease is still its own
    clock.now += LEASE_SECONDS  # a second: ten more in the bucket, first's lease is over
    for _ in range(10):
        second.take("broker")
    with pytest.raises(RateLimitError):
        first.take("broker")


def test_check_refuses_an_empty_bucket_without_spending(buckets: RateBucketRepository) -> None:
    clock = _Clock()
    limiter = _limiter(buckets, 6, clock)  # bursts of one, one every ten seconds
    for _ in range(3):
        limiter.check("address:192.0.2.1")  # checking spends nothing
    limiter.take("address:192.0.2.1")
    with pytest.raises(RateLimitError) as excinfo:
        limiter.check("address:192.0.2.1")
    assert excinfo.value.retry_after == 10
    clock.now += 10.0
    limiter.check("address:192.0.2.1")


def test_a_charge_after_admission_may_overdraw_the_bucket(buckets: RateBucketRepository) -> None:
    clock = _Clock()
    limiter = _limiter(buckets, 60, clock)  # one a second, bursts of ten
    limiter.take("broker")
    limiter.charge("broker", 24)  # a batch of 25: never refused, fifteen in debt
    with pytest.raises(RateLimitError) as excinfo:
        limiter.take("broker")
    assert excinfo.value.retry_after == 16  # back to one request
    clock.now += 16.0
    limiter.take("broker")


def test_the_table_of_leases_is_bounded(buckets: RateBucketRepository) -> None:
    clock = _Clock()
    limiter = RateLimiter(60, name="verify", buckets=buckets, max_callers=2, clock=clock)
    for caller in ("a", "b", "c"):
        limiter.take(caller)
    assert len(limiter._leases) == 2


def test_idle_buckets_are_purged(buckets: RateBucketRepository) -> None:
    clock = _Clock()
    _limiter(buckets, 60, clock).take("broker")
    assert buckets.purge_idle(clock.now - 1) == 0
    assert buckets.purge_idle(clock.now + 1) == 1


def test_install_rate_limits_puts_limiters_on_the_state(
    tmp_path: Path, buckets: RateBucketRepository
) -> None:
    state = SimpleNamespace()
    install_rate_limits(state, Settings(data_dir=tmp_path, issue_rate_per_minute=0), buckets)
    assert isinstance(state.verify_limiter, RateLimiter)
    assert isinstance(state.token_limiter, RateLimiter)
    assert isinstance(state.auth_failure_limiter, RateLimiter)
    assert state.token_limiter is not state.auth_failure_limiter
    assert state.issue_limiter is None  # 0 turns it off
