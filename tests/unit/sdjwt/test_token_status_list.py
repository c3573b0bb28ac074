"""The IETF Token Status List: the draft's own encodings and test vectors, and its claims."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import pytest

from vcservice.errors import ParsingError, StatusError
from vcservice.keys import base64url_encode
from vcservice.status.token_status_list import (
    StatusReference,
    TokenStatusList,
    read_status_list_claims,
    status_list_claims,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
URI = "https://vcservice.example/token-status-lists/cbp/1"
# draft-ietf-oauth-status-list §4.1: sixteen 1-bit statuses and twelve 2-bit statuses.
ONE_BIT = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1]
TWO_BITS = [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]
# Appendix "Test vectors": a 2-bit list of 2^20 entries, these set.
TWO_BIT_VECTOR = (
    "eNrt2zENACEQAEEuoaBABP5VIO01fCjIHTMStt9ovGVIAAAAAABAbiEBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAEB5WwIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAID0ugQAAAAAAAAAAAAAAAAAQG12SgAAAAAAAAAAAAAAAAAAAAAAAAAA"
    "AOCSIQEAAAAAAAAAAAAAAAAAAAAAAAD8ExIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAwJEuAQAAAAAA"
    "AAAAAAAAAAAAAAAAAMB9SwIAAAAAAAAAAAAAAAAAAACoYUoAAAAAAAAAAAAAAEBqH81gAQw"
)
TWO_BIT_SET = {
    0: 1,
    1993: 2,
    25460: 1,
    159495: 3,
    495669: 1,
    554353: 1,
    645645: 2,
    723232: 1,
    854545: 1,
    934534: 2,
    1000345: 3,
}


def test_the_drafts_examples_encode_byte_for_byte() -> None:
    one = TokenStatusList.of(16, {i: v for i, v in enumerate(ONE_BIT) if v}, bits=1)
    assert one.data.hex() == "b9a3"
    assert zlib.compress(one.data, 9).hex() == "78dadbb918000217015d"
    two = TokenStatusList.of(12, {i: v for i, v in enumerate(TWO_BITS) if v}, bits=2)
    assert two.data.hex() == "c944f9"
    assert zlib.compress(two.data, 9).hex() == "78da3be9f2130003df0207"
    assert [two.get(i) for i in range(12)] == TWO_BITS


def test_the_drafts_test_vector_decodes_and_our_encoding_reads_the_same() -> None:
    decoded = TokenStatusList.from_json({"bits": 2, "lst": TWO_BIT_VECTOR})
    assert decoded.size == 2**20
    assert {i: decoded.get(i) for i in TWO_BIT_SET} == TWO_BIT_SET
    assert decoded.get(1) == decoded.get(2**20 - 1) == 0
    ours = TokenStatusList.from_json(TokenStatusList.of(2**20, TWO_BIT_SET, bits=2).to_json())
    assert ours.data == decoded.data


def test_an_index_past_the_end_says_nothing() -> None:
    status_list = TokenStatusList.of(8, {}, bits=2)
    with pytest.raises(StatusError) as raised:
        status_list.get(8)
    assert raised.value.code == "RANGE_ERROR"


def test_a_decompression_bomb_is_refused_before_it_is_held() -> None:
    bomb = base64url_encode(zlib.compress(bytes(1 << 20), 9))
    with pytest.raises(StatusError) as raised:
        TokenStatusList.from_json({"bits": 1, "lst": bomb}, max_bytes=1 << 16)
    assert raised.value.code == "STATUS_LIST_TOO_LARGE"


@pytest.mark.parametrize(
    "value", [{"bits": 3, "lst": "eNrbuRgAAhcBXQ"}, {"bits": 1, "lst": "AAAA"}, {"bits": 1}]
)
def test_a_malformed_status_list_is_refused(value: dict[str, object]) -> None:
    with pytest.raises(StatusError):
        TokenStatusList.from_json(value)


def _claims(**changes: object) -> dict[str, object]:
    claims = status_list_claims(
        uri=URI,
        issuer="did:web:vcservice.example:issuers:cbp",
        status_list=TokenStatusList.of(16, {3: 2}, bits=2),
        issued_at=NOW,
        expires_at=NOW + timedelta(days=1),
        ttl=timedelta(minutes=5),
    )
    return {**claims, **changes}


def test_the_claims_name_the_list_and_carry_it() -> None:
    claims = _claims()
    assert {"sub", "iat", "exp", "ttl", "status_list"} <= claims.keys() and claims["sub"] == URI
    status_list = read_status_list_claims(claims, uri=URI, now=NOW, skew=timedelta(0))
    assert status_list.get(3) == 2 and status_list.bits == 2


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"sub": URI + "0"}, "STATUS_VERIFICATION_ERROR"),
        ({"exp": int((NOW - timedelta(minutes=3)).timestamp())}, "STATUS_DATA_STALE"),
        ({"iat": int((NOW + timedelta(minutes=3)).timestamp())}, "STATUS_VERIFICATION_ERROR"),
        ({"ttl": 0}, "STATUS_VERIFICATION_ERROR"),
    ],
)
def test_claims_that_do_not_hold_are_refused(changes: dict[str, object], code: str) -> None:
    with pytest.raises(StatusError) as raised:
        read_status_list_claims(_claims(**changes), uri=URI, now=NOW, skew=timedelta(minutes=2))
    assert raised.value.code == code


def test_the_status_reference_of_a_referenced_token() -> None:
    reference = StatusReference(7, URI)
    assert StatusReference.from_claim(reference.to_json()) == reference
    for claim in ({"status_list": {"idx": -1, "uri": URI}}, {"status_list": {"idx": 1}}, {}):
        with pytest.raises(ParsingError):
            StatusReference.from_claim(claim)
