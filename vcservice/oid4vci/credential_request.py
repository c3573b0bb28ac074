"""The Credential Request (OpenID4VCI 1.0 §8.2) and its ``jwt`` key proof (Appendix F.1).

``check_key_proof`` makes every check of §F.4 but the nonce's single use, which needs the
store: it returns the proof's ``nonce`` for the caller to consume (``invalid_nonce`` when
it cannot), and the key the credential is to be bound to.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from vcservice.errors import ParsingError, VcError
from vcservice.jose.jws import ALGORITHM_BY_KEY_TYPE, decode_compact
from vcservice.keys import PublicKey
from vcservice.oid4vci.errors import ProtocolError, Refusal

__all__ = [
    "PROOF_TYP",
    "CredentialRequest",
    "KeyProof",
    "KeyResolver",
    "check_key_proof",
    "parse_credential_request",
]

PROOF_TYP = "openid4vci-proof+jwt"
JWT_PROOF = "jwt"
KeyResolver = Callable[[str], PublicKey]
"""The public key a ``kid`` (a DID URL) names; raises ``VcError`` when it names none."""


@dataclass(frozen=True, slots=True)
class CredentialRequest:
    """A request for one credential of ``configuration_id``, bound to one proven key."""

    configuration_id: str
    proof: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class KeyProof:
    """A verified key proof: the key proven, how it was named, and its nonce and time."""

    public_key: PublicKey
    kid: str | None
    nonce: str
    issued_at: float


def parse_credential_request(body: Any) -> CredentialRequest:
    """The request in the JSON ``body``: ``credential_configuration_id`` and exactly one
    ``jwt`` proof (this issuer offers no batch issuance, no encryption and issues no
    credential identifiers). Members it does not know are ignored (§8.2)."""
    if not isinstance(body, Mapping):
        raise ProtocolError(Refusal.NOT_JSON, "the body is not a JSON object")
    if "credential_identifier" in body:
        raise ProtocolError(Refusal.IDENTIFIER_NOT_ISSUED)
    if "credential_response_encryption" in body:
        raise ProtocolError(Refusal.ENCRYPTION_UNSUPPORTED)
    configuration_id = body.get("credential_configuration_id")
    if configuration_id is None:
        raise ProtocolError(Refusal.CONFIGURATION_MISSING)
    if not isinstance(configuration_id, str):
        raise ProtocolError(Refusal.MALFORMED, "credential_configuration_id is not a string")
    return CredentialRequest(configuration_id=configuration_id, proof=_one_jwt_proof(body))


def _one_jwt_proof(body: Mapping[str, Any]) -> str:
    proofs = body.get("proofs")
    if proofs is None:
        raise ProtocolError(Refusal.PROOF_MISSING)
    if not isinstance(proofs, Mapping) or len(proofs) != 1:
        raise ProtocolError(Refusal.PROOF_MALFORMED, "proofs holds one proof type")
    if JWT_PROOF not in proofs:
        raise ProtocolError(Refusal.PROOF_TYPE_UNSUPPORTED, ", ".join(map(str, proofs))[:100])
    jwts = proofs[JWT_PROOF]
    if not isinstance(jwts, list) or not jwts or not all(isinstance(j, str) for j in jwts):
        raise ProtocolError(Refusal.PROOF_MALFORMED, "proofs.jwt is a non-empty array of JWTs")
    if len(jwts) > 1:
        raise ProtocolError(Refusal.PROOFS_TOO_MANY, f"{len(jwts)} proofs")
    proof: str = jwts[0]
    return proof


def check_key_proof(
    proof: str,
    *,
    audience: str,
    now: datetime,
    max_age: timedelta,
    leeway: timedelta,
    algorithms: Collection[str],
    resolve_kid: KeyResolver,
) -> KeyProof:
    """Verify a ``jwt`` key proof for the Credential Issuer ``audience``.

    Its ``typ`` must be ``openid4vci-proof+jwt``; its ``alg`` one of ``algorithms`` and the
    key's own; its key either in ``jwk`` (public members only) or named by ``kid``, which
    ``resolve_kid`` turns into a key; the signature must verify with that key; ``aud`` must
    be ``audience``; ``iat`` no older than ``max_age`` nor later than now, either within
    ``leeway``; and it must carry a ``nonce``.
    """
    try:
        jws = decode_compact(proof)
    except ParsingError as error:
        raise ProtocolError(Refusal.PROOF_MALFORMED, error.message) from None
    header = jws.header
    if header.get("typ") != PROOF_TYP:
        raise ProtocolError(Refusal.PROOF_TYP, repr(header.get("typ"))[:100])
    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or algorithm not in algorithms:
        raise ProtocolError(Refusal.PROOF_ALGORITHM, repr(algorithm)[:100])
    public_key, kid = _proven_key(header, resolve_kid)
    if ALGORITHM_BY_KEY_TYPE.get(public_key.key_type) != algorithm:
        raise ProtocolError(Refusal.PROOF_ALGORITHM, f"{algorithm} with a {public_key.key_type}")
    if not public_key.verify(jws.signature, jws.signing_input):
        raise ProtocolError(Refusal.PROOF_SIGNATURE)
    try:
        claims = jws.payload_json()
    except ParsingError as error:
        raise ProtocolError(Refusal.PROOF_MALFORMED, error.message) from None
    if not isinstance(claims, Mapping):
        raise ProtocolError(Refusal.PROOF_MALFORMED, "the claims are not a JSON object")
    _check_audience(claims.get("aud"), audience)
    issued_at = _issued_at(claims.get("iat"), now=now, max_age=max_age, leeway=leeway)
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise ProtocolError(Refusal.PROOF_NONCE_MISSING)
    return KeyProof(public_key=public_key, kid=kid, nonce=nonce, issued_at=issued_at)


def _proven_key(
    header: Mapping[str, Any], resolve_kid: KeyResolver
) -> tuple[PublicKey, str | None]:
    """The key in ``jwk``, or the one ``kid`` names: exactly one of them (no ``x5c``)."""
    named = [name for name in ("jwk", "kid", "x5c") if name in header]
    if len(named) != 1 or named[0] == "x5c":
        raise ProtocolError(Refusal.PROOF_KEY, f"key named by {named or 'nothing'}")
    if named[0] == "jwk":
        jwk = header["jwk"]
        if not isinstance(jwk, Mapping):
            raise ProtocolError(Refusal.PROOF_KEY, "jwk is not an object")
        try:
            return PublicKey.from_jwk(jwk), None
        except VcError as error:  # a private member, or a key type this issuer cannot check
            raise ProtocolError(Refusal.PROOF_KEY, error.message) from None
    kid = header["kid"]
    if not isinstance(kid, str) or not kid.startswith("did:"):
        raise ProtocolError(Refusal.PROOF_KEY, "kid is not a DID URL")
    try:
        return resolve_kid(kid), kid
    except VcError as error:
        raise ProtocolError(Refusal.PROOF_KEY, error.message) from None


def _check_audience(value: Any, audience: str) -> None:
    """``aud`` must be the Credential Issuer Identifier (a list holding it will do, RFC 7519)."""
    if value == audience or (isinstance(value, list) and audience in value):
        return
    raise ProtocolError(Refusal.PROOF_AUDIENCE, repr(value)[:200])


def _issued_at(value: Any, *, now: datetime, max_age: timedelta, leeway: timedelta) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(Refusal.PROOF_ISSUED_AT, "iat is not a number")
    moment = now.timestamp()
    if value > moment + leeway.total_seconds():
        raise ProtocolError(Refusal.PROOF_ISSUED_AT, f"iat {value} is in the future")
    if value < moment - (max_age + leeway).total_seconds():
        raise ProtocolError(Refusal.PROOF_ISSUED_AT, f"iat {value} is too old")
    return float(value)
