"""The credential request and its jwt key proof: every check of OpenID4VCI 1.0 §F.4."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vcservice.errors import DidError
from vcservice.keys import KeyPair, KeyType, PublicKey, base64url_encode
from vcservice.oid4vci.credential_request import (
    PROOF_TYP,
    CredentialRequest,
    check_key_proof,
    parse_credential_request,
)
from vcservice.oid4vci.errors import ErrorCode, ProtocolError, Refusal
from vcservice.oid4vci.metadata import PROOF_ALGORITHMS

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ISSUER = "https://vc.example/issuers/cbp"
KEY = KeyPair.generate(KeyType.P256)
OTHER = KeyPair.generate(KeyType.P256)
ALGORITHMS = {KeyType.ED25519: "EdDSA", KeyType.P256: "ES256", KeyType.P384: "ES384"}
KID = "did:example:wallet#key-1"


def _proof(
    key: KeyPair = KEY,
    *,
    header: dict[str, Any] | None = None,
    claims: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
) -> str:
    protected = {"typ": PROOF_TYP, "alg": ALGORITHMS[key.key_type], "jwk": key.public_key.to_jwk()}
    payload = {"aud": ISSUER, "iat": int(NOW.timestamp()), "nonce": "n-1"}
    protected = {k: v for k, v in (protected | (header or {})).items() if k not in drop}
    payload = {k: v for k, v in (payload | (claims or {})).items() if k not in drop}
    parts = [
        base64url_encode(json.dumps(protected).encode()),
        base64url_encode(json.dumps(payload).encode()),
    ]
    signature = key.sign(".".join(parts).encode())
    return ".".join([*parts, base64url_encode(signature)])


def _resolve(kid: str) -> PublicKey:
    if kid != KID:
        raise DidError(f"cannot resolve {kid}", code="INVALID_DID")
    return KEY.public_key


def _check(proof: str, **options: Any) -> Any:
    arguments: dict[str, Any] = {
        "audience": ISSUER,
        "now": NOW,
        "max_age": timedelta(minutes=5),
        "leeway": timedelta(minutes=2),
        "algorithms": PROOF_ALGORITHMS,
        "resolve_kid": _resolve,
    }
    return check_key_proof(proof, **(arguments | options))


def _refused(proof: str, **options: Any) -> Refusal:
    with pytest.raises(ProtocolError) as refused:
        _check(proof, **options)
    return refused.value.refusal


@pytest.mark.parametrize("key_type", list(ALGORITHMS))
def test_a_proof_with_its_key_in_jwk_names_that_key(key_type: KeyType) -> None:
    key = KeyPair.generate(key_type)
    proven = _check(_proof(key))
    assert proven.public_key == key.public_key
    assert (proven.kid, proven.nonce, proven.issued_at) == (None, "n-1", NOW.timestamp())


def test_a_proof_may_name_its_key_by_kid() -> None:
    proven = _check(_proof(header={"kid": KID}, drop=("jwk",)))
    assert (proven.public_key, proven.kid) == (KEY.public_key, KID)
    unknown = _proof(header={"kid": "did:example:other#1"}, drop=("jwk",))
    assert _refused(unknown) is Refusal.PROOF_KEY
    assert _refused(_proof(header={"kid": "key-1"}, drop=("jwk",))) is Refusal.PROOF_KEY


@pytest.mark.parametrize(
    ("proof", "refusal"),
    [
        (_proof(header={"typ": "JWT"}), Refusal.PROOF_TYP),
        (_proof(drop=("typ",)), Refusal.PROOF_TYP),
        (_proof(header={"alg": "none"}), Refusal.PROOF_ALGORITHM),
        (_proof(header={"alg": "HS256"}), Refusal.PROOF_ALGORITHM),
        (_proof(header={"alg": "EdDSA"}), Refusal.PROOF_ALGORITHM),  # not the key's
        (_proof(drop=("jwk",)), Refusal.PROOF_KEY),
        (_proof(header={"kid": KID}), Refusal.PROOF_KEY),  # jwk and kid
        (_proof(header={"x5c": ["MII..."]}, drop=("jwk",)), Refusal.PROOF_KEY),
        (_proof(header={"jwk": {**KEY.public_key.to_jwk(), "d": "secret"}}), Refusal.PROOF_KEY),
        (_proof(header={"jwk": OTHER.public_key.to_jwk()}), Refusal.PROOF_SIGNATURE),
        (_proof(claims={"aud": "https://other.example"}), Refusal.PROOF_AUDIENCE),
        (_proof(drop=("aud",)), Refusal.PROOF_AUDIENCE),
        (_proof(drop=("iat",)), Refusal.PROOF_ISSUED_AT),
        (_proof(claims={"iat": "yesterday"}), Refusal.PROOF_ISSUED_AT),
        (_proof(claims={"iat": NOW.timestamp() - 7 * 60 - 1}), Refusal.PROOF_ISSUED_AT),
        (_proof(claims={"iat": NOW.timestamp() + 2 * 60 + 1}), Refusal.PROOF_ISSUED_AT),
        (_proof(drop=("nonce",)), Refusal.PROOF_NONCE_MISSING),
        (_proof(claims={"nonce": ""}), Refusal.PROOF_NONCE_MISSING),
        ("not-a-jwt", Refusal.PROOF_MALFORMED),
    ],
    ids=[
        "typ", "no-typ", "alg-none", "alg-hmac", "alg-other-key", "no-key", "two-keys",
        "x5c", "private-jwk", "another-key", "audience", "no-audience", "no-iat",
        "iat-text", "stale", "future", "no-nonce", "empty-nonce", "malformed",
    ],
)  # fmt: skip
def test_a_proof_that_fails_a_check_is_refused(proof: str, refusal: Refusal) -> None:
    assert _refused(proof) is refusal


def test_iat_is_accepted_within_its_window() -> None:
    oldest = NOW.timestamp() - 7 * 60
    assert _check(_proof(claims={"iat": oldest})).issued_at == oldest
    assert _check(_proof(claims={"iat": NOW.timestamp() + 120})).issued_at
    assert _check(_proof(claims={"aud": [ISSUER, "x"]})).nonce == "n-1"


def test_a_tampered_payload_does_not_verify() -> None:
    header, _, signature = _proof().split(".")
    claims = base64url_encode(json.dumps({"aud": ISSUER, "iat": 0, "nonce": "x"}).encode())
    assert _refused(f"{header}.{claims}.{signature}") is Refusal.PROOF_SIGNATURE


def test_a_request_names_one_configuration_and_one_jwt_proof() -> None:
    request = parse_credential_request(
        {"credential_configuration_id": "c", "proofs": {"jwt": ["a.b.c"]}, "other": 1}
    )
    assert request == CredentialRequest(configuration_id="c", proof="a.b.c")


CONFIGURATION = {"credential_configuration_id": "c"}


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ("text", Refusal.NOT_JSON),
        ({"proofs": {"jwt": ["a"]}}, Refusal.CONFIGURATION_MISSING),
        ({"credential_configuration_id": 1}, Refusal.MALFORMED),
        ({"credential_identifier": "x"}, Refusal.IDENTIFIER_NOT_ISSUED),
        (CONFIGURATION, Refusal.PROOF_MISSING),
        (CONFIGURATION | {"proofs": []}, Refusal.PROOF_MALFORMED),
        (CONFIGURATION | {"proofs": {"jwt": []}}, Refusal.PROOF_MALFORMED),
        (CONFIGURATION | {"proofs": {"jwt": [1]}}, Refusal.PROOF_MALFORMED),
        (CONFIGURATION | {"proofs": {"jwt": ["a"], "di_vp": []}}, Refusal.PROOF_MALFORMED),
        (CONFIGURATION | {"proofs": {"attestation": ["a"]}}, Refusal.PROOF_TYPE_UNSUPPORTED),
        (CONFIGURATION | {"proofs": {"jwt": ["a", "b"]}}, Refusal.PROOFS_TOO_MANY),
        (CONFIGURATION | {"credential_response_encryption": {}}, Refusal.ENCRYPTION_UNSUPPORTED),
    ],
)
def test_a_malformed_request_is_refused(body: Any, refusal: Refusal) -> None:
    with pytest.raises(ProtocolError) as refused:
        parse_credential_request(body)
    assert refused.value.refusal is refusal
    assert refused.value.answer.status == 400


@pytest.mark.parametrize(
    ("refusal", "error"),
    [
        (Refusal.NOT_JSON, ErrorCode.INVALID_CREDENTIAL_REQUEST),
        (Refusal.IDENTIFIER_NOT_ISSUED, ErrorCode.UNKNOWN_CREDENTIAL_IDENTIFIER),
        (Refusal.PROOF_MISSING, ErrorCode.INVALID_PROOF),
        (Refusal.PROOFS_TOO_MANY, ErrorCode.INVALID_CREDENTIAL_REQUEST),
        (Refusal.ENCRYPTION_UNSUPPORTED, ErrorCode.INVALID_ENCRYPTION_PARAMETERS),
        (Refusal.NONCE_INVALID, ErrorCode.INVALID_NONCE),
        (Refusal.CONFIGURATION_UNKNOWN, ErrorCode.UNKNOWN_CREDENTIAL_CONFIGURATION),
    ],
)
def test_each_refusal_answers_the_code_the_spec_names(refusal: Refusal, error: ErrorCode) -> None:
    assert ProtocolError(refusal).answer.error is error
