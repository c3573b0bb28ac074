"""The Key Binding JWT (RFC 9901 §4.3): the Holder makes it, the Verifier checks it (§7.3).

The Holder signs ``iat``, ``aud``, ``nonce`` and ``sd_hash`` (the hash of the SD-JWT it
presents) with the key the Issuer put in ``cnf.jwk``. The Verifier decides whether Key
Binding is required before it looks at the presentation (§7.3 step 1), so
:func:`check_key_binding` is only called when it is; its problems are coded for the
``holderBinding`` check: HOLDER_BINDING_ERROR (no KB-JWT, no usable ``cnf`` key, or not
signed by it), INVALID_CHALLENGE_ERROR (``nonce``), INVALID_DOMAIN_ERROR (``aud``),
PROOF_VERIFICATION_ERROR (``typ``, ``iat`` outside the allowed window, ``sd_hash``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from vcservice.errors import Problem, VcError
from vcservice.jose.jws import ALGORITHM_BY_KEY_TYPE, decode_compact
from vcservice.keys import PublicKey, Signer, base64url_encode
from vcservice.sdjwt.compact import SdJwtParts, split
from vcservice.sdjwt.disclosures import DEFAULT_HASH, SD_ALG, digest

__all__ = ["KB_JWT_TYP", "bind", "check_key_binding", "holder_key"]

KB_JWT_TYP = "kb+jwt"
_PROOF = "PROOF_VERIFICATION_ERROR"
_BINDING = "HOLDER_BINDING_ERROR"


def bind(sd_jwt: str, *, signer: Signer, nonce: str, audience: str, issued_at: datetime) -> str:
    """``sd_jwt`` (the Disclosures chosen, ending in ``~``) with the Holder's Key Binding JWT
    for a Verifier's ``nonce`` and ``audience``: an SD-JWT+KB."""
    parts = split(sd_jwt)
    if parts.key_binding_jwt is not None:
        raise VcError("the SD-JWT already has a Key Binding JWT", code="MALFORMED_VALUE_ERROR")
    payload = decode_compact(parts.issuer_jwt).payload_json()
    algorithm = payload.get(SD_ALG, DEFAULT_HASH) if isinstance(payload, dict) else DEFAULT_HASH
    claims = {
        "iat": int(issued_at.timestamp()),
        "aud": audience,
        "nonce": nonce,
        "sd_hash": digest(parts.sd_jwt, str(algorithm)),
    }
    header = {"typ": KB_JWT_TYP, "alg": ALGORITHM_BY_KEY_TYPE[signer.key_type]}
    signing_input = f"{_encode(header)}.{_encode(claims)}"
    signature = base64url_encode(signer.sign(signing_input.encode("ascii")))
    return SdJwtParts(
        parts.issuer_jwt, parts.disclosures, f"{signing_input}.{signature}"
    ).serialize()


def holder_key(payload: Mapping[str, Any]) -> PublicKey:
    """The Holder's public key: the JWK in the Issuer-signed payload's ``cnf`` (RFC 7800 §3.2)."""
    cnf = payload.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, Mapping) else None
    if not isinstance(jwk, Mapping):
        raise VcError("the credential has no cnf.jwk to bind a holder to", code=_BINDING)
    try:
        return PublicKey.from_jwk(jwk)
    except VcError as error:
        raise VcError(f"cnf.jwk is not a usable key: {error.message}", code=_BINDING) from error


def check_key_binding(
    parts: SdJwtParts,
    *,
    payload: Mapping[str, Any],
    expected_nonce: str | None,
    expected_audience: str | None,
    now: datetime,
    skew: timedelta,
) -> list[Problem]:
    """Problems with the presentation's Key Binding (RFC 9901 §7.3 step 5); none when it holds.

    ``payload`` is the verified Issuer-signed payload. ``iat`` must lie within ``skew`` of
    ``now`` either way; ``nonce`` and ``aud`` must be strings, equal to the expected values
    when those are given.
    """
    if parts.key_binding_jwt is None:
        return [Problem(_BINDING, "Key Binding is required and no KB-JWT was sent", "kbJwt")]
    try:
        key = holder_key(payload)
        kb = decode_compact(parts.key_binding_jwt)
        claims = kb.payload_json()
    except VcError as error:
        return [Problem(_BINDING, error.message, "kbJwt")]
    if kb.header.get("typ") != KB_JWT_TYP:
        return [Problem(_PROOF, f"the KB-JWT's typ must be {KB_JWT_TYP!r}", "kbJwt.typ")]
    try:
        kb.verify_with(key)
    except VcError as error:
        detail = f"the KB-JWT is not signed by the cnf key: {error.message}"
        return [Problem(_BINDING, detail, "kbJwt")]
    if not isinstance(claims, dict):
        return [Problem(_PROOF, "the KB-JWT's payload is not an object", "kbJwt")]
    algorithm = str(payload.get(SD_ALG, DEFAULT_HASH))
    return [
        *_time_problems(claims.get("iat"), now, skew),
        *_binding_problems(claims, expected_nonce, expected_audience),
        *(
            []
            if claims.get("sd_hash") == digest(parts.sd_jwt, algorithm)
            else [Problem(_PROOF, "sd_hash does not match the presented SD-JWT", "kbJwt.sd_hash")]
        ),
    ]


def _time_problems(iat: Any, now: datetime, skew: timedelta) -> list[Problem]:
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        return [Problem(_PROOF, "the KB-JWT needs an iat (a NumericDate)", "kbJwt.iat")]
    try:
        issued = datetime.fromtimestamp(iat, UTC)
    except (OverflowError, OSError, ValueError):
        return [Problem(_PROOF, "the KB-JWT's iat is out of range", "kbJwt.iat")]
    if issued < now - skew:
        detail = f"the KB-JWT was made at {issued:%Y-%m-%dT%H:%M:%SZ}: too long ago"
        return [Problem(_PROOF, detail, "kbJwt.iat")]
    if issued > now + skew:
        return [Problem(_PROOF, "the KB-JWT was made in the future", "kbJwt.iat")]
    return []


def _binding_problems(
    claims: Mapping[str, Any], nonce: str | None, audience: str | None
) -> list[Problem]:
    problems = []
    if not isinstance(claims.get("nonce"), str) or (nonce is not None and claims["nonce"] != nonce):
        detail = "the KB-JWT's nonce is not the one this verifier gave"
        problems.append(Problem("INVALID_CHALLENGE_ERROR", detail, "kbJwt.nonce"))
    aud = claims.get("aud")
    if not isinstance(aud, str) or (audience is not None and aud != audience):
        detail = f"the KB-JWT's aud is {aud!r}, not {audience!r}"
        problems.append(Problem("INVALID_DOMAIN_ERROR", detail, "kbJwt.aud"))
    return problems


def _encode(value: Mapping[str, Any]) -> str:
    return base64url_encode(json.dumps(value, separators=(",", ":")).encode("utf-8"))
