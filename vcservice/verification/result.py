"""One verification result for every format: verified, the checks run, coded problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from vcservice.errors import Problem
from vcservice.messages import problem_details


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


@dataclass(frozen=True)
class VerificationResult:
    """The answer to "is this credential or presentation good?", with every reason."""

    kind: str
    format: str
    checks: tuple[Check, ...]
    document: dict[str, Any] | None = None
    credentials: tuple[VerificationResult, ...] = field(default=())

    @property
    def verified(self) -> bool:
        """True only when no check failed and every embedded credential verified.

        A skipped check does not fail the result; it is reported as a warning.
        """
        return all(check.outcome is not Outcome.FAILED for check in self.checks) and all(
            credential.verified for credential in self.credentials
        )

    @property
    def problems(self) -> list[Problem]:
        """Every problem of every failed check, in check order."""
        return [problem for check in self.checks for problem in check.problems]

    def check(self, name: str) -> Check | None:
        """The check called ``name``, if it was run."""
        return next((check for check in self.checks if check.name == name), None)

    def to_json(self) -> dict[str, Any]:
        """The JSON reply of ``vcservice verify`` and the verify endpoints."""
        body: dict[str, Any] = {
            "verified": self.verified,
            "kind": self.kind,
            "format": self.format,
            "checks": [check.to_json() for check in self.checks],
            "problemDetails": problem_details(self.problems),
            "warnings": [
                {"check": check.name, "detail": check.detail}
                for check in self.checks
                if check.outcome is Outcome.SKIPPED
            ],
        }
        if self.credentials:
            body["credentialResults"] = [result.to_json() for result in self.credentials]
        if self.document is not None:
            body["document"] = self.document
        return body
