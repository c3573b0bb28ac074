"""did:jwk: round trips, the use member, malformed DIDs."""

from __future__ import annotations

import json

import pytest

from vcservice.dids import (
    RELATIONSHIPS,
    SIGNING_RELATIONSHIPS,
    DidJwkMethod,
    did_jwk_from_public_key,
)
from vcservice.errors import DidError
from vcservice.keys import SIGNING_KEY_TYPES, KeyPair, KeyType, PublicKey, base64url_encode


def did_for(jwk: object) -> str:
    return "did:jwk:" + base64url_encode(json.dumps(jwk).encode())


@pytest.mark.parametrize("key_type", list(SIGNING_KEY_TYPES), ids=str)
def test_generated_keys_round_trip(key_type: KeyType) -> None:
    key_pair = KeyPair.generate(key_type)
    did = did_jwk_from_public_key(key_pair.public_key)

    document = DidJwkMethod().resolve(did)
    method = document.verification_method(f"{did}#0")

    assert document.id == did
    assert method.type == "JsonWebKey"
    assert method.public_key == key_pair.public_key
    assert document.data["verificationMethod"][0]["publicKeyJwk"] == key_pair.public_key.to_jwk()
    assert all(document.authorizes("#0", relationship) for relationship in RELATIONSHIPS)


def test_did_uses_the_compact_sorted_jwk() -> None:
    # RFC 8037 Appendix A.2's public key.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    expected = '{"crv":"Ed25519","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'
    did = did_jwk_from_public_key(PublicKey.from_jwk(jwk))
    assert did == "did:jwk:" + base64url_encode(expected.encode())


@pytest.mark.parametrize(
    ("use", "relationships"),
    [("sig", set(SIGNING_RELATIONSHIPS)), ("enc", {"keyAgreement"})],
)
def test_use_selects_the_relationships(use: str, relationships: set[str]) -> None:
    jwk = KeyPair.generate(KeyType.P256).public_key.to_jwk() | {"use": use}
    document = DidJwkMethod().resolve(did_for(jwk))
    assert {name for name in RELATIONSHIPS if document.authorizes("#0", name)} == relationships
    assert document.data["verificationMethod"][0]["publicKeyJwk"] == jwk


@pytest.mark.parametrize(
    ("did", "message"),
    [
        ("did:key:abc", "is not a did:jwk"),
        ("did:jwk:", "does not hold base64url-encoded JSON"),
        ("did:jwk:e30=", "does not hold base64url-encoded JSON"),
        ("did:jwk:" + base64url_encode(b"\xff"), "does not hold base64url-encoded JSON"),
        ("did:jwk:" + base64url_encode(b"{"), "does not hold base64url-encoded JSON"),
        (did_for([]), "JSON object"),
        (did_for({"kty": "RSA", "n": "AQAB", "e": "AQAB"}), "unsupported JWK"),
        (did_for(KeyPair.generate(KeyType.P256).to_private_jwk()), "private member 'd'"),
    ],
)
def test_malformed_dids_name_the_did(did: str, message: str) -> None:
    with pytest.raises(DidError, match=message) as caught:
        DidJwkMethod().resolve(did)
    assert caught.value.code == "INVALID_DID"
    assert did in caught.value.message
