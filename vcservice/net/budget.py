"""How much of the network one verification may use: one deadline and a number of fetches.

A verification can reach the network several times (a did:web document, status lists, each
credential of a presentation in turn). ``fetch_budget`` gives the calls inside its block one
shared deadline and one count of fetches; the guarded client spends from the innermost
budget of the calling context (an enclosing budget wins, so a presentation's credentials
share the presentation's). Without a budget, a fetch has only its own deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from vcservice.errors import FetchError

__all__ = ["FetchBudget", "fetch_budget", "reserve_fetches"]


@dataclass(slots=True)
class FetchBudget:
    """What is left: the moment (``time.monotonic()``) and the number of fetches."""

    deadline: float
    fetches_left: int


_current: ContextVar[FetchBudget | None] = ContextVar("vcservice_fetch_budget", default=None)


@contextmanager
def fetch_budget(*, seconds: float, fetches: int) -> Iterator[None]:
    """Fetches made inside the block share ``seconds`` and at most ``fetches`` in all."""
    if _current.get() is not None:
        yield
        return
    token = _current.set(FetchBudget(time.monotonic() + seconds, fetches))
    try:
        yield
    finally:
        _current.reset(token)


def reserve_fetches(count: int, deadline: float) -> float:
    """Spend ``count`` fetches of the current budget and return the deadline they share: the
    earlier of ``deadline`` and the budget's. FetchError (FETCH_BLOCKED) when the budget has
    not that many fetches, or no time, left."""
    budget = _current.get()
    if budget is None:
        return deadline
    if budget.fetches_left < count:
        raise FetchError(
            f"this verification may make {budget.fetches_left} more fetches, not {count}",
            code="FETCH_BLOCKED",
        )
    if budget.deadline <= time.monotonic():
        raise FetchError("this verification has no time left for fetches", code="FETCH_BLOCKED")
    budget.fetches_left -= count
    return min(deadline, budget.deadline)
