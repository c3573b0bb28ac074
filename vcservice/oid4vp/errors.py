"""The OpenID4VP error codes, and which one answers each refusal (data only).

A wallet reads ``{"error", "error_description"}`` (RFC 6749 §5.2, OpenID4VP 1.0 §8.5), not
problem+json. A refusal is an ``Oid4vpError``: the specification's ``error``, beside the
service's own code (``VcError.code``, from ``vcservice.messages``) whose public title is the
``error_description``; the English detail is for logs only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from vcservice.errors import VcError

__all__ = [
    "ACCESS_DENIED",
    "INVALID_CLIENT",
    "INVALID_REQUEST",
    "INVALID_REQUEST_URI_METHOD",
    "INVALID_TRANSACTION_DATA",
    "SPEC_ERROR",
    "VP_FORMATS_NOT_SUPPORTED",
    "WALLET_UNAVAILABLE",
    "Oid4vpError",
    "is_error_code",
    "refusal",
]

INVALID_REQUEST = "invalid_request"
INVALID_CLIENT = "invalid_client"
ACCESS_DENIED = "access_denied"
VP_FORMATS_NOT_SUPPORTED = "vp_formats_not_supported"
INVALID_REQUEST_URI_METHOD = "invalid_request_uri_method"
INVALID_TRANSACTION_DATA = "invalid_transaction_data"
WALLET_UNAVAILABLE = "wallet_unavailable"

SPEC_ERROR: Mapping[str, str] = {
    # A body that is not an authorization response, or one this verifier cannot read.
    "PARSING_ERROR": INVALID_REQUEST,
    "MALFORMED_VALUE_ERROR": INVALID_REQUEST,
    "UNSUPPORTED_MEDIA_TYPE": INVALID_REQUEST,
    "PRESENTATION_TOO_LARGE": INVALID_REQUEST,
    # No open request of that id and state: unknown, answered already, or expired.
    "NOT_FOUND": INVALID_REQUEST,
    "EXCHANGE_NOT_PENDING": INVALID_REQUEST,
    # The VP Token was rejected (OpenID4VP 1.0 §8.6): a presentation did not verify, or
    # what verified does not satisfy the DCQL query or the workflow.
    "VERIFICATION_FAILED": INVALID_REQUEST,
    "INVALID_CHALLENGE_ERROR": INVALID_REQUEST,
    "INVALID_DOMAIN_ERROR": INVALID_REQUEST,
    "REQUIRED_CREDENTIAL_MISSING": INVALID_REQUEST,
}
"""The specification's ``error`` for each internal code a refusal carries."""

# RFC 6749 §5.2: error codes are printable ASCII without '"' and '\'.
_ERROR_CODE = re.compile(r"[\x20\x21\x23-\x5B\x5D-\x7E]{1,64}")


class Oid4vpError(VcError):
    """A wallet's message refused: ``error`` is the specification's code, ``code`` the
    service's (its title in ``vcservice.messages`` is the public description)."""

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message, code=code, field=field)
        self.error = SPEC_ERROR.get(code, INVALID_REQUEST)


def refusal(error: VcError) -> Oid4vpError:
    """``error`` as the refusal of a wallet's message (its code kept)."""
    if isinstance(error, Oid4vpError):
        return error
    return Oid4vpError(error.message, code=error.code, field=error.field)


def is_error_code(value: str) -> bool:
    """Whether ``value`` may be an OAuth ``error`` code (RFC 6749 §5.2's character set)."""
    return _ERROR_CODE.fullmatch(value) is not None
