"""The bitstring of a Bitstring Status List, and its ``encodedList`` form.

Layout (Bitstring Status List §2.2, §7.1): bit 0 is the left-most (most significant) bit of
the first byte, bit ``length - 1`` the right-most bit of the last byte. Entry ``i`` of
``status_size`` bits occupies bits ``i * status_size`` … ``(i + 1) * status_size - 1``; read
left to right they are the entry's value, most significant bit first (so with two bits,
``0x2`` is the bit pair ``10``).

``encodedList`` is the multibase base64url (``u``, no padding) encoding of the GZIP
(RFC 1952) compression of the bytes. Decoding refuses anything that expands past
``MAX_DECODED_BYTES`` without ever holding more than that in memory.
"""

from __future__ import annotations

import gzip
import zlib

from vcservice.errors import StatusError, VcError
from vcservice.keys.multibase import base64url_decode, base64url_encode

__all__ = [
    "BASE64URL_PREFIX",
    "MAX_DECODED_BYTES",
    "MAX_STATUS_SIZE",
    "MINIMUM_ENTRIES",
    "Bitstring",
    "decode_list",
    "encode_list",
]

# The spec's minimum list length (herd privacy): 131,072 entries, 16 KiB of one-bit entries.
MINIMUM_ENTRIES = 131_072
# Largest statusSize supported: statusMessage must then list 2**8 = 256 messages.
MAX_STATUS_SIZE = 8
# A decompression-bomb guard: no status list needs more (that is 134 million 1-bit entries).
MAX_DECODED_BYTES = 16 * 1024 * 1024
BASE64URL_PREFIX = "u"

_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib window with the gzip header and trailer (CRC, ISIZE)
_FIELD = "credentialSubject.encodedList"


class Bitstring:
    """``size`` entries of ``status_size`` bits each, all 0 initially, packed MSB-first."""

    __slots__ = ("_data", "size", "status_size")

    def __init__(self, size: int = MINIMUM_ENTRIES, *, status_size: int = 1) -> None:
        _check_status_size(status_size)
        if size < 1:
            raise ValueError("a bitstring needs at least one entry")
        self.size = size
        self.status_size = status_size
        self._data = bytearray(-(-size * status_size // 8))

    @classmethod
    def from_bytes(cls, data: bytes, *, status_size: int = 1) -> Bitstring:
        """The bitstring held in ``data``: as many whole entries as its bits make."""
        _check_status_size(status_size)
        size = len(data) * 8 // status_size
        if size < 1:
            raise ValueError(f"{len(data)} bytes hold no {status_size}-bit entry")
        bitstring = cls(size, status_size=status_size)
        bitstring._data[:] = data
        return bitstring

    @classmethod
    def decode(
        cls, encoded: str, *, status_size: int = 1, max_bytes: int = MAX_DECODED_BYTES
    ) -> Bitstring:
        """The bitstring of an ``encodedList`` value (see :func:`decode_list`)."""
        return cls.from_bytes(decode_list(encoded, max_bytes=max_bytes), status_size=status_size)

    @property
    def max_value(self) -> int:
        """The largest value one entry can hold."""
        return (1 << self.status_size) - 1

    def get(self, index: int) -> int:
        """The value of entry ``index``."""
        first, last, shift = self._span(index)
        chunk = int.from_bytes(self._data[first : last + 1], "big")
        return (chunk >> shift) & self.max_value

    def set(self, index: int, value: int) -> None:
        """Set entry ``index`` to ``value`` (0 … ``max_value``)."""
        if not 0 <= value <= self.max_value:
            raise ValueError(
                f"value {value} does not fit in {self.status_size} bit(s) (0…{self.max_value})"
            )
        first, last, shift = self._span(index)
        width = last + 1 - first
        chunk = int.from_bytes(self._data[first : last + 1], "big")
        chunk = (chunk & ~(self.max_value << shift)) | (value << shift)
        self._data[first : last + 1] = chunk.to_bytes(width, "big")

    def to_bytes(self) -> bytes:
        """The packed bits (trailing bits of the last byte, if any, are 0)."""
        return bytes(self._data)

    def encode(self) -> str:
        """The ``encodedList`` value of this bitstring."""
        return encode_list(self.to_bytes())

    def __len__(self) -> int:
        return self.size

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bitstring):
            return NotImplemented
        return (self.size, self.status_size, self._data) == (
            other.size,
            other.status_size,
            other._data,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Bitstring(size={self.size}, status_size={self.status_size})"

    def _span(self, index: int) -> tuple[int, int, int]:
        """First and last byte of entry ``index``, and how far its value sits from bit 0."""
        if not 0 <= index < self.size:
            raise IndexError(f"index {index} is outside 0…{self.size - 1}")
        start = index * self.status_size
        end = start + self.status_size
        last = (end - 1) // 8
        return start // 8, last, (last + 1) * 8 - end


def encode_list(bits: bytes) -> str:
    """Multibase base64url (no padding) of the GZIP compression of ``bits``.

    The GZIP header carries no timestamp, so equal bitstrings encode identically.
    """
    return BASE64URL_PREFIX + base64url_encode(gzip.compress(bytes(bits), compresslevel=6, mtime=0))


def decode_list(encoded: str, *, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """The uncompressed bitstring of an ``encodedList`` value.

    Raises StatusError MALFORMED_VALUE_ERROR for anything but multibase base64url of a
    well-formed GZIP stream (CRC and length checked; several members allowed, nothing
    else after them), and STATUS_LIST_TOO_LARGE past ``max_bytes`` of output.
    """
    if not isinstance(encoded, str) or not encoded.startswith(BASE64URL_PREFIX):
        raise _malformed("encodedList must be a multibase base64url string ('u…')")
    try:
        compressed = base64url_decode(encoded[1:])
    except VcError as error:
        raise _malformed(f"encodedList is not valid base64url: {error.message}") from error
    if not compressed:
        raise _malformed("encodedList is empty")
    return _gunzip(compressed, max_bytes)


def _gunzip(compressed: bytes, max_bytes: int) -> bytes:
    """Inflate every GZIP member of ``compressed``, never producing more than ``max_bytes``."""
    output = bytearray()
    remaining = compressed
    while remaining:
        inflater = zlib.decompressobj(_GZIP_WBITS)
        try:
            output += inflater.decompress(remaining, max_bytes + 1 - len(output))
        except zlib.error as error:
            raise _malformed(f"encodedList is not valid GZIP data: {error}") from error
        if len(output) > max_bytes:
            raise StatusError(
                f"encodedList expands to more than {max_bytes} bytes",
                code="STATUS_LIST_TOO_LARGE",
                field=_FIELD,
            )
        if not inflater.eof:
            raise _malformed("encodedList holds a truncated GZIP stream")
        remaining = inflater.unused_data
    return bytes(output)


def _check_status_size(status_size: int) -> None:
    if isinstance(status_size, bool) or not 1 <= status_size <= MAX_STATUS_SIZE:
        raise ValueError(f"status_size must be 1…{MAX_STATUS_SIZE}, got {status_size!r}")


def _malformed(message: str) -> StatusError:
    return StatusError(message, code="MALFORMED_VALUE_ERROR", field=_FIELD)
