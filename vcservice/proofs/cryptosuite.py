"""What a Data Integrity cryptosuite is: a name, a proof type, and a hash per key type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vcservice.errors import ProofError
from vcservice.keys import KeyType

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
PROOF_VALUE = "proofValue"
JWS = "jws"


@dataclass(frozen=True)
class Cryptosuite:
    """A suite that signs the RDFC-canonical hash data with a raw-signature key.

    ``hash_by_key_type`` maps each accepted key type to the hash used both inside
    RDFC-1.0 and over the canonical N-Quads (SHA-384 for P-384, per vc-di-ecdsa).
    Legacy suites (``signs=False``) are accepted for verification only.

    A suite with ``jws_algorithm_by_key_type`` carries its signature as a detached JWS with
    the unencoded payload option (RFC 7797) in the proof's ``jws`` member, and signs
    ``ASCII(BASE64URL(header) || '.') || hash data`` with the JWS ``alg`` its key type maps
    to; the others carry a base58btc ``proofValue`` over the hash data itself.
    ``requires_created``: a proof without ``created`` is malformed (the legacy suites).
    """

    name: str
    proof_type: str
    hash_by_key_type: Mapping[KeyType, str]
    signs: bool = True
    requires_created: bool = False
    jws_algorithm_by_key_type: Mapping[KeyType, str] | None = None

    @property
    def signature_member(self) -> str:
        """The proof member holding the signature, left out of the signed proof options."""
        return PROOF_VALUE if self.jws_algorithm_by_key_type is None else JWS

    def hash_algorithm(self, key_type: KeyType) -> str:
        """The hash for ``key_type``, or ``ProofError`` if the suite does not use such keys."""
        try:
            return self.hash_by_key_type[key_type]
        except KeyError:
            accepted = ", ".join(sorted(self.hash_by_key_type))
            raise ProofError(
                f"{self.name} does not use {key_type} keys (accepts {accepted})",
                field="verificationMethod",
            ) from None

    def jws_algorithm(self, key_type: KeyType) -> str:
        """The JWS ``alg`` a ``key_type`` key signs with in this suite (a JWS suite only)."""
        self.hash_algorithm(key_type)  # refuses key types the suite does not use
        if self.jws_algorithm_by_key_type is None:
            raise ValueError(f"{self.name} does not sign with JWS")
        return self.jws_algorithm_by_key_type[key_type]

    def proof_identity(self) -> dict[str, Any]:
        """The ``type`` (and ``cryptosuite``) members a proof of this suite carries."""
        if self.proof_type == DATA_INTEGRITY_PROOF:
            return {"type": self.proof_type, "cryptosuite": self.name}
        return {"type": self.proof_type}
