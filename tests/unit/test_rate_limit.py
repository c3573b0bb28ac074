"""The token buckets behind the verifier's rate limits."""

from __future__ import annotations

import pytest

from vcservice.api.rate_limit import RateLimiter, RateLimitError


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
