"""Authorities' signing keys in a PKCS#11 token (an HSM, or SoftHSM2 in development).

Every key is generated inside the token, non-extractable, and signs there
(:mod:`vcservice.custody.pkcs11_token`). The key repository still has one record per key
(public key, type, status, dates) so that DID documents, rotation and retired keys work as
with the software store; no migration is needed. The record's ``encrypted_secret`` column
then holds no secret but an RFC 7512 PKCS#11 URI naming the token object, for example
``pkcs11:token=vcservice;object=vcservice%2Fsat%2Fed25519-2026-11-28T06-40-05Z;
id=%3A%9F…;type=private``. The random 16-byte ``CKA_ID`` is what finds the key; the label
is for people reading the token. A URI starts with ``pkcs11:``, a KEK-wrapped secret with
its version byte 0x01, so the two never pass for each other.

Before a key first signs in this process, it signs a probe whose signature must verify with
the record's public key: a record pointing at another key of the token is refused
(INVALID_KEY) instead of issuing credentials nobody can verify.
"""

from __future__ import annotations

import secrets
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, unquote_to_bytes

from vcservice.clock import Clock
from vcservice.custody.keystore import RepositoryKeyStore
from vcservice.custody.pkcs11_token import Pkcs11Token
from vcservice.errors import KeyFormatError, StorageError
from vcservice.keys import KeyType, PublicKey, Signer
from vcservice.model.records import StoredKey
from vcservice.storage.repository import KeyRepository

__all__ = ["Pkcs11KeyStore", "Pkcs11Signer", "TokenReference"]

URI_SCHEME = "pkcs11:"
OBJECT_ID_BYTES = 16
LABEL_PREFIX = "vcservice"
_PROBE = b"vcservice: does this token key match its published public key?"


@dataclass(frozen=True)
class TokenReference:
    """Where a key lives: the token's label, the object's label and its CKA_ID."""

    token: str
    label: str
    object_id: bytes

    def to_uri(self) -> str:
        """The RFC 7512 URI of the private key object."""
        object_id = "".join(f"%{byte:02X}" for byte in self.object_id)
        return (
            f"{URI_SCHEME}token={quote(self.token, safe='')};object={quote(self.label, safe='')};"
            f"id={object_id};type=private"
        )

    @classmethod
    def parse(cls, value: bytes) -> TokenReference | None:
        """Read a URI written by :meth:`to_uri`; None for anything else (a wrapped secret)."""
        if not value.startswith(URI_SCHEME.encode("ascii")):
            return None
        try:
            text = value.decode("ascii")
        except UnicodeDecodeError:
            return None
        attributes: dict[str, str] = {}
        for part in text.removeprefix(URI_SCHEME).split(";"):
            name, _, attribute = part.partition("=")
            attributes[name] = attribute
        if not {"token", "object", "id"} <= attributes.keys():
            return None
        return cls(
            unquote(attributes["token"]),
            unquote(attributes["object"]),
            unquote_to_bytes(attributes["id"]),
        )


@dataclass(frozen=True)
class Pkcs11Signer:
    """A :class:`Signer` whose private key stays in the token: each signature is made there."""

    key_type: KeyType
    verification_method: str
    object_id: bytes
    token: Pkcs11Token = field(repr=False)

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` in the token (Ed25519 raw, ECDSA r‖s)."""
        return self.token.sign(self.key_type, object_id=self.object_id, data=data)


class Pkcs11KeyStore(RepositoryKeyStore):
    """A :class:`~vcservice.custody.keystore.KeyStore` over a logged-in :class:`Pkcs11Token`.

    The store owns the token: :meth:`close` closes it.
    """

    def __init__(self, keys: KeyRepository, clock: Clock, token: Pkcs11Token) -> None:
        super().__init__(keys, clock)
        self._token = token
        self._matched: set[tuple[bytes, str]] = set()
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        keys: KeyRepository,
        clock: Clock,
        *,
        module: Path,
        token_label: str,
        pin: str,
        sessions: int = 4,
    ) -> Pkcs11KeyStore:
        """Load the PKCS#11 ``module``, log in to the token labelled ``token_label``, wrap it.

        KEY_STORE_UNAVAILABLE for a module that does not load or a missing token,
        KEY_STORE_LOGIN_FAILED for a wrong or locked PIN.
        """
        token = Pkcs11Token(module=module, token_label=token_label, pin=pin, sessions=sessions)
        return cls(keys, clock, token)

    def check(self) -> None:
        """A new session can be opened on the logged-in token (KEY_STORE_UNAVAILABLE if not)."""
        self._token.check()

    def close(self) -> None:
        """Close the token's sessions (and its login, if no other store of the process uses it)."""
        self._token.close()

    def _new_secret(
        self, authority: str, key_id: str, key_type: KeyType
    ) -> tuple[PublicKey, bytes]:
        reference = TokenReference(
            self._token.label,
            f"{LABEL_PREFIX}/{authority}/{key_id}",
            secrets.token_bytes(OBJECT_ID_BYTES),
        )
        public_key = self._token.generate(
            key_type, object_id=reference.object_id, label=reference.label
        )
        return public_key, reference.to_uri().encode("ascii")

    def _discard(self, stored: StoredKey) -> None:
        reference = TokenReference.parse(stored.encrypted_secret)
        if reference is not None:
            # Best effort: the error that made the record fail is the one to report.
            with suppress(StorageError):
                self._token.destroy(reference.object_id)

    def _signer(self, stored: StoredKey, verification_method: str) -> Signer:
        signer = Pkcs11Signer(
            KeyType(stored.key_type),
            verification_method,
            self._reference(stored).object_id,
            self._token,
        )
        self._check_match(stored, signer)
        return signer

    def _reference(self, stored: StoredKey) -> TokenReference:
        what = f"key {stored.key_id!r} of {stored.authority!r}"
        reference = TokenReference.parse(stored.encrypted_secret)
        if reference is None:
            raise StorageError(
                f"{what} is kept by the software key store (wrapped with the key-encryption "
                "key), not in a PKCS#11 token; rotate it to make its successor in the token",
                code="KEY_NOT_IN_KEY_STORE",
            )
        if reference.token != self._token.label:
            raise StorageError(
                f"{what} is in token {reference.token!r}, not in the configured token "
                f"{self._token.label!r}",
                code="KEY_NOT_IN_KEY_STORE",
            )
        return reference

    def _check_match(self, stored: StoredKey, signer: Pkcs11Signer) -> None:
        """Sign a probe once per key and record: it must verify with the record's public key."""
        checked = (signer.object_id, stored.public_key_multibase)
        with self._lock:
            if checked in self._matched:
                return
        public_key = PublicKey.from_multibase(stored.public_key_multibase)
        if not public_key.verify(signer.sign(_PROBE), _PROBE):
            raise KeyFormatError(
                f"the token's key for {stored.key_id!r} of {stored.authority!r} does not match "
                "its published public key"
            )
        with self._lock:
            self._matched.add(checked)
