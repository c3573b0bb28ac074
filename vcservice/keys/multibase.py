"""Multibase encodings used by Data Integrity and JOSE: base58btc (``z``) and base64url.

``base58btc_*`` handle the multibase form (``z`` prefix, as in ``proofValue`` and Multikey);
``base58_*`` the bare Bitcoin-alphabet text (as in ``publicKeyBase58``). Decoders are strict:
they reject characters outside the alphabet, padding, and (for base64url) non-canonical
trailing bits, raising :class:`~vcservice.errors.ParsingError` with code
``MALFORMED_VALUE_ERROR``. Callers wrap that in their own error family.
"""

from __future__ import annotations

import base64
import binascii
import re

from vcservice.errors import ParsingError

__all__ = [
    "BASE58BTC_PREFIX",
    "MAX_BASE58_LENGTH",
    "base58_decode",
    "base58_encode",
    "base58btc_decode",
    "base58btc_encode",
    "base64url_decode",
    "base64url_encode",
]

BASE58BTC_PREFIX = "z"
# Base58 decoding is quadratic in the input length; keys and signatures are < 200 characters,
# so refuse far longer untrusted input instead of burning CPU on it.
MAX_BASE58_LENGTH = 10_000

_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: value for value, char in enumerate(_BASE58_ALPHABET)}
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_MALFORMED = "MALFORMED_VALUE_ERROR"


def base58_encode(data: bytes) -> str:
    """Encode bytes in the Bitcoin base58 alphabet (no multibase prefix)."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_BASE58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def base58_decode(text: str) -> bytes:
    """Decode Bitcoin base58 text (no multibase prefix, at most MAX_BASE58_LENGTH) to bytes."""
    if len(text) > MAX_BASE58_LENGTH:
        raise ParsingError(
            f"base58 value of {len(text)} characters exceeds {MAX_BASE58_LENGTH}",
            code=_MALFORMED,
        )
    number = 0
    for position, char in enumerate(text):
        value = _BASE58_INDEX.get(char)
        if value is None:
            raise ParsingError(
                f"invalid base58 character {char!r} at position {position}", code=_MALFORMED
            )
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * zeros + body


def base58btc_encode(data: bytes) -> str:
    """Encode bytes as a multibase base58btc string (``z`` prefix)."""
    return BASE58BTC_PREFIX + base58_encode(data)


def base58btc_decode(value: str) -> bytes:
    """Decode a multibase string that must use the base58btc (``z``) encoding."""
    if not value.startswith(BASE58BTC_PREFIX):
        got = repr(value[:1]) if value else "an empty string"
        raise ParsingError(
            f"multibase value must start with 'z' (base58btc), got {got}", code=_MALFORMED
        )
    return base58_decode(value[1:])


def base64url_encode(data: bytes) -> str:
    """Encode bytes as base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def base64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, rejecting padding, other alphabets and non-canonical input."""
    if not _BASE64URL.fullmatch(text):
        raise ParsingError("invalid base64url: only A-Z a-z 0-9 - _ are allowed", code=_MALFORMED)
    if len(text) % 4 == 1:
        raise ParsingError("invalid base64url: impossible length", code=_MALFORMED)
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ParsingError(f"invalid base64url: {exc}", code=_MALFORMED) from exc
    # Unused trailing bits must be zero, so each byte string has exactly one encoding.
    if base64url_encode(data) != text:
        raise ParsingError("invalid base64url: non-canonical trailing bits", code=_MALFORMED)
    return data
