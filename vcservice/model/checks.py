"""A check of a verification (proof, issuer, validity, status …) and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vcservice.errors import Problem


class Outcome(StrEnum):
    """How a check ended."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Check:
    """One named check (``proof``, ``issuer``, ``validityPeriod`` …) and its outcome."""

    name: str
    outcome: Outcome
    problems: tuple[Problem, ...] = ()
    detail: str | None = None

    @classmethod
    def of(cls, name: str, problems: list[Problem], *, detail: str | None = None) -> Check:
        """PASSED when ``problems`` is empty, FAILED otherwise."""
        outcome = Outcome.FAILED if problems else Outcome.PASSED
        return cls(name=name, outcome=outcome, problems=tuple(problems), detail=detail)

    @classmethod
    def skipped(cls, name: str, detail: str) -> Check:
        """A check that was not run, and why."""
        return cls(name=name, outcome=Outcome.SKIPPED, detail=detail)

    def to_json(self) -> dict[str, Any]:
        """JSON form; problems are reported once, at the result level."""
        body: dict[str, Any] = {"check": self.name, "outcome": self.outcome.value}
        if self.detail:
            body["detail"] = self.detail
        if self.problems:
            body["codes"] = [problem.code for problem in self.problems]
        return body
