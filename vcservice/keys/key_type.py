"""The supported key types and the parameters that drive every encoding of them.

Ed25519, P-256 and P-384 sign and verify. secp256k1 only verifies: JsonWebSignature2020
proofs made elsewhere use it (ES256K), and nothing here makes a key of that type.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = ["SIGNING_KEY_TYPES", "KeyParams", "KeyType"]


class KeyType(StrEnum):
    """A key type; the value is also its JWK ``crv`` name."""

    ED25519 = "Ed25519"
    P256 = "P-256"
    P384 = "P-384"
    SECP256K1 = "secp256k1"

    @property
    def params(self) -> KeyParams:
        """Multicodec codes, sizes, curve and hash of this key type."""
        return _PARAMS[self]


@dataclass(frozen=True)
class KeyParams:
    """Per-type constants; ``curve`` and ``hash`` are None for Ed25519 (EdDSA hashes internally).

    ``signs`` is False for a type whose keys are only ever used to verify (secp256k1).
    """

    public_codec: int
    secret_codec: int
    size: int
    curve: ec.EllipticCurve | None
    hash: hashes.HashAlgorithm | None
    jws_algorithm: str  # the JOSE ``alg`` of its signatures (RFC 8037, RFC 7518, RFC 8812)
    signs: bool = True

    @property
    def public_length(self) -> int:
        """Bytes of the Multikey public key: raw Ed25519, or a SEC1 compressed point."""
        return self.size if self.curve is None else self.size + 1

    @property
    def signature_length(self) -> int:
        """Bytes of a signature: Ed25519 R‖S, or ECDSA r‖s (IEEE P1363)."""
        return 2 * self.size

    @property
    def jwk_kty(self) -> str:
        """The JWK ``kty`` (RFC 8037 OKP or RFC 7518 EC)."""
        return "OKP" if self.curve is None else "EC"


# Codes from the multicodec table: ed25519-pub, p256-pub, p384-pub, secp256k1-pub and the
# matching -priv. ES256K (RFC 8812 §3.2) is ECDSA over secp256k1 with SHA-256.
_PARAMS = {
    KeyType.ED25519: KeyParams(0xED, 0x1300, 32, None, None, "EdDSA"),
    KeyType.P256: KeyParams(0x1200, 0x1306, 32, ec.SECP256R1(), hashes.SHA256(), "ES256"),
    KeyType.P384: KeyParams(0x1201, 0x1307, 48, ec.SECP384R1(), hashes.SHA384(), "ES384"),
    KeyType.SECP256K1: KeyParams(
        0xE7, 0x1301, 32, ec.SECP256K1(), hashes.SHA256(), "ES256K", signs=False
    ),
}

SIGNING_KEY_TYPES: tuple[KeyType, ...] = tuple(t for t in KeyType if _PARAMS[t].signs)
"""The key types this service makes keys of and signs with."""
