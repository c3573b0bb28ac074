"""Custody of secrets: authorities' signing keys (encrypted at rest), secret files, digests.

The PKCS#11 (HSM) key store is :mod:`vcservice.custody.pkcs11`, not imported here: it needs
the optional python-pkcs11 (``pip install 'vcservice[hsm]'``).
"""

from vcservice.custody.encryption import KEY_DECRYPTION_FAILED, KeyEncryptionKey
from vcservice.custody.keystore import KeyStore, SoftwareKeyStore
from vcservice.custody.secret_digest import SecretCheck, SecretDigester, SecretPurpose
from vcservice.custody.secret_files import create_secret_file, ensure_secret_file

__all__ = [
    "KEY_DECRYPTION_FAILED",
    "KeyEncryptionKey",
    "KeyStore",
    "SecretCheck",
    "SecretDigester",
    "SecretPurpose",
    "SoftwareKeyStore",
    "create_secret_file",
    "ensure_secret_file",
]
