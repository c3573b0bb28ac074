"""The Token Request of the pre-authorized code grant (OpenID4VCI 1.0 §6) and its response.

The request is a form (RFC 6749 §4.1.3); a parameter given twice is malformed (§3.1).
Client authentication is optional for this grant and not used here: ``client_id`` and any
other parameter this issuer does not know are ignored, as §6.1 asks (``authorization_details``
too: without it, the wallet names a credential configuration in its credential request).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vcservice.model.credential_offers import OfferState
from vcservice.oid4vci.errors import ProtocolError, Refusal
from vcservice.oid4vci.metadata import PRE_AUTHORIZED_CODE_GRANT

__all__ = [
    "PreAuthorizedCodeRequest",
    "build_token_response",
    "check_redeemable",
    "parse_token_request",
]

CODE = "pre-authorized_code"
TX_CODE = "tx_code"


@dataclass(frozen=True, slots=True)
class PreAuthorizedCodeRequest:
    """A token request of the pre-authorized code grant."""

    pre_authorized_code: str = field(repr=False)
    tx_code: str | None = field(repr=False)


def parse_token_request(form: Mapping[str, Sequence[str]]) -> PreAuthorizedCodeRequest:
    """The request in ``form`` (each parameter with the values it was given)."""
    if any(len(values) > 1 for values in form.values()):
        repeated = sorted(name for name, values in form.items() if len(values) > 1)
        raise ProtocolError(Refusal.MALFORMED_FORM, f"repeated: {', '.join(repeated)}")
    grant_type = _single(form, "grant_type")
    if not grant_type:
        raise ProtocolError(Refusal.GRANT_TYPE_MISSING)
    if grant_type != PRE_AUTHORIZED_CODE_GRANT:
        raise ProtocolError(Refusal.GRANT_TYPE_UNSUPPORTED, grant_type[:100])
    code = _single(form, CODE)
    if not code:
        raise ProtocolError(Refusal.CODE_MISSING)
    return PreAuthorizedCodeRequest(pre_authorized_code=code, tx_code=_single(form, TX_CODE))


def check_redeemable(state: OfferState, *, expires_at: datetime, now: datetime) -> None:
    """Refuse the code of an offer that is used, locked or expired (all ``invalid_grant``)."""
    if state is OfferState.REDEEMED:
        raise ProtocolError(Refusal.CODE_USED)
    if state is OfferState.LOCKED:
        raise ProtocolError(Refusal.OFFER_LOCKED)
    if now >= expires_at:
        raise ProtocolError(Refusal.CODE_EXPIRED)


def build_token_response(access_token: str, *, expires_in: int) -> dict[str, Any]:
    """The successful Token Response (RFC 6749 §5.1): a Bearer token, no refresh token."""
    return {"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in}


def _single(form: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None
