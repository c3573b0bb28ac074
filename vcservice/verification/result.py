"""One verification result for every format: verified, the checks run, coded problems."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from vcservice.errors import Problem
from vcservice.messages import problem_details
from vcservice.model.checks import Check, Outcome

__all__ = ["Check", "Outcome", "VerificationResult"]


@dataclass(frozen=True)
class VerificationResult:
    """The answer to "is this credential or presentation good?", with every reason."""

    kind: str
    format: str
    checks: tuple[Check, ...]
    document: dict[str, Any] | None = None
    credentials: tuple[VerificationResult, ...] = field(default=())

    def with_checks(self, checks: tuple[Check, ...]) -> VerificationResult:
        """The same result with ``checks`` in place of its own."""
        return replace(self, checks=checks)

    def without_documents(self) -> VerificationResult:
        """The same result without the documents verified, its own or its credentials'."""
        return replace(
            self,
            document=None,
            credentials=tuple(credential.without_documents() for credential in self.credentials),
        )

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
