"""The bitstring: layout, encodedList round trips, an independent decoder, the bomb guard."""

from __future__ import annotations

import base64
import gzip
import random
import tracemalloc
import zlib

import pytest

from vcservice.status import (
    MAX_DECODED_BYTES,
    MINIMUM_ENTRIES,
    Bitstring,
    StatusError,
    decode_list,
    encode_list,
)

# The encodedList of the spec's example BitstringStatusListCredential (§2.2, Example 3).
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def independent_decode(encoded: str) -> bytes:
    """The spec's expansion with nothing but the standard library: strip 'u', base64url, gunzip."""
    assert encoded[0] == "u"
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def bit(data: bytes, position: int) -> int:
    """Bit ``position`` counted from the left-most bit of the first byte."""
    return (data[position // 8] >> (7 - position % 8)) & 1


def test_default_size_is_the_spec_minimum_of_16_kib() -> None:
    bitstring = Bitstring()
    assert MINIMUM_ENTRIES == 131_072
    assert (bitstring.size, len(bitstring.to_bytes())) == (131_072, 16 * 1024)
    assert len(Bitstring(status_size=2).to_bytes()) == 32 * 1024


def test_index_zero_is_the_left_most_bit_of_the_first_byte() -> None:
    bitstring = Bitstring(16)
    bitstring.set(0, 1)
    assert bitstring.to_bytes() == bytes([0b1000_0000, 0])
    bitstring.set(9, 1)  # second byte, second bit from the left
    assert bitstring.to_bytes() == bytes([0b1000_0000, 0b0100_0000])
    bitstring.set(15, 1)  # the right-most bit of the last byte
    assert bitstring.to_bytes() == bytes([0x80, 0x41])
    bitstring.set(0, 0)
    assert bitstring.to_bytes() == bytes([0x00, 0x41])
    assert [bitstring.get(i) for i in range(16)] == [0] * 9 + [1] + [0] * 5 + [1]


def test_multi_bit_values_are_read_left_to_right_most_significant_first() -> None:
    two = Bitstring(8, status_size=2)
    two.set(0, 0b10)  # bits 0-1: "10"
    two.set(1, 0b01)  # bits 2-3: "01"
    two.set(3, 0b11)  # bits 6-7: "11"
    two.set(4, 0b10)  # second byte, bits 8-9
    assert two.to_bytes() == bytes([0b1001_0011, 0b1000_0000])
    assert [two.get(i) for i in range(8)] == [2, 1, 0, 3, 2, 0, 0, 0]
    # Three-bit entries straddle bytes: entry 2 is bits 6, 7 | 8.
    three = Bitstring(8, status_size=3)
    three.set(2, 0b101)
    assert three.to_bytes() == bytes([0b0000_0010, 0b1000_0000, 0])
    assert three.get(2) == 5 and three.get(1) == 0 and three.get(3) == 0


def test_round_trip_through_encoded_list_with_random_values() -> None:
    rng = random.Random(7)
    for status_size in (1, 2, 3, 8):
        original = Bitstring(status_size=status_size)
        picks = {
            rng.randrange(original.size): rng.randrange(1, 1 << status_size) for _ in range(300)
        }
        for index, value in picks.items():
            original.set(index, value)
        encoded = original.encode()
        assert encoded.startswith("u") and "=" not in encoded
        decoded = Bitstring.decode(encoded, status_size=status_size)
        assert decoded == original
        assert all(decoded.get(index) == value for index, value in picks.items())


def test_an_independent_stdlib_decoder_agrees_with_encode_list() -> None:
    bitstring = Bitstring()
    revoked = [0, 1, 7, 8, 4242, 94_567, 131_071]
    for index in revoked:
        bitstring.set(index, 1)
    raw = independent_decode(encode_list(bitstring.to_bytes()))
    assert raw == bitstring.to_bytes()
    assert [p for p in range(len(raw) * 8) if bit(raw, p)] == revoked


def test_encoding_is_deterministic() -> None:
    data = bytes(range(256)) * 64
    assert encode_list(data) == encode_list(data)  # no GZIP timestamp
    assert decode_list(encode_list(data)) == data


def test_the_spec_example_list_is_16_kib_of_zeros() -> None:
    assert independent_decode(SPEC_EXAMPLE) == bytes(16 * 1024)
    bitstring = Bitstring.decode(SPEC_EXAMPLE)
    assert bitstring.size == MINIMUM_ENTRIES and bitstring.get(94_567) == 0


def test_several_gzip_members_are_one_bitstring() -> None:
    compressed = gzip.compress(b"\x80" * 3, mtime=0) + gzip.compress(b"\x01", mtime=0)
    encoded = "u" + _b64(compressed)
    assert decode_list(encoded) == b"\x80\x80\x80\x01"


@pytest.mark.parametrize(
    ("encoded", "why"),
    [
        ("", "multibase base64url"),
        ("zQmNotBase64url", "multibase base64url"),
        ("u", "empty"),
        ("u!!!!", "base64url"),
        ("uAAAA=", "base64url"),
        ("u" + _b64(b"plain bytes"), "GZIP"),
        ("u" + _b64(gzip.compress(bytes(64))[:-6]), "truncated"),
        ("u" + _b64(gzip.compress(bytes(64)) + b"junk"), "GZIP"),
    ],
)
def test_malformed_encoded_lists_are_refused(encoded: str, why: str) -> None:
    with pytest.raises(StatusError) as caught:
        decode_list(encoded)
    assert caught.value.code == "MALFORMED_VALUE_ERROR"
    assert caught.value.field == "credentialSubject.encodedList"
    assert why in caught.value.message


def test_a_corrupted_gzip_checksum_is_refused() -> None:
    compressed = bytearray(gzip.compress(bytes(1024), mtime=0))
    compressed[-8] ^= 0xFF  # CRC-32 of the trailer
    encoded = "u" + _b64(bytes(compressed))
    with pytest.raises(StatusError) as caught:
        decode_list(encoded)
    assert caught.value.code == "MALFORMED_VALUE_ERROR"


def test_non_string_encoded_list_is_refused() -> None:
    with pytest.raises(StatusError):
        decode_list(None)  # type: ignore[arg-type]


def test_output_up_to_the_cap_decodes_and_one_byte_more_is_refused() -> None:
    assert len(decode_list(encode_list(bytes(1000)), max_bytes=1000)) == 1000
    with pytest.raises(StatusError) as caught:
        decode_list(encode_list(bytes(1001)), max_bytes=1000)
    assert caught.value.code == "STATUS_LIST_TOO_LARGE"
    # The cap counts every GZIP member together.
    two_members = gzip.compress(bytes(600), mtime=0) * 2
    encoded = "u" + _b64(two_members)
    with pytest.raises(StatusError):
        decode_list(encoded, max_bytes=1000)


def test_a_decompression_bomb_is_stopped_at_the_cap_without_inflating_it() -> None:
    # 256 MiB of zeros in a few hundred KiB of GZIP, built without holding 256 MiB.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 20)
    bomb = b"".join(compressor.compress(chunk) for _ in range(256)) + compressor.flush()
    assert len(bomb) < 1_000_000
    encoded = "u" + _b64(bomb)
    tracemalloc.start()
    try:
        with pytest.raises(StatusError) as caught:
            decode_list(encoded)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.code == "STATUS_LIST_TOO_LARGE"
    assert str(MAX_DECODED_BYTES) in caught.value.message
    assert peak < 4 * MAX_DECODED_BYTES  # bounded by the cap, not by the 256 MiB payload


def test_values_and_indexes_are_bounded() -> None:
    bitstring = Bitstring(10, status_size=2)
    with pytest.raises(ValueError, match="does not fit"):
        bitstring.set(0, 4)
    with pytest.raises(IndexError):
        bitstring.get(10)
    with pytest.raises(IndexError):
        bitstring.set(-1, 1)
    for bad in (0, 9, True):
        with pytest.raises(ValueError):
            Bitstring(8, status_size=bad)
    with pytest.raises(ValueError):
        Bitstring(0)


def test_from_bytes_counts_whole_entries() -> None:
    assert Bitstring.from_bytes(bytes(3), status_size=3).size == 8
    assert Bitstring.from_bytes(bytes(3), status_size=5).size == 4
    assert len(Bitstring.from_bytes(b"\xff")) == 8
