"""KeyPair: W3C vector keys, deterministic signing, secret encodings."""

from __future__ import annotations

import json

import pytest

from tests.conftest import upstream_path
from vcservice.errors import KeyFormatError
from vcservice.keys import (
    SIGNING_KEY_TYPES,
    KeyPair,
    KeyType,
    PublicKey,
    base58btc_decode,
    base64url_encode,
    load_key_file,
)
from vcservice.keys.multikey import encode_multikey

# (suite directory, key file, suffix of the vector files, key type)
VECTORS = [
    ("eddsa-rdfc-2022", "keyPair.json", "DataInt", KeyType.ED25519),
    ("ecdsa-rdfc-2019-p256", "p256KeyPair.json", "ECDSAP256", KeyType.P256),
    ("ecdsa-rdfc-2019-p384", "p384KeyPair.json", "ECDSAP384", KeyType.P384),
]
VECTOR_IDS = [suite for suite, *_ in VECTORS]


@pytest.mark.shared
@pytest.mark.parametrize(("suite", "key_file", "suffix", "key_type"), VECTORS, ids=VECTOR_IDS)
def test_vector_key_pairs_load_and_round_trip(
    suite: str, key_file: str, suffix: str, key_type: KeyType
) -> None:
    path = upstream_path("vectors", suite, key_file)
    stored = json.loads(path.read_text())
    secret = stored.get("secretKeyMultibase") or stored["privateKeyMultibase"]

    key_pair = load_key_file(path).key_pair

    assert key_pair.key_type is key_type
    assert key_pair.public_key.to_multibase() == stored["publicKeyMultibase"]
    assert key_pair.secret_to_multibase() == secret
    assert (
        KeyPair.from_multibase(stored["publicKeyMultibase"], secret).public_key
        == key_pair.public_key
    )


@pytest.mark.shared
@pytest.mark.parametrize(("suite", "key_file", "suffix", "key_type"), VECTORS, ids=VECTOR_IDS)
def test_vector_signatures_verify_and_are_reproduced(
    suite: str, key_file: str, suffix: str, key_type: KeyType
) -> None:
    key_pair = load_key_file(upstream_path("vectors", suite, key_file)).key_pair
    data = bytes.fromhex(
        upstream_path("vectors", suite, f"combinedHash{suffix}.txt").read_text().strip()
    )
    signature = bytes.fromhex(
        upstream_path("vectors", suite, f"sigHex{suffix}.txt").read_text().strip()
    )
    proof_value = upstream_path("vectors", suite, f"sigBTC58{suffix}.txt").read_text().strip()

    assert base58btc_decode(proof_value) == signature
    assert key_pair.public_key.verify(signature, data)
    # Ed25519 is deterministic; ECDSA is too here (RFC 6979), matching the vectors' signer.
    assert key_pair.sign(data) == signature


@pytest.fixture(params=list(SIGNING_KEY_TYPES), ids=str)
def key_pair(request: pytest.FixtureRequest) -> KeyPair:
    return KeyPair.generate(request.param)


def test_signing_is_deterministic(key_pair: KeyPair) -> None:
    assert key_pair.sign(b"data") == key_pair.sign(b"data")
    assert key_pair.sign(b"data") != key_pair.sign(b"other")


def test_secret_multibase_round_trips(key_pair: KeyPair) -> None:
    restored = KeyPair.from_multibase(
        key_pair.public_key.to_multibase(), key_pair.secret_to_multibase()
    )
    assert restored.public_key == key_pair.public_key
    assert restored.public_key.verify(key_pair.sign(b"x"), b"x")


def test_private_jwk_round_trips(key_pair: KeyPair) -> None:
    jwk = key_pair.to_private_jwk()
    assert set(jwk) - set(key_pair.public_key.to_jwk()) == {"d"}
    restored = KeyPair.from_private_jwk(jwk)
    assert restored.secret_to_multibase() == key_pair.secret_to_multibase()
    assert PublicKey.from_jwk({k: v for k, v in jwk.items() if k != "d"}) == key_pair.public_key


def test_repr_does_not_show_the_secret(key_pair: KeyPair) -> None:
    text = repr(key_pair)
    assert key_pair.public_key.to_multibase() in text
    assert key_pair.secret_to_multibase() not in text
    assert key_pair.to_private_jwk()["d"] not in text


def test_mismatched_public_key_is_rejected() -> None:
    one, two = KeyPair.generate(KeyType.ED25519), KeyPair.generate(KeyType.ED25519)
    with pytest.raises(KeyFormatError, match="does not belong to the secret key"):
        KeyPair.from_multibase(two.public_key.to_multibase(), one.secret_to_multibase())
    with pytest.raises(KeyFormatError, match="does not belong to the secret key"):
        KeyPair.from_private_jwk(two.public_key.to_jwk() | {"d": one.to_private_jwk()["d"]})


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        (encode_multikey(KeyType.P256, bytes(32)), "expected a secret key"),
        (encode_multikey(KeyType.P256, bytes(32), secret=True), "invalid P-256 secret key"),
        (encode_multikey(KeyType.P256, b"\xff" * 32, secret=True), "invalid P-256 secret key"),
        (encode_multikey(KeyType.P384, bytes(47), secret=True), "must be 48 bytes, got 47"),
        ("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxO", "not valid multibase"),
    ],
)
def test_malformed_secret_keys_are_rejected(secret: str, message: str) -> None:
    public = KeyPair.generate(KeyType.P256).public_key.to_multibase()
    with pytest.raises(KeyFormatError, match=message) as caught:
        KeyPair.from_multibase(public, secret)
    assert secret not in caught.value.message


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        "not a jwk",
    ],
)
def test_private_jwks_need_d(jwk: object) -> None:
    with pytest.raises(KeyFormatError, match="member 'd'"):
        KeyPair.from_private_jwk(jwk)  # type: ignore[arg-type]


def test_rfc8037_private_jwk() -> None:
    # RFC 8037 Appendix A.1/A.2: the secret key yields the published public key.
    jwk = {
        "kty": "OKP",
        "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    }
    key_pair = KeyPair.from_private_jwk(jwk)
    assert key_pair.to_private_jwk() == jwk
    # RFC 8037 Appendix A.4: the JWS signing input and its signature.
    signature = key_pair.sign(b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc")
    assert base64url_encode(signature) == (
        "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
    )
