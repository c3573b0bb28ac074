"""The OpenID4VP verifier's own keys: one signs Request Objects, one receives encrypted answers.

The verifier is ``decentralized_identifier:<did:jwk>`` (OpenID4VP 1.0 §5.9.3): the DID is
its signing key's public JWK, so a wallet resolves it without any fetch. Both keys are
P-256 (ES256 signatures, which every wallet verifies; ECDH-ES for ``direct_post.jwt``), kept
as key files in the data directory, made owner-only on first start like the access-token
key: replicas of one verifier share the files as they share that one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vcservice.custody import ensure_secret_file
from vcservice.dids.methods.jwk import did_jwk_from_public_key
from vcservice.keys import KeyFile, KeyPair, KeyPairSigner, KeyType, load_key_file
from vcservice.oid4vp.authorization_request import DECENTRALIZED_IDENTIFIER
from vcservice.oid4vp.jwe import ALGORITHM
from vcservice.services.access import jwk_thumbprint

__all__ = ["ENCRYPTION_KEY_FILE", "SIGNING_KEY_FILE", "VerifierKeys", "load_verifier_keys"]

SIGNING_KEY_FILE = "openid4vp-signing-key"
ENCRYPTION_KEY_FILE = "openid4vp-encryption-key"
SIGNING_ALGORITHM = "ES256"


@dataclass(frozen=True)
class VerifierKeys:
    """The verifier's keys: one signs Request Objects as ``<did:jwk>#0`` (the DID is the
    ``client_id``), the other receives encrypted responses (its JWK in ``client_metadata``)."""

    signing: KeyPair
    encryption: KeyPair
    did: str = field(init=False)
    encryption_jwk: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "did", did_jwk_from_public_key(self.signing.public_key))
        jwk = self.encryption.public_key.to_jwk()
        jwk |= {"kid": jwk_thumbprint(self.encryption.public_key), "use": "enc"}
        object.__setattr__(self, "encryption_jwk", jwk | {"alg": ALGORITHM})

    @property
    def client_id(self) -> str:
        """The verifier's ``client_id`` for signed requests."""
        return f"{DECENTRALIZED_IDENTIFIER}:{self.did}"

    @property
    def signer(self) -> KeyPairSigner:
        """Signs as the DID's one verification method, ``#0``."""
        return KeyPairSigner(self.signing, f"{self.did}#0")

    def jwks(self) -> dict[str, Any]:
        """Both public keys, as a JWK Set (the signing one by its DID URL)."""
        signing = self.signing.public_key.to_jwk()
        signing |= {"kid": self.signer.verification_method, "use": "sig"}
        return {"keys": [signing | {"alg": SIGNING_ALGORITHM}, self.encryption_jwk]}


def load_verifier_keys(data_dir: Path) -> VerifierKeys:
    """The verifier's keys in ``data_dir``, each made (0600) on first start."""
    pairs = []
    for name in (SIGNING_KEY_FILE, ENCRYPTION_KEY_FILE):
        path = data_dir / name
        ensure_secret_file(
            path, lambda: KeyFile(KeyPair.generate(KeyType.P256)).to_json().encode("utf-8")
        )
        pairs.append(load_key_file(path).key_pair)
    return VerifierKeys(signing=pairs[0], encryption=pairs[1])
