"""The encrypted response of ``direct_post.jwt``: the specification's own example decrypts;
anything else than ECDH-ES with AES-GCM, to this key, untouched, is refused."""

from __future__ import annotations

import json

import pytest

from vcservice.errors import ParsingError
from vcservice.keys import KeyPair, KeyType, base64url_decode, base64url_encode
from vcservice.oid4vp.jwe import decrypt_response, encrypt_response

# OpenID4VP 1.0 §8.3: the example key (with its private part) and the response it encrypts.
SPEC_KEY = {
    "kty": "EC",
    "kid": "ac",
    "use": "enc",
    "crv": "P-256",
    "alg": "ECDH-ES",
    "x": "YO4epjifD-KWeq1sL2tNmm36BhXnkJ0He-WqMYrp9Fk",
    "y": "Hekpm0zfK7C-YccH5iBjcIXgf6YdUvNUac_0At55Okk",
}
SPEC_D = "Et-3ce0omz8_TuZ96Df9lp0GAaaDoUnDe6X-CRO7Aww"
SPEC_RESPONSE = (
    "eyJhbGciOiJFQ0RILUVTIiwiZW5jIjoiQTEyOEdDTSIsImtpZCI6ImFjIiwiZXBrIjp7Imt"
    "0eSI6IkVDIiwieCI6Im5ubVZwbTNWM2piaGNhZlFhUkJrU1ZOSGx3Wkh3dC05ck9wSnVmeVlJdWsiLCJ5I"
    "joicjRmakRxd0p5czlxVU9QLV9iM21SNVNaRy0tQ3dPMm1pYzVWU05UWU45ZyIsImNydiI6IlAtMjU2In1"
    "9..uAYcHRUSSn2X0WPX.yVzlGSYG4qbg0bq18JcUiDRw56yVnbKR8E7S7YlEtzT00RqE3Pw5oTpUG3hdLN"
    "4taHZ9gC1kwak8JOnJgQ.1wR024_3-qtAlx1oFIUpQQ"
)


def _spec_key() -> KeyPair:
    public = {name: SPEC_KEY[name] for name in ("kty", "crv", "x", "y")}
    return KeyPair.from_private_jwk(public | {"d": SPEC_D})


def test_the_specifications_example_decrypts() -> None:
    assert decrypt_response(SPEC_RESPONSE, key=_spec_key(), kid="ac") == {
        "vp_token": {"example_credential_id": ["eyJhb...YMetA"]}
    }


@pytest.mark.parametrize("encryption", ["A128GCM", "A256GCM"])
def test_a_wallets_encryption_round_trips(encryption: str) -> None:
    payload = {"vp_token": {"q": ["a~b~"]}, "state": "s"}
    token = encrypt_response(payload, recipient=SPEC_KEY, encryption=encryption)
    header = json.loads(base64url_decode(token.split(".")[0]))
    assert (header["alg"], header["enc"], header["kid"]) == ("ECDH-ES", encryption, "ac")
    assert decrypt_response(token, key=_spec_key(), kid="ac") == payload


def _with_header(token: str, **changes: object) -> str:
    parts = token.split(".")
    header = json.loads(base64url_decode(parts[0])) | changes
    parts[0] = base64url_encode(json.dumps(header).encode())
    return ".".join(parts)


def _flipped(token: str, index: int) -> str:
    parts = token.split(".")
    raw = bytearray(base64url_decode(parts[index]))
    raw[0] ^= 1
    parts[index] = base64url_encode(bytes(raw))
    return ".".join(parts)


@pytest.mark.parametrize(
    "token",
    [
        _flipped(SPEC_RESPONSE, 3),  # the ciphertext
        _flipped(SPEC_RESPONSE, 4),  # the tag
        _with_header(SPEC_RESPONSE, kid="another"),
        _with_header(SPEC_RESPONSE, alg="ECDH-ES+A128KW"),
        _with_header(SPEC_RESPONSE, enc="A128CBC-HS256"),
        _with_header(SPEC_RESPONSE, zip="DEF"),
        _with_header(SPEC_RESPONSE, epk={"kty": "OKP", "crv": "Ed25519", "x": SPEC_KEY["x"]}),
        SPEC_RESPONSE.replace("..", ".AAAA."),  # an encrypted key
        "a.b.c",
    ],
)
def test_what_is_refused(token: str) -> None:
    with pytest.raises(ParsingError) as refused:
        decrypt_response(token, key=_spec_key(), kid="ac")
    assert refused.value.field == "response"


def test_another_key_does_not_decrypt() -> None:
    with pytest.raises(ParsingError, match="does not decrypt"):
        decrypt_response(SPEC_RESPONSE, key=KeyPair.generate(KeyType.P256), kid="ac")
