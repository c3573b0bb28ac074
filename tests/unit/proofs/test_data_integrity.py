"""Data Integrity proofs: every suite round-trips; purposes, sets, chains and bad proofs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.factories import NOW, certificate, key_file
from vcservice.errors import ProofError
from vcservice.keys import KeyType
from vcservice.keys.multibase import base58btc_encode
from vcservice.proofs.purposes import AUTHENTICATION, ProofPurpose
from vcservice.services.core import Core

pytestmark = pytest.mark.shared
ASSERTION = ProofPurpose()
SUITE_KEYS = [
    ("eddsa-rdfc-2022", KeyType.ED25519),
    ("ecdsa-rdfc-2019", KeyType.P256),
    ("ecdsa-rdfc-2019", KeyType.P384),
]


def _codes(
    core: Core, document: dict[str, Any], purpose: ProofPurpose = ASSERTION
) -> list[list[str]]:
    results = core.data_integrity.verify(document, purpose=purpose, now=NOW)
    return [[problem.code for problem in result.problems] for result in results]


@pytest.mark.parametrize(("suite", "key_type"), SUITE_KEYS)
def test_every_suite_signs_and_verifies(core: Core, suite: str, key_type: KeyType) -> None:
    key = key_file(key_type)
    signed = core.data_integrity.add_proof(
        certificate("ctpat", issuer=key), signer=key.signer(), cryptosuite=suite, created=NOW
    )
    assert signed["proof"]["cryptosuite"] == suite
    assert _codes(core, signed) == [[]]


def test_a_suite_refuses_a_key_of_the_wrong_type(core: Core) -> None:
    key = key_file(KeyType.P256)
    with pytest.raises(ProofError, match="does not use P-256 keys"):
        core.data_integrity.add_proof(
            certificate(), signer=key.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
        )


def test_proof_claiming_another_suite_fails(core: Core) -> None:
    key = key_file(KeyType.P256)
    signed = core.data_integrity.add_proof(
        certificate(), signer=key.signer(), cryptosuite="ecdsa-rdfc-2019", created=NOW
    )
    signed["proof"]["cryptosuite"] = "eddsa-rdfc-2022"
    assert _codes(core, signed) == [["PROOF_VERIFICATION_ERROR"]]


def test_unknown_cryptosuite_and_malformed_proof_values(core: Core) -> None:
    key = key_file()
    signed = core.data_integrity.add_proof(
        certificate(), signer=key.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
    )
    unknown = copy.deepcopy(signed)
    unknown["proof"]["cryptosuite"] = "bbs-2023"
    assert _codes(core, unknown) == [["UNSUPPORTED_CRYPTOSUITE"]]
    not_multibase = copy.deepcopy(signed)
    not_multibase["proof"]["proofValue"] = "u" + signed["proof"]["proofValue"][1:]
    assert _codes(core, not_multibase) == [["MALFORMED_PROOF_ERROR"]]
    truncated = copy.deepcopy(signed)
    truncated["proof"]["proofValue"] = signed["proof"]["proofValue"][:20]
    assert _codes(core, truncated) == [["PROOF_VERIFICATION_ERROR"]]


def test_no_proof_gives_no_results(core: Core) -> None:
    assert core.data_integrity.verify(certificate(), purpose=ASSERTION, now=NOW) == []


def test_authentication_binds_challenge_and_domain(core: Core) -> None:
    key = key_file()
    signed = core.data_integrity.add_proof(
        certificate(),
        signer=key.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=NOW,
        purpose=AUTHENTICATION,
        challenge="nonce-123",
        domain="crossing.example",
    )
    good = ProofPurpose(AUTHENTICATION, challenge="nonce-123", domain="crossing.example")
    assert _codes(core, signed, good) == [[]]
    replay = ProofPurpose(AUTHENTICATION, challenge="nonce-456", domain="crossing.example")
    assert _codes(core, signed, replay) == [["INVALID_CHALLENGE_ERROR"]]
    elsewhere = ProofPurpose(AUTHENTICATION, challenge="nonce-123", domain="other.example")
    assert _codes(core, signed, elsewhere) == [["INVALID_DOMAIN_ERROR"]]
    assert _codes(core, signed, ASSERTION) == [["INVALID_PROOF_PURPOSE"]]


def test_purpose_not_authorized_by_the_controller_fails(core: Core) -> None:
    key = key_file()
    signed = core.data_integrity.add_proof(
        certificate(),
        signer=key.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=NOW,
        purpose="keyAgreement",
    )
    assert _codes(core, signed, ProofPurpose("keyAgreement")) == [["INVALID_PROOF_PURPOSE"]]


def test_expired_proof_fails(core: Core) -> None:
    key = key_file()
    signed = core.data_integrity.add_proof(
        certificate(), signer=key.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
    )
    signed["proof"]["expires"] = "2026-01-01T00:00:00Z"  # breaks the signature too
    codes = _codes(core, signed)
    assert "PROOF_VERIFICATION_ERROR" in codes[0]
    assert any(
        "expired" in p.detail
        for r in core.data_integrity.verify(signed, purpose=ASSERTION, now=NOW)
        for p in r.problems
    )


def test_proof_set_each_proof_is_checked(core: Core) -> None:
    first, second = key_file(KeyType.ED25519), key_file(KeyType.P384, seed=7)
    once = core.data_integrity.add_proof(
        certificate(), signer=first.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
    )
    twice = core.data_integrity.add_proof(
        once, signer=second.signer(), cryptosuite="ecdsa-rdfc-2019", created=NOW
    )
    assert isinstance(twice["proof"], list) and len(twice["proof"]) == 2
    assert _codes(core, twice) == [[], []]
    twice["proof"][1]["proofValue"] = base58btc_encode(bytes(96))
    assert _codes(core, twice) == [[], ["PROOF_VERIFICATION_ERROR"]]


def test_proof_chain_covers_the_previous_proof(core: Core) -> None:
    first, second = key_file(seed=1), key_file(seed=2)
    once = core.data_integrity.add_proof(
        certificate(),
        signer=first.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=NOW,
        proof_id="urn:uuid:8e6c2a5e-0d61-4c5b-a3a5-0f0ad2c1d7f1",
    )
    chained = core.data_integrity.add_proof(
        once,
        signer=second.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=NOW,
        previous_proof="urn:uuid:8e6c2a5e-0d61-4c5b-a3a5-0f0ad2c1d7f1",
    )
    assert _codes(core, chained) == [[], []]
    # Re-signing the first proof (same key, another time) breaks the chained proof only.
    chained["proof"][0] = core.data_integrity.add_proof(
        certificate(),
        signer=first.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=NOW.replace(hour=11),
        proof_id="urn:uuid:8e6c2a5e-0d61-4c5b-a3a5-0f0ad2c1d7f1",
    )["proof"]
    assert _codes(core, chained) == [[], ["PROOF_VERIFICATION_ERROR"]]
    chained["proof"][1]["previousProof"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    assert _codes(core, chained)[1] == ["PROOF_VERIFICATION_ERROR"]


def test_proof_context_must_begin_the_document_context(core: Core) -> None:
    key = key_file()
    signed = core.data_integrity.add_proof(
        certificate(), signer=key.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
    )
    with_matching = copy.deepcopy(signed)
    with_matching["proof"]["@context"] = signed["@context"][:1]
    assert _codes(core, with_matching) == [[]]
    with_other = copy.deepcopy(signed)
    with_other["proof"]["@context"] = ["https://w3id.org/security/data-integrity/v2"]
    assert _codes(core, with_other) == [["PROOF_VERIFICATION_ERROR"]]


def test_legacy_ed25519_signature_2020_verifies(core: Core) -> None:
    key = key_file()
    document = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/security/suites/ed25519-2020/v1",
        ],
        "type": ["VerifiableCredential"],
        "issuer": key.verification_method.split("#")[0],
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject"},
    }
    options = {
        "type": "Ed25519Signature2020",
        "created": "2026-01-01T00:00:00Z",
        "verificationMethod": key.verification_method,
        "proofPurpose": "assertionMethod",
    }
    data = core.canonizer.hash_data(
        document, {**options, "@context": document["@context"]}, hash_algorithm="sha256"
    )
    signed = {
        **document,
        "proof": {**options, "proofValue": base58btc_encode(key.key_pair.sign(data))},
    }
    assert _codes(core, signed) == [[]]
    signed["issuanceDate"] = "2026-01-02T00:00:00Z"
    assert _codes(core, signed) == [["PROOF_VERIFICATION_ERROR"]]
    with pytest.raises(ProofError, match="verified, never created"):
        core.data_integrity.add_proof(
            document, signer=key.signer(), cryptosuite="Ed25519Signature2020", created=NOW
        )
