"""A credential's verification result in one word: the verdict pages and the CLI show first.

A reader at a crossing acts on one answer, so each verdict has one meaning:

- ``verified`` — authentic, issued by an accredited authority, in force, not suspended or
  revoked; ``message`` is the same with a customs message set in its status list;
- ``uncheckable`` — nothing says it is bad, but something needed to decide could not be had
  (the issuer's keys, a status list, data fresh enough): try again, it is not a forgery;
- ``altered`` — the signature does not hold (or the document is not a credential): its
  data may be forged and nothing else about it was established;
- ``revoked``, ``suspended``, ``expired``, ``not_yet_valid``, ``not_accredited``,
  ``invalid_data`` — authentic, but not to be relied on, for that reason.

When several apply, the gravest wins: a forgery before anything it claims, a revocation or
suspension before the dates, the dates before the issuer's accreditation, and any definite
"no" before "could not check". A status list that could not be fetched, or not trusted
(signed by another, out of date), leaves the status unknown: ``uncheckable``; so does a
trust list of accredited issuers that cannot be relied on now (``TRUST_LIST_STALE``).
"""

from __future__ import annotations

from enum import StrEnum

from vcservice.model.checks import Notice, Outcome
from vcservice.verification.result import VerificationResult

__all__ = ["UNREACHABLE_CODES", "Tone", "Verdict", "customs_messages", "verdict_of"]


class Tone(StrEnum):
    """How a verdict is shown: go, caution, stop."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Verdict(StrEnum):
    """What a verification established about a credential, in one word."""

    VERIFIED = "verified"
    MESSAGE = "message"
    UNCHECKABLE = "uncheckable"
    ALTERED = "altered"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NOT_ACCREDITED = "not_accredited"
    INVALID_DATA = "invalid_data"

    @property
    def tone(self) -> Tone:
        """Green when it may be relied on, amber to look again, red when it may not."""
        if self is Verdict.VERIFIED:
            return Tone.GREEN
        if self in (Verdict.MESSAGE, Verdict.UNCHECKABLE):
            return Tone.AMBER
        return Tone.RED

    @property
    def in_force(self) -> bool:
        """Whether the certificate was established as authentic and in force."""
        return self in (Verdict.VERIFIED, Verdict.MESSAGE)


# Codes that say something needed could not be obtained, not that the credential is bad.
UNREACHABLE_CODES = frozenset(
    {
        "DID_RESOLUTION_ERROR",
        "DID_NOT_FOUND",
        "FETCH_FAILED",
        "FETCH_BLOCKED",
        "FETCH_TOO_LARGE",
        "STATUS_RETRIEVAL_ERROR",
        "STATUS_DATA_STALE",
        "RETRY_LATER",
        "CONTEXT_NOT_INSTALLED",
        "TRUST_LIST_STALE",
    }
)
# Checks that decide whether the document is the issuer's, untouched, and (presented) made
# for this verifier by its holder: a presentation for another nonce or audience is a replay.
_AUTHENTICITY_CHECKS = ("structure", "proof", "issuer", "holder", "holderBinding")
# A failed signed-data check's verdict, by problem code (gravest first).
_BY_CODE = (
    ("CREDENTIAL_REVOKED", Verdict.REVOKED),
    ("CREDENTIAL_SUSPENDED", Verdict.SUSPENDED),
    ("CREDENTIAL_EXPIRED", Verdict.EXPIRED),
    ("CREDENTIAL_NOT_YET_VALID", Verdict.NOT_YET_VALID),
    ("ISSUER_NOT_TRUSTED", Verdict.NOT_ACCREDITED),
)


def verdict_of(result: VerificationResult) -> Verdict:
    """The verdict on a credential's ``result``."""
    failed = [check for check in result.checks if check.outcome is Outcome.FAILED]
    codes = {problem.code for check in failed for problem in check.problems}
    authenticity = [check for check in failed if check.name in _AUTHENTICITY_CHECKS]
    if authenticity:
        found = {problem.code for check in authenticity for problem in check.problems}
        return Verdict.UNCHECKABLE if found and found <= UNREACHABLE_CODES else Verdict.ALTERED
    for code, verdict in _BY_CODE:
        if code in codes:
            return verdict
    # A status list that could not be had or trusted leaves the status unknown, not bad.
    definite = {
        problem.code
        for check in failed
        if check.name != "status"
        for problem in check.problems
        if problem.code not in UNREACHABLE_CODES
    }
    if definite:
        return Verdict.INVALID_DATA
    if failed:
        return Verdict.UNCHECKABLE
    return Verdict.MESSAGE if customs_messages(result) else Verdict.VERIFIED


def customs_messages(result: VerificationResult) -> tuple[Notice, ...]:
    """The customs messages the status check found set (none unless it passed)."""
    status = result.check("status")
    if status is None or status.outcome is not Outcome.PASSED:
        return ()
    return tuple(notice for notice in status.notices if notice.code == "STATUS_MESSAGE")
