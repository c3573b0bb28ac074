"""``vc1`` payloads: a credential packed into a link and back, exactly; damage refused.

Each version of the certificate data has its preset dictionary: version 1 credentials are
packed as they always were (an untagged DEFLATE stream), version 2 ones with the second
dictionary, named by the payload's first byte.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path
from typing import Any

import pytest

from tests.factories import certificate, key_file
from vcservice.certificates.samples import SAMPLE_NAMES, sample_certificate
from vcservice.errors import ParsingError
from vcservice.jose.vc_jwt import secure_credential
from vcservice.keys import KeyType
from vcservice.keys.multibase import base64url_decode, base64url_encode
from vcservice.printing import payload
from vcservice.printing.payload import (
    decode_payload,
    dictionary_number,
    encode_payload,
    payload_in,
    verification_link,
)
from vcservice.printing.qr import MAX_PRINTED_VERSION, qr_code

# Printed codes must decode as long as their credentials are valid: these files never change.
DICTIONARY_SHA256 = {
    1: "2863d8e8700bf5454961d7b54b1bba0da5dcbf2d717ee9c281961c5ffc2b9fb8",
    2: "f37a5cb9adccafd52011e1c6eeae9c095d0d9bc930a8e6a0d3acc9d510b14f28",
}
PAGE = "https://verificador.aduanas.example/verify"
HERE = Path(__file__).resolve().parent
V1_FIXTURES = HERE.parents[1] / "vectors" / "certificates-v1"
# Payloads printed before the dictionaries had versions (see the file's description).
PRINTED_V1 = json.loads((HERE / "v1-payloads.json").read_text(encoding="utf-8"))["payloads"]
V2_TAG = 0x16  # dictionary 2: 2 << 3 | 0b110


@pytest.mark.parametrize("number", sorted(DICTIONARY_SHA256))
def test_the_dictionaries_are_frozen(number: int) -> None:
    assert hashlib.sha256(payload.dictionary(number)).hexdigest() == DICTIONARY_SHA256[number]


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_a_json_credential_comes_back_as_the_same_document(name: str, version: str) -> None:
    credential = sample_certificate(name, version)
    link = verification_link(PAGE, credential)
    assert link.startswith(PAGE + "#vc1=")
    assert json.loads(decode_payload(payload_in(link) or "")) == credential


@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("key_type", [KeyType.ED25519, KeyType.P384])
def test_a_jwt_comes_back_byte_for_byte(key_type: KeyType, version: str) -> None:
    credential = sample_certificate("ctpat", version)
    token = secure_credential(credential, signer=key_file(key_type).signer())
    assert decode_payload(encode_payload(token)) == token
    assert len(encode_payload(token)) < len(token) / 2  # decoded parts compress
    assert _dictionary_of(encode_payload(token)) == int(version[1])


@pytest.mark.parametrize("file_name", sorted(PRINTED_V1))
def test_codes_printed_before_version_2_still_decode(file_name: str) -> None:
    """And a version 1 credential is packed today exactly as it was then."""
    text = (V1_FIXTURES / file_name).read_text(encoding="utf-8").strip()
    document: Any = text if file_name.endswith(".jwt") else json.loads(text)
    decoded = decode_payload(PRINTED_V1[file_name])
    assert (decoded if isinstance(document, str) else json.loads(decoded)) == document
    assert encode_payload(document) == PRINTED_V1[file_name]


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_each_data_version_is_packed_with_its_dictionary(name: str) -> None:
    old, new = sample_certificate(name, "v1"), sample_certificate(name, "v2")
    assert (dictionary_number(old), dictionary_number(new)) == (1, 2)
    assert _dictionary_of(encode_payload(old)) == 1
    assert base64url_decode(encode_payload(new))[0] == V2_TAG
    assert dictionary_number({"type": ["VerifiableCredential"]}) == 1  # not a certificate
    assert dictionary_number("not a document") == 1


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_the_v2_dictionary_packs_v2_credentials_far_smaller(name: str) -> None:
    credential = sample_certificate(name, "v2")
    with_v1 = _packed(credential, payload.dictionary(1))
    assert len(base64url_decode(encode_payload(credential))) < with_v1 * 0.7


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_v2_links_print_like_v1_links(name: str) -> None:
    """At error correction Q within the printable size, as version 1 did.

    Version 2 samples state more (two sites, DUNS, LEI, mutual recognitions), so their
    payloads are larger than version 1's except IMMEX; the dictionary keeps them printable.
    """
    old = qr_code(verification_link(PAGE, sample_certificate(name, "v1")))
    new = qr_code(verification_link(PAGE, sample_certificate(name, "v2")))
    assert old is not None and new is not None
    assert (old.error, new.error) == ("Q", "Q") and new.version <= MAX_PRINTED_VERSION
    if name == "immex":
        assert len(encode_payload(sample_certificate(name, "v2"))) <= len(
            encode_payload(sample_certificate(name, "v1"))
        )


def test_the_dictionary_makes_payloads_small() -> None:
    credential = sample_certificate("oea", "v1")
    text = json.dumps(credential, separators=(",", ":")).encode()
    assert len(encode_payload(credential)) * 3 / 4 < len(_packed_bytes(text)) * 0.6


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
        base64url_encode(bytes([V2_TAG])),  # a tag and no stream
        base64url_encode(bytes([V2_TAG]) + b"\xff" * 8),  # a tag and a damaged stream
        base64url_encode(b"\x07" + b"\x00" * 8),  # BTYPE 11 with BFINAL set: neither form
        "A" * 300_000,  # longer than any QR code
    ],
)
def test_a_damaged_payload_is_refused(damaged: str) -> None:
    with pytest.raises(ParsingError) as raised:
        decode_payload(damaged)
    assert raised.value.field == "vc1"


@pytest.mark.parametrize("number", [1, 3, 31])
def test_a_payload_naming_a_dictionary_not_known_is_refused(number: int) -> None:
    """1 is never tagged; 3 and later would be a newer service's."""
    packed = base64url_decode(encode_payload(certificate()))
    with pytest.raises(ParsingError, match=f"names dictionary {number}") as raised:
        decode_payload(base64url_encode(bytes([number << 3 | 0b110]) + packed[1:]))
    assert raised.value.field == "vc1"


@pytest.mark.parametrize("number", [1, 2])
def test_a_payload_inflating_past_the_cap_is_refused(number: int) -> None:
    data = _packed_bytes(b"{" + b" " * (payload.MAX_DECODED_BYTES + 10), payload.dictionary(number))
    tag = b"" if number == 1 else bytes([V2_TAG])
    with pytest.raises(ParsingError, match="exceeds"):
        decode_payload(base64url_encode(tag + data))


def test_a_malformed_jwt_is_not_encoded() -> None:
    with pytest.raises(ParsingError):
        encode_payload("only.two")


def _dictionary_of(found: str) -> int:
    first = base64url_decode(found)[0]
    return first >> 3 if first & 0b111 == 0b110 else 1


def _packed(credential: dict[str, Any], dictionary: bytes) -> int:
    text = json.dumps(credential, separators=(",", ":"), ensure_ascii=False).encode()
    return len(_packed_bytes(text, dictionary))


def _packed_bytes(body: bytes, dictionary: bytes | None = None) -> bytes:
    if dictionary is None:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    else:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, dictionary)
    return compressor.compress(body) + compressor.flush()
