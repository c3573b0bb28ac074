"""The pre-authorized code grant of each Credential Issuer, as its own Authorization Server.

A token request redeems an offer's code once, with its transaction code: each try is
counted before the code is compared (so parallel guesses get no more tries than the
limit), the last wrong one locks the offer, and every refusal of a known offer is audited.
The access token is opaque, stored as a keyed digest, valid for the offer's credentials
only, and checked here for the credential endpoint too.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from vcservice.clock import Clock
from vcservice.custody.secret_digest import SecretDigester, SecretPurpose
from vcservice.model.credential_offers import CredentialOffer
from vcservice.model.records import AuditAction, AuditEvent
from vcservice.oid4vci.errors import ProtocolError, Refusal
from vcservice.oid4vci.token_request import (
    build_token_response,
    check_redeemable,
    parse_token_request,
)
from vcservice.services.audit import audit_event
from vcservice.storage.repository import Store

__all__ = ["WALLET", "GrantPolicy", "PreAuthorizedCodeGrant"]

WALLET = "wallet"  # the audit actor of a token request (anonymous, as the grant allows)


@dataclass(frozen=True, slots=True)
class GrantPolicy:
    """How long an access token lasts, and how many transaction codes an offer allows."""

    token_lifetime: timedelta = timedelta(minutes=5)
    max_tx_code_attempts: int = 5


class PreAuthorizedCodeGrant:
    """Redeems pre-authorized codes for access tokens, and checks those tokens."""

    def __init__(
        self, *, store: Store, digests: SecretDigester, clock: Clock, policy: GrantPolicy
    ) -> None:
        self._store = store
        self._digests = digests
        self._clock = clock
        self._policy = policy

    def code_digest(self, issuer: str, code: str) -> str:
        """What is stored of a pre-authorized code of the issuer (authority) ``issuer``."""
        return self._digests.digest(code, purpose=SecretPurpose.PRE_AUTHORIZED_CODE, owner=issuer)

    def offer_of_code(self, issuer: str, code: str) -> CredentialOffer | None:
        """The offer of ``issuer`` whose pre-authorized code is ``code``, in any state."""
        offer = self._store.credential_offers.find_by_code(self.code_digest(issuer, code))
        return offer if offer is not None and offer.authority == issuer else None

    def token(self, issuer: str, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        """Redeem the code and transaction code of ``form`` for an access token."""
        request = parse_token_request(form)
        offer = self.offer_of_code(issuer, request.pre_authorized_code)
        if offer is None:
            raise ProtocolError(Refusal.CODE_UNKNOWN)
        now = self._clock.now()
        try:
            check_redeemable(offer.state, expires_at=offer.expires_at, now=now)
            if request.tx_code is None:
                raise ProtocolError(Refusal.TX_CODE_MISSING)
        except ProtocolError as refused:
            self._refused(offer, {"reason": refused.refusal.value})
            raise
        offers = self._store.credential_offers
        maximum = self._policy.max_tx_code_attempts
        counted = offers.count_attempt(offer.id, now=now, max_attempts=maximum)
        if counted is None:  # used, locked or expired since it was read, or no tries left
            self._refused(offer, {"reason": Refusal.OFFER_LOCKED.value})
            raise ProtocolError(Refusal.OFFER_LOCKED)
        check = self._digests.check(
            request.tx_code, offer.tx_code_digest, purpose=SecretPurpose.TX_CODE, owner=offer.id
        )
        if not check.matches:
            self._wrong_tx_code(counted)
        token = secrets.token_urlsafe(32)
        lifetime = self._policy.token_lifetime
        redeemed = offers.redeem(
            offer.id,
            token_digest=self._token_digest(issuer, token),
            token_expires_at=now + lifetime,
            now=now,
            audit=self._event(offer, AuditAction.CREDENTIAL_OFFER_REDEEMED, {}),
        )
        if redeemed is None:  # another request redeemed it first
            self._refused(offer, {"reason": Refusal.CODE_USED.value})
            raise ProtocolError(Refusal.CODE_USED)
        return build_token_response(token, expires_in=int(lifetime.total_seconds()))

    def offer_of_token(self, issuer: str, token: str | None) -> CredentialOffer:
        """The redeemed offer an unexpired access token of ``issuer`` grants (``invalid_token``
        otherwise)."""
        if not token:
            raise ProtocolError(Refusal.TOKEN_MISSING)
        offer = self._store.credential_offers.find_by_token(self._token_digest(issuer, token))
        if offer is None or offer.authority != issuer or offer.token_expires_at is None:
            raise ProtocolError(Refusal.TOKEN_UNKNOWN)
        if self._clock.now() >= offer.token_expires_at:
            raise ProtocolError(Refusal.TOKEN_EXPIRED)
        return offer

    def _token_digest(self, issuer: str, token: str) -> str:
        return self._digests.digest(token, purpose=SecretPurpose.ISSUANCE_TOKEN, owner=issuer)

    def _wrong_tx_code(self, counted: CredentialOffer) -> None:
        """Audit a wrong transaction code, locking the offer on its last try; refuse it."""
        details = {"reason": Refusal.TX_CODE_WRONG.value, "attempts": counted.tx_code_attempts}
        if counted.tx_code_attempts >= self._policy.max_tx_code_attempts:
            locked = self._event(
                counted, AuditAction.CREDENTIAL_OFFER_REFUSED, {**details, "locked": True}
            )
            if self._store.credential_offers.lock(counted.id, audit=locked):
                raise ProtocolError(Refusal.TX_CODE_WRONG, "the offer is now locked")
        self._refused(counted, details)
        raise ProtocolError(Refusal.TX_CODE_WRONG)

    def _refused(self, offer: CredentialOffer, details: Mapping[str, Any]) -> None:
        self._store.audit.append(self._event(offer, AuditAction.CREDENTIAL_OFFER_REFUSED, details))

    def _event(
        self, offer: CredentialOffer, action: AuditAction, details: Mapping[str, Any]
    ) -> AuditEvent:
        return audit_event(
            self._clock,
            action,
            subject=offer.id,
            authority=offer.authority,
            details=details,
            actor=WALLET,
        )
