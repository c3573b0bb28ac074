"""What the service keeps: authorities, their keys and clients, and issued credentials.

Plain frozen dataclasses; storage (``vcservice.storage``) persists them and the
services build them. Nothing here knows SQL or HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

ANY_CREDENTIAL_TYPE = "*"


class Scope(StrEnum):
    """What an access token lets its client do for its authority."""

    ISSUE = "issue:credentials"
    READ = "read:credentials"
    UPDATE = "update:credentials"
    VERIFY = "verify:credentials"
    # The traceability-interop profile's own (https://w3id.org/traceability/interoperability).
    RESOLVE_DIDS = "resolve:dids"
    PROVE_PRESENTATIONS = "prove:presentations"
    VERIFY_PRESENTATIONS = "verify:presentations"
    SUBMIT_PRESENTATIONS = "submit:presentations"


class KeyStatus(StrEnum):
    """Active keys sign; retired keys stay published so old credentials still verify.

    A pending key is announced (published, e.g. as a trust list's next signing key) but
    never signs until a rotation promotes it.
    """

    ACTIVE = "active"
    RETIRED = "retired"
    PENDING = "pending"


@dataclass(frozen=True, slots=True)
class Authority:
    """An issuing authority (a tenant): e.g. ``sat`` for SAT, ``cbp`` for U.S. CBP.

    ``credential_types`` lists the types it may issue; ``ANY_CREDENTIAL_TYPE`` means
    general-purpose issuance (for interoperability testing).
    """

    name: str
    display_name: str
    did: str
    credential_types: frozenset[str]
    created_at: datetime

    def may_issue(self, credential_type: str) -> bool:
        """Whether this authority is configured to issue ``credential_type``."""
        return ANY_CREDENTIAL_TYPE in self.credential_types or (
            credential_type in self.credential_types
        )


@dataclass(frozen=True, slots=True)
class StoredKey:
    """One signing key of an authority; the secret is encrypted with the key-encryption key."""

    authority: str
    key_id: str
    key_type: str
    public_key_multibase: str
    encrypted_secret: bytes = field(repr=False)
    status: KeyStatus
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Client:
    """An OAuth2 client of one authority; only a keyed digest of its secret is kept."""

    client_id: str
    authority: str
    secret_hash: str = field(repr=False)
    scopes: frozenset[Scope]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    """A credential as issued: its document (JSON text, or a compact JWT) and index fields."""

    id: str
    authority: str
    credential_type: str
    securing_format: str
    document: str
    subject_id: str | None
    subject_identifiers: tuple[str, ...]
    issued_at: datetime
    valid_from: datetime | None
    valid_until: datetime | None
    status: str = "active"
    idempotency_key: str | None = None
    request_digest: str | None = None


class StatusPurpose(StrEnum):
    """What a status list records (Bitstring Status List ``statusPurpose``)."""

    REVOCATION = "revocation"
    SUSPENSION = "suspension"
    MESSAGE = "message"


TRADE_VOCABULARY = "https://w3id.org/vcservice/trade-certificates#"
"""The namespace of the project's vocabulary (``contexts/trade-certificates-vocab.jsonld``)."""


class StatusReason(StrEnum):
    """Why a credential's status changed, as coded in the vocabulary (``reasonCode``).

    Each value is a term of the trade-certificates context; :attr:`iri` is the individual
    of class ``StatusReason`` in the vocabulary, which labels it in English and Spanish.
    ``REINSTATED`` lifts a suspension or a message (every update sets 0x0); it never
    applies to revocation.
    """

    SUSPENDED_BY_AUTHORITY = "StatusReasonSuspendedByAuthority"
    ANNUAL_REPORT_NOT_FILED = "StatusReasonAnnualReportNotFiled"
    REQUIREMENTS_NOT_MET = "StatusReasonRequirementsNotMet"
    SECURITY_INCIDENT = "StatusReasonSecurityIncident"
    UNDER_REVIEW = "StatusReasonUnderReview"
    CANCELLED = "StatusReasonCancelled"
    VOLUNTARY_WITHDRAWAL = "StatusReasonVoluntaryWithdrawal"
    SUPERSEDED = "StatusReasonSuperseded"
    REINSTATED = "StatusReasonReinstated"
    ISSUED_IN_ERROR = "StatusReasonIssuedInError"

    @property
    def iri(self) -> str:
        """The reason's IRI in the vocabulary."""
        return TRADE_VOCABULARY + self.value


@dataclass(frozen=True, slots=True)
class StatusList:
    """One status list of an authority: ``size`` entries of ``status_size`` bits each.

    ``version`` grows with every status change, so a published copy is stale exactly
    when its version is lower.
    """

    id: int
    authority: str
    purpose: StatusPurpose
    sequence: int
    size: int
    status_size: int
    version: int
    full: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """A credential's place in one status list, and its current value there."""

    list_id: int
    index: int
    credential_id: str
    purpose: StatusPurpose
    status: int


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One recorded change of a credential's status: who, when, why (the audit of status).

    ``reason`` is the officer's note; ``reason_code`` the coded reason, when one was given
    (changes recorded before reasons were coded, and clients that send none, have None).
    """

    credential_id: str
    purpose: StatusPurpose
    old_status: int
    new_status: int
    reason: str
    actor: str
    changed_at: datetime
    reason_code: StatusReason | None = None


@dataclass(frozen=True, slots=True)
class Challenge:
    """A single-use nonce a verifier handed out for one presentation, and whether it was used.

    ``caller`` is the ``Requester`` key of who asked for it; an exchange's challenge has
    none (the exchange records its caller).
    """

    challenge: str
    domain: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    caller: str | None = None


@dataclass(frozen=True, slots=True)
class Holder:
    """A shipper's wallet: its DID (did:key or did:web), that key (encrypted), its token's hash."""

    name: str
    did: str
    public_key_multibase: str
    encrypted_secret: bytes = field(repr=False)
    token_hash: str = field(repr=False)
    created_at: datetime


@dataclass(frozen=True, slots=True)
class HeldCredential:
    """A credential a holder accepted: its JSON text or compact JWT, and its format."""

    holder: str
    credential_id: str
    document: str
    format: str
    stored_at: datetime


@dataclass(frozen=True, slots=True)
class TrustEntry:
    """An accreditation kept in the verifier's trust registry (added through the admin API)."""

    id: str
    issuer: str
    name: str
    credential_types: frozenset[str]
    valid_from: datetime | None
    valid_until: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PublishedEntry:
    """An accreditation an authority publishes in its own trust list."""

    id: str
    authority: str
    issuer: str
    name: str
    credential_types: frozenset[str]
    accredited_from: datetime | None
    accredited_until: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PublishedList:
    """One signed version of an authority's trust list, as served (``document`` is its text).

    ``digest`` is the SHA-256 of ``document``; ``entries_digest`` that of the entries it
    lists, so a republish can tell whether the entries changed since.
    """

    authority: str
    sequence: int
    document: str
    digest: str
    entries_digest: str
    valid_from: datetime
    next_update: datetime
    signing_key: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TrustListSubscription:
    """A trust list the verifier follows: where, whose signature, for which credential types.

    ``sequence`` and ``confirmed_at`` are those of the list held (None before the first
    accepted fetch); ``next_fetch_at``, ``failures`` and ``last_error_*`` schedule fetches.
    """

    id: str
    url: str
    label: str
    expected_signer: str
    credential_types: frozenset[str]
    max_staleness: timedelta
    refresh_interval: timedelta
    created_at: datetime
    sequence: int | None = None
    confirmed_at: datetime | None = None
    etag: str | None = None
    next_fetch_at: datetime | None = None
    failures: int = 0
    last_error_code: str | None = None
    last_error_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TrustListSnapshot:
    """A version of a subscribed trust list as accepted: its text, digest and signer."""

    subscription_id: str
    sequence: int
    document: str
    digest: str
    signer: str
    valid_from: datetime
    next_update: datetime
    accepted_at: datetime


@dataclass(frozen=True, slots=True)
class RecognitionPolicy:
    """A credential type a workflow accepts only under mutual recognition, and for what.

    A credential of ``credential_type`` counts only when its signed
    ``credentialSubject.mutualRecognition`` has an entry ``recognizedBy`` ``recognized_by``
    whose ``recognizedRole`` holds ``role`` (of ``arrangement``, when one is given): e.g. an
    ``OEACertificate`` recognized by ``AuthorityCBP`` for ``MraRoleManufacturerExporter``
    under ``MraUsMx2014``. The values are terms of the project vocabulary.
    """

    credential_type: str
    recognized_by: str
    role: str
    arrangement: str | None = None

    def describe(self) -> str:
        """The policy in words: ``OEACertificate recognized by AuthorityCBP for …``."""
        under = f" under {self.arrangement}" if self.arrangement is not None else ""
        return f"{self.credential_type} recognized by {self.recognized_by} for {self.role}{under}"


@dataclass(frozen=True, slots=True)
class Workflow:
    """A verifier's presentation policy: the credentials it accepts, for which domain.

    A presentation satisfies it with at least one verified credential of any of
    ``accepted_types`` (counted as they are, e.g. C-TPAT at CBP), or one that meets any of
    ``accepted_recognitions`` (a type counted only where its signed mutual recognition
    covers the authority and role, e.g. an OEA that CBP recognizes for a manufacturer/
    exporter). Anyone may start an exchange of a ``public`` workflow; of any other, only a
    client of the verifier.
    """

    id: str
    name: str
    accepted_types: tuple[str, ...]
    domain: str | None
    exchange_ttl_seconds: int
    created_at: datetime
    public: bool = False
    accepted_recognitions: tuple[RecognitionPolicy, ...] = ()


class ExchangeState(StrEnum):
    """VCALM exchange states: waiting, being answered, answered well, answered badly."""

    PENDING = "pending"
    ACTIVE = "active"
    COMPLETE = "complete"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Exchange:
    """One use of a workflow: a presentation request answered at most once.

    ``result`` is the verification result's JSON text (without the documents verified),
    and ``presentation`` the presentation as received (JSON text or a compact JWT), once
    answered. ``caller`` is the ``Requester`` key of who started it (None for exchanges
    stored before callers were recorded).
    """

    id: str
    workflow: str
    challenge: str
    domain: str | None
    state: ExchangeState
    created_at: datetime
    expires_at: datetime
    completed_at: datetime | None = None
    result: str | None = None
    presentation: str | None = None
    caller: str | None = None


class AuditAction(StrEnum):
    """What an audit entry records (``<record>.<what happened>``)."""

    AUTHORITY_CREATED = "authority.created"
    KEY_ROTATED = "key.rotated"
    CLIENT_CREATED = "client.created"
    CLIENT_REMOVED = "client.removed"
    CREDENTIAL_ISSUED = "credential.issued"
    CREDENTIAL_STATUS_CHANGED = "credential.status_changed"
    VERIFICATION_RECORDED = "verification.recorded"
    CREDENTIAL_OFFER_CREATED = "credential_offer.created"
    CREDENTIAL_OFFER_REDEEMED = "credential_offer.redeemed"
    CREDENTIAL_OFFER_REFUSED = "credential_offer.refused"
    KEY_PREPARED = "key.prepared"
    TRUST_ENTRY_ADDED = "accreditation.added"
    TRUST_ENTRY_REMOVED = "accreditation.removed"
    TRUST_LIST_PUBLISHED = "trust_list.published"
    TRUST_LIST_SUBSCRIBED = "trust_list.subscribed"
    TRUST_LIST_UNSUBSCRIBED = "trust_list.unsubscribed"
    TRUST_LIST_ACCEPTED = "trust_list.accepted"
    TRUST_LIST_REFUSED = "trust_list.refused"
    CONTEXT_ADDED = "context.added"
    CONTEXT_REMOVED = "context.removed"
    SCHEMA_ADDED = "schema.added"
    SCHEMA_REMOVED = "schema.removed"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Something to append to the audit log: who did what to which record, when, in which request.

    ``actor`` is a client id, ``admin`` (the admin token) or ``system`` (outside any HTTP
    request, e.g. the command line); ``subject`` is the credential id, client id, key id or
    authority name; ``details`` is a small JSON object (never a secret).
    """

    recorded_at: datetime
    actor: str
    authority: str | None
    action: str
    subject: str
    details: dict[str, Any]
    request_id: str | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """An event as appended to the hash-chained audit log (see ``vcservice.audit.chain``).

    ``sequence`` counts from 1 without gaps; ``previous_hash`` is the hash of entry
    ``sequence - 1`` (a fixed genesis value for the first), ``hash`` covers every other field.
    ``action`` stays a plain string, so that an edited entry can still be read and reported.
    """

    sequence: int
    recorded_at: datetime
    actor: str
    authority: str | None
    action: str
    subject: str
    details: dict[str, Any]
    request_id: str | None
    previous_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class AuditHead:
    """The newest entry of the audit log as recorded beside it: removing the tail shows."""

    sequence: int
    hash: str
