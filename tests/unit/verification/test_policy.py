"""A workflow's policy: types accepted as they are, and types accepted only under mutual
recognition, for an authority and a role, read from a verified credential's signed data."""

from __future__ import annotations

from typing import Any

import pytest

from vcservice.certificates.samples import sample_certificate
from vcservice.errors import Problem
from vcservice.model.checks import Check, Outcome
from vcservice.model.records import RecognitionPolicy
from vcservice.verification.policy import (
    POLICY_CODE,
    accepted_types_check,
    recognition,
    recognition_entries,
)
from vcservice.verification.result import VerificationResult

CBP = "AuthorityCBP"
SAT = "AuthoritySAT"
EXPORTER = "MraRoleManufacturerExporter"
IMPORTER = "MraRoleImporter"
MRA = "MraUsMx2014"
OEA_AT_CBP = RecognitionPolicy("OEACertificate", CBP, EXPORTER, MRA)
OEA_AS_IMPORTER = RecognitionPolicy("OEACertificate", CBP, IMPORTER, MRA)


def _credential(document: dict[str, Any], *, verified: bool = True) -> VerificationResult:
    problems = [] if verified else [Problem("INVALID_PROOF", "the proof does not verify")]
    return VerificationResult(
        kind="VerifiableCredential",
        format="eddsa-rdfc-2022",
        checks=(Check.of("proof", problems),),
        document=document,
    )


def _presentation(*credentials: VerificationResult) -> VerificationResult:
    return VerificationResult(
        kind="VerifiablePresentation",
        format="eddsa-rdfc-2022",
        checks=(Check.of("proof", []),),
        credentials=credentials,
    )


def _oea(**entry: Any) -> dict[str, Any]:
    """The sample OEA, its one entry changed by ``entry``."""
    oea = sample_certificate("oea")
    [recognized] = oea["credentialSubject"]["mutualRecognition"]
    recognized.update(entry)
    return oea


def _detail(check: Check) -> str:
    [problem] = check.problems
    assert problem.code == POLICY_CODE and problem.field == "verifiableCredential"
    return problem.detail


# ---------------------------------------------------------------- recognition


def test_cbp_recognizes_the_sample_oea_for_the_role_its_entry_names_only() -> None:
    oea = sample_certificate("oea")
    shipper = recognition(oea, recognized_by=CBP, role=EXPORTER, arrangement=MRA)
    assert shipper.accepted
    assert shipper.reason == (
        "mutualRecognition[0]: MraUsMx2014, recognizedBy AuthorityCBP, "
        "recognizedRole MraRoleManufacturerExporter"
    )
    importer = recognition(oea, recognized_by=CBP, role=IMPORTER, arrangement=MRA)
    assert not importer.accepted
    assert importer.reason == (
        "its MraUsMx2014 entry recognizedBy AuthorityCBP covers "
        "MraRoleManufacturerExporter only, not MraRoleImporter"
    )
    # Without an arrangement, an entry of any arrangement counts.
    assert recognition(oea, recognized_by=CBP, role=EXPORTER).accepted


def test_the_entries_are_directional() -> None:
    oea = sample_certificate("oea")
    verdict = recognition(oea, recognized_by=SAT, role=EXPORTER, arrangement=MRA)
    assert not verdict.accepted
    assert verdict.reason == (
        "no MraUsMx2014 entry of it is recognizedBy AuthoritySAT "
        "(its entries: MraUsMx2014 recognizedBy AuthorityCBP)"
    )
    ctpat = sample_certificate("ctpat")
    assert recognition(ctpat, recognized_by=SAT, role=EXPORTER, arrangement=MRA).accepted
    assert not recognition(ctpat, recognized_by=CBP, role=EXPORTER).accepted


def test_another_arrangement_does_not_count() -> None:
    oea = _oea(arrangement="MraUsCa2030")
    verdict = recognition(oea, recognized_by=CBP, role=EXPORTER, arrangement=MRA)
    assert not verdict.accepted and "no MraUsMx2014 entry of it" in verdict.reason
    assert recognition(oea, recognized_by=CBP, role=EXPORTER).accepted


def test_a_credential_without_entries_is_not_recognized() -> None:
    oea = sample_certificate("oea")
    del oea["credentialSubject"]["mutualRecognition"]
    verdict = recognition(oea, recognized_by=CBP, role=EXPORTER, arrangement=MRA)
    assert verdict == type(verdict)(False, "it has no mutualRecognition entry")
    assert recognition_entries(oea) == []


@pytest.mark.parametrize(
    "entries",
    [
        "CBP recognizes it for every role",  # version 1: free text, never structured
        [None, 3, "MraRoleManufacturerExporter"],
        [{"recognizedBy": CBP, "recognizedRole": "MraRoleManufacturerExporter "}],
        [{"recognizedBy": [CBP], "recognizedRole": [EXPORTER]}],
    ],
)
def test_entries_of_another_shape_never_count(entries: Any) -> None:
    oea = sample_certificate("oea")
    oea["credentialSubject"]["mutualRecognition"] = entries
    assert not recognition(oea, recognized_by=CBP, role=EXPORTER).accepted


def test_a_single_entry_may_be_an_object_and_a_role_a_string() -> None:
    oea = sample_certificate("oea")
    [entry] = oea["credentialSubject"]["mutualRecognition"]
    oea["credentialSubject"]["mutualRecognition"] = entry | {"recognizedRole": IMPORTER}
    assert recognition(oea, recognized_by=CBP, role=IMPORTER, arrangement=MRA).accepted


def test_the_matching_entry_is_named_among_several() -> None:
    oea = sample_certificate("oea")
    [entry] = oea["credentialSubject"]["mutualRecognition"]
    oea["credentialSubject"]["mutualRecognition"] = [
        entry,
        entry | {"recognizedRole": [IMPORTER, "MraRoleCustomsBroker"]},
    ]
    verdict = recognition(oea, recognized_by=CBP, role=IMPORTER)
    assert verdict.accepted and verdict.reason.startswith("mutualRecognition[1]:")
    refused = recognition(oea, recognized_by=CBP, role="MraRoleHighwayCarrier")
    assert refused.reason == (
        "its MraUsMx2014 entries recognizedBy AuthorityCBP cover MraRoleCustomsBroker, "
        "MraRoleImporter, MraRoleManufacturerExporter only, not MraRoleHighwayCarrier"
    )


# ---------------------------------------------------------------- the check


def test_an_accepted_type_counts_as_it_is() -> None:
    ctpat = sample_certificate("ctpat")
    check = accepted_types_check(
        _presentation(_credential(ctpat)), ["CTPATCertificate"], [OEA_AS_IMPORTER]
    )
    assert check.outcome is Outcome.PASSED
    assert check.detail == (
        "a verified CTPATCertificate (CTPATCertificate or OEACertificate recognized by "
        "AuthorityCBP for MraRoleImporter under MraUsMx2014)"
    )


def test_a_recognized_type_counts_when_its_signed_entry_covers_the_policy() -> None:
    oea = sample_certificate("oea")
    check = accepted_types_check(
        _presentation(_credential(oea)), ["CTPATCertificate"], [OEA_AT_CBP]
    )
    assert check.outcome is Outcome.PASSED
    assert check.detail == (
        "a verified OEACertificate recognized by AuthorityCBP for MraRoleManufacturerExporter "
        "under MraUsMx2014 (mutualRecognition[0]: MraUsMx2014, recognizedBy AuthorityCBP, "
        "recognizedRole MraRoleManufacturerExporter)"
    )


def test_a_recognized_type_fails_for_a_role_its_entry_does_not_cover() -> None:
    oea = sample_certificate("oea")
    check = accepted_types_check(
        _presentation(_credential(oea)), ["CTPATCertificate"], [OEA_AS_IMPORTER]
    )
    assert check.outcome is Outcome.FAILED
    assert _detail(check) == (
        "the presentation holds no verified credential of an accepted type (CTPATCertificate "
        "or OEACertificate recognized by AuthorityCBP for MraRoleImporter under MraUsMx2014): "
        "verifiableCredential[0] (OEACertificate): its MraUsMx2014 entry recognizedBy "
        "AuthorityCBP covers MraRoleManufacturerExporter only, not MraRoleImporter"
    )


def test_a_recognized_type_without_entries_fails() -> None:
    oea = sample_certificate("oea")
    del oea["credentialSubject"]["mutualRecognition"]
    check = accepted_types_check(
        _presentation(_credential(oea)), ["CTPATCertificate"], [OEA_AT_CBP]
    )
    assert _detail(check).endswith(
        "verifiableCredential[0] (OEACertificate): it has no mutualRecognition entry"
    )


def test_any_one_recognition_will_do() -> None:
    oea = sample_certificate("oea")
    check = accepted_types_check(
        _presentation(_credential(oea)), ["CTPATCertificate"], [OEA_AS_IMPORTER, OEA_AT_CBP]
    )
    assert check.outcome is Outcome.PASSED and "for MraRoleManufacturerExporter" in str(
        check.detail
    )


def test_a_type_listed_only_in_a_recognition_does_not_count_as_it_is() -> None:
    """Without the recognitions, the workflow accepts C-TPAT only: an OEA is no C-TPAT."""
    oea = sample_certificate("oea")
    check = accepted_types_check(_presentation(_credential(oea)), ["CTPATCertificate"])
    assert _detail(check) == (
        "the presentation holds no verified credential of an accepted type (CTPATCertificate)"
    )


def test_a_credential_that_did_not_verify_never_counts() -> None:
    oea = sample_certificate("oea")
    check = accepted_types_check(
        _presentation(_credential(oea, verified=False)), ["CTPATCertificate"], [OEA_AT_CBP]
    )
    assert _detail(check).endswith(": verifiableCredential[0] (OEACertificate) did not verify")
    ctpat = sample_certificate("ctpat")
    check = accepted_types_check(
        _presentation(_credential(ctpat, verified=False)), ["CTPATCertificate"]
    )
    assert check.outcome is Outcome.FAILED


def test_the_failure_says_why_for_each_credential_and_a_later_one_may_pass() -> None:
    immex = sample_certificate("immex")
    importer_only = _oea(recognizedRole=[IMPORTER])
    presented = [_credential(immex), _credential(importer_only)]
    failed = accepted_types_check(_presentation(*presented), ["CTPATCertificate"], [OEA_AT_CBP])
    assert _detail(failed).endswith(
        ": verifiableCredential[1] (OEACertificate): its MraUsMx2014 entry recognizedBy "
        "AuthorityCBP covers MraRoleImporter only, not MraRoleManufacturerExporter"
    )
    good = _credential(sample_certificate("oea"))
    passed = accepted_types_check(
        _presentation(*presented, good), ["CTPATCertificate"], [OEA_AT_CBP]
    )
    assert passed.outcome is Outcome.PASSED
