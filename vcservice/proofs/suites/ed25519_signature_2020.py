"""Ed25519Signature2020 (CCG draft): the predecessor of eddsa-rdfc-2022, verified only.

Proof options and document are canonicalized with URDNA2015 (= RDFC-1.0, SHA-256) and the
Ed25519 signature over SHA-256(options) ‖ SHA-256(document) is the base58btc ``proofValue``.
The suite's proof MUST carry ``created`` (CCG Ed25519 Signature 2020, "Proof Representation";
the W3C-CCG VC-API verifier suite refuses a proof without it).
"""

from vcservice.keys import KeyType
from vcservice.proofs.cryptosuite import Cryptosuite

NAME = "Ed25519Signature2020"

SUITE = Cryptosuite(
    name=NAME,
    proof_type=NAME,
    hash_by_key_type={KeyType.ED25519: "sha256"},
    signs=False,
    requires_created=True,
)
