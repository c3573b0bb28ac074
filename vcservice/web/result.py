"""``ResultView``: a verification result as the verify page shows it.

Green or red at a glance, the certificate's status in one word, the issuer's name from the
trust registry, the certificate's human fields, and every check with its reasons (problem
titles in both languages from ``vcservice.messages``, the technical detail as it came).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from vcservice.errors import Problem
from vcservice.messages import message_for
from vcservice.model.checks import Check, Outcome
from vcservice.printing.labels import Text
from vcservice.printing.view import CertificateView, certificate_view
from vcservice.verification.result import VerificationResult
from vcservice.web.i18n import CHECKS

__all__ = ["CheckRow", "Reason", "ResultView", "StatusWord", "result_view"]

StatusWord = Literal["active", "suspended", "revoked", "unknown", "unproven", "none"]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a check failed: the problem's title in both languages, and its detail."""

    code: str
    title: Text
    detail: str
    field: str | None

    @classmethod
    def of(cls, problem: Problem) -> Reason:
        """The reason ``problem`` gives."""
        message = message_for(problem.code)
        return cls(problem.code, Text(message.en, message.es), problem.detail, problem.field)


@dataclass(frozen=True, slots=True)
class CheckRow:
    """One check: its name for people, how it ended, its reasons or its detail."""

    name: str
    label: Text
    outcome: str
    reasons: tuple[Reason, ...]
    detail: str | None

    @classmethod
    def of(cls, check: Check) -> CheckRow:
        """The row of ``check``."""
        label = CHECKS.get(check.name, Text.same(check.name))
        reasons = tuple(Reason.of(problem) for problem in check.problems)
        return cls(check.name, label, check.outcome.value, reasons, check.detail)


@dataclass(frozen=True, slots=True)
class ResultView:
    """What the page says about one verification."""

    verified: bool
    confirmed: bool  # the issuer's verified proof covers the fields shown
    status: StatusWord
    checks: tuple[CheckRow, ...]
    certificate: CertificateView | None
    issuer_name: str | None
    issuer_listed: bool
    document_json: str | None

    @property
    def headline(self) -> Reason | None:
        """The first reason the credential failed (None when it verified)."""
        return next((reason for row in self.checks for reason in row.reasons), None)


def result_view(
    result: VerificationResult, *, registry_name: Callable[[str], str | None]
) -> ResultView:
    """The view of ``result``; ``registry_name`` gives an issuer's name in the trust registry.

    The registry is asked only when the ``issuer`` check passed (a verified proof was made
    by the issuer named): otherwise the page shows the name the credential gives itself,
    marked as unconfirmed, never a registry name it has not earned; and no status either,
    since unsigned status entries could point at anyone's. Then every field shown is marked
    unconfirmed (``confirmed`` is False): nothing signed vouches for it.
    """
    document = result.document if isinstance(result.document, dict) else None
    certificate = certificate_view(document) if document is not None else None
    claimed = certificate.issuer_name if certificate else None
    issuer_check = result.check("issuer")
    bound = issuer_check is not None and issuer_check.outcome is Outcome.PASSED
    issuer = certificate.issuer_id if certificate else None
    listed = registry_name(issuer) if bound and issuer else None
    return ResultView(
        verified=result.verified,
        confirmed=bound,
        status=status_word(result.check("status")) if bound else "unproven",
        checks=tuple(CheckRow.of(check) for check in result.checks),
        certificate=certificate,
        issuer_name=listed or claimed,
        issuer_listed=listed is not None,
        document_json=json.dumps(document, indent=2, ensure_ascii=False) if document else None,
    )


def status_word(check: Check | None) -> StatusWord:
    """The certificate's status in one word, from the ``status`` check."""
    if check is None or check.outcome is Outcome.SKIPPED:
        return "none"
    codes = {problem.code for problem in check.problems}
    if "CREDENTIAL_REVOKED" in codes:
        return "revoked"
    if "CREDENTIAL_SUSPENDED" in codes:
        return "suspended"
    return "active" if check.outcome is Outcome.PASSED else "unknown"
