"""PublicKey: verification (incl. high-S ECDSA), Multikey and JWK encodings, malformed input."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from vcservice.errors import KeyFormatError
from vcservice.keys import (
    SIGNING_KEY_TYPES,
    KeyPair,
    KeyType,
    PublicKey,
    base58btc_encode,
    base64url_encode,
)

CURVE_ORDERS = {
    KeyType.P256: 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    KeyType.P384: int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
}
MULTIKEY_PREFIXES = {KeyType.ED25519: "z6Mk", KeyType.P256: "zDna", KeyType.P384: "z82L"}


@pytest.fixture(params=list(SIGNING_KEY_TYPES), ids=str)
def key_pair(request: pytest.FixtureRequest) -> KeyPair:
    return KeyPair.generate(request.param)


def test_signatures_verify_and_have_the_fixed_length(key_pair: KeyPair) -> None:
    signature = key_pair.sign(b"data")
    assert len(signature) == key_pair.key_type.params.signature_length
    assert key_pair.public_key.verify(signature, b"data")


def test_tampered_signatures_data_and_lengths_fail(key_pair: KeyPair) -> None:
    signature = key_pair.sign(b"data")
    flipped = bytes([signature[0] ^ 1]) + signature[1:]
    other = KeyPair.generate(key_pair.key_type).public_key
    assert not key_pair.public_key.verify(flipped, b"data")
    assert not key_pair.public_key.verify(signature, b"date")
    assert not key_pair.public_key.verify(signature[:-1], b"data")
    assert not key_pair.public_key.verify(signature + b"\0", b"data")
    assert not key_pair.public_key.verify(b"", b"data")
    assert not other.verify(signature, b"data")


@pytest.mark.parametrize("key_type", [KeyType.P256, KeyType.P384], ids=str)
def test_high_s_ecdsa_signatures_verify(key_type: KeyType) -> None:
    key_pair = KeyPair.generate(key_type)
    size = key_type.params.size
    signature = key_pair.sign(b"data")
    r, s = signature[:size], int.from_bytes(signature[size:], "big")
    # (r, n - s) is the other valid signature; one of the two has s > n/2 (high S).
    flipped = r + (CURVE_ORDERS[key_type] - s).to_bytes(size, "big")
    assert key_pair.public_key.verify(flipped, b"data")
    assert key_pair.public_key.verify(signature, b"data")


@pytest.mark.parametrize("key_type", [KeyType.P256, KeyType.P384], ids=str)
@pytest.mark.parametrize("scalar", ["zero", "order", "max"])
def test_out_of_range_ecdsa_values_fail_without_raising(key_type: KeyType, scalar: str) -> None:
    size = key_type.params.size
    value = {"zero": 0, "order": CURVE_ORDERS[key_type], "max": 2 ** (8 * size) - 1}[scalar]
    public_key = KeyPair.generate(key_type).public_key
    assert not public_key.verify(value.to_bytes(size, "big") * 2, b"data")


def test_multibase_round_trips_with_the_expected_prefix(key_pair: KeyPair) -> None:
    public_key = key_pair.public_key
    encoded = public_key.to_multibase()
    assert encoded.startswith(MULTIKEY_PREFIXES[key_pair.key_type])
    decoded = PublicKey.from_multibase(encoded)
    assert decoded == public_key
    assert hash(decoded) == hash(public_key)
    assert decoded.key_type is key_pair.key_type


def test_jwk_round_trips_with_only_public_members(key_pair: KeyPair) -> None:
    jwk = key_pair.public_key.to_jwk()
    expected_members = {"kty", "crv", "x"} | (
        {"y"} if key_pair.key_type != KeyType.ED25519 else set()
    )
    assert set(jwk) == expected_members
    assert jwk["crv"] == key_pair.key_type.value
    assert PublicKey.from_jwk(jwk) == key_pair.public_key
    assert (
        PublicKey.from_jwk(jwk | {"kid": "k1", "use": "sig", "alg": "ES256"}) == key_pair.public_key
    )


def test_known_jwk_matches_rfc8037() -> None:
    # RFC 8037 Appendix A.2: the Ed25519 example public key.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert PublicKey.from_jwk(jwk).raw.hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )


def test_equality_is_by_key_material() -> None:
    one, two = KeyPair.generate(KeyType.P256), KeyPair.generate(KeyType.P256)
    assert one.public_key == PublicKey(one.private_key.public_key())
    assert one.public_key != two.public_key
    assert one.public_key != one.public_key.to_multibase()
    assert repr(one.public_key) == f"PublicKey(P-256, {one.public_key.to_multibase()})"


def multikey(header: bytes, body: bytes) -> str:
    return base58btc_encode(header + body)


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "INVALID_KEY", "must start with 'z'"),
        ("z6Mk0", "INVALID_KEY", "not valid multibase"),
        (multikey(b"\x85\x24", bytes(33)), "UNSUPPORTED_KEY_TYPE", "0x1205"),
        (multikey(b"\xe7\x01", bytes(33)), "INVALID_KEY", "invalid secp256k1 public key"),
        (multikey(b"\xec\x01", bytes(32)), "UNSUPPORTED_KEY_TYPE", "0xec"),
        (
            multikey(b"\x80\x26", bytes(32)),
            "INVALID_KEY",
            "got a Ed25519 secret key multicodec header",
        ),
        (multikey(b"\xed\x01", bytes(31)), "INVALID_KEY", "must be 32 bytes, got 31"),
        (multikey(b"\x80\x24", b"\x02" + bytes(33)), "INVALID_KEY", "must be 33 bytes, got 34"),
        (multikey(b"\x81\x24", bytes(49)), "INVALID_KEY", "invalid P-384 public key"),
        (multikey(b"\x80\x24", b"\x04" + bytes(32)), "INVALID_KEY", "invalid P-256 public key"),
        (multikey(b"\xed\x81\x00", bytes(32)), "INVALID_KEY", "non-minimal"),
        (multikey(b"\xed", b""), "INVALID_KEY", "truncated"),
        (multikey(b"", b""), "INVALID_KEY", "truncated"),
    ],
)
def test_malformed_multikeys_are_rejected(value: str, code: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message) as caught:
        PublicKey.from_multibase(value)
    assert caught.value.code == code


def ec_jwk(key_type: KeyType = KeyType.P256) -> dict[str, str]:
    return KeyPair.generate(key_type).public_key.to_jwk()


@pytest.mark.parametrize(
    ("jwk", "code", "message"),
    [
        (ec_jwk() | {"d": "AAAA"}, "INVALID_KEY", "private member 'd'"),
        ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "UNSUPPORTED_KEY_TYPE", "kty='RSA'"),
        ({"kty": "EC", "crv": "P-521", "x": "", "y": ""}, "UNSUPPORTED_KEY_TYPE", "P-521"),
        ({"kty": "EC", "crv": "secp256k1", "x": "", "y": ""}, "INVALID_KEY", "must be 32 bytes"),
        (
            {"kty": "OKP", "crv": "X25519", "x": base64url_encode(bytes(32))},
            "UNSUPPORTED_KEY_TYPE",
            "X25519",
        ),
        ({"kty": "OKP", "crv": "P-256"}, "UNSUPPORTED_KEY_TYPE", "crv='P-256'"),
        ({"kty": ["EC"], "crv": "P-256"}, "UNSUPPORTED_KEY_TYPE", r"kty=\['EC'\]"),
        ({"kty": "OKP", "crv": "Ed25519"}, "INVALID_KEY", "'x' must be a base64url string"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "AA=="}, "INVALID_KEY", "invalid base64url"),
        (
            {"kty": "OKP", "crv": "Ed25519", "x": base64url_encode(bytes(31))},
            "INVALID_KEY",
            "32 bytes",
        ),
        (ec_jwk() | {"y": base64url_encode(bytes(31))}, "INVALID_KEY", "'y' must be 32 bytes"),
        (ec_jwk() | {"y": base64url_encode(bytes(32))}, "INVALID_KEY", "not a point on P-256"),
        (ec_jwk(KeyType.P384) | {"crv": "P-256"}, "INVALID_KEY", "must be 32 bytes"),
    ],
)
def test_malformed_jwks_are_rejected(jwk: dict[str, str], code: str, message: str) -> None:
    with pytest.raises(KeyFormatError, match=message) as caught:
        PublicKey.from_jwk(jwk)
    assert caught.value.code == code


def test_a_jwk_must_be_an_object() -> None:
    with pytest.raises(KeyFormatError, match="JSON object"):
        PublicKey.from_jwk("not a jwk")  # type: ignore[arg-type]


def test_unsupported_curves_are_rejected() -> None:
    with pytest.raises(KeyFormatError, match="unsupported key") as caught:
        PublicKey(ec.generate_private_key(ec.SECP521R1()).public_key())
    assert caught.value.code == "UNSUPPORTED_KEY_TYPE"
