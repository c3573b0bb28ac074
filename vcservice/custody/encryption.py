"""The key-encryption key (KEK): AES-256-GCM wrapping of authorities' secret keys at rest.

A wrapped secret is ``version (1 byte) ‖ nonce (12 bytes) ‖ ciphertext ‖ tag``. The
associated data binds it to the key it belongs to (authority, key id, key type), so a blob
copied onto another key record fails to decrypt instead of silently signing as that key.

Other keys that every process of a deployment must share are derived from the KEK
(HKDF-SHA256, an ``info`` label per purpose): as secret and as common as the KEK itself,
and stored nowhere.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vcservice.custody.secret_files import create_secret_file
from vcservice.errors import KeyFormatError, ParsingError
from vcservice.keys.multibase import base64url_decode, base64url_encode

__all__ = ["KEK_ENV", "KEK_FILE_ENV", "KEY_DECRYPTION_FAILED", "KeyEncryptionKey"]

KEK_ENV = "VCSERVICE_KEK"
KEK_FILE_ENV = "VCSERVICE_KEK_FILE"
KEY_DECRYPTION_FAILED = "KEY_DECRYPTION_FAILED"

_VERSION = 1
_NONCE_SIZE = 12
_TAG_SIZE = 16
_KEK_SIZE = 32


class KeyEncryptionKey:
    """A 256-bit AES-GCM key that wraps and unwraps secret key bytes; never shown in reprs."""

    __slots__ = ("_aead", "_key")

    def __init__(self, key: bytes) -> None:
        if len(key) != _KEK_SIZE:
            raise KeyFormatError(f"the key-encryption key must be {_KEK_SIZE} bytes")
        self._key = key
        self._aead = AESGCM(key)

    @classmethod
    def from_text(cls, text: str, *, source: str = "the key-encryption key") -> KeyEncryptionKey:
        """Parse base64url (padding and surrounding whitespace allowed); ``source`` names it."""
        try:
            key = base64url_decode(text.strip().rstrip("="))
        except ParsingError:
            raise KeyFormatError(f"{source} is not base64url of {_KEK_SIZE} bytes") from None
        if len(key) != _KEK_SIZE:
            raise KeyFormatError(f"{source} must encode {_KEK_SIZE} bytes, not {len(key)}")
        return cls(key)

    @classmethod
    def from_file(cls, path: Path) -> KeyEncryptionKey:
        """Read a KEK file (base64url of 32 bytes)."""
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyFormatError(f"cannot read the key-encryption key file {path}") from exc
        return cls.from_text(text, source=f"key-encryption key file {path}")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> KeyEncryptionKey:
        """Load from ``VCSERVICE_KEK`` (base64url) or ``VCSERVICE_KEK_FILE`` (a path); not both."""
        value, file = environ.get(KEK_ENV), environ.get(KEK_FILE_ENV)
        if value and file:
            raise KeyFormatError(f"set only one of {KEK_ENV} and {KEK_FILE_ENV}")
        if value:
            return cls.from_text(value, source=KEK_ENV)
        if file:
            return cls.from_file(Path(file))
        raise KeyFormatError(f"no key-encryption key: set {KEK_ENV} or {KEK_FILE_ENV}")

    @classmethod
    def generate_file(cls, path: Path) -> KeyEncryptionKey:
        """Write a fresh random KEK to ``path`` (mode 0600); refuses to replace an existing one."""
        key = secrets.token_bytes(_KEK_SIZE)
        if not create_secret_file(path, (base64url_encode(key) + "\n").encode("ascii")):
            raise KeyFormatError(f"{path} already exists; a key-encryption key is never replaced")
        return cls(key)

    def encrypt(self, secret: bytes, *, authority: str, key_id: str, key_type: str) -> bytes:
        """Wrap ``secret`` for the key ``key_id`` of ``authority``."""
        nonce = secrets.token_bytes(_NONCE_SIZE)
        associated = _associated_data(authority, key_id, key_type)
        return bytes([_VERSION]) + nonce + self._aead.encrypt(nonce, secret, associated)

    def decrypt(self, blob: bytes, *, authority: str, key_id: str, key_type: str) -> bytes:
        """Unwrap a blob made by :meth:`encrypt` for the same key, or raise KEY_DECRYPTION_FAILED.

        A wrong KEK, a tampered blob and a blob of another key are indistinguishable here.
        """
        what = f"secret key {key_id!r} of {authority!r}"
        if len(blob) < 1 + _NONCE_SIZE + _TAG_SIZE or blob[0] != _VERSION:
            raise KeyFormatError(
                f"{what} is not a version {_VERSION} wrapped key", code=KEY_DECRYPTION_FAILED
            )
        nonce, ciphertext = blob[1 : 1 + _NONCE_SIZE], blob[1 + _NONCE_SIZE :]
        try:
            return self._aead.decrypt(
                nonce, ciphertext, _associated_data(authority, key_id, key_type)
            )
        except InvalidTag:
            raise KeyFormatError(
                f"{what} cannot be decrypted: wrong key-encryption key, or the stored key "
                "was altered or belongs to another key record",
                code=KEY_DECRYPTION_FAILED,
            ) from None

    def derive_key(self, label: bytes, size: int = 32) -> bytes:
        """A key of ``size`` bytes for the purpose ``label`` names (HKDF-SHA256 ``info``).

        Distinct labels give independent keys, none of which reveals the KEK or unwraps
        anything it wrapped.
        """
        return HKDF(algorithm=hashes.SHA256(), length=size, salt=None, info=label).derive(self._key)

    def __repr__(self) -> str:
        return "KeyEncryptionKey(<redacted>)"


def _associated_data(authority: str, key_id: str, key_type: str) -> bytes:
    # A JSON array is an unambiguous encoding of the three strings (no separator tricks).
    return json.dumps(["vcservice-kek", _VERSION, authority, key_id, key_type]).encode()
