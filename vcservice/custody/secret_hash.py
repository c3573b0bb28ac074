"""The scrypt hashes holder tokens and client secrets were stored as before keyed digests.

Read only: ``secret_digest`` checks a secret against one of these (once, slowly), and its
caller then stores the keyed digest instead; nothing new is hashed here. A hash reads
``scrypt$n$r$p$salt$hash`` (salt and hash in base64url) and names its own work factors,
which are bounded before any work is done.
"""

from __future__ import annotations

import hashlib
import hmac

from vcservice.errors import ParsingError
from vcservice.keys.multibase import base64url_decode

__all__ = ["SCRYPT", "verify_secret"]

SCRYPT = "scrypt"
_MIN_HASH_SIZE = 16
# A stored hash names its own work factors; refuse ones that would exhaust memory or CPU.
# scrypt needs about 128·r·(n + p) bytes: at most 256 MiB here, within _MAX_MEMORY.
_MAX_N, _MAX_R, _MAX_P = 2**17, 16, 4
_MAX_MEMORY = 512 << 20


def verify_secret(secret: str, encoded: str) -> bool:
    """Whether ``secret`` matches the stored hash (constant time); False for a malformed hash."""
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCRYPT:
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
