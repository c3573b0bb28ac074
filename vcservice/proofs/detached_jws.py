"""Detached JWS with the unencoded payload option: the ``jws`` of the legacy JWS suites.

Ed25519Signature2018 and JsonWebSignature2020 write their signature as
``BASE64URL(header) '..' BASE64URL(signature)`` (RFC 7515 §A.5 detached content) with the
header ``{"alg": …, "b64": false, "crit": ["b64"]}`` (RFC 7797 §3, §6): the payload — the
suite's hash data — is not in the JWS, and what is signed is
``ASCII(BASE64URL(header) || '.') || payload`` (RFC 7797 §3). JSON Web Signature 2020
("Proof Representation") says the header "MUST look like this", so no other member is
accepted, and a duplicated member is refused rather than read one way or the other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from vcservice.errors import ProofError, VcError
from vcservice.keys.multibase import base64url_decode

__all__ = ["MAX_JWS_LENGTH", "DetachedJws", "parse_detached_jws"]

# A header of three members and a signature of at most 96 bytes fit in far less.
MAX_JWS_LENGTH = 1024
_FIELD = "proof.jws"
_MALFORMED = "MALFORMED_PROOF_ERROR"


@dataclass(frozen=True, slots=True)
class DetachedJws:
    """A parsed ``jws``: its algorithm, the header as sent, and the signature bytes."""

    algorithm: str
    encoded_header: str
    signature: bytes

    def signing_input(self, payload: bytes) -> bytes:
        """What the signature covers: ``ASCII(BASE64URL(header) || '.') || payload``."""
        return self.encoded_header.encode("ascii") + b"." + payload


def parse_detached_jws(value: Any) -> DetachedJws:
    """Parse a proof's ``jws``; anything but a detached, unencoded-payload JWS is
    MALFORMED_PROOF_ERROR naming ``proof.jws``."""
    if not isinstance(value, str):
        raise _malformed("the proof needs a 'jws' string (a detached JWS)")
    if len(value) > MAX_JWS_LENGTH:
        raise _malformed(f"jws is longer than {MAX_JWS_LENGTH} characters")
    parts = value.split(".")
    if len(parts) != 3 or parts[1] != "" or not parts[0] or not parts[2]:
        raise _malformed("jws must be a detached JWS, 'header..signature'")
    encoded_header, _, encoded_signature = parts
    try:
        header = json.loads(base64url_decode(encoded_header), object_pairs_hook=_no_duplicates)
        signature = base64url_decode(encoded_signature)
    except (ValueError, VcError) as exc:  # UnicodeDecodeError is a ValueError
        detail = exc.message if isinstance(exc, VcError) else str(exc)
        raise _malformed(f"jws is not base64url JSON header and signature: {detail}") from exc
    if not isinstance(header, dict):
        raise _malformed("the jws header must be a JSON object")
    if set(header) != {"alg", "b64", "crit"}:
        raise _malformed(
            f"the jws header must have exactly alg, b64 and crit, got {sorted(header)}"
        )
    if header["b64"] is not False or header["crit"] != ["b64"]:
        raise _malformed('the jws header must say "b64": false and "crit": ["b64"] (RFC 7797)')
    if not isinstance(header["alg"], str):
        raise _malformed("the jws header's alg must be a string")
    return DetachedJws(header["alg"], encoded_header, signature)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, member in pairs:
        if name in found:
            raise ValueError(f"duplicate member {name!r}")
        found[name] = member
    return found


def _malformed(detail: str) -> ProofError:
    return ProofError(detail, code=_MALFORMED, field=_FIELD)
