"""Custody of authorities' signing keys: create, announce, rotate, sign, publish.

``KeyStore`` is the role the services use. ``RepositoryKeyStore`` does the bookkeeping
every store shares: one record per key in the key repository (public key, type, status),
key ids, rotation and publication. Where the secret lives is up to the subclass:
``SoftwareKeyStore`` keeps it encrypted with the key-encryption key in the record;
``vcservice.custody.pkcs11.Pkcs11KeyStore`` keeps it in an HSM token and records only a
reference to it. Nothing in either hands out secret key material.

A rotation can be announced: ``prepare`` makes a PENDING key, published in the DID document
(and named by a trust list as its next signing key) but never signing, which the next
``rotate`` of that type promotes instead of making a key nobody has seen.

Custody knows keys by authority *name* and key id only. The verification method id is
``<authority DID>#<key_id>`` (for a did:key authority, whose DID is its one key,
``<did>#<multibase key>`` as the did:key method names it), so ``signer`` alone takes the
:class:`Authority` record and builds it there; the DID is never stored with a key.
"""

from __future__ import annotations

import secrets
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from dataclasses import replace
from datetime import UTC
from typing import Protocol

from vcservice.clock import Clock
from vcservice.custody.encryption import KeyEncryptionKey
from vcservice.errors import KeyFormatError, StorageError
from vcservice.keys import KeyPair, KeyPairSigner, KeyType, PublicKey, Signer
from vcservice.model.records import Authority, KeyStatus, StoredKey
from vcservice.storage.repository import KeyRepository

__all__ = ["KeyStore", "RepositoryKeyStore", "SoftwareKeyStore"]

_SLUGS = {KeyType.ED25519: "ed25519", KeyType.P256: "p256", KeyType.P384: "p384"}
_DID_KEY = "did:key:"


class KeyStore(Protocol):
    """Where authorities' signing keys live and sign; secrets never leave it."""

    def create_key(self, authority: str, key_type: KeyType) -> StoredKey:
        """Add the first active key of ``key_type`` (CONFLICT if one exists: rotate instead)."""
        ...

    def new_key(self, authority: str, key_type: KeyType) -> StoredKey:
        """Make an active key of ``key_type`` for ``authority`` without recording it: the
        caller stores the record (with a new authority, say) or ``discard``s it."""
        ...

    def discard(self, key: StoredKey) -> None:
        """Undo ``new_key`` for a record that could not be stored."""
        ...

    def prepare(self, authority: str, key_type: KeyType) -> StoredKey:
        """Add a PENDING key of ``key_type``: published, announced, never signing until a
        rotation promotes it (CONFLICT if one of that type is pending already)."""
        ...

    def pending(self, authority: str) -> list[StoredKey]:
        """The authority's pending keys, oldest first."""
        ...

    def rotate(self, authority: str, key_type: KeyType) -> StoredKey:
        """Make the pending key of ``key_type`` active, or else a new one; the previous active
        ones become RETIRED (still listed)."""
        ...

    def signer(self, authority: Authority, key_type: KeyType) -> Signer:
        """A signer for the newest active key of ``key_type``, as ``<did>#<key_id>``.

        NOT_FOUND when the authority has no active key of that type.
        """
        ...

    def published_keys(self, authority: str) -> list[tuple[str, PublicKey]]:
        """(key id, public key) of every key, active, pending and retired, oldest first: the
        DID document (a pending key is published before it signs)."""
        ...

    def check(self) -> None:
        """Raise (a ``VcError``, KEY_STORE_UNAVAILABLE say) unless the store can sign now."""
        ...

    def close(self) -> None:
        """Release what the store holds (sessions, cached keys); it is not used afterwards."""
        ...


class RepositoryKeyStore(ABC):
    """A :class:`KeyStore` keeping one record per key in a :class:`KeyRepository`.

    Key ids read ``<type>-<UTC time>``, e.g. ``ed25519-2026-11-28T06-40-05Z`` (with a short
    random suffix if that id is taken). Subclasses make the secret (``_new_secret``), say
    what the record's ``encrypted_secret`` column holds, and sign with it (``_signer``).
    """

    def __init__(self, keys: KeyRepository, clock: Clock) -> None:
        self._keys = keys
        self._clock = clock

    def create_key(self, authority: str, key_type: KeyType) -> StoredKey:
        """Add the first active key of ``key_type`` (CONFLICT if one exists: rotate instead)."""
        if self._active(authority, key_type):
            raise StorageError(
                f"authority {authority!r} already has an active {key_type} key; rotate it",
                code="CONFLICT",
            )
        return self._add(authority, key_type)

    def prepare(self, authority: str, key_type: KeyType) -> StoredKey:
        """Add a pending key of ``key_type`` (CONFLICT if one is pending already)."""
        if self._of_type(authority, key_type, KeyStatus.PENDING):
            raise StorageError(
                f"authority {authority!r} already has a pending {key_type} key; rotate to it",
                code="CONFLICT",
            )
        return self._add(authority, key_type, status=KeyStatus.PENDING)

    def pending(self, authority: str) -> list[StoredKey]:
        """The authority's pending keys, oldest first."""
        return [
            key for key in self._keys.for_authority(authority) if key.status is KeyStatus.PENDING
        ]

    def rotate(self, authority: str, key_type: KeyType) -> StoredKey:
        """Promote the newest pending key of ``key_type``, retiring the previous active ones
        (and any older pending one) in the same transaction; with none pending, add a new
        active key, then retire the previous ones (so one is always active).

        Should a concurrent rotation promote that pending key first, its result is this
        one's too: rotating again would activate a key nobody announced.
        """
        previous = self._active(authority, key_type)
        pending = self._of_type(authority, key_type, KeyStatus.PENDING)
        if pending:
            return self._promote(authority, key_type, pending[-1], [*previous, *pending[:-1]])
        key = self._add(authority, key_type)
        for old in previous:
            self._keys.retire(authority, old.key_id)
        return key

    def _promote(
        self, authority: str, key_type: KeyType, promoted: StoredKey, retiring: list[StoredKey]
    ) -> StoredKey:
        """Make ``promoted`` active and retire ``retiring`` (``rotate`` with a key pending)."""
        if self._keys.promote(
            authority, promoted.key_id, retiring=[key.key_id for key in retiring]
        ):
            return replace(promoted, status=KeyStatus.ACTIVE)
        for key in self._active(authority, key_type):
            if key.key_id == promoted.key_id:  # promoted by a concurrent rotation
                return key
        raise StorageError(
            f"the pending {key_type} key of authority {authority!r} changed during the "
            "rotation; try again",
            code="CONFLICT",
        )

    def signer(self, authority: Authority, key_type: KeyType) -> Signer:
        """A signer for the newest active key of ``key_type``, as ``<did>#<key_id>``."""
        active = self._active(authority.name, key_type)
        if not active:
            raise StorageError(
                f"authority {authority.name!r} has no active {key_type} key", code="NOT_FOUND"
            )
        stored = active[-1]
        return self._signer(stored, _verification_method(authority.did, stored.key_id))

    def published_keys(self, authority: str) -> list[tuple[str, PublicKey]]:
        """(key id, public key) of every key, active, pending and retired, oldest first."""
        return [
            (key.key_id, PublicKey.from_multibase(key.public_key_multibase))
            for key in self._keys.for_authority(authority)
        ]

    @abstractmethod
    def check(self) -> None:
        """Raise unless the store can be used now (readiness)."""

    @abstractmethod
    def close(self) -> None:
        """Release what the store holds (sessions, cached keys)."""

    @abstractmethod
    def _new_secret(
        self, authority: str, key_id: str, key_type: KeyType
    ) -> tuple[PublicKey, bytes]:
        """Make a key: its public key, and what its record stores in ``encrypted_secret``."""

    @abstractmethod
    def _signer(self, stored: StoredKey, verification_method: str) -> Signer:
        """A signer for the key ``stored`` describes."""

    def new_key(
        self, authority: str, key_type: KeyType, *, status: KeyStatus = KeyStatus.ACTIVE
    ) -> StoredKey:
        """A fresh key's record in ``status``, not stored (``KeyStore.new_key``)."""
        now = self._clock.now()
        key_id = f"{_SLUGS[key_type]}-{now.astimezone(UTC):%Y-%m-%dT%H-%M-%SZ}"
        if any(key.key_id == key_id for key in self._keys.for_authority(authority)):
            key_id = f"{key_id}-{secrets.token_hex(3)}"
        public_key, secret = self._new_secret(authority, key_id, key_type)
        return StoredKey(
            authority=authority,
            key_id=key_id,
            key_type=key_type.value,
            public_key_multibase=public_key.to_multibase(),
            encrypted_secret=secret,
            status=status,
            created_at=now,
        )

    def discard(self, key: StoredKey) -> None:
        """Undo ``new_key`` (``KeyStore.discard``)."""
        self._discard(key)

    def _discard(self, stored: StoredKey) -> None:  # noqa: B027  (optional hook)
        """Undo ``_new_secret`` when its record could not be stored (default: nothing to undo)."""

    def _active(self, authority: str, key_type: KeyType) -> list[StoredKey]:
        return self._of_type(authority, key_type, KeyStatus.ACTIVE)

    def _of_type(self, authority: str, key_type: KeyType, status: KeyStatus) -> list[StoredKey]:
        """The authority's keys of ``key_type`` in ``status``, oldest first."""
        return [
            key
            for key in self._keys.for_authority(authority)
            if key.key_type == key_type.value and key.status is status
        ]

    def _add(
        self, authority: str, key_type: KeyType, *, status: KeyStatus = KeyStatus.ACTIVE
    ) -> StoredKey:
        stored = self.new_key(authority, key_type, status=status)
        try:
            self._keys.add(stored)
        except BaseException:
            self._discard(stored)
            raise
        return stored


def _verification_method(did: str, key_id: str) -> str:
    """The id of the verification method of key ``key_id`` in the DID document of ``did``."""
    if did.startswith(_DID_KEY):
        return f"{did}#{did.removeprefix(_DID_KEY)}"  # did:key: the key is the DID
    return f"{did}#{key_id}"


class SoftwareKeyStore(RepositoryKeyStore):
    """A :class:`KeyStore` whose secrets are wrapped with a KEK inside their records.

    Decrypted keys are kept in a bounded LRU cache keyed by the stored blob, so signing
    needs no AES and a changed record is never served stale.
    """

    def __init__(
        self, keys: KeyRepository, kek: KeyEncryptionKey, clock: Clock, *, cache_size: int = 64
    ) -> None:
        super().__init__(keys, clock)
        self._kek = kek
        self._cache_size = cache_size
        self._cache: OrderedDict[tuple[str, str, bytes], KeyPair] = OrderedDict()
        self._lock = threading.Lock()

    def check(self) -> None:
        """The key-encryption key is loaded and wraps and unwraps a probe."""
        probe = b"vcservice readiness probe"
        wrapped = self._kek.encrypt(probe, authority="-", key_id="readiness", key_type="-")
        if self._kek.decrypt(wrapped, authority="-", key_id="readiness", key_type="-") != probe:
            raise StorageError(
                "the key-encryption key does not unwrap what it wrapped",
                code="KEY_DECRYPTION_FAILED",
            )

    def close(self) -> None:
        """Drop the decrypted keys from the cache."""
        with self._lock:
            self._cache.clear()

    def _new_secret(
        self, authority: str, key_id: str, key_type: KeyType
    ) -> tuple[PublicKey, bytes]:
        key_pair = KeyPair.generate(key_type)
        # The plaintext is the Multikey secretKeyMultibase: self-describing, checked on load.
        secret = key_pair.secret_to_multibase().encode("ascii")
        wrapped = self._kek.encrypt(
            secret, authority=authority, key_id=key_id, key_type=key_type.value
        )
        return key_pair.public_key, wrapped

    def _signer(self, stored: StoredKey, verification_method: str) -> Signer:
        return KeyPairSigner(self._key_pair(stored), verification_method)

    def _key_pair(self, stored: StoredKey) -> KeyPair:
        cache_key = (stored.authority, stored.key_id, stored.encrypted_secret)
        with self._lock:
            cached = self._cache.get(cache_key)
            if cached is not None:
                self._cache.move_to_end(cache_key)
                return cached
        secret = self._kek.decrypt(
            stored.encrypted_secret,
            authority=stored.authority,
            key_id=stored.key_id,
            key_type=stored.key_type,
        )
        try:
            key_pair = KeyPair.from_multibase(stored.public_key_multibase, secret.decode("ascii"))
        except (KeyFormatError, UnicodeDecodeError):
            raise KeyFormatError(
                f"stored key {stored.key_id!r} of {stored.authority!r} is inconsistent with "
                "its public key"
            ) from None  # the cause could quote decrypted bytes
        with self._lock:
            self._cache[cache_key] = key_pair
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return key_pair
