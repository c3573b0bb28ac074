"""What the verifier grants each caller: how many open challenges and exchanges, how long.

A verifier's client (the caller of a ``verify:credentials`` token) has a quota of its own;
an anonymous caller a smaller one per address, and every anonymous caller together a last
resort that clients never count against, so no flood of addresses takes from a client
what it was granted. Quotas are counted in the database (``OpenLimit``), so they hold
across workers and replicas. Anonymous challenges and exchanges live briefly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from vcservice.errors import RetryLaterError
from vcservice.model.requester import Requester
from vcservice.settings import Settings
from vcservice.storage.repository import LimitReached, OpenLimit

__all__ = ["Quotas", "too_many"]


@dataclass(frozen=True, slots=True)
class Quotas:
    """Open challenges (and, apart, open exchanges) per address, per client and of every
    anonymous caller together; the lifetimes of an anonymous caller's."""

    per_address: int
    per_client: int
    anonymous_total: int
    anonymous_challenge: timedelta
    anonymous_exchange: timedelta

    @classmethod
    def of(cls, settings: Settings) -> Quotas:
        """The quotas ``settings`` configure."""
        return cls(
            per_address=settings.anonymous_open_quota,
            per_client=settings.client_open_quota,
            anonymous_total=settings.anonymous_open_limit,
            anonymous_challenge=timedelta(seconds=settings.anonymous_challenge_seconds),
            anonymous_exchange=timedelta(seconds=settings.anonymous_exchange_seconds),
        )

    def limit_for(self, requester: Requester) -> OpenLimit:
        """How many open records ``requester`` may hold (and anonymous callers together)."""
        if requester.anonymous:
            return OpenLimit(own=self.per_address, pool=self.anonymous_total)
        return OpenLimit(own=self.per_client)


def too_many(
    what: str, code: str, limit: OpenLimit, reached: LimitReached, now: datetime
) -> RetryLaterError:
    """The refusal of one more open ``what`` (``challenges``, ``exchanges``): 429 ``code``,
    to be retried once the first of the open ones counted expires."""
    retry_after = math.ceil((reached.frees_at - now).total_seconds())
    if reached.pooled:
        message = (
            f"anonymous callers together hold {limit.pool} open {what}, the most allowed; "
            f"retry after {retry_after} s, or call with a verify:credentials access token"
        )
    else:
        message = (
            f"this caller holds {limit.own} open {what}, its quota; use some or retry "
            f"after {retry_after} s, when the first expires"
        )
    return RetryLaterError(message, retry_after=retry_after, code=code)
