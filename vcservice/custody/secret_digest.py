"""Keyed digests of the secrets the service hands out: HMAC-SHA256, self-describing.

Holder access tokens, OAuth2 client secrets and the admin token are 256 random bits that
the service generates; no person chooses them, so a slow password hash adds nothing against
guessing them, while it cost ~50 ms and 16 MiB of scrypt per check that anyone with a bogus
bearer token could make the service spend. They are kept and compared as HMAC-SHA256 under
a key derived from the key-encryption key (``KeyEncryptionKey.derive_key``, a label of its
own): the same in every worker and replica of a deployment, and never stored beside the
digests, so the database alone gives nothing to test guesses against. A digest covers what
the secret opens and whose it is, so one copied onto another record does not match there.

A stored digest reads ``hmac-sha256$<base64url>``. Hashes stored before it (``scrypt$…``,
``secret_hash``) still match, slowly, once: the check then hands back the keyed digest for
the caller to store in their place.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from enum import StrEnum

from vcservice.custody.encryption import KeyEncryptionKey
from vcservice.custody.secret_hash import SCRYPT, verify_secret
from vcservice.keys.multibase import base64url_encode

__all__ = ["HMAC_SHA256", "MAX_SECRET_CHARS", "SecretCheck", "SecretDigester", "SecretPurpose"]

HMAC_SHA256 = "hmac-sha256"
# Longer than any secret the service makes (a holder token is at most 107 characters), so a
# longer one is refused unhashed: a request cannot make the check read a megabyte.
MAX_SECRET_CHARS = 1024
_LABEL = b"vcservice/secret-digests/v1"  # the HKDF info of the digest key
_KEY_SIZE = 32


class SecretPurpose(StrEnum):
    """What a secret opens; part of its digest, so a digest of one kind matches no other."""

    HOLDER_TOKEN = "holder-token"  # noqa: S105  (a label)
    CLIENT_SECRET = "client-secret"  # noqa: S105
    ADMIN_TOKEN = "admin-token"  # noqa: S105
    # OpenID4VCI: an offer's pre-authorized code and transaction code, and the access token
    # a wallet gets for them.
    PRE_AUTHORIZED_CODE = "pre-authorized-code"
    TX_CODE = "tx-code"
    ISSUANCE_TOKEN = "issuance-token"  # noqa: S105


@dataclass(frozen=True, slots=True)
class SecretCheck:
    """Whether a secret matched what is stored; ``upgrade`` is the keyed digest to store in
    place of an older (scrypt) hash that matched."""

    matches: bool
    upgrade: str | None = None


class SecretDigester:
    """Makes and checks keyed digests of secrets; never shows its key."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) != _KEY_SIZE:
            raise ValueError(f"the digest key must be {_KEY_SIZE} bytes")
        self._key = key

    @classmethod
    def from_kek(cls, kek: KeyEncryptionKey) -> SecretDigester:
        """The deployment's digester: its key derived from the key-encryption key."""
        return cls(kek.derive_key(_LABEL, _KEY_SIZE))

    def digest(self, secret: str, *, purpose: SecretPurpose, owner: str) -> str:
        """What to store for ``secret``, which opens ``purpose`` for ``owner``."""
        return f"{HMAC_SHA256}${base64url_encode(self._mac(secret, purpose, owner))}"

    def check(
        self, secret: str, stored: str | None, *, purpose: SecretPurpose, owner: str
    ) -> SecretCheck:
        """Whether ``secret`` is the one ``stored`` was made from (``None``: nothing stored).

        One HMAC and a constant-time comparison, whatever is stored, except for a hash
        stored before keyed digests, which takes its scrypt and, when it matches, gives
        the digest to replace it with.
        """
        if len(secret) > MAX_SECRET_CHARS:
            return SecretCheck(matches=False)
        actual = self.digest(secret, purpose=purpose, owner=owner)
        if stored is not None and stored.startswith(f"{SCRYPT}$"):
            matches = verify_secret(secret, stored)
            return SecretCheck(matches=matches, upgrade=actual if matches else None)
        return SecretCheck(matches=hmac.compare_digest(actual.encode(), (stored or "").encode()))

    def equal(self, presented: str, expected: str, *, purpose: SecretPurpose) -> bool:
        """Whether ``presented`` is ``expected``, a secret held as it is (the admin token),
        in time that depends on neither."""
        return hmac.compare_digest(
            self._mac(presented, purpose, ""), self._mac(expected, purpose, "")
        )

    def _mac(self, secret: str, purpose: SecretPurpose, owner: str) -> bytes:
        # A JSON array is an unambiguous encoding of the three strings (no separator tricks).
        message = json.dumps([purpose.value, owner, secret]).encode()
        return hmac.digest(self._key, message, hashlib.sha256)

    def __repr__(self) -> str:
        return "SecretDigester(<redacted>)"
