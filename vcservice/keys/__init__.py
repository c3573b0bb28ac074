"""Keys: Ed25519, P-256 and P-384 key pairs, their Multikey/JWK encodings, key files, signers.

secp256k1 public keys are read and verify signatures; no key pair of that type is made.
"""

from vcservice.keys.key_pair import KeyPair
from vcservice.keys.key_type import SIGNING_KEY_TYPES, KeyType
from vcservice.keys.keyfile import KeyFile, load_key_file
from vcservice.keys.multibase import (
    base58_decode,
    base58_encode,
    base58btc_decode,
    base58btc_encode,
    base64url_decode,
    base64url_encode,
)
from vcservice.keys.public_key import PublicKey
from vcservice.keys.signer import KeyPairSigner, Signer

__all__ = [
    "SIGNING_KEY_TYPES",
    "KeyFile",
    "KeyPair",
    "KeyPairSigner",
    "KeyType",
    "PublicKey",
    "Signer",
    "base58_decode",
    "base58_encode",
    "base58btc_decode",
    "base58btc_encode",
    "base64url_decode",
    "base64url_encode",
    "load_key_file",
]
