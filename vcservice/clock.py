"""Time as a dependency: services take a ``Clock`` so tests can fix the moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

CLOCK_SKEW = timedelta(minutes=2)
"""How far another party's clock may run from ours before its times count as wrong: a list
published, a proof created or a JWT issued this much "in the future" is still accepted."""


class Clock(Protocol):
    """A source of the current time (always timezone-aware, UTC)."""

    def now(self) -> datetime:
        """The current moment."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> datetime:
        """The current moment in UTC."""
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock stopped at ``moment``."""

    moment: datetime

    def now(self) -> datetime:
        """Always ``moment``."""
        return self.moment
