"""Ed25519Signature2018 (CCG Ed25519 Signature 2018), verified only.

The Linked Data Signatures algorithm with URDNA2015 (= RDFC-1.0, SHA-256 inside) and SHA-256:
the hash data is SHA-256(canonical proof options) ‖ SHA-256(canonical document), the options
being the proof without ``jws`` under the document's ``@context``. The signature is a
detached JWS with the unencoded payload (RFC 7797): header ``{"alg":"EdDSA","b64":false,
"crit":["b64"]}``, and Ed25519 signs ``ASCII(BASE64URL(header) || '.') || hash data``.
Any verification method holding an Ed25519 key will do (``Ed25519VerificationKey2018``,
``Ed25519VerificationKey2020``, ``Multikey`` as did:key expands here, ``JsonWebKey2020``).
"""

from vcservice.keys import KeyType
from vcservice.proofs.cryptosuite import Cryptosuite

NAME = "Ed25519Signature2018"

SUITE = Cryptosuite(
    name=NAME,
    proof_type=NAME,
    hash_by_key_type={KeyType.ED25519: "sha256"},
    signs=False,
    requires_created=True,
    jws_algorithm_by_key_type={KeyType.ED25519: KeyType.ED25519.params.jws_algorithm},
)
