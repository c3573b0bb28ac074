"""Time as a dependency: services take a ``Clock`` so tests can fix the moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol


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
