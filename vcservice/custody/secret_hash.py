"""Slow, salted hashes of bearer secrets (OAuth2 client secrets): scrypt, self-describing.

A hash reads ``scrypt$n$r$p$salt$hash`` (salt and hash in base64url), so work factors can
be raised later without invalidating stored hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from vcservice.errors import ParsingError
from vcservice.keys.multibase import base64url_decode, base64url_encode

__all__ = ["hash_secret", "verify_secret"]

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_SALT_SIZE, _HASH_SIZE, _MIN_HASH_SIZE = 16, 32, 16
# A stored hash names its own work factors; refuse ones that would exhaust memory or CPU.
# scrypt needs about 128·r·(n + p) bytes: at most 256 MiB here, within _MAX_MEMORY.
_MAX_N, _MAX_R, _MAX_P = 2**17, 16, 4
_MAX_MEMORY = 512 << 20


def hash_secret(secret: str) -> str:
    """Hash ``secret`` for storage, with a fresh random salt."""
    salt = secrets.token_bytes(_SALT_SIZE)
    digest = _scrypt(secret, salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, size=_HASH_SIZE)
    parameters = f"{_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}"
    return f"scrypt${parameters}${base64url_encode(salt)}${base64url_encode(digest)}"


def verify_secret(secret: str, encoded: str) -> bool:
    """Whether ``secret`` matches the stored hash (constant time); False for a malformed hash."""
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    if not all(part.isascii() and part.isdigit() for part in parts[1:4]):
        return False
    n, r, p = (int(part) for part in parts[1:4])
    if not (1 < n <= _MAX_N and n & (n - 1) == 0 and 0 < r <= _MAX_R and 0 < p <= _MAX_P):
        return False
    try:
        salt, expected = base64url_decode(parts[4]), base64url_decode(parts[5])
    except ParsingError:
        return False
    if not salt or len(expected) < _MIN_HASH_SIZE:
        return False
    actual = _scrypt(secret, salt=salt, n=n, r=r, p=p, size=len(expected))
    return hmac.compare_digest(actual, expected)


def _scrypt(secret: str, *, salt: bytes, n: int, r: int, p: int, size: int) -> bytes:
    return hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=size, maxmem=_MAX_MEMORY
    )
