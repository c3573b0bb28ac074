"""VC-JOSE-COSE: credentials and presentations secured as compact JWS (``vc+jwt``/``vp+jwt``).

The JWS payload *is* the credential or presentation; registered JWT claims
(``nonce``, ``aud``, ``iat``, …) may stand beside its members and are stripped
before the document is read as JSON-LD.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from vcservice.dids.document import VerificationMethod
from vcservice.dids.resolver import DidResolver, dereference_verification_method
from vcservice.errors import ParsingError, Problem, ProofError
from vcservice.jose.jws import DecodedJws, decode_compact, sign_compact
from vcservice.keys import Signer
from vcservice.model import credential as vcdm

VC_JWT = "vc+jwt"
VP_JWT = "vp+jwt"
MEDIA_TYPES = {VC_JWT: "application/vc+jwt", VP_JWT: "application/vp+jwt"}
JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "nonce", "cnf"})
ASSERTION_METHOD = "assertionMethod"
AUTHENTICATION = "authentication"


@dataclass(frozen=True, slots=True)
class OpenedJwt:
    """A verified JWS: the document it carries, its extra JWT claims, and who signed it."""

    typ: str
    algorithm: str
    document: dict[str, Any]
    claims: dict[str, Any]
    verification_method: VerificationMethod


def secure_credential(credential: Mapping[str, Any], *, signer: Signer) -> str:
    """Secure ``credential`` as a ``vc+jwt`` compact JWS."""
    return sign_compact(dict(credential), signer=signer, header={"typ": VC_JWT, "cty": "vc"})


def secure_presentation(
    presentation: Mapping[str, Any],
    *,
    signer: Signer,
    nonce: str | None = None,
    audience: str | None = None,
) -> str:
    """Secure ``presentation`` as a ``vp+jwt``, binding a verifier's nonce and audience."""
    claims = {
        **({"nonce": nonce} if nonce is not None else {}),
        **({"aud": audience} if audience is not None else {}),
    }
    return sign_compact(
        {**presentation, **claims}, signer=signer, header={"typ": VP_JWT, "cty": "vp"}
    )


def enveloped_id(token: str, typ: str) -> str:
    """The ``data:`` URL an EnvelopedVerifiableCredential/Presentation uses for ``token``."""
    return f"data:{MEDIA_TYPES[typ]},{token}"


def token_from_enveloped_id(data_url: str) -> tuple[str, str]:
    """Split an enveloped ``data:`` URL into (typ, token), refusing other media types."""
    for typ, media_type in MEDIA_TYPES.items():
        prefix = f"data:{media_type},"
        if data_url.startswith(prefix):
            return typ, data_url[len(prefix) :]
    raise ParsingError(f"unsupported enveloped media type in {data_url[:40]!r}", field="id")


def open_jwt(token: str, *, resolver: DidResolver, expected_typ: str) -> OpenedJwt:
    """Verify a ``vc+jwt``/``vp+jwt`` signature and return what it carries.

    The ``kid`` must name a verification method that its controller authorizes for
    assertionMethod (credentials) or authentication (presentations).
    """
    jws = decode_compact(token)
    typ = jws.header.get("typ")
    if typ != expected_typ:
        raise ParsingError(f"JWS typ is {typ!r}, expected {expected_typ!r}", field="header.typ")
    kid = _key_id(jws)
    controller_document, method = dereference_verification_method(resolver, kid)
    relationship = ASSERTION_METHOD if expected_typ == VC_JWT else AUTHENTICATION
    if not controller_document.authorizes(method.id, relationship):
        raise ProofError(
            f"{method.id} is not authorized for {relationship}",
            code="INVALID_PROOF_PURPOSE",
            field="header.kid",
        )
    jws.verify_with(method.public_key)
    payload = jws.payload_json()
    if not isinstance(payload, dict):
        raise ParsingError("the JWS payload must be a JSON object", field="payload")
    document = {key: value for key, value in payload.items() if key not in JWT_CLAIMS}
    claims = {key: value for key, value in payload.items() if key in JWT_CLAIMS}
    return OpenedJwt(
        typ=expected_typ,
        algorithm=str(jws.header["alg"]),
        document=document,
        claims=claims,
        verification_method=method,
    )


@dataclass(frozen=True, slots=True)
class ClaimProblems:
    """What the registered JWT claims say against the document, sorted by the check they
    belong to: ``structure`` (sub, jti, malformed claims), ``proof`` (iat), ``issuer``
    (iss), ``validity`` (exp, nbf)."""

    structure: tuple[Problem, ...] = ()
    proof: tuple[Problem, ...] = ()
    issuer: tuple[Problem, ...] = ()
    validity: tuple[Problem, ...] = ()


def claim_problems(opened: OpenedJwt, *, now: datetime, skew: timedelta) -> ClaimProblems:
    """Check ``exp``, ``nbf``, ``iat``, ``iss``, ``sub`` and ``jti`` (RFC 7519 §4.1, VC-JOSE-COSE
    §3): times with ``skew`` allowed either way, the others agreeing with the document."""
    claims, document = opened.claims, opened.document
    times = {name: _numeric_date(claims, name) for name in ("exp", "nbf", "iat")}
    structure = [problem for problem in times.values() if isinstance(problem, Problem)]
    dates = {name: value for name, value in times.items() if isinstance(value, datetime)}
    validity = []
    if "exp" in dates and dates["exp"] + skew <= now:
        validity.append(Problem("CREDENTIAL_EXPIRED", f"the JWT expired at {dates['exp']}", "exp"))
    if "nbf" in dates and dates["nbf"] - skew > now:
        detail = f"the JWT is not valid before {dates['nbf']}"
        validity.append(Problem("CREDENTIAL_NOT_YET_VALID", detail, "nbf"))
    proof = []
    if "iat" in dates and dates["iat"] - skew > now:
        detail = f"the JWT was issued in the future ({dates['iat']})"
        proof.append(Problem("PROOF_VERIFICATION_ERROR", detail, "iat"))
    role = "issuer" if opened.typ == VC_JWT else "holder"
    issuer = _agreement(claims, "iss", _id_of(document.get(role)), role, "INVALID_ISSUER")
    structure += _agreement(claims, "jti", document.get("id"), "id", "MALFORMED_VALUE_ERROR")
    if opened.typ == VC_JWT:
        structure += _subject_agreement(claims, document)
    return ClaimProblems(tuple(structure), tuple(proof), tuple(issuer), tuple(validity))


def _numeric_date(claims: Mapping[str, Any], name: str) -> datetime | Problem | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Problem("MALFORMED_VALUE_ERROR", f"{name} must be a NumericDate", name)
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return Problem("MALFORMED_VALUE_ERROR", f"{name} is out of range", name)


def _agreement(
    claims: Mapping[str, Any], claim: str, member: Any, name: str, code: str
) -> list[Problem]:
    """``claim``, when present, must equal the document's ``name`` when it has one."""
    if claim not in claims or member is None or claims[claim] == member:
        return []
    detail = f"the JWT's {claim} is {claims[claim]!r} but the document's {name} is {member!r}"
    return [Problem(code, detail, claim)]


def _subject_agreement(claims: Mapping[str, Any], document: Mapping[str, Any]) -> list[Problem]:
    """``sub``, when present, names the holder of a subject (``vcdm.holder_ids_of``)."""
    if "sub" not in claims or claims["sub"] in vcdm.holder_ids_of(document):
        return []
    detail = f"the JWT's sub is {claims['sub']!r}, not the id of a credentialSubject or its member"
    return [Problem("MALFORMED_VALUE_ERROR", detail, "sub")]


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, Mapping) else value


def peek_typ(token: str) -> str | None:
    """The ``typ`` header of a compact JWS without verifying it (None if absent)."""
    typ = decode_compact(token).header.get("typ")
    return typ if isinstance(typ, str) else None


def _key_id(jws: DecodedJws) -> str:
    kid = jws.header.get("kid")
    if not isinstance(kid, str) or not kid.startswith("did:"):
        raise ParsingError("the JWS header needs a 'kid' that is a DID URL", field="header.kid")
    return kid
