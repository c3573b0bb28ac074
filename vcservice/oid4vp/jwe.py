"""The encrypted response of ``direct_post.jwt`` (OpenID4VP 1.0 §8.3): a compact JWE.

One profile only, the one OpenID4VP's examples and HAIP use: key agreement ``ECDH-ES``
(direct, RFC 7518 §4.6) on P-256 or P-384 with the Concat KDF over SHA-256, and content
encryption ``A128GCM`` or ``A256GCM``; no compression. The payload is a JSON object (the
response's parameters). ``encrypt_response`` is the wallet's side, for tests and the
service's own wallet.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash

from vcservice.errors import KeyFormatError, ParsingError, VcError
from vcservice.keys import KeyPair, KeyType, PublicKey, base64url_decode, base64url_encode

__all__ = ["ALGORITHM", "ENCRYPTIONS", "MAX_JWE_LENGTH", "decrypt_response", "encrypt_response"]

ALGORITHM = "ECDH-ES"
ENCRYPTIONS: Mapping[str, int] = {"A128GCM": 16, "A256GCM": 32}  # key bytes
MAX_JWE_LENGTH = 1_000_000
_CURVES = (KeyType.P256, KeyType.P384)
_IV_BYTES = 12
_TAG_BYTES = 16
_FIELD = "response"


def decrypt_response(token: str, *, key: KeyPair, kid: str | None = None) -> dict[str, Any]:
    """The JSON object ``token`` encrypts to ``key`` (whose JWK ``kid`` is ``kid``: a JWE
    naming another key is refused). PARSING_ERROR, field ``response``, for anything
    malformed, another profile, or a JWE that does not decrypt."""
    if key.key_type not in _CURVES:
        raise ValueError("ECDH-ES needs a P-256 or P-384 key")
    if len(token) > MAX_JWE_LENGTH:
        raise _refused("the JWE is too large")
    parts = token.strip().split(".")
    if len(parts) != 5:
        raise _refused("a compact JWE has five '.'-separated parts")
    encoded_header, encrypted_key, iv, ciphertext, tag = parts
    try:
        header = json.loads(base64url_decode(encoded_header))
        nonce, data, mac = (base64url_decode(part) for part in (iv, ciphertext, tag))
    except (ValueError, VcError):
        raise _refused("the JWE is not base64url JSON") from None
    if not isinstance(header, dict):
        raise _refused("the JWE header is not a JSON object")
    encryption = _profile(header, kid)
    if encrypted_key:
        raise _refused("ECDH-ES (direct) carries no encrypted key")
    if len(nonce) != _IV_BYTES or len(mac) != _TAG_BYTES:
        raise _refused("the JWE's iv or tag has the wrong length")
    ephemeral = _ephemeral_key(header.get("epk"), key.key_type)
    content_key = _derive(key, ephemeral, header, encryption)
    try:
        plain = AESGCM(content_key).decrypt(nonce, data + mac, encoded_header.encode("ascii"))
        payload = json.loads(plain)
    except (InvalidTag, ValueError):
        raise _refused("the JWE does not decrypt with this verifier's key") from None
    if not isinstance(payload, dict):
        raise _refused("the encrypted response is not a JSON object")
    return payload


def encrypt_response(
    payload: Mapping[str, Any], *, recipient: Mapping[str, Any], encryption: str = "A128GCM"
) -> str:
    """``payload`` encrypted to the public JWK ``recipient`` (its ``kid`` in the header)."""
    public = PublicKey.from_jwk(
        {name: value for name, value in recipient.items() if name in ("kty", "crv", "x", "y")}
    )
    if public.key_type not in _CURVES or encryption not in ENCRYPTIONS:
        raise ValueError("ECDH-ES on P-256 or P-384, with A128GCM or A256GCM")
    ephemeral = KeyPair.generate(public.key_type)
    header: dict[str, Any] = {
        "alg": ALGORITHM,
        "enc": encryption,
        "epk": ephemeral.public_key.to_jwk(),
    }
    if isinstance(recipient.get("kid"), str):
        header["kid"] = recipient["kid"]
    encoded_header = base64url_encode(json.dumps(header, separators=(",", ":")).encode())
    content_key = _derive(ephemeral, public, header, encryption)
    nonce = os.urandom(_IV_BYTES)
    sealed = AESGCM(content_key).encrypt(
        nonce, json.dumps(dict(payload)).encode("utf-8"), encoded_header.encode("ascii")
    )
    ciphertext, mac = sealed[:-_TAG_BYTES], sealed[-_TAG_BYTES:]
    return ".".join(
        (encoded_header, "", *(base64url_encode(part) for part in (nonce, ciphertext, mac)))
    )


def _profile(header: Mapping[str, Any], kid: str | None) -> str:
    """The header's ``enc``, once its ``alg``, ``kid`` and ``zip`` fit this profile."""
    if header.get("alg") != ALGORITHM:
        raise _refused(f"the JWE alg is {header.get('alg')!r}, not {ALGORITHM}")
    encryption = header.get("enc")
    if encryption not in ENCRYPTIONS:
        raise _refused(f"the JWE enc is one of {', '.join(ENCRYPTIONS)}")
    if "zip" in header or header.get("crit"):
        raise _refused("the JWE uses compression or critical extensions")
    if kid is not None and "kid" in header and header["kid"] != kid:
        raise _refused("the JWE is encrypted to another key")
    return str(encryption)


def _ephemeral_key(jwk: Any, key_type: KeyType) -> PublicKey:
    if not isinstance(jwk, Mapping):
        raise _refused("the JWE header has no epk")
    try:
        public = PublicKey.from_jwk(jwk)
    except KeyFormatError:
        raise _refused("the JWE's epk is not a valid public key") from None
    if public.key_type is not key_type:
        raise _refused(f"the JWE's epk is not a {key_type} key")
    return public


def _derive(
    private: KeyPair, public: PublicKey, header: Mapping[str, Any], encryption: str
) -> bytes:
    """The content key: ECDH, then the Concat KDF of RFC 7518 §4.6.2 (direct agreement:
    the algorithm id is ``enc``)."""
    assert isinstance(private.private_key, ec.EllipticCurvePrivateKey)
    assert isinstance(public.key, ec.EllipticCurvePublicKey)
    shared = private.private_key.exchange(ec.ECDH(), public.key)
    size = ENCRYPTIONS[encryption]
    other = b"".join(
        (
            _length_prefixed(encryption.encode("ascii")),
            _length_prefixed(_party(header, "apu")),
            _length_prefixed(_party(header, "apv")),
            (size * 8).to_bytes(4, "big"),
        )
    )
    return ConcatKDFHash(algorithm=hashes.SHA256(), length=size, otherinfo=other).derive(shared)


def _party(header: Mapping[str, Any], name: str) -> bytes:
    value = header.get(name)
    if value is None:
        return b""
    try:
        return base64url_decode(value) if isinstance(value, str) else _fail(name)
    except VcError:
        return _fail(name)


def _fail(name: str) -> bytes:
    raise _refused(f"the JWE's {name} is not base64url")


def _length_prefixed(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _refused(detail: str) -> ParsingError:
    return ParsingError(detail, field=_FIELD)
