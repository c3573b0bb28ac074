"""Per-caller rate limits that hold for the whole deployment, not per process.

Each limit keeps one token bucket per caller (a client, or without a token an address) in
the shared database (``rate_buckets``): ``per_minute`` tokens a minute, in bursts of
``per_minute / 6`` (ten seconds' worth). A process takes tokens from it a few at a time (a
lease: a tenth of the burst, at least one) and spends them itself, so a caller's requests to
any number of workers and replicas draw from one bucket while most requests touch no
database. Tokens a process leased and did not spend within ``LEASE_SECONDS`` are given up:
a caller may lose a lease's worth per process, never gain one.

A request is admitted while its caller has a token; work counted once the request is in (the
further credentials of a batch or a presentation) is charged on top and may overdraw the
bucket, which the caller's next requests then wait out. The table of leases a process
keeps is bounded: the least recently seen callers are forgotten first.
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
from vcservice.storage.repository import RateBucketRepository

MAX_CALLERS = 100_000
LEASE_SECONDS = 1.0


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
    """``per_minute`` requests per caller, in bursts of ``per_minute / 6``, over ``buckets``
    shared by every process; ``name`` keeps this limit's buckets apart from the others'."""

    def __init__(
        self,
        per_minute: int,
        *,
        name: str,
        buckets: RateBucketRepository,
        max_callers: int = MAX_CALLERS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._name = name
        self._buckets = buckets
        self._rate = per_minute / 60.0
        self._burst = max(1.0, per_minute / 6)
        self._lease_size = max(1, int(self._burst // 10))
        self._max_callers = max_callers
        self._clock = clock
        self._leases: OrderedDict[str, tuple[int, float]] = OrderedDict()  # tokens, until
        self._lock = threading.Lock()

    def take(self, caller: str) -> None:
        """Spend one request of ``caller``'s (RateLimitError when none is left)."""
        self._admit(caller, spend=1)

    def check(self, caller: str) -> None:
        """Raise RateLimitError when ``caller`` has no request left, spending nothing.

        For what is counted only afterwards (failed authentications): checked before the
        work, taken when it fails, so a spent caller is refused even a right guess.
        """
        self._admit(caller, spend=0)

    def charge(self, caller: str, cost: int) -> None:
        """Spend ``cost`` more requests of ``caller``'s, refusing nothing.

        For work counted after its request was admitted (``take``): the bucket may go into
        debt, and the caller's next requests are refused until it has refilled.
        """
        now = self._clock()
        with self._lock:
            tokens, until = self._lease_of(caller, now)
            local = min(tokens, cost)
            self._keep(caller, tokens - local, until)
        if cost > local:
            self._buckets.spend(
                self._key(caller), cost=cost - local, rate=self._rate, burst=self._burst, now=now
            )

    def _admit(self, caller: str, *, spend: int) -> None:
        now = self._clock()
        with self._lock:  # one lease at a time: two would strand one another's tokens
            tokens, until = self._lease_of(caller, now)
            if tokens < 1:
                lease = self._buckets.lease(
                    self._key(caller),
                    want=self._lease_size,
                    rate=self._rate,
                    burst=self._burst,
                    now=now,
                )
                if lease.granted == 0:
                    raise RateLimitError(max(1, math.ceil((1.0 - lease.left) / self._rate)))
                tokens, until = lease.granted, now + LEASE_SECONDS
            self._keep(caller, tokens - spend, until)

    def _lease_of(self, caller: str, now: float) -> tuple[int, float]:
        """The tokens of ``caller`` this process holds, and until when (none once expired)."""
        tokens, until = self._leases.get(caller, (0, now))
        return (tokens, until) if until > now else (0, now)

    def _keep(self, caller: str, tokens: int, until: float) -> None:
        self._leases.pop(caller, None)
        self._leases[caller] = (tokens, until)
        while len(self._leases) > self._max_callers:
            self._leases.popitem(last=False)

    def _key(self, caller: str) -> str:
        return f"{self._name}:{caller}"


def install_rate_limits(state: Any, settings: Settings, buckets: RateBucketRepository) -> None:
    """Put the limiters on the app's ``state`` (None where the rate is 0).

    ``verify_limiter`` counts verifier requests per client or address, ``token_limiter``
    token requests per client, ``auth_failure_limiter`` failed authentications per address
    (any token or secret guessed: ``deps.authentication``), ``issue_limiter`` issuance and
    status changes per client.
    """
    rates = {
        "verify_limiter": ("verify", settings.verify_rate_per_minute),
        "token_limiter": ("token", settings.token_rate_per_minute),
        "auth_failure_limiter": ("auth-failure", settings.token_rate_per_minute),
        "issue_limiter": ("issue", settings.issue_rate_per_minute),
    }
    for attribute, (name, per_minute) in rates.items():
        limiter = RateLimiter(per_minute, name=name, buckets=buckets) if per_minute else None
        setattr(state, attribute, limiter)
