"""base58btc and base64url helpers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vcservice.errors import ParsingError
from vcservice.keys import (
    base58_decode,
    base58_encode,
    base58btc_decode,
    base58btc_encode,
    base64url_decode,
    base64url_encode,
)
from vcservice.keys.multibase import MAX_BASE58_LENGTH


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"", ""),
        (b"\0", "1"),
        (b"\0\0\x01", "112"),
        (b"Hello World!", "2NEpo7TZRRrLZSi2U"),
        (bytes.fromhex("61"), "2g"),
        (bytes.fromhex("626262"), "a3gV"),
        (
            bytes.fromhex("00eb15231dfceb60925886b67d065299925915aeb172c06647"),
            "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L",
        ),
    ],
)
def test_base58btc_known_values(data: bytes, text: str) -> None:
    assert base58_encode(data) == text
    assert base58_decode(text) == data


@given(st.binary(max_size=100))
def test_base58btc_round_trips(data: bytes) -> None:
    assert base58btc_decode(base58btc_encode(data)) == data


@given(st.binary(max_size=100))
def test_base64url_round_trips_without_padding(data: bytes) -> None:
    text = base64url_encode(data)
    assert "=" not in text
    assert base64url_decode(text) == data


@pytest.mark.parametrize("text", ["0abc", "Oabc", "Iabc", "labc", "ab+c", "a b"])
def test_base58btc_rejects_characters_outside_the_alphabet(text: str) -> None:
    with pytest.raises(ParsingError, match="invalid base58 character") as caught:
        base58_decode(text)
    assert caught.value.code == "MALFORMED_VALUE_ERROR"


def test_base58btc_rejects_overlong_input() -> None:
    with pytest.raises(ParsingError, match="exceeds"):
        base58_decode("2" * (MAX_BASE58_LENGTH + 1))


@pytest.mark.parametrize(("value", "message"), [("", "empty"), ("u8J", "'u'")])
def test_multibase_needs_the_z_prefix(value: str, message: str) -> None:
    with pytest.raises(ParsingError, match=message):
        base58btc_decode(value)


@pytest.mark.parametrize("text", ["QQ==", "a+b/", "QR", "Q", "QUJD\n"])
def test_base64url_is_strict(text: str) -> None:
    with pytest.raises(ParsingError, match="invalid base64url"):
        base64url_decode(text)
