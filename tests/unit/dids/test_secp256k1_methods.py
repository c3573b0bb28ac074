"""secp256k1 public keys (verify only) in every DID method: did:key ``zQ3s…``, did:jwk, and a
did:web document's JsonWebKey2020 or Multikey; Ed25519-only method types refuse them."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from vcservice.dids import (
    DidDocument,
    DidJwkMethod,
    DidKeyMethod,
    did_jwk_from_public_key,
    did_key_from_public_key,
)
from vcservice.errors import DidError
from vcservice.keys import KeyType, PublicKey, base64url_decode, base64url_encode

PRIVATE = ec.generate_private_key(ec.SECP256K1())
KEY = PublicKey(PRIVATE.public_key())
DID = "did:web:aduana.example"


def _raw_signature(data: bytes) -> bytes:
    r, s = decode_dss_signature(PRIVATE.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def test_the_did_key_specs_secp256k1_examples_resolve() -> None:
    for did in (
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
        "did:key:zQ3shtxV1FrJfhqE1dvxYRcCknWNjHc3c5X1y3ZSoPDi2aur2",
        "did:key:zQ3shZc2QzApp2oymGvQbzP8eKheVshBHbU4ZYjeXqwSKEn6N",
    ):
        document = DidKeyMethod().resolve(did)
        method = document.verification_method(f"{did}#{did.removeprefix('did:key:')}")
        assert method.type == "Multikey"
        assert method.public_key.key_type is KeyType.SECP256K1
        assert document.authorizes(method.id, "assertionMethod")


def test_a_secp256k1_did_key_and_did_jwk_verify_es256k_signatures() -> None:
    did_key = did_key_from_public_key(KEY)
    assert did_key.startswith("did:key:zQ3s")
    did_jwk = did_jwk_from_public_key(KEY)
    by_key = DidKeyMethod().resolve(did_key).verification_method(f"#{did_key[8:]}")
    by_jwk = DidJwkMethod().resolve(did_jwk).verification_method("#0")
    assert by_key.public_key == by_jwk.public_key == KEY
    assert json.loads(base64url_decode(did_jwk.removeprefix("did:jwk:"))) == KEY.to_jwk()

    signature = _raw_signature(b"data")
    assert by_key.public_key.verify(signature, b"data")
    assert not by_key.public_key.verify(signature, b"date")


@pytest.mark.parametrize(
    ("vm_type", "material"),
    [
        ("JsonWebKey2020", {"publicKeyJwk": KEY.to_jwk()}),
        ("JsonWebKey", {"publicKeyJwk": KEY.to_jwk()}),
        ("Multikey", {"publicKeyMultibase": KEY.to_multibase()}),
    ],
)
def test_a_did_web_document_holds_secp256k1_keys(vm_type: str, material: dict[str, str]) -> None:
    document = DidDocument(
        {
            "id": DID,
            "verificationMethod": [{"id": "#k", "type": vm_type, "controller": DID, **material}],
        }
    )
    assert document.verification_method("#k").public_key == KEY


def test_ed25519_method_types_refuse_a_secp256k1_key() -> None:
    document = DidDocument(
        {
            "id": DID,
            "verificationMethod": [
                {
                    "id": "#k",
                    "type": "Ed25519VerificationKey2020",
                    "controller": DID,
                    "publicKeyMultibase": KEY.to_multibase(),
                }
            ],
        }
    )
    with pytest.raises(DidError, match="needs an Ed25519 key, got secp256k1"):
        document.verification_method("#k")


def test_a_secp256k1_jwk_off_the_curve_is_refused() -> None:
    jwk = KEY.to_jwk() | {"y": base64url_encode(bytes(31) + b"\x01")}
    did = "did:jwk:" + base64url_encode(json.dumps(jwk).encode())
    with pytest.raises(DidError, match="not a point on secp256k1"):
        DidJwkMethod().resolve(did)
