"""Verify an SD-JWT VC presentation (RFC 9901 §7.1 and §7.3, draft-ietf-oauth-sd-jwt-vc §3.4)
into named checks: ``structure``, ``proof``, ``issuer``, ``holderBinding``, ``validityPeriod``.

Every step is a check that passes, fails or is skipped with its reason; none is skipped
because of what the presentation holds. Key Binding is checked exactly when the caller
requires it (``require_key_binding``, decided before the presentation is read, §7.3 step
1): a missing KB-JWT then fails ``holderBinding``. Only a presentation whose structure,
signature, Disclosures and issuer all hold has its claims read for binding and validity.

The Issuer's key comes from ``issuer_key``, given the JWT's ``kid``: the caller decides how
keys are found (DID resolution here) and the key's controller must be the JWT's ``iss``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from vcservice.errors import Problem, ProofError, VcError
from vcservice.jose.jws import DecodedJws, decode_compact
from vcservice.keys import PublicKey
from vcservice.model.checks import Check, Outcome
from vcservice.sdjwt.compact import SdJwtParts, split
from vcservice.sdjwt.disclosures import (
    DEFAULT_HASH,
    HASH_ALGORITHMS,
    SD_ALG,
    Disclosure,
    Revealed,
    reveal,
)
from vcservice.sdjwt.issuance import NEVER_DISCLOSABLE, SD_JWT_VC_TYP
from vcservice.sdjwt.key_binding import check_key_binding

__all__ = ["CORE_CHECKS", "IssuerKey", "SdJwtVcVerification", "verify_sd_jwt_vc"]

IssuerKey = Callable[[str], tuple[PublicKey, str]]
"""The key a ``kid`` names and the DID that controls it (VcError when it cannot be had)."""
CORE_CHECKS = ("structure", "proof", "issuer", "holderBinding", "validityPeriod")
FORMAT = SD_JWT_VC_TYP
_MALFORMED = "MALFORMED_VALUE_ERROR"
_PROOF = "PROOF_VERIFICATION_ERROR"


@dataclass(frozen=True, slots=True)
class SdJwtVcVerification:
    """The core checks of one presentation, by name, and what it says.

    ``claims`` is the processed payload (the disclosed claims; the signed payload when the
    Disclosures could not be processed, None when unreadable); ``signed`` is the
    Issuer-signed payload, to be read only when ``proven``.
    """

    checks: Mapping[str, Check]
    claims: dict[str, Any] | None
    signed: dict[str, Any] | None
    issuer: str | None

    @property
    def proven(self) -> bool:
        """Structure, signature, Disclosures and issuer hold: the claims are the Issuer's."""
        return all(
            self.checks[name].outcome is Outcome.PASSED for name in ("structure", "proof", "issuer")
        )


def verify_sd_jwt_vc(
    presentation: str,
    *,
    issuer_key: IssuerKey,
    require_key_binding: bool,
    expected_nonce: str | None,
    expected_audience: str | None,
    now: datetime,
    skew: timedelta,
) -> SdJwtVcVerification:
    """Verify ``presentation`` (an SD-JWT or SD-JWT+KB in compact form)."""
    structure: list[Problem] = []
    try:
        parts = split(presentation)
        jws = decode_compact(parts.issuer_jwt)
        payload = jws.payload_json()
    except VcError as error:
        return _unreadable(error.to_problem())
    if not isinstance(payload, dict):
        return _unreadable(Problem("PARSING_ERROR", "the payload is not a JSON object", "payload"))
    structure += _shape_problems(jws, payload)
    disclosures = []
    for encoded in parts.disclosures:
        try:
            disclosures.append(Disclosure.parse(encoded))
        except VcError as error:
            structure.append(error.to_problem())
    issuer = payload.get("iss") if isinstance(payload.get("iss"), str) else None
    if structure:
        return _refused(structure, payload, issuer, "the SD-JWT is malformed")
    proof, signer = _signature(jws, issuer_key)
    kid = jws.header.get("kid")
    revealed: Revealed | None = None
    if not proof:
        try:
            revealed = reveal(
                payload, disclosures, algorithm=str(payload.get(SD_ALG, DEFAULT_HASH))
            )
        except ProofError as error:
            proof.append(error.to_problem())
        except VcError as error:
            structure.append(error.to_problem())
        proof += _issued_in_future(payload, now, skew)
    if revealed is not None:
        structure += [
            Problem(_MALFORMED, f"{path[0]} must not be selectively disclosed", str(path[0]))
            for path in revealed.paths.values()
            if len(path) == 1 and path[0] in NEVER_DISCLOSABLE
        ]
    claims = revealed.claims if revealed is not None else payload
    checks = {
        "structure": Check.of("structure", structure),
        "proof": Check.of("proof", proof, detail=f"{FORMAT} {jws.header.get('alg')} by {kid}"),
        "issuer": _issuer_check(issuer, signer, proof),
    }
    verified = SdJwtVcVerification(checks, claims, payload, issuer)
    if not verified.proven:
        why = "not checked: the credential's signature, Disclosures or issuer did not hold"
        skipped = {name: Check.skipped(name, why) for name in ("holderBinding", "validityPeriod")}
        return _with(verified, **skipped)
    if require_key_binding:
        binding = Check.of(
            "holderBinding",
            check_key_binding(
                parts,
                payload=payload,
                expected_nonce=expected_nonce,
                expected_audience=expected_audience,
                now=now,
                skew=skew,
            ),
            detail="signed by the cnf key, for this verifier's nonce and audience",
        )
    else:
        binding = Check.skipped("holderBinding", _not_required(parts))
    return _with(
        verified,
        holderBinding=binding,
        validityPeriod=Check.of("validityPeriod", _validity_problems(payload, now, skew)),
    )


def _shape_problems(jws: DecodedJws, payload: Mapping[str, Any]) -> list[Problem]:
    """The header and payload an SD-JWT VC must have (checked before the signature)."""
    problems = []
    if jws.header.get("typ") != SD_JWT_VC_TYP:
        detail = f"the JWT's typ is {jws.header.get('typ')!r}, not {SD_JWT_VC_TYP!r}"
        problems.append(Problem(_MALFORMED, detail, "header.typ"))
    if jws.header.get("alg") in (None, "none"):
        problems.append(Problem(_MALFORMED, "the JWT must be signed (alg)", "header.alg"))
    for claim in ("vct", "iss"):
        if not isinstance(payload.get(claim), str) or not payload[claim]:
            problems.append(Problem(_MALFORMED, f"the SD-JWT VC needs a {claim} string", claim))
    if str(payload.get(SD_ALG, DEFAULT_HASH)) not in HASH_ALGORITHMS:
        detail = f"_sd_alg {payload.get(SD_ALG)!r} is not supported"
        problems.append(Problem(_MALFORMED, detail, SD_ALG))
    return problems


def _signature(jws: DecodedJws, issuer_key: IssuerKey) -> tuple[list[Problem], str | None]:
    """Problems with the Issuer-signed JWT's signature, and the DID controlling its key."""
    kid = jws.header.get("kid")
    if not isinstance(kid, str) or not kid:
        return [Problem(_PROOF, "the JWT names no key (kid)", "header.kid")], None
    try:
        key, controller = issuer_key(kid)
        jws.verify_with(key)
    except VcError as error:
        return [error.to_problem()], None
    return [], controller


def _issued_in_future(payload: Mapping[str, Any], now: datetime, skew: timedelta) -> list[Problem]:
    iat = _numeric_date(payload, "iat")
    if isinstance(iat, Problem):
        return [iat]
    if iat is not None and iat - skew > now:
        return [Problem(_PROOF, f"the credential was issued in the future ({iat})", "iat")]
    return []


def _issuer_check(issuer: str | None, signer: str | None, proof: list[Problem]) -> Check:
    if signer is None or proof:
        return Check.skipped("issuer", "no verified signature to bind the issuer to")
    if signer != issuer:
        detail = f"iss is {issuer} but the credential was signed by a key of {signer}"
        return Check.of("issuer", [Problem("INVALID_ISSUER", detail, "iss")])
    return Check.of("issuer", [], detail=f"signed by the issuer {issuer}")


def _validity_problems(payload: Mapping[str, Any], now: datetime, skew: timedelta) -> list[Problem]:
    """``exp`` is required (a certificate always ends); ``nbf`` is optional."""
    expires, not_before = _numeric_date(payload, "exp"), _numeric_date(payload, "nbf")
    problems = [found for found in (expires, not_before) if isinstance(found, Problem)]
    if expires is None:
        problems.append(Problem(_MALFORMED, "the credential has no exp", "exp"))
    elif isinstance(expires, datetime) and expires + skew <= now:
        problems.append(
            Problem("CREDENTIAL_EXPIRED", f"the credential expired at {expires}", "exp")
        )
    if isinstance(not_before, datetime) and not_before - skew > now:
        detail = f"the credential is not valid before {not_before}"
        problems.append(Problem("CREDENTIAL_NOT_YET_VALID", detail, "nbf"))
    return problems


def _numeric_date(payload: Mapping[str, Any], name: str) -> datetime | Problem | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return Problem(_MALFORMED, f"{name} must be a NumericDate", name)
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return Problem(_MALFORMED, f"{name} is out of range", name)


def _not_required(parts: SdJwtParts) -> str:
    sent = "a KB-JWT was sent but " if parts.key_binding_jwt else ""
    return f"{sent}not required: no nonce or audience to bind the presentation to"


def _unreadable(problem: Problem) -> SdJwtVcVerification:
    why = "not checked: the SD-JWT could not be read"
    checks = {name: Check.skipped(name, why) for name in CORE_CHECKS}
    return SdJwtVcVerification(
        checks | {"structure": Check.of("structure", [problem])}, None, None, None
    )


def _refused(
    structure: list[Problem], payload: dict[str, Any], issuer: str | None, why: str
) -> SdJwtVcVerification:
    checks = {name: Check.skipped(name, f"not checked: {why}") for name in CORE_CHECKS}
    checks["structure"] = Check.of("structure", structure)
    return SdJwtVcVerification(checks, payload, payload, issuer)


def _with(verified: SdJwtVcVerification, **checks: Check) -> SdJwtVcVerification:
    return SdJwtVcVerification(
        {**verified.checks, **checks}, verified.claims, verified.signed, verified.issuer
    )
