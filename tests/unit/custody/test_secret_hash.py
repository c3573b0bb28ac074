"""Stored scrypt hashes (from before keyed digests) are read: self-describing, fail closed."""

from __future__ import annotations

import time

import pytest

from tests.legacy_hashes import scrypt_hash
from vcservice.custody.secret_hash import verify_secret

SECRET = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3I"
HASH = scrypt_hash(SECRET)


def test_right_and_wrong_secret() -> None:
    assert verify_secret(SECRET, HASH)
    assert not verify_secret(SECRET + "x", HASH)
    assert not verify_secret("", HASH)


def test_non_ascii_secret() -> None:
    assert verify_secret("contraseña-ñ", scrypt_hash("contraseña-ñ"))


def _replace(index: int, value: str) -> str:
    parts = HASH.split("$")
    parts[index] = value
    return "$".join(parts)


@pytest.mark.parametrize(
    "encoded",
    [
        "",
        "plaintext",
        HASH.replace("scrypt", "bcrypt", 1),
        HASH + "$extra",
        HASH.rsplit("$", 1)[0],
        _replace(1, "16000"),  # not a power of two
        _replace(1, "1"),
        _replace(1, "-16384"),
        _replace(1, "１６３８４"),  # non-ASCII digits
        _replace(2, "0"),
        _replace(3, "99"),
        _replace(4, ""),
        _replace(4, "not base64!"),
        _replace(5, "c2hvcnQ"),  # a 5-byte digest
    ],
)
def test_malformed_hash_never_matches(encoded: str) -> None:
    assert not verify_secret(SECRET, encoded)


@pytest.mark.parametrize(("index", "value"), [(1, 2**18), (1, 2**30), (2, 17), (3, 5)])
def test_hash_cannot_demand_unbounded_work(index: int, value: int) -> None:
    started = time.monotonic()

    assert not verify_secret(SECRET, _replace(index, str(value)))
    assert time.monotonic() - started < 0.5


def test_largest_allowed_parameters_stay_within_the_memory_limit() -> None:
    salt_and_hash = "$".join(HASH.split("$")[4:])

    # n = 2**17, r = 16 needs 256 MiB; must be computed, not refused by OpenSSL.
    assert not verify_secret(SECRET, f"scrypt$131072$16$1${salt_and_hash}")
