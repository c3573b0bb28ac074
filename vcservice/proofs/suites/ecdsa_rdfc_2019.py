"""ecdsa-rdfc-2019 (W3C VC Data Integrity ECDSA Cryptosuites v1.0), P-256 and P-384."""

from vcservice.keys import KeyType
from vcservice.proofs.cryptosuite import DATA_INTEGRITY_PROOF, Cryptosuite

NAME = "ecdsa-rdfc-2019"

SUITE = Cryptosuite(
    name=NAME,
    proof_type=DATA_INTEGRITY_PROOF,
    hash_by_key_type={KeyType.P256: "sha256", KeyType.P384: "sha384"},
)
