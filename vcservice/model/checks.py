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
class Notice:
    """What a check found that does not fail it but a reader must see.

    A customs message set in a status list (``STATUS_MESSAGE``: the value, the published
    English ``message`` and, for the messages this service publishes, a Spanish one).
    """

    code: str
    message: str
    message_es: str | None = None
    value: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form (camelCase, as the rest of the verification reply)."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.message_es is not None:
            body["messageEs"] = self.message_es
        if self.value is not None:
            body["value"] = self.value
        return body


@dataclass(frozen=True, slots=True)
class Check:
    """One named check (``proof``, ``issuer``, ``validityPeriod`` …) and its outcome."""

    name: str
    outcome: Outcome
    problems: tuple[Problem, ...] = ()
    detail: str | None = None
    notices: tuple[Notice, ...] = ()

    @classmethod
    def of(
        cls,
        name: str,
        problems: list[Problem],
        *,
        detail: str | None = None,
        notices: tuple[Notice, ...] = (),
    ) -> Check:
        """PASSED when ``problems`` is empty, FAILED otherwise."""
        outcome = Outcome.FAILED if problems else Outcome.PASSED
        return cls(name, outcome, tuple(problems), detail, notices)

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
        if self.notices:
            body["notices"] = [notice.to_json() for notice in self.notices]
        return body
