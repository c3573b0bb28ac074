"""Per-caller rate limits that hold for the whole deployment, not per process.

Each limit keeps one token bucket per caller (a client, or without a token an address) in
the shared database (``rate_buckets``): ``per_minute`` tokens a minute, in bursts of
``per_minute / 6`` (ten seconds' worth). A process takes tokens from it a few at a time (a
lease: a tenth of the burst, at least one) and spends them itself, so a caller's requests to
any number of workers and replicas draw from one bucket while most requests touch no
database. Tokens a process leased and did not spend within ``LEASE_SECONDS`` are given up:
a caller may lose a lease's worth per process, never gain one.

A request is admitted while its caller has a token; work counted once the request is in (a
body's further 16 KiB, the further credentials of a batch or a presentation) is charged on
top and may overdraw the bucket, which the caller's next requests then wait out. The table
of leases a process keeps is bounded: the least recently seen callers are forgotten first.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn

from vcservice.errors import RetryLaterError
from vcservice.model.requester import Requester
from vcservice.settings import Settings
from vcservice.storage.repository import RateBucketRepository

MAX_CALLERS = 100_000
LEASE_SECONDS = 1.0
BODY_BYTES_PER_REQUEST = 16 * 1024  # a larger body counts as one request per started unit


class RateLimitError(RetryLaterError):
    """Too many requests from one caller; ``retry_after`` seconds until the next is allowed."""

    code = "RATE_LIMITED"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many requests; retry after {retry_after} s",
            retry_after=retry_after,
            field="Authorization",
        )


class _Held(NamedTuple):
    """What a process knows of one caller's bucket: the tokens it leased and until when;
    until when the bucket is known to hold a token (a check saw one) or known to be dry (a
    lease or a check found none)."""

    tokens: int = 0
    until: float = 0.0
    open_until: float = 0.0
    dry_until: float = 0.0


class RateLimiter:
    """``per_minute`` requests per caller, in bursts of ``per_minute / 6``, over ``buckets``
    shared by every process; ``name`` keeps this limit's buckets apart from the others'.

    A caller whose bucket was found dry is refused here, without the database, until the
    bucket will have refilled one token (other processes can only take from it, never add):
    a flood past its limit costs no writes. A check takes nothing from the bucket: it reads
    its level, and trusts what it read for ``LEASE_SECONDS``.
    """

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
        self._held: OrderedDict[str, _Held] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, caller: str) -> None:
        """Spend one request of ``caller``'s (RateLimitError when none is left)."""
        now = self._clock()
        with self._lock:  # one lease at a time: two would strand one another's tokens
            held = self._known(caller, now)
            if held.tokens < 1:
                lease = self._buckets.lease(
                    self._key(caller),
                    want=self._lease_size,
                    rate=self._rate,
                    burst=self._burst,
                    now=now,
                )
                if lease.granted == 0:
                    self._refuse(caller, lease.left, now)
                held = held._replace(tokens=lease.granted, until=now + LEASE_SECONDS)
            # What a check saw is stale once a token is spent: the next one reads again.
            self._keep(caller, held._replace(tokens=held.tokens - 1, open_until=0.0))

    def take_locally(self, caller: str) -> bool:
        """``take`` as far as this process can without the database: True when a token it
        holds was spent, RateLimitError when the caller's bucket is known dry, False when
        only the database can tell (or a lease is under way). Safe on the event loop."""
        return self._spend_held(caller, 1)

    def charge_locally(self, caller: str, cost: int) -> bool:
        """``charge`` from the tokens this process holds, if they cover ``cost`` (True);
        False when the database is needed. Safe on the event loop."""
        try:
            return self._spend_held(caller, cost)
        except RateLimitError:  # known dry: the debt is the database's to record
            return False

    def _spend_held(self, caller: str, cost: int) -> bool:
        """Spend ``cost`` of the tokens this process holds for ``caller`` if they cover it,
        without waiting for the lock (False when they do not, or a lease is under way)."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            held = self._known(caller, self._clock())
            if held.tokens < cost:
                return False
            self._keep(caller, held._replace(tokens=held.tokens - cost, open_until=0.0))
            return True
        finally:
            self._lock.release()

    def check(self, caller: str) -> None:
        """Raise RateLimitError when ``caller`` has no request left, spending nothing.

        For what is counted only afterwards (failed authentications): checked before the
        work, taken when it fails, so a spent caller is refused even a right guess.
        """
        if self.check_locally(caller):
            return
        now = self._clock()
        level = self._buckets.level(self._key(caller), rate=self._rate, burst=self._burst, now=now)
        with self._lock:
            held = self._known(caller, now)
            if level < 1:
                self._refuse(caller, level, now)
            self._keep(caller, held._replace(open_until=now + LEASE_SECONDS))

    def check_locally(self, caller: str) -> bool:
        """``check`` as far as this process knows without the database: True when the
        caller has a token, RateLimitError when its bucket is known dry, False when only
        the database can tell (or a lease is under way). Safe on the event loop."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            now = self._clock()
            held = self._known(caller, now)
        finally:
            self._lock.release()
        return held.tokens >= 1 or held.open_until > now

    def charge(self, caller: str, cost: int) -> None:
        """Spend ``cost`` more requests of ``caller``'s, refusing nothing.

        For work counted after its request was admitted (``take``): the bucket may go into
        debt, and the caller's next requests are refused until it has refilled.
        """
        now = self._clock()
        with self._lock:
            held = self._known(caller, now)
            local = min(held.tokens, cost)
            self._keep(caller, held._replace(tokens=held.tokens - local, open_until=0.0))
        if cost > local:
            self._buckets.spend(
                self._key(caller), cost=cost - local, rate=self._rate, burst=self._burst, now=now
            )

    def _known(self, caller: str, now: float) -> _Held:
        """What this process knows of ``caller``'s bucket (no tokens once the lease expired,
        and refusal without the database while the bucket is known dry)."""
        held = self._held.get(caller, _Held())
        if held.tokens < 1 and held.dry_until > now:
            raise RateLimitError(max(1, math.ceil(held.dry_until - now)))
        return held if held.until > now else held._replace(tokens=0)

    def _refuse(self, caller: str, level: float, now: float) -> NoReturn:
        """Remember the bucket dry until it holds one token again, and refuse."""
        wait = (1.0 - level) / self._rate
        self._keep(caller, _Held(dry_until=now + wait))
        raise RateLimitError(max(1, math.ceil(wait)))

    def _keep(self, caller: str, held: _Held) -> None:
        self._held.pop(caller, None)
        self._held[caller] = held
        while len(self._held) > self._max_callers:
            self._held.popitem(last=False)

    def _key(self, caller: str) -> str:
        return f"{self._name}:{caller}"


def install_rate_limits(state: Any, settings: Settings, buckets: RateBucketRepository) -> None:
    """Put the limiters on the app's ``state`` (None where the rate is 0).

    ``verify_limiter`` counts verifier requests per anonymous address and
    ``client_verify_limiter`` per client (``verify_limiter_of``), ``token_limiter``
    token requests per client, ``auth_failure_limiter`` failed authentications per address
    (any token or secret guessed: ``deps.authentication``), ``issue_limiter`` issuance and
    status changes per client.
    """
    rates = {
        "verify_limiter": ("verify", settings.verify_rate_per_minute),
        "client_verify_limiter": ("verify", _client_verify_rate(settings)),
        "token_limiter": ("token", settings.token_rate_per_minute),
        "auth_failure_limiter": ("auth-failure", settings.token_rate_per_minute),
        "issue_limiter": ("issue", settings.issue_rate_per_minute),
    }
    for attribute, (name, per_minute) in rates.items():
        limiter = RateLimiter(per_minute, name=name, buckets=buckets) if per_minute else None
        setattr(state, attribute, limiter)


def verify_limiter_of(requester: Requester) -> str:
    """The name of the limiter that counts ``requester``'s verifications."""
    return "verify_limiter" if requester.anonymous else "client_verify_limiter"


def _client_verify_rate(settings: Settings) -> int:
    if settings.client_verify_rate_per_minute is None:
        return settings.verify_rate_per_minute
    return settings.client_verify_rate_per_minute


def body_surcharge(body_bytes: int) -> int:
    """The requests a body of ``body_bytes`` counts as beyond its own: one per started
    ``BODY_BYTES_PER_REQUEST`` after the first (work grows with the document)."""
    return max(0, body_bytes - 1) // BODY_BYTES_PER_REQUEST
