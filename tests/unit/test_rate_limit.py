"""The token buckets behind the verifier's rate limits."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from vcservice.api.rate_limit import RateLimiter, RateLimitError, install_rate_limits
from vcservice.settings import Settings


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_a_steady_rate() -> None:
    clock = _Clock()
    limiter = RateLimiter(60, clock=clock)  # one a second, bursts of ten
    for _ in range(10):
        limiter.take("broker")
    with pytest.raises(RateLimitError) as excinfo:
        limiter.take("broker")
    assert excinfo.value.retry_after == 1 and excinfo.value.code == "RATE_LIMITED"
    clock.now = 1.0
    limiter.take("broker")
    with pytest.raises(RateLimitError):
        limiter.take("broker")


def test_callers_do_not_share_buckets() -> None:
    limiter = RateLimiter(6, clock=_Clock())  # bursts of one
    limiter.take("a")
    limiter.take("b")
    with pytest.raises(RateLimitError) as excinfo:
        limiter.take("a")
    assert excinfo.value.retry_after == 10


def test_the_table_of_callers_is_bounded() -> None:
    clock = _Clock()
    limiter = RateLimiter(6, max_callers=2, clock=clock)
    limiter.take("a")
    limiter.take("b")
    limiter.take("c")  # forgets "a", the least recently seen
    limiter.take("a")  # a fresh bucket again
    with pytest.raises(RateLimitError):
        limiter.take("c")


def test_check_refuses_an_empty_bucket_without_spending() -> None:
    clock = _Clock()
    limiter = RateLimiter(6, clock=clock)  # bursts of one, one every ten seconds
    for _ in range(3):
        limiter.check("address:192.0.2.1")  # checking spends nothing
    limiter.take("address:192.0.2.1")
    with pytest.raises(RateLimitError) as excinfo:
        limiter.check("address:192.0.2.1")
    assert excinfo.value.retry_after == 10
    clock.now = 10.0
    limiter.check("address:192.0.2.1")


def test_install_rate_limits_puts_limiters_on_the_state(tmp_path: Path) -> None:
    state = SimpleNamespace()
    install_rate_limits(state, Settings(data_dir=tmp_path, issue_rate_per_minute=0))
    assert isinstance(state.token_limiter, RateLimiter)
    assert isinstance(state.auth_failure_limiter, RateLimiter)
    assert state.token_limiter is not state.auth_failure_limiter
    assert state.issue_limiter is None  # 0 turns it off


def test_a_charge_after_admission_may_overdraw_the_bucket() -> None:
    clock = _Clock()
    limiter = RateLimiter(60, clock=clock)  # one a second, bursts of ten
    limiter.take("broker")
    limiter.charge("broker", 24)  # a batch of 25: never refused, fifteen in debt
    with pytest.raises(RateLimitError) as excinfo:
        limiter.take("broker")
    assert excinfo.value.retry_after == 16  # back to one request
    clock.now = 16.0
    limiter.take("broker")
