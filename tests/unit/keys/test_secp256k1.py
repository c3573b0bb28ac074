"""secp256k1: a key type that verifies (ES256K, JsonWebSignature2020) and never signs here."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from vcservice.errors import KeyFormatError
from vcservice.keys import (
    SIGNING_KEY_TYPES,
    KeyFile,
    KeyPair,
    KeyType,
    PublicKey,
    base64url_encode,
)
from vcservice.keys.multikey import encode_multikey

# The order n of secp256k1 (SEC 2 §2.4.1).
ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
PRIVATE = ec.generate_private_key(ec.SECP256K1())
KEY = PublicKey(PRIVATE.public_key())


def _sign(data: bytes) -> tuple[int, int]:
    r, s = decode_dss_signature(PRIVATE.sign(data, ec.ECDSA(hashes.SHA256())))
    return r, s


def _raw(r: int, s: int) -> bytes:
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def test_secp256k1_is_a_key_type_that_does_not_sign() -> None:
    assert KeyType.SECP256K1.value == "secp256k1"  # its JWK crv (RFC 8812 §3.1)
    assert KeyType.SECP256K1 not in SIGNING_KEY_TYPES
    assert SIGNING_KEY_TYPES == (KeyType.ED25519, KeyType.P256, KeyType.P384)
    params = KeyType.SECP256K1.params
    assert (params.public_codec, params.secret_codec, params.public_length) == (0xE7, 0x1301, 33)
    assert params.signs is False


def test_encodings_round_trip() -> None:
    assert KEY.key_type is KeyType.SECP256K1
    assert KEY.to_multibase().startswith("zQ3s")  # did:key spec, secp256k1
    assert PublicKey.from_multibase(KEY.to_multibase()) == KEY
    jwk = KEY.to_jwk()
    assert (jwk["kty"], jwk["crv"]) == ("EC", "secp256k1")
    assert PublicKey.from_jwk(jwk) == KEY


def test_es256k_signatures_verify_high_s_too() -> None:
    r, s = _sign(b"data")
    assert KEY.verify(_raw(r, s), b"data")
    assert KEY.verify(_raw(r, ORDER - s), b"data")  # the other S, as RFC 8812 allows
    assert not KEY.verify(_raw(r, s), b"date")
    assert not KEY.verify(_raw(r, s)[:-1], b"data")
    assert not KEY.verify(_raw(0, s), b"data")
    assert not KEY.verify(bytes(64), b"data")


def test_no_key_pair_of_the_type_is_made() -> None:
    secret = PRIVATE.private_numbers().private_value.to_bytes(32, "big")
    attempts = [
        lambda: KeyPair(PRIVATE),
        lambda: KeyPair.generate(KeyType.SECP256K1),
        lambda: KeyPair.from_secret(KeyType.SECP256K1, secret),
        lambda: KeyPair.from_private_jwk(KEY.to_jwk() | {"d": base64url_encode(secret)}),
        lambda: KeyPair.from_multibase(
            KEY.to_multibase(), encode_multikey(KeyType.SECP256K1, secret, secret=True)
        ),
    ]
    for attempt in attempts:
        with pytest.raises(KeyFormatError, match="only verified here") as caught:
            attempt()
        assert caught.value.code == "UNSUPPORTED_KEY_TYPE"


def test_a_key_file_of_the_type_is_refused() -> None:
    secret = PRIVATE.private_numbers().private_value.to_bytes(32, "big")
    data = {
        "type": "Multikey",
        "publicKeyMultibase": KEY.to_multibase(),
        "secretKeyMultibase": encode_multikey(KeyType.SECP256K1, secret, secret=True),
    }
    with pytest.raises(KeyFormatError, match="only verified here") as caught:
        KeyFile.from_dict(json.loads(json.dumps(data)))
    assert caught.value.code == "UNSUPPORTED_KEY_TYPE"
    assert encode_multikey(KeyType.SECP256K1, secret, secret=True) not in str(caught.value)
