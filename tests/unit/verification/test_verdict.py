"""The verdict on a verification: the gravest reason wins, and "could not check" is no forgery."""

from __future__ import annotations

import pytest

from vcservice.errors import Problem
from vcservice.model.checks import Check, Notice
from vcservice.verification.result import VerificationResult
from vcservice.verification.verdict import Tone, Verdict, customs_messages, verdict_of

SIGNED = (Check.of("structure", []), Check.of("proof", []), Check.of("issuer", []))


def _result(*checks: Check) -> VerificationResult:
    return VerificationResult("VerifiableCredential", "data-integrity", checks)


def _failed(name: str, *codes: str) -> Check:
    return Check.of(name, [Problem(code, "detail", None) for code in codes])


@pytest.mark.parametrize(
    ("checks", "verdict"),
    [
        (SIGNED, Verdict.VERIFIED),
        ((), Verdict.VERIFIED),
        ((*SIGNED, Check.skipped("status", "no entries")), Verdict.VERIFIED),
        ((_failed("structure", "DATA_LOSS_DETECTION_ERROR"),), Verdict.ALTERED),
        ((_failed("proof", "PROOF_VERIFICATION_ERROR"),), Verdict.ALTERED),
        ((_failed("proof", "DID_RESOLUTION_ERROR"),), Verdict.UNCHECKABLE),
        ((_failed("proof", "FETCH_FAILED", "RETRY_LATER"),), Verdict.UNCHECKABLE),
        # One proof unreachable, another wrong: the document is not the issuer's.
        ((_failed("proof", "DID_RESOLUTION_ERROR", "PROOF_VERIFICATION_ERROR"),), Verdict.ALTERED),
        ((*SIGNED[:2], _failed("issuer", "INVALID_ISSUER")), Verdict.ALTERED),
        # Presented for another nonce or audience: a replay, not this holder's answer.
        ((*SIGNED, _failed("holderBinding", "INVALID_CHALLENGE_ERROR")), Verdict.ALTERED),
        ((*SIGNED, _failed("status", "CREDENTIAL_REVOKED")), Verdict.REVOKED),
        (
            (
                *SIGNED,
                _failed("validityPeriod", "CREDENTIAL_EXPIRED"),
                _failed("status", "CREDENTIAL_SUSPENDED", "CREDENTIAL_REVOKED"),
            ),
            Verdict.REVOKED,
        ),
        (
            (
                *SIGNED,
                _failed("validityPeriod", "CREDENTIAL_EXPIRED"),
                _failed("status", "CREDENTIAL_SUSPENDED"),
            ),
            Verdict.SUSPENDED,
        ),
        (
            (
                *SIGNED,
                _failed("issuerTrust", "ISSUER_NOT_TRUSTED"),
                _failed("validityPeriod", "CREDENTIAL_EXPIRED"),
            ),
            Verdict.EXPIRED,
        ),
        ((*SIGNED, _failed("validityPeriod", "CREDENTIAL_NOT_YET_VALID")), Verdict.NOT_YET_VALID),
        ((*SIGNED, _failed("issuerTrust", "ISSUER_NOT_TRUSTED")), Verdict.NOT_ACCREDITED),
        ((*SIGNED, _failed("credentialSchema", "MALFORMED_VALUE_ERROR")), Verdict.INVALID_DATA),
        # A trust list that cannot be relied on now: not accredited, not unaccredited.
        ((*SIGNED, _failed("issuerTrust", "TRUST_LIST_STALE")), Verdict.UNCHECKABLE),
        (
            (*SIGNED, _failed("issuerTrust", "TRUST_LIST_STALE", "ISSUER_NOT_TRUSTED")),
            Verdict.NOT_ACCREDITED,
        ),
        # A definite "no" beats "could not check".
        (
            (
                *SIGNED,
                _failed("credentialSchema", "MALFORMED_VALUE_ERROR"),
                _failed("status", "STATUS_RETRIEVAL_ERROR"),
            ),
            Verdict.INVALID_DATA,
        ),
        ((*SIGNED, _failed("status", "STATUS_RETRIEVAL_ERROR")), Verdict.UNCHECKABLE),
        ((*SIGNED, _failed("status", "STATUS_DATA_STALE")), Verdict.UNCHECKABLE),
        # A list not signed by the issuer (or out of date) leaves the status unknown.
        ((*SIGNED, _failed("status", "STATUS_VERIFICATION_ERROR")), Verdict.UNCHECKABLE),
    ],
)
def test_the_gravest_reason_decides(checks: tuple[Check, ...], verdict: Verdict) -> None:
    assert verdict_of(_result(*checks)) is verdict


def test_a_customs_message_on_a_good_certificate_is_amber() -> None:
    notice = Notice("STATUS_MESSAGE", "under review by customs", "en revisión aduanera", "0x2")
    result = _result(*SIGNED, Check.of("status", [], notices=(notice,)))
    assert verdict_of(result) is Verdict.MESSAGE and customs_messages(result) == (notice,)
    assert Verdict.MESSAGE.tone is Tone.AMBER and Verdict.MESSAGE.in_force
    # On a certificate whose status failed, the notice is not what the reader acts on.
    failed = Check("status", _failed("status", "CREDENTIAL_SUSPENDED").outcome, (), None, (notice,))
    assert customs_messages(_result(*SIGNED, failed)) == ()


def test_only_a_good_certificate_is_green_and_in_force() -> None:
    assert [verdict for verdict in Verdict if verdict.tone is Tone.GREEN] == [Verdict.VERIFIED]
    assert {verdict for verdict in Verdict if verdict.in_force} == {
        Verdict.VERIFIED,
        Verdict.MESSAGE,
    }
    assert {verdict for verdict in Verdict if verdict.tone is Tone.AMBER} == {
        Verdict.MESSAGE,
        Verdict.UNCHECKABLE,
    }
