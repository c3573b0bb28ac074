"""The exception tree of vcservice.

Every error carries a stable, machine-readable ``code`` (the VC Data Model, Data
Integrity and Bitstring Status List specifications name most of them) and an
optional ``field``: a JSON path or name of the offending value.  An exception
means "could not decide"; a *failed check* during verification is data (see
``vcservice.verification.result``), built from these same codes.

    VcError
    ├── ParsingError              PARSING_ERROR, MALFORMED_VALUE_ERROR
    ├── ContextError              CONTEXT_NOT_PINNED, CONTEXT_NOT_INSTALLED,
    │                             CONTEXT_DIGEST_MISMATCH
    ├── DataLossError             DATA_LOSS_DETECTION_ERROR
    ├── CompactFormError          COMPACT_FORM_ERROR
    ├── CanonicalizationError     CANONICALIZATION_LIMIT_EXCEEDED
    ├── KeyFormatError            INVALID_KEY, UNSUPPORTED_KEY_TYPE
    ├── FetchError                FETCH_BLOCKED, FETCH_FAILED, FETCH_TOO_LARGE
    ├── DidError                  INVALID_DID, DID_NOT_FOUND, DID_RESOLUTION_ERROR,
    │                             INVALID_VERIFICATION_METHOD
    ├── StorageError              CONFLICT, NOT_FOUND, STORAGE_ERROR
    ├── StatusError               STATUS_RETRIEVAL_ERROR, STATUS_VERIFICATION_ERROR,
    │                             STATUS_LIST_LENGTH_ERROR, STATUS_LIST_TOO_LARGE, RANGE_ERROR,
    │                             STATUS_DATA_STALE
    ├── RetryLaterError           TOO_MANY_CHALLENGES, TOO_MANY_EXCHANGES, RATE_LIMITED
    │                             (``api.rate_limit.RateLimitError``)
    └── ProofError                PROOF_GENERATION_ERROR, PROOF_VERIFICATION_ERROR,
                                  PROOF_TRANSFORMATION_ERROR, UNSUPPORTED_CRYPTOSUITE,
                                  INVALID_PROOF_PURPOSE, INVALID_CHALLENGE_ERROR,
                                  INVALID_DOMAIN_ERROR
"""

from __future__ import annotations

from dataclasses import dataclass


class VcError(Exception):
    """Base of every vcservice error; ``code`` is stable, the message is English."""

    code: str = "VC_ERROR"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        where = f" (at {self.field})" if self.field else ""
        return f"{self.code}: {self.message}{where}"

    def to_problem(self) -> Problem:
        """This error as a ``Problem`` value, for verification results."""
        return Problem(code=self.code, detail=self.message, field=self.field)


@dataclass(frozen=True, slots=True)
class Problem:
    """A coded reason why a check failed: the data form of a ``VcError``."""

    code: str
    detail: str
    field: str | None = None


class ParsingError(VcError):
    """The input is not well-formed JSON, JSON-LD, N-Quads or JWS, or a value is malformed."""

    code = "PARSING_ERROR"


class ContextError(VcError):
    """A JSON-LD context is not pinned, not installed, or does not match its pinned digest."""

    code = "CONTEXT_NOT_PINNED"


class DataLossError(VcError):
    """A term, type or identifier would be dropped or left undefined by JSON-LD processing."""

    code = "DATA_LOSS_DETECTION_ERROR"


class CompactFormError(VcError):
    """A document is not in the one compact form its contexts define (another spelling of
    its graph would hide members from the checks: ``vcservice.jsonld.compact_form``)."""

    code = "COMPACT_FORM_ERROR"


class CanonicalizationError(VcError):
    """RDF canonicalization refused the input (for example a poison graph past the work limit)."""

    code = "CANONICALIZATION_LIMIT_EXCEEDED"


class KeyFormatError(VcError):
    """A key (Multikey, JWK, key file) is malformed or of an unsupported type."""

    code = "INVALID_KEY"


class FetchError(VcError):
    """The guarded HTTP client refused or failed a fetch."""

    code = "FETCH_FAILED"


class DidError(VcError):
    """A DID or DID URL could not be parsed, resolved or dereferenced."""

    code = "DID_RESOLUTION_ERROR"


class ProofError(VcError):
    """A proof could not be created, or its verification could not be carried out."""

    code = "PROOF_VERIFICATION_ERROR"


class StorageError(VcError):
    """The store refused or failed an operation (a conflict, a missing record, the database)."""

    code = "STORAGE_ERROR"


class StatusError(VcError):
    """A status list could not be fetched, verified, decoded or read."""

    code = "STATUS_VERIFICATION_ERROR"


class RetryLaterError(VcError):
    """Refused for now, not for good: ``retry_after`` seconds (at least one) until the
    caller may try again (429 with ``Retry-After``)."""

    code = "RETRY_LATER"

    def __init__(
        self, message: str, *, retry_after: int, code: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message, code=code, field=field)
        self.retry_after = max(1, retry_after)
