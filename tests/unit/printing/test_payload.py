"""``vc1`` payloads: a credential packed into a link and back, exactly; damage refused."""

from __future__ import annotations

import hashlib
import json
import zlib

import pytest

from tests.factories import certificate, key_file
from vcservice.errors import ParsingError
from vcservice.jose.vc_jwt import secure_credential
from vcservice.keys import KeyType
from vcservice.keys.multibase import base64url_encode
from vcservice.printing import payload
from vcservice.printing.payload import (
    decode_payload,
    encode_payload,
    payload_in,
    verification_link,
)

# Printed codes must decode as long as their credentials are valid: this file never changes.
DICTIONARY_SHA256 = "2863d8e8700bf5454961d7b54b1bba0da5dcbf2d717ee9c281961c5ffc2b9fb8"
PAGE = "https://verificador.aduanas.example/verify"


def test_the_dictionary_is_frozen() -> None:
    assert hashlib.sha256(payload.dictionary()).hexdigest() == DICTIONARY_SHA256


@pytest.mark.parametrize("name", ["immex", "ctpat", "oea"])
def test_a_json_credential_comes_back_as_the_same_document(name: str) -> None:
    credential = certificate(name)
    link = verification_link(PAGE, credential)
    assert link.startswith(PAGE + "#vc1=")
    assert json.loads(decode_payload(payload_in(link) or "")) == credential


@pytest.mark.parametrize("key_type", [KeyType.ED25519, KeyType.P384])
def test_a_jwt_comes_back_byte_for_byte(key_type: KeyType) -> None:
    token = secure_credential(certificate("ctpat"), signer=key_file(key_type).signer())
    assert decode_payload(encode_payload(token)) == token
    assert len(encode_payload(token)) < len(token) / 2  # decoded parts compress


def test_the_dictionary_makes_payloads_small() -> None:
    credential = certificate("oea")
    text = json.dumps(credential, separators=(",", ":")).encode()
    plain = zlib.compressobj(9, zlib.DEFLATED, -15)
    without = len(plain.compress(text) + plain.flush())
    assert len(encode_payload(credential)) * 3 / 4 < without * 0.6


def test_the_payload_is_found_in_what_is_pasted() -> None:
    found = encode_payload(certificate())
    assert payload_in(f"{PAGE}#vc1={found}") == found
    assert payload_in(f"  vc1={found}\n") == found
    assert payload_in(f"{PAGE}#lang=es&vc1={found}&x=1") == found
    assert payload_in('{"id": "urn:uuid:1"}') is None


@pytest.mark.parametrize(
    "damaged",
    [
        "not base64!",
        "AAAA",  # not a whole DEFLATE stream
        base64url_encode(b"\x00" * 40),
        encode_payload(certificate())[:-8],  # cut short
        "A" * 300_000,  # longer than any QR code
    ],
)
def test_a_damaged_payload_is_refused(damaged: str) -> None:
    with pytest.raises(ParsingError) as raised:
        decode_payload(damaged)
    assert raised.value.field == "vc1"


def test_a_payload_inflating_past_the_cap_is_refused() -> None:
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, payload.dictionary())
    data = bomb.compress(b"{" + b" " * (payload.MAX_DECODED_BYTES + 10)) + bomb.flush()
    with pytest.raises(ParsingError, match="exceeds"):
        decode_payload(base64url_encode(data))


def test_a_malformed_jwt_is_not_encoded() -> None:
    with pytest.raises(ParsingError):
        encode_payload("only.two")
