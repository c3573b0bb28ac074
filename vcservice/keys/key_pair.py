"""Key pairs: signing, and the Multikey and JWK encodings of the secret key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from vcservice.errors import KeyFormatError
from vcservice.keys.key_type import SIGNING_KEY_TYPES, KeyType
from vcservice.keys.multibase import base64url_encode
from vcservice.keys.multikey import decode_multikey, encode_multikey
from vcservice.keys.public_key import PublicKey, jwk_member

__all__ = ["CryptoPrivateKey", "KeyPair"]

CryptoPrivateKey: TypeAlias = Ed25519PrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True, eq=False, repr=False)
class KeyPair:
    """A private key and its :class:`PublicKey`; ``repr`` shows only the public half.

    Only key types that sign (:data:`~vcservice.keys.key_type.SIGNING_KEY_TYPES`) make a key
    pair: a verify-only type such as secp256k1 is refused with UNSUPPORTED_KEY_TYPE.
    """

    private_key: CryptoPrivateKey
    public_key: PublicKey = field(init=False)

    def __post_init__(self) -> None:
        public_key = PublicKey(self.private_key.public_key())
        if not public_key.key_type.params.signs:
            raise KeyFormatError(
                f"{public_key.key_type} keys are only verified here; vcservice never signs "
                f"with them (signing key types: {', '.join(SIGNING_KEY_TYPES)})",
                code="UNSUPPORTED_KEY_TYPE",
            )
        object.__setattr__(self, "public_key", public_key)

    @property
    def key_type(self) -> KeyType:
        """The key type of both halves."""
        return self.public_key.key_type

    @classmethod
    def generate(cls, key_type: KeyType) -> KeyPair:
        """Generate a fresh key pair of ``key_type``."""
        curve = key_type.params.curve
        if curve is None:
            return cls(Ed25519PrivateKey.generate())
        return cls(ec.generate_private_key(curve))

    @classmethod
    def from_secret(cls, key_type: KeyType, secret: bytes) -> KeyPair:
        """Build from the raw secret: an Ed25519 seed or a big-endian EC scalar."""
        params = key_type.params
        if len(secret) != params.size:
            raise KeyFormatError(
                f"{key_type} secret key must be {params.size} bytes, got {len(secret)}"
            )
        try:
            if params.curve is None:
                return cls(Ed25519PrivateKey.from_private_bytes(secret))
            return cls(ec.derive_private_key(int.from_bytes(secret, "big"), params.curve))
        except ValueError as exc:
            raise KeyFormatError(f"invalid {key_type} secret key: {exc}") from exc

    @classmethod
    def from_multibase(cls, public_multibase: str, secret_multibase: str) -> KeyPair:
        """Parse Multikey ``publicKeyMultibase`` and ``secretKeyMultibase``; they must match."""
        key_pair = cls.from_secret(*decode_multikey(secret_multibase, secret=True))
        key_pair._require_public(PublicKey.from_multibase(public_multibase))
        return key_pair

    @classmethod
    def from_private_jwk(cls, jwk: Mapping[str, Any]) -> KeyPair:
        """Parse a private JWK; its public members must match ``d``."""
        if not isinstance(jwk, Mapping) or "d" not in jwk:
            raise KeyFormatError("a private JWK must be a JSON object with member 'd'", field="d")
        public_key = PublicKey.from_jwk({name: value for name, value in jwk.items() if name != "d"})
        secret = jwk_member(jwk, "d", public_key.key_type.params.size)
        key_pair = cls.from_secret(public_key.key_type, secret)
        key_pair._require_public(public_key)
        return key_pair

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``: raw Ed25519, or deterministic (RFC 6979) ECDSA as raw r‖s."""
        if isinstance(self.private_key, Ed25519PrivateKey):
            return self.private_key.sign(data)
        params = self.key_type.params
        assert params.hash is not None  # every EC key type names its hash
        der = self.private_key.sign(data, ec.ECDSA(params.hash, deterministic_signing=True))
        r, s = decode_dss_signature(der)
        return r.to_bytes(params.size, "big") + s.to_bytes(params.size, "big")

    def secret_to_multibase(self) -> str:
        """Encode the secret key as a Multikey ``secretKeyMultibase`` value."""
        return encode_multikey(self.key_type, self._secret_bytes(), secret=True)

    def to_private_jwk(self) -> dict[str, str]:
        """Encode as a JWK including the private member ``d``."""
        return self.public_key.to_jwk() | {"d": base64url_encode(self._secret_bytes())}

    def _secret_bytes(self) -> bytes:
        if isinstance(self.private_key, Ed25519PrivateKey):
            return self.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        size = self.key_type.params.size
        return self.private_key.private_numbers().private_value.to_bytes(size, "big")

    def _require_public(self, expected: PublicKey) -> None:
        if self.public_key != expected:
            raise KeyFormatError(
                f"the public key {expected.to_multibase()} does not belong to the secret key "
                f"(which gives {self.public_key.to_multibase()})"
            )

    def __repr__(self) -> str:
        return f"KeyPair({self.key_type}, public={self.public_key.to_multibase()})"
