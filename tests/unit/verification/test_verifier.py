"""The verifier: one result shape for credentials and presentations in every format."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.factories import NOW, certificate, did_of, held_by, holder_of, key_file
from vcservice.certificates.samples import sample_certificate
from vcservice.clock import FixedClock
from vcservice.jose import vc_jwt
from vcservice.jose.jws import sign_compact
from vcservice.keys import KeyFile, KeyType
from vcservice.model.datetimes import format_datetime
from vcservice.proofs.purposes import AUTHENTICATION
from vcservice.services.core import Core
from vcservice.trust.lists import ListedAccreditation, ListedIssuer, TrustList, list_accreditations
from vcservice.trust.registry import Accreditation, TrustRegistry, UnavailableList, local_basis
from vcservice.verification.result import Outcome, VerificationResult
from vcservice.verification.verdict import Verdict, verdict_of
from vcservice.verification.verifier import SELECTABLE_CHECKS, Verifier

pytestmark = pytest.mark.shared
V2 = "https://www.w3.org/ns/credentials/v2"
ISSUER = key_file(KeyType.P384, seed=11)
HOLDER = key_file(KeyType.ED25519, seed=22)


def _outcomes(result: VerificationResult) -> dict[str, str]:
    return {check.name: check.outcome.value for check in result.checks}


def _codes(result: VerificationResult) -> list[str]:
    return [problem.code for problem in result.problems]


def _signed(
    core: Core, credential: dict[str, Any], key: KeyFile = ISSUER, *, created: datetime = NOW
) -> dict[str, Any]:
    suite = "eddsa-rdfc-2022" if key.key_pair.key_type is KeyType.ED25519 else "ecdsa-rdfc-2019"
    return core.data_integrity.add_proof(
        credential, signer=key.signer(), cryptosuite=suite, created=created
    )


def _at(core: Core, days: int, *, trust_registry: TrustRegistry | None = None) -> Verifier:
    """The same verifier with its clock moved by ``days`` (and maybe a trust registry)."""
    return Verifier(
        data_integrity=core.data_integrity,
        processor=core.processor,
        resolver=core.resolver,
        clock=FixedClock(NOW + timedelta(days=days)),
        trust_registry=trust_registry,
    )


def _issued_to_holder(name: str) -> dict[str, Any]:
    """A certificate from ``ISSUER`` whose holder (its company) is the holder, as at a crossing."""
    return held_by(certificate(name, issuer=ISSUER), did_of(HOLDER))


def _v1_certificate(name: str) -> dict[str, Any]:
    """A certificate from ``ISSUER`` in data v1 (as issued before v2), valid at ``NOW``."""
    credential = sample_certificate(name, "v1")
    credential["issuer"]["id"] = did_of(ISSUER)
    return credential


def _v2_issued_to(did: str) -> dict[str, Any]:
    """A C-TPAT certificate from ``ISSUER`` shaped as data v2: the subject is the membership
    (no ``id``) and ``member.id`` is the company's DID."""
    credential = certificate("ctpat", issuer=ISSUER)
    subject = credential["credentialSubject"]
    assert "id" not in subject
    subject["member"]["id"] = did
    return credential


def test_good_credential_passes_every_check(fixed_core: Core) -> None:
    """A v2 certificate names its schema (``<slug>-v2.json``), so that check runs too."""
    result = fixed_core.verifier.verify(_signed(fixed_core, certificate(issuer=ISSUER)))
    assert result.verified, result.to_json()
    assert _outcomes(result) == {
        "structure": "passed",
        "proof": "passed",
        "issuer": "passed",
        "issuerTrust": "skipped",
        "validityPeriod": "passed",
        "credentialSchema": "passed",
        "status": "skipped",
    }
    assert result.to_json()["warnings"] == [
        {"check": "issuerTrust", "detail": "no trust registry configured"},
        {"check": "status", "detail": "the credential has no credentialStatus"},
    ]


@pytest.mark.parametrize("name", ["immex", "oea", "ctpat"])
def test_a_good_v1_credential_still_passes_every_check(fixed_core: Core, name: str) -> None:
    """Credentials issued in data v1 keep verifying; they name no schema."""
    result = fixed_core.verifier.verify(_signed(fixed_core, _v1_certificate(name)))
    assert result.verified, result.to_json()
    assert _outcomes(result) == {
        "structure": "passed",
        "proof": "passed",
        "issuer": "passed",
        "issuerTrust": "skipped",
        "validityPeriod": "passed",
        "credentialSchema": "skipped",
        "status": "skipped",
    }
    assert result.to_json()["warnings"] == [
        {"check": "issuerTrust", "detail": "no trust registry configured"},
        {"check": "credentialSchema", "detail": "the credential names no schema"},
        {"check": "status", "detail": "the credential has no credentialStatus"},
    ]


def test_credential_signed_by_someone_else_fails_issuer_binding(fixed_core: Core) -> None:
    impostor = key_file(KeyType.P384, seed=99)
    result = fixed_core.verifier.verify(_signed(fixed_core, certificate(issuer=ISSUER), impostor))
    assert not result.verified
    assert _outcomes(result)["proof"] == "passed"
    assert _codes(result) == ["INVALID_ISSUER"]


def test_validity_period_is_checked_against_the_clock(fixed_core: Core) -> None:
    credential = certificate(issuer=ISSUER, valid_days=30)  # valid from a day before NOW
    signed = _signed(fixed_core, credential, created=NOW - timedelta(days=3))
    assert _codes(_at(fixed_core, 31).verify(signed)) == ["CREDENTIAL_EXPIRED"]
    assert _codes(_at(fixed_core, -2).verify(signed)) == ["CREDENTIAL_NOT_YET_VALID"]
    assert _at(fixed_core, 29).verify(signed).verified


def test_a_proof_created_in_the_future_fails(fixed_core: Core) -> None:
    signed = _signed(fixed_core, certificate(issuer=ISSUER), created=NOW + timedelta(minutes=3))
    result = _at(fixed_core, 0).verify(signed)
    assert _codes(result) == ["PROOF_VERIFICATION_ERROR"]
    assert result.problems[0].field == "proof.created"
    assert _outcomes(result)["validityPeriod"] == "skipped"
    within_skew = _signed(
        fixed_core, certificate(issuer=ISSUER), created=NOW + timedelta(minutes=1)
    )
    assert _at(fixed_core, 0).verify(within_skew).verified


def test_malformed_credentials_name_the_field(fixed_core: Core) -> None:
    credential = certificate(issuer=ISSUER)
    credential["validUntil"] = "next year"
    result = fixed_core.verifier.verify(credential)
    assert any(
        p.code == "MALFORMED_VALUE_ERROR" and p.field == "validUntil" for p in result.problems
    )
    no_issuer = certificate()
    del no_issuer["issuer"]
    assert any(p.field == "issuer" for p in fixed_core.verifier.verify(no_issuer).problems)
    reversed_dates = certificate(issuer=ISSUER)
    reversed_dates["validFrom"], reversed_dates["validUntil"] = (
        reversed_dates["validUntil"],
        reversed_dates["validFrom"],
    )
    assert any(
        p.field == "validUntil" and "after" in p.detail
        for p in fixed_core.verifier.verify(reversed_dates).problems
    )


def test_unsigned_credential_has_no_proof(fixed_core: Core) -> None:
    result = fixed_core.verifier.verify(certificate(issuer=ISSUER))
    assert "NO_PROOF" in _codes(result)
    assert _outcomes(result)["issuer"] == "skipped"


def test_term_added_after_signing_is_data_loss(fixed_core: Core) -> None:
    signed = _signed(fixed_core, certificate(issuer=ISSUER))
    signed["credentialSubject"]["riskScore"] = "low"
    assert _codes(fixed_core.verifier.verify(signed)) == ["DATA_LOSS_DETECTION_ERROR"]


def test_vc_jwt_credential(fixed_core: Core) -> None:
    token = vc_jwt.secure_credential(certificate("ctpat", issuer=ISSUER), signer=ISSUER.signer())
    result = fixed_core.verifier.verify(token)
    assert result.verified and result.format == "vc+jwt"
    assert "ES384" in (result.check("proof").detail or "")  # type: ignore[union-attr]
    forged = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    bad = fixed_core.verifier.verify(forged)
    assert not bad.verified and _codes(bad) == ["PROOF_VERIFICATION_ERROR"]
    assert bad.document is not None  # what the token claims is still shown, flagged


def test_vc_jwt_with_undefined_term_fails(fixed_core: Core) -> None:
    credential = certificate(issuer=ISSUER)
    credential["credentialSubject"]["riskScore"] = "low"
    token = vc_jwt.secure_credential(credential, signer=ISSUER.signer())
    assert _codes(fixed_core.verifier.verify(token)) == ["DATA_LOSS_DETECTION_ERROR"]


def test_vcdm_11_credential_verifies(fixed_core: Core) -> None:
    credential = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/security/data-integrity/v2",
        ],
        "type": ["VerifiableCredential"],
        "issuer": did_of(ISSUER),
        "issuanceDate": "2026-01-01T00:00:00Z",
        "expirationDate": "2027-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:carrier"},
    }
    result = fixed_core.verifier.verify(_signed(fixed_core, credential))
    assert result.verified, result.to_json()
    assert _codes(_at(fixed_core, 60).verify(_signed(fixed_core, credential))) == [
        "CREDENTIAL_EXPIRED"
    ]


def _presentation(
    core: Core,
    credentials: list[Any],
    *,
    challenge: str = "c-1",
    domain: str = "https://broker.example",
) -> dict[str, Any]:
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": did_of(HOLDER),
        "verifiableCredential": credentials,
    }
    return core.data_integrity.add_proof(
        presentation,
        signer=HOLDER.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=NOW,
        purpose=AUTHENTICATION,
        challenge=challenge,
        domain=domain,
    )


def _enveloped(token: str) -> dict[str, Any]:
    return {
        "@context": [V2],
        "type": ["EnvelopedVerifiableCredential"],
        "id": vc_jwt.enveloped_id(token, vc_jwt.VC_JWT),
    }


def test_presentation_with_data_integrity_and_enveloped_credentials(fixed_core: Core) -> None:
    embedded = _signed(fixed_core, _issued_to_holder("immex"))
    token = vc_jwt.secure_credential(_issued_to_holder("ctpat"), signer=ISSUER.signer())
    presentation = _presentation(fixed_core, [embedded, _enveloped(token)])
    result = fixed_core.verifier.verify(
        presentation, challenge="c-1", domain="https://broker.example"
    )
    assert result.verified, result.to_json()
    assert [c.format for c in result.credentials] == ["data-integrity", "vc+jwt"]
    assert _outcomes(result) == {
        "structure": "passed",
        "proof": "passed",
        "holder": "passed",
        "credentials": "passed",
        "holderBinding": "passed",
    }

    replay = fixed_core.verifier.verify(
        presentation, challenge="c-2", domain="https://broker.example"
    )
    assert _codes(replay) == ["INVALID_CHALLENGE_ERROR"]
    elsewhere = fixed_core.verifier.verify(
        presentation, challenge="c-1", domain="https://other.example"
    )
    assert _codes(elsewhere) == ["INVALID_DOMAIN_ERROR"]


def test_tampered_credential_inside_a_valid_presentation(fixed_core: Core) -> None:
    embedded = _signed(fixed_core, certificate("oea", issuer=ISSUER))
    embedded["credentialSubject"]["member"]["legalName"] = "Transportes Ficticios"
    presentation = _presentation(fixed_core, [embedded])
    result = fixed_core.verifier.verify(
        presentation, challenge="c-1", domain="https://broker.example"
    )
    assert not result.verified
    assert _outcomes(result)["proof"] == "passed"
    assert _codes(result) == ["INVALID_CREDENTIAL"]
    assert _codes(result.credentials[0]) == ["PROOF_VERIFICATION_ERROR"]


def test_presentation_signed_by_someone_other_than_the_holder(fixed_core: Core) -> None:
    presentation = _presentation(fixed_core, [])
    presentation["holder"] = did_of(ISSUER)
    result = fixed_core.verifier.verify(
        presentation, challenge="c-1", domain="https://broker.example"
    )
    assert "PROOF_VERIFICATION_ERROR" in _codes(result)  # holder is signed, so changing it
    unsigned_holder = copy.deepcopy(presentation)
    del unsigned_holder["proof"]
    unsigned_holder["holder"] = did_of(ISSUER)
    resigned = fixed_core.data_integrity.add_proof(
        unsigned_holder,
        signer=HOLDER.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=NOW,
        purpose=AUTHENTICATION,
        challenge="c-1",
        domain="https://broker.example",
    )
    result = fixed_core.verifier.verify(resigned, challenge="c-1", domain="https://broker.example")
    assert _codes(result) == ["INVALID_HOLDER"]


def test_vp_jwt_binds_nonce_and_audience(fixed_core: Core) -> None:
    token = vc_jwt.secure_credential(_issued_to_holder("oea"), signer=ISSUER.signer())
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": did_of(HOLDER),
        "verifiableCredential": [_enveloped(token)],
    }
    vp = vc_jwt.secure_presentation(
        presentation, signer=HOLDER.signer(), nonce="n-9", audience="https://broker.example"
    )
    good = fixed_core.verifier.verify(vp, challenge="n-9", domain="https://broker.example")
    assert good.verified and good.format == "vp+jwt", good.to_json()
    assert _codes(
        fixed_core.verifier.verify(vp, challenge="n-8", domain="https://broker.example")
    ) == ["INVALID_CHALLENGE_ERROR"]


def test_result_json_is_bilingual_problem_details(fixed_core: Core) -> None:
    result = fixed_core.verifier.verify(certificate(issuer=ISSUER))
    body = result.to_json()
    assert body["verified"] is False
    detail = next(d for d in body["problemDetails"] if d["code"] == "NO_PROOF")
    assert detail["type"].endswith("#NO_PROOF")
    assert detail["i18n"]["es"]["title"] == "El documento no tiene firma"
    assert {check["check"]: check["outcome"] for check in body["checks"]}["proof"] == (
        Outcome.FAILED.value
    )


# ---------------------------------------------------------------- issuer trust

SAT_REGISTRY = {
    "issuers": [
        {
            "id": did_of(ISSUER),
            "name": "Servicio de Administración Tributaria",
            "credentialTypes": ["IMMEXCertificate", "OEACertificate"],
            "validFrom": "2026-01-01T00:00:00Z",
            "validUntil": format_datetime(NOW + timedelta(days=10)),
        }
    ]
}


def test_an_accredited_issuer_passes_issuer_trust(fixed_core: Core) -> None:
    verifier = _at(fixed_core, 0, trust_registry=TrustRegistry.from_json(SAT_REGISTRY))
    result = verifier.verify(_signed(fixed_core, certificate("immex", issuer=ISSUER)))
    assert result.verified, result.to_json()
    assert _outcomes(result)["issuerTrust"] == "passed"
    assert "Servicio de Administración Tributaria" in (result.check("issuerTrust").detail or "")  # type: ignore[union-attr]
    assert [check.name for check in result.checks][:4] == [
        "structure",
        "proof",
        "issuer",
        "issuerTrust",
    ]


def test_an_immex_credential_from_a_non_accredited_did_key_is_not_trusted(
    fixed_core: Core,
) -> None:
    stranger = key_file(KeyType.ED25519, seed=77)
    credential = _signed(fixed_core, certificate("immex", issuer=stranger), stranger)
    verifier = _at(fixed_core, 0, trust_registry=TrustRegistry.from_json(SAT_REGISTRY))
    result = verifier.verify(credential)
    assert not result.verified
    assert _outcomes(result)["issuer"] == "passed"  # well signed, by the wrong authority
    assert _codes(result) == ["ISSUER_NOT_TRUSTED"]
    [problem] = result.problems
    assert did_of(stranger) in problem.detail
    cbp = {"issuers": [{"id": did_of(ISSUER), "name": "CBP", "credentialTypes": ["CTPAT"]}]}
    wrong_type = _at(fixed_core, 0, trust_registry=TrustRegistry.from_json(cbp)).verify(
        _signed(fixed_core, certificate("immex", issuer=ISSUER))
    )
    assert _codes(wrong_type) == ["ISSUER_NOT_TRUSTED"]
    assert "IMMEXCertificate" in wrong_type.problems[0].detail


def test_an_expired_accreditation_is_not_trusted(fixed_core: Core) -> None:
    registry = TrustRegistry.from_json(SAT_REGISTRY)
    signed = _signed(fixed_core, certificate("oea", issuer=ISSUER))
    assert _at(fixed_core, 9, trust_registry=registry).verify(signed).verified
    late = _at(fixed_core, 11, trust_registry=registry).verify(signed)
    assert _codes(late) == ["ISSUER_NOT_TRUSTED"]
    assert "ended" in late.problems[0].detail


def _sat_list(sequence: int = 12) -> TrustList:
    """SAT's trust list (sequence 12), accrediting ``ISSUER`` for OEA certificates."""
    return TrustList(
        url="https://aduanas.example/trust-lists/sat",
        operator="did:web:aduanas.example:issuers:sat",
        operator_name="Servicio de Administración Tributaria",
        sequence=sequence,
        issued=NOW - timedelta(days=1),
        next_update=NOW + timedelta(hours=12),
        valid_until=None,
        territory="MX",
        signing_keys=("did:web:aduanas.example:issuers:sat#key-1",),
        next_signing_keys=(),
        entries=(
            ListedIssuer(did_of(ISSUER), "SAT – AGACE", (ListedAccreditation("OEACertificate"),)),
        ),
    )


def test_a_pass_says_which_sources_accredited_the_issuer(fixed_core: Core) -> None:
    confirmed = NOW - timedelta(minutes=10)
    local = Accreditation(
        did_of(ISSUER),
        "SAT",
        frozenset({"IMMEXCertificate"}),
        basis=local_basis("urn:uuid:7", "SAT"),
    )
    registry = TrustRegistry([*list_accreditations(_sat_list(), confirmed_at=confirmed), local])
    result = _at(fixed_core, 0, trust_registry=registry).verify(
        _signed(fixed_core, certificate("oea", issuer=ISSUER))
    )
    assert result.verified, result.to_json()
    [check] = [c for c in result.to_json()["checks"] if c["check"] == "issuerTrust"]
    assert check["trustedBy"] == [
        {
            "source": "trustList",
            "name": "SAT – AGACE",
            "credentialTypes": ["OEACertificate"],
            "url": "https://aduanas.example/trust-lists/sat",
            "operator": "did:web:aduanas.example:issuers:sat",
            "operatorName": "Servicio de Administración Tributaria",
            "sequence": 12,
            "issued": format_datetime(NOW - timedelta(days=1)),
            "confirmedAt": format_datetime(confirmed),
            "nextUpdate": format_datetime(NOW + timedelta(hours=12)),
        }
    ]
    immex = _at(fixed_core, 0, trust_registry=registry).verify(
        _signed(fixed_core, certificate("immex", issuer=ISSUER))
    )
    [check] = [c for c in immex.to_json()["checks"] if c["check"] == "issuerTrust"]
    assert check["trustedBy"] == [
        {
            "source": "local",
            "name": "SAT",
            "credentialTypes": ["IMMEXCertificate"],
            "entryId": "urn:uuid:7",
        }
    ]
    # A file entry, as before, says nothing more than its name.
    plain = _at(fixed_core, 0, trust_registry=TrustRegistry.from_json(SAT_REGISTRY)).verify(
        _signed(fixed_core, certificate("oea", issuer=ISSUER))
    )
    [check] = [c for c in plain.to_json()["checks"] if c["check"] == "issuerTrust"]
    assert check["trustedBy"] == [
        {
            "source": "file",
            "name": "Servicio de Administración Tributaria",
            "credentialTypes": ["OEACertificate"],
        }
    ]


def test_a_stale_trust_list_leaves_the_accreditation_uncheckable(fixed_core: Core) -> None:
    stale = UnavailableList(
        url="https://aduanas.example/trust-lists/sat",
        operator_name="Servicio de Administración Tributaria",
        credential_types=frozenset({"OEACertificate"}),
        reason="never fetched",
    )
    registry = TrustRegistry([], [stale])
    result = _at(fixed_core, 0, trust_registry=registry).verify(
        _signed(fixed_core, certificate("oea", issuer=ISSUER))
    )
    assert not result.verified
    assert _codes(result) == ["TRUST_LIST_STALE"]
    assert verdict_of(result) is Verdict.UNCHECKABLE
    body = result.to_json()
    assert body["verified"] is False
    [check] = [c for c in body["checks"] if c["check"] == "issuerTrust"]
    assert check["outcome"] == "failed" and "trustedBy" not in check
    # A type no unavailable list covers is still a definite "not accredited".
    immex = _at(fixed_core, 0, trust_registry=registry).verify(
        _signed(fixed_core, certificate("immex", issuer=ISSUER))
    )
    assert _codes(immex) == ["ISSUER_NOT_TRUSTED"]
    assert verdict_of(immex) is Verdict.NOT_ACCREDITED


def test_issuer_trust_is_skipped_when_the_issuer_binding_failed(fixed_core: Core) -> None:
    registry = TrustRegistry.from_json(SAT_REGISTRY)
    impostor = key_file(KeyType.P384, seed=99)
    result = _at(fixed_core, 0, trust_registry=registry).verify(
        _signed(fixed_core, certificate(issuer=ISSUER), impostor)
    )
    assert _codes(result) == ["INVALID_ISSUER"]
    assert _outcomes(result)["issuerTrust"] == "skipped"
    unsigned = _at(fixed_core, 0, trust_registry=registry).verify(certificate(issuer=ISSUER))
    assert _outcomes(unsigned)["issuerTrust"] == "skipped"


# ---------------------------------------------------------------- holder binding


def test_a_presentation_by_a_key_that_does_not_control_the_subject_fails(
    fixed_core: Core,
) -> None:
    someone_else = _signed(fixed_core, certificate("immex", issuer=ISSUER))  # sample subject
    own = _signed(fixed_core, _issued_to_holder("oea"))
    result = fixed_core.verifier.verify(
        _presentation(fixed_core, [own, someone_else]),
        challenge="c-1",
        domain="https://broker.example",
    )
    assert not result.verified
    assert all(credential.verified for credential in result.credentials)
    assert _outcomes(result)["holderBinding"] == "failed"
    assert _codes(result) == ["HOLDER_BINDING_ERROR"]
    [problem] = result.problems
    assert problem.field == "verifiableCredential[1]"
    assert did_of(HOLDER) in problem.detail
    assert holder_of(someone_else) in problem.detail  # the company the sample names


def test_a_credential_without_a_subject_id_cannot_be_bound(fixed_core: Core) -> None:
    """Data v1: the subject's ``id`` is the holder; the C-TPAT ``member`` has no ``id``."""
    anonymous = held_by(_v1_certificate("ctpat"), did_of(HOLDER))
    del anonymous["credentialSubject"]["id"]
    assert "id" not in anonymous["credentialSubject"]["member"]
    result = fixed_core.verifier.verify(
        _presentation(fixed_core, [_signed(fixed_core, anonymous)]),
        challenge="c-1",
        domain="https://broker.example",
    )
    assert _codes(result) == ["HOLDER_BINDING_ERROR"]
    assert result.problems[0].field == "verifiableCredential[0]"


def test_a_v2_credential_without_a_member_id_cannot_be_bound(fixed_core: Core) -> None:
    """Data v2: the subject has no ``id`` and the ``member`` none either. Its schema refuses
    such a credential; with that check left out it verifies but still binds to no holder."""
    anonymous = _issued_to_holder("ctpat")
    del anonymous["credentialSubject"]["member"]["id"]
    presentation = _presentation(fixed_core, [_signed(fixed_core, anonymous)])
    refused = fixed_core.verifier.verify(
        presentation, challenge="c-1", domain="https://broker.example"
    )
    assert _codes(refused) == ["INVALID_CREDENTIAL"]
    assert [p.field for p in refused.credentials[0].problems] == ["credentialSubject.member.id"]
    result = fixed_core.verifier.verify_presentation(
        presentation,
        challenge="c-1",
        domain="https://broker.example",
        checks=SELECTABLE_CHECKS - {"credentialSchema"},
    )
    assert all(credential.verified for credential in result.credentials), result.to_json()
    assert _codes(result) == ["HOLDER_BINDING_ERROR"]
    assert result.problems[0].field == "verifiableCredential[0]"


def test_holder_binding_is_skipped_without_a_verified_presentation_proof(
    fixed_core: Core,
) -> None:
    presentation = _presentation(fixed_core, [_signed(fixed_core, _issued_to_holder("oea"))])
    del presentation["proof"]
    result = fixed_core.verifier.verify(presentation)
    assert _outcomes(result)["holderBinding"] == "skipped"
    assert "NO_PROOF" in _codes(result)


def test_a_v2_credential_binds_to_the_did_of_its_member(fixed_core: Core) -> None:
    embedded = _signed(fixed_core, _v2_issued_to(did_of(HOLDER)))
    token = vc_jwt.secure_credential(_v2_issued_to(did_of(HOLDER)), signer=ISSUER.signer())
    result = fixed_core.verifier.verify(
        _presentation(fixed_core, [embedded, _enveloped(token)]),
        challenge="c-1",
        domain="https://broker.example",
    )
    assert result.verified, result.to_json()
    assert _outcomes(result)["holderBinding"] == "passed"


def test_a_v2_credential_whose_member_is_someone_else_does_not_bind(fixed_core: Core) -> None:
    stranger = did_of(key_file(KeyType.ED25519, seed=77))
    own = _signed(fixed_core, _v2_issued_to(did_of(HOLDER)))
    theirs = _signed(fixed_core, _v2_issued_to(stranger))
    result = fixed_core.verifier.verify(
        _presentation(fixed_core, [own, theirs]),
        challenge="c-1",
        domain="https://broker.example",
    )
    assert all(credential.verified for credential in result.credentials), result.to_json()
    assert _codes(result) == ["HOLDER_BINDING_ERROR"]
    [problem] = result.problems
    assert problem.field == "verifiableCredential[1]"
    assert stranger in problem.detail


def test_a_vc_jwt_sub_may_name_the_member(fixed_core: Core) -> None:
    credential = _v2_issued_to(did_of(HOLDER))

    def token(sub: str) -> str:
        return sign_compact(
            {**credential, "sub": sub},
            signer=ISSUER.signer(),
            header={"typ": vc_jwt.VC_JWT, "cty": "vc"},
        )

    assert fixed_core.verifier.verify(token(did_of(HOLDER))).verified
    other = fixed_core.verifier.verify(token(did_of(ISSUER)))
    assert _outcomes(other)["structure"] == "failed"
    assert [(p.code, p.field) for p in other.problems] == [("MALFORMED_VALUE_ERROR", "sub")]
