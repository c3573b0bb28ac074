"""Compact JWS (RFC 7515) with the three algorithms VC-JOSE-COSE uses here."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vcservice.errors import ParsingError, ProofError, VcError
from vcservice.keys import SIGNING_KEY_TYPES, KeyType, PublicKey, Signer
from vcservice.keys.multibase import base64url_decode, base64url_encode

# vc+jwt and vp+jwt: the key types this service signs with (ES256K is not accepted here).
ALGORITHM_BY_KEY_TYPE: Mapping[KeyType, str] = {
    key_type: key_type.params.jws_algorithm for key_type in SIGNING_KEY_TYPES
}
MAX_COMPACT_LENGTH = 1_000_000


@dataclass(frozen=True, slots=True)
class DecodedJws:
    """A compact JWS split into its parts; the signature is not yet verified."""

    header: dict[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes

    def payload_json(self) -> Any:
        """The payload parsed as JSON (PARSING_ERROR when it is not)."""
        try:
            return json.loads(self.payload)
        except ValueError as exc:
            raise ParsingError(f"JWS payload is not JSON: {exc}", field="payload") from exc

    def verify_with(self, key: PublicKey) -> None:
        """Raise ``ProofError`` unless the signature verifies with ``key`` under ``alg``."""
        expected = ALGORITHM_BY_KEY_TYPE.get(key.key_type)
        if self.header.get("alg") != expected:
            raise ProofError(
                f"JWS alg {self.header.get('alg')!r} does not fit a {key.key_type} key "
                f"(expected {expected})",
                field="header.alg",
            )
        if not key.verify(self.signature, self.signing_input):
            raise ProofError("the JWS signature does not verify", field="signature")


def sign_compact(payload: Any, *, signer: Signer, header: Mapping[str, Any]) -> str:
    """Sign JSON ``payload`` as a compact JWS; ``alg`` and ``kid`` come from the signer."""
    protected = {
        **header,
        "alg": ALGORITHM_BY_KEY_TYPE[signer.key_type],
        "kid": signer.verification_method,
    }
    encoded_header = base64url_encode(_json_bytes(protected))
    encoded_payload = base64url_encode(_json_bytes(payload))
    signing_input = f"{encoded_header}.{encoded_payload}".encode("ascii")
    return f"{encoded_header}.{encoded_payload}.{base64url_encode(signer.sign(signing_input))}"


def decode_compact(token: str) -> DecodedJws:
    """Split and decode a compact JWS, refusing anything malformed with PARSING_ERROR."""
    if len(token) > MAX_COMPACT_LENGTH:
        raise ParsingError("JWS is too large", field="jwt")
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ParsingError("a compact JWS has exactly three '.'-separated parts", field="jwt")
    try:
        header = json.loads(base64url_decode(parts[0]))
        payload = base64url_decode(parts[1])
        signature = base64url_decode(parts[2])
    except (ValueError, VcError) as exc:
        raise ParsingError(f"JWS is not valid base64url JSON: {exc}", field="jwt") from exc
    if not isinstance(header, dict):
        raise ParsingError("JWS protected header must be a JSON object", field="header")
    if header.get("crit"):
        raise ParsingError("JWS 'crit' extensions are not supported", field="header.crit")
    return DecodedJws(
        header=header,
        payload=payload,
        signing_input=f"{parts[0]}.{parts[1]}".encode("ascii"),
        signature=signature,
    )


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
