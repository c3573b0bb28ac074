"""Public keys: signature verification and the Multikey and JWK encodings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from vcservice.errors import KeyFormatError, ParsingError
from vcservice.keys.key_type import KeyType
from vcservice.keys.multibase import base64url_decode, base64url_encode
from vcservice.keys.multikey import decode_multikey, encode_multikey

__all__ = ["CryptoPublicKey", "PublicKey"]

CryptoPublicKey: TypeAlias = Ed25519PublicKey | ec.EllipticCurvePublicKey

_JWK_TYPES = {(key_type.params.jwk_kty, key_type.value): key_type for key_type in KeyType}
_CURVE_TYPES = {
    key_type.params.curve.name: key_type
    for key_type in KeyType
    if key_type.params.curve is not None
}


@dataclass(frozen=True, eq=False, repr=False)
class PublicKey:
    """A supported public key; equal when type and key bytes are equal."""

    key: CryptoPublicKey
    key_type: KeyType = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_type", key_type_of(self.key))

    @classmethod
    def from_raw(cls, key_type: KeyType, raw: bytes) -> PublicKey:
        """Build from raw Ed25519 bytes or a SEC1 compressed EC point."""
        params = key_type.params
        if len(raw) != params.public_length:
            raise KeyFormatError(
                f"{key_type} public key must be {params.public_length} bytes, got {len(raw)}"
            )
        try:
            if params.curve is None:
                return cls(Ed25519PublicKey.from_public_bytes(raw))
            return cls(ec.EllipticCurvePublicKey.from_encoded_point(params.curve, raw))
        except ValueError as exc:
            raise KeyFormatError(f"invalid {key_type} public key: {exc}") from exc

    @classmethod
    def from_multibase(cls, value: str) -> PublicKey:
        """Parse a Multikey ``publicKeyMultibase`` value."""
        return cls.from_raw(*decode_multikey(value))

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> PublicKey:
        """Parse a public JWK (RFC 8037 OKP Ed25519, RFC 7518 EC P-256/P-384, RFC 8812 EC
        secp256k1)."""
        if not isinstance(jwk, Mapping):
            raise KeyFormatError("a JWK must be a JSON object")
        if "d" in jwk:
            raise KeyFormatError(
                "the JWK contains the private member 'd'; only public keys are accepted", field="d"
            )
        kty, crv = jwk.get("kty"), jwk.get("crv")
        key_type = (
            _JWK_TYPES.get((kty, crv)) if isinstance(kty, str) and isinstance(crv, str) else None
        )
        if key_type is None:
            raise KeyFormatError(
                f"unsupported JWK kty={kty!r} crv={crv!r} "
                f"(supported: OKP Ed25519, EC P-256, EC P-384, EC secp256k1)",
                code="UNSUPPORTED_KEY_TYPE",
            )
        params = key_type.params
        x = jwk_member(jwk, "x", params.size)
        if params.curve is None:
            return cls.from_raw(key_type, x)
        y = jwk_member(jwk, "y", params.size)
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), params.curve
        )
        try:
            return cls(numbers.public_key())
        except ValueError as exc:
            raise KeyFormatError(f"JWK x/y is not a point on {key_type}: {exc}") from exc

    @property
    def raw(self) -> bytes:
        """Raw Ed25519 bytes, or the SEC1 compressed point of an EC key."""
        if isinstance(self.key, Ed25519PublicKey):
            return self.key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        return self.key.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)

    def to_multibase(self) -> str:
        """Encode as a Multikey ``publicKeyMultibase`` value."""
        return encode_multikey(self.key_type, self.raw)

    def to_jwk(self) -> dict[str, str]:
        """Encode as a JWK with only the public members."""
        params = self.key_type.params
        jwk = {"kty": params.jwk_kty, "crv": self.key_type.value}
        if isinstance(self.key, Ed25519PublicKey):
            return jwk | {"x": base64url_encode(self.raw)}
        numbers = self.key.public_numbers()
        return jwk | {
            "x": base64url_encode(numbers.x.to_bytes(params.size, "big")),
            "y": base64url_encode(numbers.y.to_bytes(params.size, "big")),
        }

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Check an Ed25519 or raw r‖s ECDSA signature over ``data``; never raises on bad input.

        ECDSA hashes ``data`` with SHA-256 (P-256, secp256k1) or SHA-384 (P-384) and accepts
        high-S values.
        """
        params = self.key_type.params
        if len(signature) != params.signature_length:
            return False
        try:
            if isinstance(self.key, Ed25519PublicKey):
                self.key.verify(signature, data)
            else:
                assert params.hash is not None  # every EC key type names its hash
                r = int.from_bytes(signature[: params.size], "big")
                s = int.from_bytes(signature[params.size :], "big")
                self.key.verify(encode_dss_signature(r, s), data, ec.ECDSA(params.hash))
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PublicKey):
            return NotImplemented
        return self.key_type == other.key_type and self.raw == other.raw

    def __hash__(self) -> int:
        return hash((self.key_type, self.raw))

    def __repr__(self) -> str:
        return f"PublicKey({self.key_type}, {self.to_multibase()})"


def key_type_of(key: CryptoPublicKey) -> KeyType:
    """The :class:`KeyType` of a ``cryptography`` public key, or KeyFormatError."""
    if isinstance(key, Ed25519PublicKey):
        return KeyType.ED25519
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _CURVE_TYPES:
        return _CURVE_TYPES[key.curve.name]
    raise KeyFormatError(
        f"unsupported key {type(key).__name__} (supported: {', '.join(KeyType)})",
        code="UNSUPPORTED_KEY_TYPE",
    )


def jwk_member(jwk: Mapping[str, Any], name: str, size: int) -> bytes:
    """Decode the base64url JWK member ``name``, which must be exactly ``size`` bytes."""
    value = jwk.get(name)
    if not isinstance(value, str):
        raise KeyFormatError(f"JWK member {name!r} must be a base64url string", field=name)
    try:
        data = base64url_decode(value)
    except ParsingError as exc:
        raise KeyFormatError(f"JWK member {name!r}: {exc.message}", field=name) from exc
    if len(data) != size:
        raise KeyFormatError(
            f"JWK member {name!r} must be {size} bytes, got {len(data)}", field=name
        )
    return data
