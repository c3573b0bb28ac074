"""Secrets hashed as the service stored them before keyed digests: ``scrypt$n$r$p$salt$hash``.

The service only reads this format now (``custody.secret_hash``); tests write it to stand
for holder tokens and client secrets stored by an older version.
"""

from __future__ import annotations

import hashlib
import secrets

from vcservice.keys.multibase import base64url_encode

N, R, P = 2**14, 8, 1  # the work factors the service used


def scrypt_hash(secret: str) -> str:
    """``secret`` as an older version stored it, with a fresh random salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${N}${R}${P}${base64url_encode(salt)}${base64url_encode(digest)}"
