"""eddsa-rdfc-2022 (W3C VC Data Integrity EdDSA Cryptosuites v1.0)."""

from vcservice.keys import KeyType
from vcservice.proofs.cryptosuite import DATA_INTEGRITY_PROOF, Cryptosuite

NAME = "eddsa-rdfc-2022"

SUITE = Cryptosuite(
    name=NAME,
    proof_type=DATA_INTEGRITY_PROOF,
    hash_by_key_type={KeyType.ED25519: "sha256"},
)
