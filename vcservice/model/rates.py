"""Token buckets: the arithmetic every store of rate limits shares."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Lease", "lease_from", "refilled"]


@dataclass(frozen=True, slots=True)
class Lease:
    """Whole tokens granted from a bucket, and what the bucket holds after (below 0: debt)."""

    granted: int
    left: float


def refilled(tokens: float, since: float, now: float, *, rate: float, burst: float) -> float:
    """A bucket that held ``tokens`` at ``since``, at ``now``: ``rate`` a second, up to
    ``burst`` (a clock that went back refills nothing)."""
    return min(burst, tokens + max(0.0, now - since) * rate)


def lease_from(tokens: float, want: int) -> Lease:
    """Up to ``want`` whole tokens out of ``tokens``."""
    granted = max(0, min(want, math.floor(tokens)))
    return Lease(granted, tokens - granted)
