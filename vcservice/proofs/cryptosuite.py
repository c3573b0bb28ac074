"""What a Data Integrity cryptosuite is: a name, a proof type, and a hash per key type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vcservice.errors import ProofError
from vcservice.keys import KeyType

DATA_INTEGRITY_PROOF = "DataIntegrityProof"


@dataclass(frozen=True)
class Cryptosuite:
    """A suite that signs the RDFC-canonical hash data with a raw-signature key.

    ``hash_by_key_type`` maps each accepted key type to the hash used both inside
    RDFC-1.0 and over the canonical N-Quads (SHA-384 for P-384, per vc-di-ecdsa).
    Legacy suites (``signs=False``) are accepted for verification only.
    """

    name: str
    proof_type: str
    hash_by_key_type: Mapping[KeyType, str]
    signs: bool = True

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

    def proof_identity(self) -> dict[str, Any]:
        """The ``type`` (and ``cryptosuite``) members a proof of this suite carries."""
        if self.proof_type == DATA_INTEGRITY_PROOF:
            return {"type": self.proof_type, "cryptosuite": self.name}
        return {"type": self.proof_type}
