"""``/credentials/verify`` over real HTTP accepts the legacy proof suites (verify only).

Credentials secured with Ed25519Signature2018 (as traceability deployments sign VCDM 1.1
credentials, by a did:key ``z6Mk…``), JsonWebSignature2020 (Ed25519, P-256, P-384,
secp256k1) and Ed25519Signature2020 are posted to a running service: accepted from an
accredited issuer, refused tampered, without ``created``, respelled, or in the service's
own issuing endpoint.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.api.conftest import LiveService
from tests.api.presenting import outcomes, verification_result
from tests.unit.proofs.legacy_signing import (
    ED2018,
    ED2020,
    JWS2020,
    JWS_2020,
    TRACEABILITY,
    V1,
    V2,
    LegacyKey,
    sign_legacy,
)
from vcservice.keys import KeyType
from vcservice.services.core import Core

pytestmark = pytest.mark.shared

CREDENTIAL_TYPE = "IntentToImportCredential"
CASES = [
    pytest.param(ED2018, KeyType.ED25519, 1, id="Ed25519Signature2018-vc1.1-traceability"),
    pytest.param(ED2020, KeyType.ED25519, 1, id="Ed25519Signature2020-vc1.1"),
    pytest.param(JWS2020, KeyType.ED25519, 2, id="JsonWebSignature2020-Ed25519-vc2"),
    pytest.param(JWS2020, KeyType.P256, 1, id="JsonWebSignature2020-P-256-vc1.1"),
    pytest.param(JWS2020, KeyType.P384, 2, id="JsonWebSignature2020-P-384-vc2"),
    pytest.param(JWS2020, KeyType.SECP256K1, 2, id="JsonWebSignature2020-secp256k1-vc2"),
]
SUITE_CONTEXT = {
    ED2018: [],
    ED2020: ["https://w3id.org/security/suites/ed25519-2020/v1"],
    JWS2020: [JWS_2020],
}


def _intent_to_import(key: LegacyKey, *, suite: str, version: int) -> dict[str, Any]:
    """A traceability IntentToImportCredential from ``key``'s did:key."""
    document: dict[str, Any] = {
        "@context": [V1 if version == 1 else V2, TRACEABILITY, *SUITE_CONTEXT[suite]],
        "id": "urn:uuid:1d6a3c52-3f0e-4b8e-9a4f-7b8e2f2c9d10",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": key.did,
        "credentialSubject": {"type": ["IntentToImport"], "id": "did:web:ensambles-bravo.example"},
    }
    document["issuanceDate" if version == 1 else "validFrom"] = "2026-01-01T00:00:00Z"
    return document


def _verify(live_service: LiveService, credential: Any) -> dict[str, Any]:
    """The verification result: 200 when it verified, else the 422 problem carrying it."""
    response = live_service.http.post(
        "/credentials/verify", json={"verifiableCredential": credential, "options": {}}
    )
    return verification_result(response)


def _codes(result: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(problem["code"], problem.get("field")) for problem in result["problemDetails"]]


def _signed(core: Core, key: LegacyKey, suite: str, version: int) -> dict[str, Any]:
    """An intent-to-import credential of ``key``'s, VCDM ``version``, proved by ``suite``."""
    return sign_legacy(core, _intent_to_import(key, suite=suite, version=version), key, suite=suite)


@pytest.fixture(scope="module")
def keys(live_service: LiveService) -> dict[KeyType, LegacyKey]:
    """One did:key per key type, each accredited for the credential type."""
    found = {}
    for key_type in (KeyType.ED25519, KeyType.P256, KeyType.P384, KeyType.SECP256K1):
        key = LegacyKey.generate(key_type)
        live_service.accredit(key.did, [CREDENTIAL_TYPE])
        found[key_type] = key
    return found


@pytest.mark.parametrize(("suite", "key_type", "version"), CASES)
def test_a_legacy_credential_verifies_over_http(
    live_service: LiveService,
    core: Core,
    keys: dict[KeyType, LegacyKey],
    suite: str,
    key_type: KeyType,
    version: int,
) -> None:
    signed = _signed(core, keys[key_type], suite, version)

    result = _verify(live_service, signed)

    assert result["verified"] is True, result
    assert outcomes(result)["proof"] == "passed"
    assert outcomes(result)["issuer"] == "passed"
    assert outcomes(result)["issuerTrust"] == "passed"


@pytest.mark.parametrize(("suite", "key_type", "version"), CASES)
def test_a_tampered_legacy_credential_fails_over_http(
    live_service: LiveService,
    core: Core,
    keys: dict[KeyType, LegacyKey],
    suite: str,
    key_type: KeyType,
    version: int,
) -> None:
    signed = _signed(core, keys[key_type], suite, version)
    signed["credentialSubject"]["id"] = "did:web:impostor.example"

    result = _verify(live_service, signed)

    member = "proofValue" if suite == ED2020 else "jws"
    assert result["verified"] is False
    assert outcomes(result)["proof"] == "failed"
    assert _codes(result) == [("PROOF_VERIFICATION_ERROR", f"proof.{member}")], result


@pytest.mark.parametrize("suite", [ED2018, ED2020, JWS2020])
def test_a_legacy_proof_without_created_fails_over_http(
    live_service: LiveService, core: Core, keys: dict[KeyType, LegacyKey], suite: str
) -> None:
    key = keys[KeyType.ED25519]
    document = _intent_to_import(key, suite=suite, version=1)
    signed = sign_legacy(core, document, key, suite=suite, created=None)

    result = _verify(live_service, signed)

    assert result["verified"] is False
    assert _codes(result) == [("MALFORMED_PROOF_ERROR", "proof.created")], result


def test_a_respelled_legacy_credential_is_refused_over_http(
    live_service: LiveService, core: Core, keys: dict[KeyType, LegacyKey]
) -> None:
    key = keys[KeyType.ED25519]
    signed = sign_legacy(core, _intent_to_import(key, suite=ED2018, version=1), key, suite=ED2018)
    respelled = copy.deepcopy(signed)
    respelled["https://www.w3.org/2018/credentials#issuanceDate"] = respelled.pop("issuanceDate")

    result = _verify(live_service, respelled)

    assert result["verified"] is False
    assert "COMPACT_FORM_ERROR" in [code for code, _ in _codes(result)], result
