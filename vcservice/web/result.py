"""``ResultView``: a verification result as the verify page and the record show it.

One verdict (``vcservice.verification.verdict``) decides the banner: its colour, heading,
what to do, and the one-word status, which reads "in force" only for a certificate that
verified. The banner names the company and its identifiers only when the issuer's verified
signature covers them; otherwise every field shown is in the "unconfirmed" section and no
check that would rest on it is marked as passed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from vcservice.errors import Problem
from vcservice.model.checks import Check, Notice, Outcome
from vcservice.printing.labels import Text
from vcservice.printing.subjects import Field
from vcservice.printing.view import CertificateView, certificate_view
from vcservice.verification.result import VerificationResult
from vcservice.verification.verdict import Tone, Verdict, customs_messages, verdict_of
from vcservice.verification.verifier import NO_STATUS_ENTRIES as NO_STATUS_ENTRIES_DETAIL
from vcservice.web.provenance import (
    THIS_VERIFIER,
    Phrase,
    Provenance,
    Words,
    accredited_note,
    accredited_sentence,
    provenances,
)
from vcservice.web.verdicts import (
    CHECK_PASSED,
    CHECKS,
    NO_STATUS_ENTRIES,
    NOT_RUN,
    NOT_RUN_UNSIGNED,
    UNCHECKABLE_WHAT,
    VERDICTS,
    VerdictWords,
    reason_title,
)

__all__ = ["BANNER_KEYS", "CheckRow", "Reason", "Record", "ResultView", "result_view"]

# The identifiers a broker reads the certificate by, in this order, where the data give them.
BANNER_KEYS = (
    "rfc",
    "immexProgramNumber",
    "oeaRegistrationNumber",
    "sviNumber",
    "ctpatAccountNumber",
    "importerOfRecord",
)
# Verdicts whose summary leaves the reason to the failed check.
_REASON_NAMED = frozenset({Verdict.ALTERED, Verdict.INVALID_DATA})
# Checks whose failure means the document is not the issuer's, untouched.
_AUTHENTICITY = frozenset({"structure", "proof", "issuer"})


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a check failed: in words for people, and its code, field and technical detail."""

    code: str
    title: Text
    detail: str
    field: str | None

    @classmethod
    def of(cls, problem: Problem) -> Reason:
        """The reason ``problem`` gives."""
        return cls(problem.code, reason_title(problem.code), problem.detail, problem.field)


@dataclass(frozen=True, slots=True)
class CheckRow:
    """One check as shown: its name, how it ended, what it established or why it failed.

    ``outcome`` is what the page shows: a check that passed on data no verified signature
    covers is shown as not checked. ``detail`` is the verifier's technical detail (English).
    A passed ``issuerTrust`` says what made the issuer trusted (``trusted_by``).
    """

    name: str
    label: Text
    outcome: str
    explanation: Text | None
    reasons: tuple[Reason, ...]
    detail: str | None
    trusted_by: tuple[Provenance, ...] = ()

    def said(self, language: str) -> Phrase:
        """What the check established, or why it was not run, in ``language`` (may be empty)."""
        if self.trusted_by:
            return accredited_sentence(self.trusted_by, language)
        return () if self.explanation is None else (Words(self.explanation.in_language(language)),)


@dataclass(frozen=True, slots=True)
class Record:
    """What makes a check a record: its reference, when, by which verifier, for which entry."""

    reference: str
    checked_at: datetime
    verifier: str
    entry_number: str | None = None


@dataclass(frozen=True, slots=True)
class ResultView:
    """What the page says about one verification."""

    verdict: Verdict
    confirmed: bool  # the issuer's verified signature covers the fields shown
    checks: tuple[CheckRow, ...]
    certificate: CertificateView | None
    issuer_name: str | None
    issuer_listed: bool
    notices: tuple[Notice, ...]
    document_json: str | None
    record: Record | None = None

    @property
    def verified(self) -> bool:
        """Whether the certificate may be relied on (green or amber with a notice)."""
        return self.verdict.in_force

    @property
    def tone(self) -> Tone:
        """The banner's colour."""
        return self.verdict.tone

    @property
    def words(self) -> VerdictWords:
        """The verdict's heading, summary and one-word status."""
        return VERDICTS[self.verdict]

    @property
    def uncheckable_what(self) -> Text | None:
        """For a result that could not be checked: what could not be had (by default, the
        issuer's keys)."""
        if self.verdict is not Verdict.UNCHECKABLE:
            return None
        failed = next((row.name for row in self.checks if row.outcome == "failed"), "")
        return UNCHECKABLE_WHAT.get(failed, UNCHECKABLE_WHAT["proof"])

    @property
    def trusted_by(self) -> tuple[Provenance, ...]:
        """What made the issuer trusted, when the issuer check passed on signed data."""
        return next((row.trusted_by for row in self.checks if row.trusted_by), ())

    def issuer_note(self, language: str) -> Phrase | None:
        """Whom the issuer is accredited by, beside its name (None: only as it names itself)."""
        sources = self.trusted_by or ((THIS_VERIFIER,) if self.issuer_listed else ())
        return accredited_note(sources, language) if sources else None

    @property
    def identifiers(self) -> tuple[Field, ...]:
        """The company's identifiers for the banner (none unless the signature covers them)."""
        if not self.confirmed or self.certificate is None:
            return ()
        fields = {
            f.key: f for f in (*self.certificate.subject.company_fields, *self.certificate.fields)
        }
        return tuple(fields[key] for key in BANNER_KEYS if key in fields)

    @property
    def validity_end(self) -> str | Text | None:
        """The end of validity to state beside the verdict: for one in force, or decided by
        its dates (an expired certificate: when it ended)."""
        dated = (Verdict.VERIFIED, Verdict.MESSAGE, Verdict.EXPIRED, Verdict.NOT_YET_VALID)
        if self.verdict not in dated or self.certificate is None:
            return None
        return self.certificate.valid_until

    @property
    def headline(self) -> Reason | None:
        """The first reason the certificate failed (None when nothing failed)."""
        return next((reason for row in self.checks for reason in row.reasons), None)

    @property
    def specific_reason(self) -> Reason | None:
        """The reason to state under the verdict, when its summary does not say it already
        (what was altered; which rule the data break)."""
        return self.headline if self.verdict in _REASON_NAMED else None

    def with_record(self, record: Record) -> ResultView:
        """The same view, as the record ``record`` of a check."""
        return dataclasses.replace(self, record=record)


def result_view(
    result: VerificationResult, *, registry_name: Callable[[str], str | None]
) -> ResultView:
    """The view of ``result``; ``registry_name`` gives an issuer's name in the trust registry.

    The registry is asked only when the ``issuer`` check passed (a verified signature was
    made by the issuer named): otherwise the page shows the name the credential gives itself,
    marked as unconfirmed, never a registry name it has not earned.
    """
    document = result.document if isinstance(result.document, dict) else None
    certificate = certificate_view(document) if document is not None else None
    claimed = certificate.issuer_name if certificate else None
    issuer_check = result.check("issuer")
    bound = issuer_check is not None and issuer_check.outcome is Outcome.PASSED
    issuer = certificate.issuer_id if certificate else None
    listed = registry_name(issuer) if bound and issuer else None
    return ResultView(
        verdict=verdict_of(result),
        confirmed=bound,
        checks=tuple(_row(check, confirmed=bound) for check in result.checks),
        certificate=certificate,
        issuer_name=listed or claimed,
        issuer_listed=listed is not None,
        notices=customs_messages(result),
        document_json=json.dumps(document, indent=2, ensure_ascii=False) if document else None,
    )


def _row(check: Check, *, confirmed: bool) -> CheckRow:
    """The row of ``check``; on unconfirmed data only the authenticity checks count."""
    label = CHECKS.get(check.name, Text.same(check.name))
    reasons = tuple(Reason.of(problem) for problem in check.problems)
    outcome = check.outcome
    if not confirmed and check.name not in _AUTHENTICITY and outcome is Outcome.PASSED:
        outcome = Outcome.SKIPPED
    trusted = check.name == "issuerTrust" and outcome is Outcome.PASSED
    return CheckRow(
        check.name,
        label,
        outcome.value,
        None if trusted else _explanation(check, outcome, confirmed),
        reasons,
        check.detail,
        (provenances(check.trusted_by) or (THIS_VERIFIER,)) if trusted else (),
    )


def _explanation(check: Check, shown: Outcome, confirmed: bool) -> Text | None:
    """What the check established (passed) or why it was not run (skipped)."""
    if shown is Outcome.PASSED:
        return CHECK_PASSED.get(check.name)
    if shown is Outcome.FAILED:
        return None
    if not confirmed and check.name != "structure":
        return NOT_RUN_UNSIGNED
    if check.name == "status" and check.detail == NO_STATUS_ENTRIES_DETAIL:
        return NO_STATUS_ENTRIES
    return NOT_RUN
