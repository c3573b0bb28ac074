"""Per-caller rate limits: a token bucket for each client (or, without a token, address).

Buckets live in the process, so with N workers a caller gets up to N times the rate; the
bound exists to keep one caller from starving the others, not to meter usage. The table
of buckets is bounded: the least recently seen callers are forgotten first.

A request is admitted while its caller's bucket holds one request; work counted once the
request is in (the further credentials of a batch) is charged on top and may overdraw the
bucket, which the caller's next requests then wait out.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from vcservice.errors import RetryLaterError
from vcservice.settings import Settings

MAX_CALLERS = 100_000


class RateLimitError(RetryLaterError):
    """Too many requests from one caller; ``retry_after`` seconds until the next is allowed."""

    code = "RATE_LIMITED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many requests; retry after {retry_after} s",
            retry_after=retry_after,
            field="Authorization",
        )


class RateLimiter:
    """``per_minute`` requests per caller, in bursts of up to ``per_minute / 6`` (10 s worth)."""

    def __init__(
        self,
        per_minute: int,
        *,
        max_callers: int = MAX_CALLERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = per_minute / 60.0
        self._burst = max(1.0, per_minute / 6)
        self._max_callers = max_callers
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, caller: str) -> None:
        """Spend one request of ``caller``'s bucket (RateLimitError when it is empty)."""
        self._admit(caller, cost=1)

    def check(self, caller: str) -> None:
        """Raise RateLimitError when ``caller``'s bucket is empty, spending nothing.

        For what is counted only afterwards (failed authentications): checked before the
        work, taken when it fails, so an empty bucket refuses even a right guess.
        """
        self._admit(caller, cost=0)

    def charge(self, caller: str, cost: int) -> None:
        """Spend ``cost`` more requests of ``caller``'s bucket, refusing nothing.

        For work counted after its request was admitted (``take``): the bucket may go into
        debt, and the caller's next requests are refused until it has refilled.
        """
        self._admit(caller, cost=cost, refuse=False)

    def _admit(self, caller: str, *, cost: int, refuse: bool = True) -> None:
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(caller, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if refuse and tokens < 1.0:
                self._remember(caller, tokens, now)
                raise RateLimitError(math.ceil((1.0 - tokens) / self._rate))
            self._remember(caller, tokens - cost, now)

    def _remember(self, caller: str, tokens: float, now: float) -> None:
        self._buckets[caller] = (tokens, now)
        while len(self._buckets) > self._max_callers:
            self._buckets.popitem(last=False)


def install_rate_limits(state: Any, settings: Settings) -> None:
    """Put the token and issuance limiters on the app's ``state`` (None where the rate is 0).

    ``token_limiter`` counts token requests per client, ``auth_failure_limiter`` failed
    authentications per address (any token or secret guessed: ``deps.authentication``),
    ``issue_limiter`` issuance and status changes per client.
    """
    state.token_limiter = _limiter(settings.token_rate_per_minute)
    state.auth_failure_limiter = _limiter(settings.token_rate_per_minute)
    state.issue_limiter = _limiter(settings.issue_rate_per_minute)


def _limiter(per_minute: int) -> RateLimiter | None:
    return RateLimiter(per_minute) if per_minute else None
