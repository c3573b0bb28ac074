"""OpenID4VCI credential offers as the issuer keeps them, and the nonces of its key proofs.

An officer's offer waits (``offered``) for the wallet's token request; the pre-authorized
code is exchanged at most once (``redeemed``), or never after too many wrong transaction
codes (``locked``). Only keyed digests of the code, the transaction code and the access
token are kept. Each offered credential configuration is issued at most once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class OfferState(StrEnum):
    """Where an offer stands: waiting for its code, code exchanged, or locked."""

    OFFERED = "offered"
    REDEEMED = "redeemed"
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class CredentialOffer:
    """An officer's offer of one certificate, in one or more credential configurations.

    ``request`` is the certificate request as JSON text (``certificate``, ``validFrom``,
    ``validUntil``: the body of ``POST /certificates/{slug}``), its holder left to the
    wallet's key. ``tx_code_attempts`` counts the transaction codes tried, right or wrong.
    """

    id: str
    authority: str
    credential_type: str
    configuration_ids: tuple[str, ...]
    request: str
    code_digest: str = field(repr=False)
    tx_code_digest: str = field(repr=False)
    state: OfferState
    tx_code_attempts: int
    created_at: datetime
    expires_at: datetime
    created_by: str
    token_digest: str | None = field(default=None, repr=False)
    token_expires_at: datetime | None = None
    redeemed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class IssuanceNonce:
    """A ``c_nonce`` an issuer handed out for one key proof; used at most once."""

    nonce: str
    authority: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
