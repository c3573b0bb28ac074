"""Multikey values: base58btc multibase of a multicodec (varint) header and the raw key bytes."""

from __future__ import annotations

from vcservice.errors import KeyFormatError, ParsingError
from vcservice.keys.key_type import KeyType
from vcservice.keys.multibase import base58btc_decode, base58btc_encode

__all__ = ["decode_multikey", "encode_multikey"]

# multicodec code -> (key type, is the code a secret key)
_CODECS = {
    code: (key_type, secret)
    for key_type in KeyType
    for code, secret in (
        (key_type.params.public_codec, False),
        (key_type.params.secret_codec, True),
    )
}
_MAX_VARINT_BYTES = 9


def encode_multikey(key_type: KeyType, raw: bytes, *, secret: bool = False) -> str:
    """Encode raw key bytes of ``key_type`` as a Multikey string (``z…``)."""
    params = key_type.params
    code = params.secret_codec if secret else params.public_codec
    return base58btc_encode(_encode_varint(code) + raw)


def decode_multikey(value: str, *, secret: bool = False) -> tuple[KeyType, bytes]:
    """Decode a public (or, with ``secret``, a secret) Multikey into its type and raw bytes."""
    kind = "secret key" if secret else "public key"
    try:
        data = base58btc_decode(value)
    except ParsingError as exc:
        # Never echo secret key material into messages or logs.
        shown = "" if secret else f" {value[:60]!r}"
        raise KeyFormatError(f"{kind}{shown} is not valid multibase: {exc.message}") from exc
    code, header_length = _decode_varint(data, kind)
    match = _CODECS.get(code)
    if match is None:
        raise KeyFormatError(
            f"multicodec 0x{code:x} is not a supported {kind} type "
            f"(supported: {', '.join(KeyType)})",
            code="UNSUPPORTED_KEY_TYPE",
        )
    key_type, is_secret = match
    if is_secret != secret:
        found = "secret key" if is_secret else "public key"
        raise KeyFormatError(f"expected a {kind}, got a {key_type} {found} multicodec header")
    raw = data[header_length:]
    expected = key_type.params.size if secret else key_type.params.public_length
    if len(raw) != expected:
        raise KeyFormatError(f"{key_type} {kind} must be {expected} bytes, got {len(raw)}")
    return key_type, raw


def _encode_varint(number: int) -> bytes:
    out = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        if not number:
            out.append(byte)
            return bytes(out)
        out.append(byte | 0x80)


def _decode_varint(data: bytes, kind: str) -> tuple[int, int]:
    """Return (value, bytes used); rejects truncated and non-minimal encodings."""
    number = 0
    for index, byte in enumerate(data[:_MAX_VARINT_BYTES]):
        number |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            if byte == 0 and index > 0:
                raise KeyFormatError(f"{kind} has a non-minimal multicodec varint header")
            return number, index + 1
    raise KeyFormatError(f"{kind} has a truncated or overlong multicodec varint header")
