"""OpenID4VCI 1.0 issuance: an officer's offer, redeemed by the company's own wallet.

Each authority is a Credential Issuer (its API base, ``<public URL>/issuers/<name>``) and
its own Authorization Server. An officer (a client with ``issue:credentials``) offers one
certificate in one or more credential configurations; the offer's pre-authorized code and
a transaction code, delivered to the company by another channel, buy the wallet a
short-lived access token; with it, and a key proof over a fresh ``c_nonce``, the wallet gets
each offered credential once, bound to the key it proved (``openid4vci_certificates``).

Only keyed digests of the code, the transaction code and the token are stored. Every change
of an offer is one conditional write (``CredentialOfferRepository``); its creation,
redemption and every refused redemption are audited, and the credentials it yields are
audited as issued by ``openid4vci:<offer id>``.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from vcservice.audit.context import SYSTEM, current_request
from vcservice.clock import Clock
from vcservice.custody.secret_digest import SecretDigester, SecretPurpose
from vcservice.errors import StorageError, VcError
from vcservice.model.credential_offers import CredentialOffer, IssuanceNonce, OfferState
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import AuditAction, Authority
from vcservice.oid4vci.credential_request import check_key_proof, parse_credential_request
from vcservice.oid4vci.credential_response import build_credential_response, build_nonce_response
from vcservice.oid4vci.errors import ProtocolError, Refusal
from vcservice.oid4vci.metadata import (
    PROOF_ALGORITHMS,
    CredentialConfiguration,
    IssuerEndpoints,
    build_authorization_server_metadata,
    build_credential_issuer_metadata,
)
from vcservice.oid4vci.offer import (
    TxCode,
    build_credential_offer,
    offer_link_by_reference,
    offer_link_by_value,
)
from vcservice.printing.qr import qr_code
from vcservice.services import openid4vci_certificates as certificates
from vcservice.services.audit import audit_event
from vcservice.services.authorities import AUTHORITY_NAME, ISSUERS_PATH, AuthorityService
from vcservice.services.issuer import IssuerService
from vcservice.services.openid4vci_certificates import SdJwtVcIssuing
from vcservice.services.openid4vci_grant import GrantPolicy, PreAuthorizedCodeGrant
from vcservice.settings import Settings
from vcservice.storage.repository import Store

__all__ = [
    "CreatedOffer",
    "OfferPolicy",
    "OfferRequest",
    "OpenId4VciService",
    "build_openid4vci",
]

TX_CODE_LENGTH = 6
TX_CODE = TxCode(
    length=TX_CODE_LENGTH,
    description="Código de 6 dígitos que la autoridad le envió por separado / "
    "6-digit code the authority sent you separately",
)
# Failures of the service's own infrastructure: answered as such (503), never as a refusal.
UNAVAILABLE = frozenset(
    {
        "STORAGE_ERROR",
        "KEY_DECRYPTION_FAILED",
        "KEY_STORE_UNAVAILABLE",
        "KEY_STORE_LOGIN_FAILED",
        "KEY_NOT_IN_KEY_STORE",
    }
)


@dataclass(frozen=True, slots=True)
class OfferPolicy:
    """Lifetimes and limits: of an offer's code and a nonce, ``clock_skew`` for the ``iat``
    of key proofs; the access tokens' and transaction codes' in ``grant``."""

    offer_lifetime: timedelta = timedelta(minutes=10)
    nonce_lifetime: timedelta = timedelta(minutes=5)
    clock_skew: timedelta = timedelta(minutes=2)
    grant: GrantPolicy = field(default_factory=GrantPolicy)


@dataclass(frozen=True, slots=True)
class OfferRequest:
    """What an officer offers: a certificate's data and validity, in configurations."""

    configuration_ids: tuple[str, ...]
    certificate: Mapping[str, Any]
    valid_until: datetime
    valid_from: datetime | None = None


@dataclass(frozen=True, slots=True)
class CreatedOffer:
    """A new offer, with everything the officer hands on; ``tx_code`` is shown only now."""

    offer: CredentialOffer
    credential_offer: dict[str, Any]
    offer_uri: str
    link_by_reference: str
    link_by_value: str
    tx_code: str = field(repr=False)
    qr_svg: str


class OpenId4VciService:
    """Offers, tokens, nonces and credentials of every authority's Credential Issuer."""

    def __init__(
        self,
        *,
        store: Store,
        authorities: AuthorityService,
        issuer: IssuerService,
        digests: SecretDigester,
        clock: Clock,
        public_url: str,
        policy: OfferPolicy | None = None,
        sd_jwt_vc: SdJwtVcIssuing | None = None,
    ) -> None:
        """Without ``sd_jwt_vc`` no ``dc+sd-jwt`` configuration is offered."""
        self._store = store
        self._authorities = authorities
        self._issuer = issuer
        self._digests = digests
        self._clock = clock
        self._public_path = urlsplit(public_url).path.strip("/")
        self._policy = policy or OfferPolicy()
        self._sd_jwt_vc = sd_jwt_vc
        self._grant = PreAuthorizedCodeGrant(
            store=store, digests=digests, clock=clock, policy=self._policy.grant
        )

    # ------------------------------------------------------------ metadata

    def issuer_named_at(self, path: str) -> str:
        """The authority whose Credential Issuer Identifier has the URL path ``path`` (what
        follows a well-known prefix); NOT_FOUND for any other path."""
        prefix = f"{self._public_path}/" if self._public_path else ""
        rest = path.strip("/")
        kind, _, name = rest.removeprefix(prefix).partition("/")
        if not rest.startswith(prefix) or kind != ISSUERS_PATH or not AUTHORITY_NAME.match(name):
            raise StorageError(f"no credential issuer at {path[:200]!r}", code="NOT_FOUND")
        return self._authorities.get(name).name

    def metadata(self, name: str) -> dict[str, Any]:
        """The Credential Issuer Metadata of authority ``name``."""
        authority = self._authorities.get(name)
        return build_credential_issuer_metadata(
            self._endpoints(name),
            display_name=authority.display_name,
            configurations=self.configurations(authority),
        )

    def authorization_server_metadata(self, name: str) -> dict[str, Any]:
        """The RFC 8414 metadata of authority ``name`` as its own Authorization Server."""
        return build_authorization_server_metadata(
            self._endpoints(self._authorities.get(name).name)
        )

    def configurations(self, authority: Authority) -> list[CredentialConfiguration]:
        """The credential configurations ``authority`` offers."""
        held = self._authorities.key_types(authority)
        return certificates.configurations(authority, held, self._sd_jwt_vc)

    # ------------------------------------------------------------ the officer's offer

    def create_offer(self, authority: Authority, request: OfferRequest) -> CreatedOffer:
        """Offer a certificate (checked now as it would be issued) to a company's wallet."""
        known = {c.id: c for c in self.configurations(authority)}
        certificate_type = certificates.offered_type(authority, request.configuration_ids, known)
        certificate = certificates.without_holder(request.certificate)
        now = self._clock.now()
        certificates.check_certificate(
            authority,
            certificate_type,
            certificate,
            valid_from=request.valid_from or now,
            valid_until=request.valid_until,
        )
        offer_id = str(uuid.uuid4())
        code, tx_code = secrets.token_urlsafe(32), _new_tx_code()
        stored: dict[str, Any] = {"certificate": certificate}
        if request.valid_from is not None:
            stored["validFrom"] = format_datetime(request.valid_from, field="validFrom")
        stored["validUntil"] = format_datetime(request.valid_until, field="validUntil")
        offer = CredentialOffer(
            id=offer_id,
            authority=authority.name,
            credential_type=certificate_type.name,
            configuration_ids=tuple(request.configuration_ids),
            request=json.dumps(stored, ensure_ascii=False),
            code_digest=self._grant.code_digest(authority.name, code),
            tx_code_digest=self._digests.digest(
                tx_code, purpose=SecretPurpose.TX_CODE, owner=offer_id
            ),
            state=OfferState.OFFERED,
            tx_code_attempts=0,
            created_at=now,
            expires_at=now + self._policy.offer_lifetime,
            created_by=_actor(),
        )
        created = audit_event(
            self._clock,
            AuditAction.CREDENTIAL_OFFER_CREATED,
            subject=offer_id,
            authority=authority.name,
            details={
                "type": certificate_type.name,
                "configurations": list(offer.configuration_ids),
                "expiresAt": format_datetime(offer.expires_at),
            },
        )
        self._store.credential_offers.add(offer, audit=created)
        document = self._offer_document(offer, code)
        uri = self._endpoints(authority.name).offer_uri(code)
        link = offer_link_by_reference(uri)
        qr = qr_code(link, title="OpenID4VCI")
        return CreatedOffer(
            offer=offer,
            credential_offer=document,
            offer_uri=uri,
            link_by_reference=link,
            link_by_value=offer_link_by_value(document),
            tx_code=tx_code,
            qr_svg=qr.svg if qr is not None else "",
        )

    def offer_by_reference(self, name: str, reference: str) -> dict[str, Any]:
        """The offer a ``credential_offer_uri`` names, while its code can be redeemed
        (NOT_FOUND otherwise: unknown, used, locked or expired)."""
        offer = self._grant.offer_of_code(self._authorities.get(name).name, reference)
        if offer is None or offer.state is not OfferState.OFFERED:
            raise StorageError("no such credential offer is open", code="NOT_FOUND")
        if self._clock.now() >= offer.expires_at:
            raise StorageError("no such credential offer is open", code="NOT_FOUND")
        return self._offer_document(offer, reference)

    # ------------------------------------------------------------ token, nonce, credential

    def token(self, name: str, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        """Redeem a pre-authorized code and its transaction code for an access token."""
        return self._grant.token(self._authorities.get(name).name, form)

    def nonce(self, name: str) -> dict[str, str]:
        """A fresh, single-use ``c_nonce`` for a key proof to authority ``name``."""
        authority = self._authorities.get(name)
        now = self._clock.now()
        value = secrets.token_urlsafe(24)
        self._store.issuance_nonces.issue(
            IssuanceNonce(value, authority.name, now, now + self._policy.nonce_lifetime)
        )
        return build_nonce_response(value)

    def credential(self, name: str, access_token: str | None, body: Any) -> dict[str, Any]:
        """Issue the offered credential a request asks for, bound to the key it proves."""
        authority = self._authorities.get(name)
        offer = self._grant.offer_of_token(authority.name, access_token)
        _identify(f"openid4vci:{offer.id}")
        request = parse_credential_request(body)
        configuration = {c.id: c for c in self.configurations(authority)}.get(
            request.configuration_id
        )
        if configuration is None:
            raise ProtocolError(Refusal.CONFIGURATION_UNKNOWN, request.configuration_id[:100])
        if configuration.id not in offer.configuration_ids:
            raise ProtocolError(Refusal.CONFIGURATION_NOT_OFFERED, configuration.id)
        now = self._clock.now()
        proof = check_key_proof(
            request.proof,
            audience=self._endpoints(authority.name).credential_issuer,
            now=now,
            max_age=self._policy.nonce_lifetime,
            leeway=self._policy.clock_skew,
            algorithms=PROOF_ALGORITHMS,
            resolve_kid=certificates.key_of_kid,
        )
        if not self._store.issuance_nonces.consume(proof.nonce, authority=authority.name, now=now):
            raise ProtocolError(Refusal.NONCE_INVALID)
        offers = self._store.credential_offers
        if not offers.claim(offer.id, configuration.id, now=now):
            raise ProtocolError(Refusal.ALREADY_ISSUED, configuration.id)
        try:
            credential, credential_id = certificates.issue_bound(
                issuer=self._issuer,
                sd_jwt_vc=self._sd_jwt_vc,
                authority=authority,
                held=self._authorities.key_types(authority),
                offer=offer,
                configuration=configuration,
                proof=proof,
            )
        except VcError as error:
            offers.release(offer.id, configuration.id)
            if error.code in UNAVAILABLE:
                raise
            raise ProtocolError(Refusal.ISSUANCE_REFUSED, str(error)) from error
        except BaseException:
            offers.release(offer.id, configuration.id)
            raise
        offers.record_issued(offer.id, configuration.id, credential_id)
        return build_credential_response([credential])

    def purge_expired(self) -> int:
        """Delete the offers and nonces that can no longer be used; how many."""
        now = self._clock.now()
        offers = self._store.credential_offers.purge_expired(now)
        return offers + self._store.issuance_nonces.purge_expired(now)

    # ------------------------------------------------------------ helpers

    def _endpoints(self, name: str) -> IssuerEndpoints:
        return IssuerEndpoints(self._authorities.api_base(name))

    def _offer_document(self, offer: CredentialOffer, code: str) -> dict[str, Any]:
        return build_credential_offer(
            credential_issuer=self._endpoints(offer.authority).credential_issuer,
            configuration_ids=offer.configuration_ids,
            pre_authorized_code=code,
            tx_code=TX_CODE,
        )


def _new_tx_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(TX_CODE_LENGTH))


def _actor() -> str:
    request = current_request()
    return request.actor if request is not None and request.actor else SYSTEM


def _identify(actor: str) -> None:
    """Name the wallet's request after its offer, for the audit of what it is issued."""
    request = current_request()
    if request is not None:
        request.identify(actor)


def build_openid4vci(
    settings: Settings,
    *,
    store: Store,
    authorities: AuthorityService,
    issuer: IssuerService,
    digests: SecretDigester,
    clock: Clock,
    sd_jwt_vc: SdJwtVcIssuing | None = None,
) -> OpenId4VciService:
    """The service as ``settings`` configure it: offers of ``OPENID4VCI_OFFER_SECONDS``
    and ``OPENID4VCI_TX_CODE_ATTEMPTS``, access tokens as long-lived as the clients'."""
    policy = OfferPolicy(
        offer_lifetime=timedelta(seconds=settings.openid4vci_offer_seconds),
        clock_skew=timedelta(seconds=settings.clock_skew_seconds),
        grant=GrantPolicy(
            token_lifetime=timedelta(seconds=settings.access_token_lifetime_seconds),
            max_tx_code_attempts=settings.openid4vci_tx_code_attempts,
        ),
    )
    return OpenId4VciService(
        store=store,
        authorities=authorities,
        issuer=issuer,
        digests=digests,
        clock=clock,
        public_url=settings.public_url,
        policy=policy,
        sd_jwt_vc=sd_jwt_vc,
    )
