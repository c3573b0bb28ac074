"""Custody of secrets: authorities' signing keys (encrypted at rest), secret files, hashes.

The PKCS#11 (HSM) key store is :mod:`vcservice.custody.pkcs11`, not imported here: it needs
the optional python-pkcs11 (``pip install 'vcservice[hsm]'``).
"""

from vcservice.custody.encryption import KEY_DECRYPTION_FAILED, KeyEncryptionKey
from vcservice.custody.keystore import KeyStore, SoftwareKeyStore
from vcservice.custody.secret_files import create_secret_file, ensure_secret_file
from vcservice.custody.secret_hash import hash_secret, verify_secret

__all__ = [
    "KEY_DECRYPTION_FAILED",
    "KeyEncryptionKey",
    "KeyStore",
    "SoftwareKeyStore",
    "create_secret_file",
    "ensure_secret_file",
    "hash_secret",
    "verify_secret",
]
