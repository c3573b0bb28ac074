"""Test-side signers for the legacy suites vcservice only verifies.

vcservice refuses to make these proofs, so tests make them here: the hash data comes from the
service's canonizer (as Linked Data Signatures define it, SHA-256 of the canonical proof
options and of the canonical document), the JWS is assembled and signed here with
``cryptography`` keys. The JS reference signers (``legacy_js/``) check the same from outside.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from vcservice.dids import did_jwk_from_public_key, did_key_from_public_key
from vcservice.keys import KeyType, PublicKey, base58btc_encode, base64url_encode
from vcservice.services.core import Core

V1 = "https://www.w3.org/2018/credentials/v1"
V2 = "https://www.w3.org/ns/credentials/v2"
ED25519_2018 = "https://w3id.org/security/suites/ed25519-2018/v1"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
JWS_2020 = "https://w3id.org/security/suites/jws-2020/v1"
TRACEABILITY = "https://w3id.org/traceability/v1"
CREATED = "2026-11-28T11:00:00Z"

ED2018, ED2020, JWS2020 = "Ed25519Signature2018", "Ed25519Signature2020", "JsonWebSignature2020"
# The suite contexts a VCDM 1.1 and a VCDM 2.0 credential name (credentials/v1 defines
# Ed25519Signature2018 itself, and refuses the ed25519-2018 context beside it).
SUITE_CONTEXTS = {
    (ED2018, 1): [],
    (ED2018, 2): [ED25519_2018],
    (ED2020, 1): [ED25519_2020],
    (ED2020, 2): [ED25519_2020],
    (JWS2020, 1): [JWS_2020],
    (JWS2020, 2): [JWS_2020],
}
JWS_ALGORITHMS = {
    KeyType.ED25519: "EdDSA",
    KeyType.P256: "ES256",
    KeyType.P384: "ES384",
    KeyType.SECP256K1: "ES256K",
}
_CURVES = {
    KeyType.P256: (ec.SECP256R1(), hashes.SHA256()),
    KeyType.P384: (ec.SECP384R1(), hashes.SHA384()),
    KeyType.SECP256K1: (ec.SECP256K1(), hashes.SHA256()),
}


@dataclass(frozen=True)
class LegacyKey:
    """A private key of any type the legacy suites use (secp256k1 included), as a DID."""

    key_type: KeyType
    private: Ed25519PrivateKey | ec.EllipticCurvePrivateKey
    did_method: str = "key"

    @classmethod
    def generate(cls, key_type: KeyType, *, did_method: str = "key") -> LegacyKey:
        if key_type is KeyType.ED25519:
            return cls(key_type, Ed25519PrivateKey.generate(), did_method)
        return cls(key_type, ec.generate_private_key(_CURVES[key_type][0]), did_method)

    @property
    def public_key(self) -> PublicKey:
        return PublicKey(self.private.public_key())

    @property
    def did(self) -> str:
        if self.did_method == "jwk":
            return did_jwk_from_public_key(self.public_key)
        return did_key_from_public_key(self.public_key)

    @property
    def verification_method(self) -> str:
        if self.did_method == "jwk":
            return f"{self.did}#0"
        return f"{self.did}#{self.public_key.to_multibase()}"

    def sign(self, data: bytes) -> bytes:
        """Ed25519, or ECDSA as JWS writes it (r‖s) with the hash of the curve's JWS alg."""
        if isinstance(self.private, Ed25519PrivateKey):
            return self.private.sign(data)
        size = self.key_type.params.size
        r, s = decode_dss_signature(self.private.sign(data, ec.ECDSA(_CURVES[self.key_type][1])))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    def seed_hex(self) -> str:
        assert isinstance(self.private, Ed25519PrivateKey)
        return self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()

    def private_jwk(self) -> dict[str, str]:
        jwk = self.public_key.to_jwk()
        if isinstance(self.private, Ed25519PrivateKey):
            return jwk | {"d": base64url_encode(bytes.fromhex(self.seed_hex()))}
        secret = self.private.private_numbers().private_value
        return jwk | {"d": base64url_encode(secret.to_bytes(self.key_type.params.size, "big"))}


def credential(issuer: str, *, version: int, suite: str) -> dict[str, Any]:
    """A small credential of VCDM ``version`` with the contexts ``suite`` needs."""
    base = V1 if version == 1 else V2
    document: dict[str, Any] = {
        "@context": [base, *SUITE_CONTEXTS[suite, version]],
        "id": "urn:uuid:5f2c8e0a-63a4-4c5e-9a55-1b0d8c0f2a11",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "credentialSubject": {"id": "did:web:ensambles-bravo.example"},
    }
    if version == 1:
        document["issuanceDate"] = "2026-11-01T00:00:00Z"
    else:
        document["validFrom"] = "2026-11-01T00:00:00Z"
    return document


def header(alg: str) -> str:
    """The base64url header both suites write: alg, b64 false, crit b64."""
    return base64url_encode(json.dumps({"alg": alg, "b64": False, "crit": ["b64"]}).encode())


def sign_legacy(
    core: Core,
    document: Mapping[str, Any],
    key: LegacyKey,
    *,
    suite: str,
    created: str | None = CREATED,
    encoded_header: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``document`` with a ``suite`` proof by ``key`` (``created=None`` leaves it out)."""
    proof: dict[str, Any] = {
        "type": suite,
        **({"created": created} if created is not None else {}),
        "verificationMethod": key.verification_method,
        "proofPurpose": "assertionMethod",
        **(options or {}),
    }
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    data = core.canonizer.hash_data(
        unsecured, {**proof, "@context": unsecured["@context"]}, hash_algorithm="sha256"
    )
    if suite == ED2020:
        proof["proofValue"] = base58btc_encode(key.sign(data))
    else:
        encoded = encoded_header or header(JWS_ALGORITHMS[key.key_type])
        signature = key.sign(encoded.encode("ascii") + b"." + data)
        proof["jws"] = f"{encoded}..{base64url_encode(signature)}"
    return {**unsecured, "proof": proof}
