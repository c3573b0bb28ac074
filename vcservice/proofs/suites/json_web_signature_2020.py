"""JsonWebSignature2020 (CCG JSON Web Signature 2020), verified only.

As Ed25519Signature2018 (URDNA2015 = RDFC-1.0 with SHA-256, hash data SHA-256(canonical
proof options) ‖ SHA-256(canonical document), a detached JWS with ``b64: false``), with the
JWS ``alg`` the key's type gives in the suite's JOSE conformance table: EdDSA for Ed25519,
ES256 for P-256, ES384 for P-384 (ECDSA with SHA-384 over the signing input; the hash data
stays SHA-256, the suite's message digest), ES256K for secp256k1. RSA (PS256) and P-521 are
not accepted. The key may come from any verification method type (the suite's
"Verification Method": JsonWebKey2020 is recommended, any representation convertible to a JWK
is allowed).
"""

from vcservice.keys import KeyType
from vcservice.proofs.cryptosuite import Cryptosuite

NAME = "JsonWebSignature2020"

_ALGORITHMS = {key_type: key_type.params.jws_algorithm for key_type in KeyType}

SUITE = Cryptosuite(
    name=NAME,
    proof_type=NAME,
    hash_by_key_type=dict.fromkeys(_ALGORITHMS, "sha256"),
    signs=False,
    requires_created=True,
    jws_algorithm_by_key_type=_ALGORITHMS,
)
