"""Ed25519Signature2020 (CCG draft): the predecessor of eddsa-rdfc-2022, verified only."""

from vcservice.keys import KeyType
from vcservice.proofs.cryptosuite import Cryptosuite

NAME = "Ed25519Signature2020"

SUITE = Cryptosuite(
    name=NAME,
    proof_type=NAME,
    hash_by_key_type={KeyType.ED25519: "sha256"},
    signs=False,
)
