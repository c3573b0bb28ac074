"""The token buckets behind the rate limits: leased a few at a time from the shared store, so
that several processes draw from one bucket per caller."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from vcservice.api.rate_limit import (
    BODY_BYTES_PER_REQUEST,
    LEASE_SECONDS,
    RateLimiter,
    RateLimitError,
    body_surcharge,
    install_rate_limits,
)
from vcservice.model.rates import Lease
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
    assert len(limiter._held) == 2


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
    assert isinstance(state.client_verify_limiter, RateLimiter)  # as the anonymous rate


def test_clients_can_have_their_own_verify_rate(
    tmp_path: Path, buckets: RateBucketRepository
) -> None:
    state = SimpleNamespace()
    settings = Settings(
        data_dir=tmp_path, verify_rate_per_minute=6, client_verify_rate_per_minute=0
    )
    install_rate_limits(state, settings, buckets)
    assert state.client_verify_limiter is None
    state.verify_limiter.take("address:192.0.2.1")
    with pytest.raises(RateLimitError):
        state.verify_limiter.take("address:192.0.2.1")


class _Counting:
    """A bucket repository that counts the calls made to it."""

    def __init__(self, inner: RateBucketRepository) -> None:
        self.inner = inner
        self.calls = 0

    def lease(self, key: str, *, want: int, rate: float, burst: float, now: float) -> Lease:
        self.calls += 1
        return self.inner.lease(key, want=want, rate=rate, burst=burst, now=now)

    def spend(self, key: str, *, cost: float, rate: float, burst: float, now: float) -> None:
        self.calls += 1
        self.inner.spend(key, cost=cost, rate=rate, burst=burst, now=now)

    def level(self, key: str, *, rate: float, burst: float, now: float) -> float:
        self.calls += 1
        return self.inner.level(key, rate=rate, burst=burst, now=now)

    def purge_idle(self, before: float) -> int:
        return self.inner.purge_idle(before)


def test_checks_alone_never_drain_the_bucket(buckets: RateBucketRepository) -> None:
    """Two workers check one address for every request for a minute, and nothing fails:
    its whole burst is still there to be taken."""
    clock = _Clock()
    first, second = _limiter(buckets, 60, clock), _limiter(buckets, 60, clock)  # bursts of 10
    for _ in range(600):
        first.check("address:192.0.2.1")
        second.check("address:192.0.2.1")
        clock.now += 0.1
    for _ in range(10):
        first.take("address:192.0.2.1")
    with pytest.raises(RateLimitError):
        first.take("address:192.0.2.1")


def test_a_dry_bucket_is_refused_without_the_database(buckets: RateBucketRepository) -> None:
    clock = _Clock()
    counting = _Counting(buckets)
    limiter = RateLimiter(6, name="verify", buckets=counting, clock=clock)  # one per 10 s
    limiter.take("address:192.0.2.1")
    with pytest.raises(RateLimitError):
        limiter.take("address:192.0.2.1")
    asked = counting.calls
    for _ in range(100):
        with pytest.raises(RateLimitError):
            limiter.take("address:192.0.2.1")
        with pytest.raises(RateLimitError):
            limiter.check("address:192.0.2.1")
        with pytest.raises(RateLimitError):
            limiter.check_locally("address:192.0.2.1")
    assert counting.calls == asked
    clock.now += 10.0  # refilled one token: the database is asked again, and grants it
    limiter.take("address:192.0.2.1")
    assert counting.calls == asked + 1


def test_check_locally_answers_only_what_this_process_knows(
    buckets: RateBucketRepository,
) -> None:
    clock = _Clock()
    limiter = _limiter(buckets, 600, clock)  # leases of ten
    assert limiter.check_locally("broker") is False  # only the database can tell
    limiter.take("broker")
    assert limiter.check_locally("broker") is True  # nine leased tokens left here
    clock.now += LEASE_SECONDS
    assert limiter.check_locally("broker") is False  # the lease was given up


@pytest.mark.parametrize(
    ("size", "surcharge"),
    [(0, 0), (1, 0), (BODY_BYTES_PER_REQUEST, 0), (BODY_BYTES_PER_REQUEST + 1, 1), (10**6, 61)],
)
def test_a_body_counts_one_more_request_per_further_16_kib(size: int, surcharge: int) -> None:
    assert body_surcharge(size) == surcharge
