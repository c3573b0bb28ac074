"""The Status List Token in JWT form (draft-ietf-oauth-status-list §5.1) an SD-JWT VC's
``status`` points to: sign one, open one, and say what a token's status means.

A token is accepted only if it is a ``statuslist+jwt`` signed by a key of the credential's
own issuer (this service's policy, as for Bitstring lists); its claims are then checked by
``vcservice.status.token_status_list``. Every refusal is a ``StatusError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from vcservice.errors import Problem, StatusError, VcError
from vcservice.jose.jws import decode_compact, sign_compact
from vcservice.keys import Signer
from vcservice.sdjwt.verification import IssuerKey
from vcservice.status.token_status_list import (
    INVALID,
    STATUS_LIST_JWT_TYP,
    SUSPENDED,
    VALID,
    StatusReference,
    TokenStatusList,
    read_status_list_claims,
)

__all__ = ["open_status_list_token", "sign_status_list_token", "status_problem"]

_CODES = {
    INVALID: ("CREDENTIAL_REVOKED", "revoked (INVALID)"),
    SUSPENDED: ("CREDENTIAL_SUSPENDED", "suspended (SUSPENDED)"),
}


def sign_status_list_token(claims: Mapping[str, Any], *, signer: Signer) -> str:
    """A ``statuslist+jwt`` of ``claims`` (``status_list_claims``), its ``kid`` the signer's."""
    return sign_compact(dict(claims), signer=signer, header={"typ": STATUS_LIST_JWT_TYP})


def open_status_list_token(
    token: str,
    *,
    uri: str,
    issuer: str,
    issuer_key: IssuerKey,
    now: datetime,
    skew: timedelta,
) -> TokenStatusList:
    """The list of the token found at ``uri``, if ``issuer`` signed it and its claims hold."""
    try:
        jws = decode_compact(token)
    except VcError as error:
        raise StatusError(f"the token at {uri} is not a JWT: {error.message}") from error
    if jws.header.get("typ") != STATUS_LIST_JWT_TYP:
        raise StatusError(f"the token at {uri} is not a {STATUS_LIST_JWT_TYP}", field="typ")
    kid = jws.header.get("kid")
    if not isinstance(kid, str):
        raise StatusError(f"the token at {uri} names no key (kid)", field="kid")
    key, controller = issuer_key(kid)
    if controller != issuer:
        raise StatusError(f"the list at {uri} is signed by {controller}, not by {issuer}")
    try:
        jws.verify_with(key)
        claims = jws.payload_json()
    except VcError as error:
        raise StatusError(f"the list at {uri}: {error.message}") from error
    return read_status_list_claims(claims, uri=uri, now=now, skew=skew)


def status_problem(status: int, reference: StatusReference) -> Problem | None:
    """Why a credential whose token status is ``status`` is not to be relied on, if it is
    not: INVALID is a revocation, SUSPENDED a suspension; other values have no meaning here."""
    if status == VALID:
        return None
    code, meaning = _CODES.get(status, ("STATUS_VERIFICATION_ERROR", f"status {status:#x}"))
    return Problem(code, f"{meaning} in {reference.uri} at {reference.idx}", "status")
