"""Why an OpenID4VCI request is refused, and the error each refusal answers (data only).

Every refusal has an internal reason (``Refusal``, logged with the request's detail) and a
public answer: the code RFC 6749 §5.2, RFC 6750 §3 or OpenID4VCI 1.0 §8.3.1.2 names for it,
its HTTP status and a fixed ASCII ``error_description`` (never the exception's text, which
may say more than a wallet should learn).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple


class ErrorCode(StrEnum):
    """The error codes of the token, credential and nonce endpoints."""

    # RFC 6749 §5.2 (token endpoint); OpenID4VCI 1.0 §6.3 clarifies the first two.
    INVALID_REQUEST = "invalid_request"
    INVALID_GRANT = "invalid_grant"
    UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
    # RFC 6750 §3 (a protected resource: the credential endpoint).
    INVALID_TOKEN = "invalid_token"  # noqa: S105  (an error code)
    INSUFFICIENT_SCOPE = "insufficient_scope"
    # OpenID4VCI 1.0 §8.3.1.2 (the credential request).
    INVALID_CREDENTIAL_REQUEST = "invalid_credential_request"
    UNKNOWN_CREDENTIAL_CONFIGURATION = "unknown_credential_configuration"
    UNKNOWN_CREDENTIAL_IDENTIFIER = "unknown_credential_identifier"
    INVALID_PROOF = "invalid_proof"
    INVALID_NONCE = "invalid_nonce"
    INVALID_ENCRYPTION_PARAMETERS = "invalid_encryption_parameters"
    CREDENTIAL_REQUEST_DENIED = "credential_request_denied"


class Refusal(StrEnum):
    """Why a request was refused: the internal reason, as logs and audit entries name it."""

    NOT_A_FORM = "not_a_form"
    MALFORMED_FORM = "malformed_form"
    GRANT_TYPE_MISSING = "grant_type_missing"
    GRANT_TYPE_UNSUPPORTED = "grant_type_unsupported"
    CODE_MISSING = "code_missing"
    CODE_UNKNOWN = "code_unknown"
    CODE_EXPIRED = "code_expired"
    CODE_USED = "code_used"
    OFFER_LOCKED = "offer_locked"
    TX_CODE_MISSING = "tx_code_missing"
    TX_CODE_WRONG = "tx_code_wrong"
    TOKEN_MISSING = "token_missing"  # noqa: S105  (a reason)
    TOKEN_UNKNOWN = "token_unknown"  # noqa: S105
    TOKEN_EXPIRED = "token_expired"  # noqa: S105
    NOT_JSON = "not_json"
    MALFORMED = "malformed"
    IDENTIFIER_NOT_ISSUED = "identifier_not_issued"
    CONFIGURATION_MISSING = "configuration_missing"
    CONFIGURATION_UNKNOWN = "configuration_unknown"
    CONFIGURATION_NOT_OFFERED = "configuration_not_offered"
    ALREADY_ISSUED = "already_issued"
    ENCRYPTION_UNSUPPORTED = "encryption_unsupported"
    PROOF_MISSING = "proof_missing"
    PROOF_TYPE_UNSUPPORTED = "proof_type_unsupported"
    PROOFS_TOO_MANY = "proofs_too_many"
    PROOF_MALFORMED = "proof_malformed"
    PROOF_TYP = "proof_typ"
    PROOF_ALGORITHM = "proof_algorithm"
    PROOF_KEY = "proof_key"
    PROOF_SIGNATURE = "proof_signature"
    PROOF_AUDIENCE = "proof_audience"
    PROOF_ISSUED_AT = "proof_issued_at"
    PROOF_NONCE_MISSING = "proof_nonce_missing"
    NONCE_INVALID = "nonce_invalid"
    ISSUANCE_REFUSED = "issuance_refused"


class Answer(NamedTuple):
    """The public answer to a refusal: error code, HTTP status and description."""

    error: ErrorCode
    status: int
    description: str


def _answer(error: ErrorCode, description: str, status: int = 400) -> Answer:
    return Answer(error, status, description)


ANSWERS: Mapping[Refusal, Answer] = MappingProxyType(
    {
        Refusal.NOT_A_FORM: _answer(
            ErrorCode.INVALID_REQUEST,
            "the token request must be application/x-www-form-urlencoded",
        ),
        Refusal.MALFORMED_FORM: _answer(
            ErrorCode.INVALID_REQUEST, "a token request parameter was given more than once"
        ),
        Refusal.GRANT_TYPE_MISSING: _answer(ErrorCode.INVALID_REQUEST, "grant_type is required"),
        Refusal.GRANT_TYPE_UNSUPPORTED: _answer(
            ErrorCode.UNSUPPORTED_GRANT_TYPE,
            "only the pre-authorized code grant is supported",
        ),
        Refusal.CODE_MISSING: _answer(ErrorCode.INVALID_REQUEST, "pre-authorized_code is required"),
        # OpenID4VCI 1.0 §6.3: a wrong or expired code (and a wrong transaction code) is
        # invalid_grant; a transaction code missing where one is expected, invalid_request.
        Refusal.CODE_UNKNOWN: _answer(
            ErrorCode.INVALID_GRANT, "the pre-authorized code is not valid"
        ),
        Refusal.CODE_EXPIRED: _answer(
            ErrorCode.INVALID_GRANT, "the pre-authorized code has expired"
        ),
        Refusal.CODE_USED: _answer(
            ErrorCode.INVALID_GRANT, "the pre-authorized code was already used"
        ),
        Refusal.OFFER_LOCKED: _answer(
            ErrorCode.INVALID_GRANT,
            "too many wrong transaction codes: the pre-authorized code is no longer valid",
        ),
        Refusal.TX_CODE_MISSING: _answer(
            ErrorCode.INVALID_REQUEST, "this offer requires a transaction code (tx_code)"
        ),
        Refusal.TX_CODE_WRONG: _answer(
            ErrorCode.INVALID_GRANT, "the transaction code is not valid"
        ),
        Refusal.TOKEN_MISSING: _answer(
            ErrorCode.INVALID_TOKEN, "a Bearer access token is required", 401
        ),
        Refusal.TOKEN_UNKNOWN: _answer(
            ErrorCode.INVALID_TOKEN, "the access token is not valid", 401
        ),
        Refusal.TOKEN_EXPIRED: _answer(
            ErrorCode.INVALID_TOKEN, "the access token has expired", 401
        ),
        Refusal.NOT_JSON: _answer(
            ErrorCode.INVALID_CREDENTIAL_REQUEST,
            "the credential request must be a JSON object (application/json)",
        ),
        Refusal.MALFORMED: _answer(
            ErrorCode.INVALID_CREDENTIAL_REQUEST, "the credential request is malformed"
        ),
        Refusal.IDENTIFIER_NOT_ISSUED: _answer(
            ErrorCode.UNKNOWN_CREDENTIAL_IDENTIFIER,
            "no credential identifiers were issued: use credential_configuration_id",
        ),
        Refusal.CONFIGURATION_MISSING: _answer(
            ErrorCode.INVALID_CREDENTIAL_REQUEST, "credential_configuration_id is required"
        ),
        Refusal.CONFIGURATION_UNKNOWN: _answer(
            ErrorCode.UNKNOWN_CREDENTIAL_CONFIGURATION,
            "the credential configuration is unknown",
        ),
        Refusal.CONFIGURATION_NOT_OFFERED: _answer(
            ErrorCode.INSUFFICIENT_SCOPE,
            "the access token does not grant this credential configuration",
            403,
        ),
        Refusal.ALREADY_ISSUED: _answer(
            ErrorCode.CREDENTIAL_REQUEST_DENIED,
            "this credential was already issued for the offer",
        ),
        Refusal.ENCRYPTION_UNSUPPORTED: _answer(
            ErrorCode.INVALID_ENCRYPTION_PARAMETERS,
            "this credential issuer does not encrypt credential responses",
        ),
        Refusal.PROOF_MISSING: _answer(ErrorCode.INVALID_PROOF, "a key proof is required"),
        Refusal.PROOF_TYPE_UNSUPPORTED: _answer(
            ErrorCode.INVALID_PROOF, "only the jwt proof type is supported"
        ),
        Refusal.PROOFS_TOO_MANY: _answer(
            ErrorCode.INVALID_CREDENTIAL_REQUEST,
            "batch issuance is not supported: send exactly one key proof",
        ),
        Refusal.PROOF_MALFORMED: _answer(ErrorCode.INVALID_PROOF, "the key proof is malformed"),
        Refusal.PROOF_TYP: _answer(
            ErrorCode.INVALID_PROOF, "the key proof must have typ openid4vci-proof+jwt"
        ),
        Refusal.PROOF_ALGORITHM: _answer(
            ErrorCode.INVALID_PROOF, "the key proof algorithm is not supported"
        ),
        Refusal.PROOF_KEY: _answer(
            ErrorCode.INVALID_PROOF,
            "the key proof must name its public key in jwk, or in kid as a did:jwk or did:key",
        ),
        Refusal.PROOF_SIGNATURE: _answer(
            ErrorCode.INVALID_PROOF, "the key proof signature does not verify"
        ),
        Refusal.PROOF_AUDIENCE: _answer(
            ErrorCode.INVALID_PROOF, "the key proof audience is not this credential issuer"
        ),
        Refusal.PROOF_ISSUED_AT: _answer(
            ErrorCode.INVALID_PROOF, "the key proof iat is missing, stale or in the future"
        ),
        Refusal.PROOF_NONCE_MISSING: _answer(
            ErrorCode.INVALID_PROOF, "the key proof must carry a c_nonce from the nonce endpoint"
        ),
        Refusal.NONCE_INVALID: _answer(
            ErrorCode.INVALID_NONCE,
            "the c_nonce is unknown, used or expired: get a fresh one from the nonce endpoint",
        ),
        Refusal.ISSUANCE_REFUSED: _answer(
            ErrorCode.CREDENTIAL_REQUEST_DENIED,
            "the credential issuer could not issue this credential",
        ),
    }
)


class ProtocolError(Exception):
    """A refused OpenID4VCI request: ``refusal`` says why, ``detail`` is for the logs only."""

    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(f"{refusal.value}: {detail}" if detail else refusal.value)
        self.refusal = refusal
        self.detail = detail

    @property
    def answer(self) -> Answer:
        """The public answer: error code, status and description."""
        return ANSWERS[self.refusal]
