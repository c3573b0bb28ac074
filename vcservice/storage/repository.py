"""The repository interfaces the services depend on (implemented in ``storage.sql``).

Every method is one transaction. Conflicts raise ``StorageError`` with code
CONFLICT; lookups of absent records return ``None``. Writes that take an ``audit``
event append it to the audit log in their own transaction, only if they change
something: the change and its audit entry are stored together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from vcservice.model.credential_offers import CredentialOffer, IssuanceNonce
from vcservice.model.presentation_requests import PresentationRequest
from vcservice.model.rates import Lease
from vcservice.model.records import (
    AuditEntry,
    AuditEvent,
    AuditHead,
    Authority,
    Challenge,
    Client,
    Exchange,
    ExchangeState,
    HeldCredential,
    Holder,
    IssuedCredential,
    PublishedEntry,
    PublishedList,
    StatusChange,
    StatusEntry,
    StatusList,
    StatusPurpose,
    StatusReason,
    StoredKey,
    TrustEntry,
    TrustListSnapshot,
    TrustListSubscription,
    Workflow,
)


@dataclass(frozen=True, slots=True)
class CredentialQuery:
    """Filters for listing issued credentials; all given filters must match.

    ``issued_from`` is inclusive, ``issued_until`` exclusive; results are newest first,
    ties broken by id (descending).
    """

    authority: str
    credential_type: str | None = None
    subject: str | None = None  # matches the subject id or any subject identifier (RFC, number)
    status: str | None = None
    issued_from: datetime | None = None
    issued_until: datetime | None = None
    limit: int = 50
    offset: int = 0


COUNT_LIMIT = 10_000
"""Matches are counted up to this many: an exact count of a million rows costs a scan."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of credentials, newest first, and how many match in all.

    ``total`` is exact up to ``COUNT_LIMIT``; past it, ``total_is_exact`` is False and
    ``total`` is ``COUNT_LIMIT`` (there are more).
    """

    items: Sequence[IssuedCredential]
    total: int
    total_is_exact: bool = True


class AuthorityRepository(Protocol):
    """Issuing authorities, by name."""

    def add(
        self,
        authority: Authority,
        *,
        with_keys: Sequence[StoredKey] = (),
        audit: AuditEvent | None = None,
    ) -> None:
        """Store a new authority with its first keys, ``with_keys`` (CONFLICT if the name or DID
        exists), in one transaction."""
        ...

    def get(self, name: str) -> Authority | None:
        """The authority called ``name``."""
        ...

    def list(self) -> list[Authority]:
        """Every authority, by name."""
        ...

    def key_version(self, name: str, *, did: str) -> int | None:
        """The key version of the authority called ``name`` if its DID is ``did``, else None.

        It grows with every change to the authority's keys, in the transaction making the
        change: what was built from keys read after it is current until it grows again.
        """
        ...


class KeyRepository(Protocol):
    """Signing keys of authorities; every write bumps the authority's key version."""

    def add(self, key: StoredKey) -> None:
        """Store a new key (CONFLICT if the authority already has that key id)."""
        ...

    def for_authority(self, authority: str) -> list[StoredKey]:
        """Every key of ``authority``, oldest first: active, pending and retired."""
        ...

    def retire(self, authority: str, key_id: str) -> None:
        """Mark a key retired: it stops signing and stays published."""
        ...

    def promote(self, authority: str, key_id: str, *, retiring: Sequence[str] = ()) -> bool:
        """Make a pending key active and retire the keys ``retiring``, in one transaction;
        False (and nothing changes) if that key is not pending (any more)."""
        ...


class ClientRepository(Protocol):
    """OAuth2 clients."""

    def add(self, client: Client, *, audit: AuditEvent | None = None) -> None:
        """Store a new client (CONFLICT if the id exists)."""
        ...

    def get(self, client_id: str) -> Client | None:
        """The client with ``client_id``."""
        ...

    def for_authority(self, authority: str) -> list[Client]:
        """Every client of ``authority``."""
        ...

    def delete(self, client_id: str, *, audit: AuditEvent | None = None) -> bool:
        """Remove a client; False if there was none (and nothing is audited)."""
        ...

    def upgrade_secret_hash(self, client_id: str, *, current: str, upgraded: str) -> bool:
        """Store ``upgraded`` as the client's secret hash if it still is ``current``;
        whether it was stored."""
        ...


class CredentialRepository(Protocol):
    """The registry of every issued credential."""

    def add(
        self, credential: IssuedCredential, *, audit: AuditEvent | None = None
    ) -> IssuedCredential:
        """Record ``credential`` durably before it is returned to anyone.

        With an ``idempotency_key`` already used by the same authority, nothing is
        stored (nor audited) and the earlier credential is returned — unless its
        ``request_digest`` differs, which is a CONFLICT.
        """
        ...

    def get(self, credential_id: str) -> IssuedCredential | None:
        """The credential with ``credential_id``."""
        ...

    def find_by_idempotency_key(self, authority: str, key: str) -> IssuedCredential | None:
        """The credential an authority issued under ``key``."""
        ...

    def search(self, query: CredentialQuery) -> Page:
        """Credentials matching ``query``, newest first."""
        ...

    def set_status(self, credential_id: str, status: str) -> None:
        """Record the credential's status summary (``active``, ``suspended``, ``revoked``)."""
        ...


class StatusRepository(Protocol):
    """Status lists, the entries credentials hold in them, and the history of changes.

    Index allocation is the database's job: an index is never given twice in a list,
    whatever the number of processes allocating at once.
    """

    def allocate(
        self,
        *,
        authority: str,
        purpose: StatusPurpose,
        credential_id: str,
        size: int,
        status_size: int,
        now: datetime,
    ) -> StatusEntry:
        """Give ``credential_id`` a random, never-used index in the authority's open list.

        Opens a new list (next ``sequence``) when the open one is full (about 90 %
        allocated, so random probing stays cheap).
        """
        ...

    def entries_for(self, credential_id: str) -> list[StatusEntry]:
        """The credential's entries, one per purpose."""
        ...

    def change(
        self,
        *,
        credential_id: str,
        purpose: StatusPurpose,
        new_status: int,
        reason: str,
        actor: str,
        now: datetime,
        final_status: int | None = None,
        unless_revoked: bool = False,
        audit: AuditEvent | None = None,
        reason_code: StatusReason | None = None,
    ) -> StatusChange:
        """Set the credential's status for ``purpose`` and bump the list's version, atomically.

        The change is recorded with ``reason`` (free text) and ``reason_code`` (the coded
        reason, if any), which ``history`` gives back.

        Refused with CONFLICT when the current status is ``final_status`` (a revoked
        credential stays revoked) or, with ``unless_revoked``, when the credential's
        revocation entry is set; NOT_FOUND when the credential has no such entry.
        """
        ...

    def history(self, credential_id: str) -> list[StatusChange]:
        """Every recorded change of the credential, oldest first."""
        ...

    def get_list(self, authority: str, purpose: StatusPurpose, sequence: int) -> StatusList | None:
        """A status list by its public coordinates."""
        ...

    def get_lists(self, coordinates: Sequence[tuple[str, StatusPurpose, int]]) -> list[StatusList]:
        """The lists among ``coordinates`` (authority, purpose, sequence) that exist."""
        ...

    def list_by_id(self, list_id: int) -> StatusList | None:
        """A status list by its id."""
        ...

    def lists_of(self, authority: str) -> list[StatusList]:
        """Every status list of ``authority``, by purpose, then sequence."""
        ...

    def set_bits(self, list_id: int) -> dict[int, int]:
        """The non-zero statuses of a list: index → status value."""
        ...

    def suspended_in(self, revocation_list_id: int) -> list[int]:
        """The indices, in a revocation list, of its suspended and unrevoked credentials."""
        ...

    def published(self, list_id: int) -> tuple[int, str] | None:
        """The last published (version, signed document) of a list, if any."""
        ...

    def publish(self, list_id: int, version: int, document: str) -> None:
        """Keep a signed copy of version ``version`` (a newer stored one is kept instead)."""
        ...


ConsumedChallenge = Challenge
"""A challenge as ``ChallengeRepository.consume`` returns it: ``used_at`` is now set."""


@dataclass(frozen=True, slots=True)
class OpenLimit:
    """How many open records (unused challenges, pending exchanges) may be held at once:
    ``own`` by the new record's caller, and, when ``pool`` is set, by every anonymous
    caller (``address:`` keys) together."""

    own: int
    pool: int | None = None

    def __post_init__(self) -> None:
        if self.own < 1 or (self.pool is not None and self.pool < 1):
            raise ValueError("a limit leaves room for at least one open record")


@dataclass(frozen=True, slots=True)
class LimitReached:
    """Why a record was not stored: the caller's own limit was reached, or (``pooled``)
    the anonymous callers' together; ``frees_at`` is when the first of the open records
    counted expires."""

    pooled: bool
    frees_at: datetime


class ChallengeRepository(Protocol):
    """Single-use challenges a verifier issued for presentations.

    Consumption is the database's job: a challenge is consumed at most once, whatever
    the number of processes trying at once. So is a limit: records are counted and added
    one caller at a time, across processes.
    """

    def issue(
        self,
        challenge: str,
        *,
        domain: str | None,
        expires_at: datetime,
        created_at: datetime,
        caller: str | None = None,
        limit: OpenLimit | None = None,
    ) -> Challenge | LimitReached:
        """Store a new, unused challenge of ``caller`` unless that would pass ``limit``
        (open at ``created_at``); CONFLICT if that challenge exists."""
        ...

    def consume(self, challenge: str, *, now: datetime) -> ConsumedChallenge | None:
        """Mark ``challenge`` used at ``now``, atomically; None if unknown, expired or used."""
        ...

    def get(self, challenge: str) -> Challenge | None:
        """The challenge, used or not, expired or not (until purged)."""
        ...

    def purge_expired(self, now: datetime) -> int:
        """Delete every challenge expired at ``now`` (used or not); how many were deleted."""
        ...


class HolderRepository(Protocol):
    """Holders (shippers' wallets), by name."""

    def add(self, holder: Holder) -> None:
        """Store a new holder (CONFLICT if the name or DID exists or was retired)."""
        ...

    def get(self, name: str) -> Holder | None:
        """The holder called ``name``."""
        ...

    def list(self) -> list[Holder]:
        """Every holder, by name."""
        ...

    def replace_token_hash(self, name: str, token_hash: str) -> None:
        """Make ``token_hash`` the holder's only token hash (NOT_FOUND if no such holder)."""
        ...

    def upgrade_token_hash(self, name: str, *, current: str, upgraded: str) -> bool:
        """Store ``upgraded`` as the holder's token hash if it still is ``current`` (no
        rotation came between); whether it was stored."""
        ...

    def delete(self, name: str, *, retired_at: datetime) -> bool:
        """Remove the holder and every credential it holds, retiring its DID for good;
        False if there was none."""
        ...


class HeldCredentialRepository(Protocol):
    """The credentials each holder accepted, by (holder, credential id)."""

    def add(self, credential: HeldCredential) -> None:
        """Store a credential (CONFLICT if the holder has that id; NOT_FOUND if no holder)."""
        ...

    def get(self, holder: str, credential_id: str) -> HeldCredential | None:
        """The holder's credential with ``credential_id``."""
        ...

    def for_holder(self, holder: str) -> list[HeldCredential]:
        """Every credential of ``holder``, oldest stored first (ties by id)."""
        ...

    def delete(self, holder: str, credential_id: str) -> bool:
        """Remove the holder's credential; False if there was none."""
        ...


class GenerationRepository(Protocol):
    """The counter of changes a verification reads (``storage.schema.change_generation``)."""

    def current(self) -> int:
        """Where the counter stands now: it moves with every committed change of
        authorities, keys, holders, trust registry entries, status list versions or
        subscribed trust lists (what they hold, their scope and confirmation)."""
        ...


class TrustRepository(Protocol):
    """The verifier's trust registry entries (accreditations), by id."""

    def add(self, entry: TrustEntry, *, audit: AuditEvent | None = None) -> None:
        """Store a new entry (CONFLICT if its id exists)."""
        ...

    def get(self, entry_id: str) -> TrustEntry | None:
        """The entry with ``entry_id``."""
        ...

    def for_issuer(self, issuer: str) -> list[TrustEntry]:
        """Every entry of ``issuer``, oldest first."""
        ...

    def list(self) -> list[TrustEntry]:
        """Every entry, by issuer, then oldest first."""
        ...

    def delete(self, entry_id: str, *, audit: AuditEvent | None = None) -> bool:
        """Remove the entry; False if there was none (and nothing is audited)."""
        ...


class PublishedListRepository(Protocol):
    """The trust lists authorities publish: what each accredits, and each signed version.

    A sequence is published once: of processes publishing the same one at once, exactly
    one stores it (the others read the winner's).
    """

    def entries(self, authority: str) -> list[PublishedEntry]:
        """Every entry of the authority's list, oldest first."""
        ...

    def add_entry(self, entry: PublishedEntry, *, audit: AuditEvent | None = None) -> None:
        """Store a new entry (CONFLICT if its id exists, NOT_FOUND if no authority)."""
        ...

    def delete_entry(
        self, authority: str, entry_id: str, *, audit: AuditEvent | None = None
    ) -> bool:
        """Remove the authority's entry; False if there was none (and nothing is audited)."""
        ...

    def latest(self, authority: str) -> PublishedList | None:
        """The authority's version with the highest sequence, if it published any."""
        ...

    def version(self, authority: str, sequence: int) -> PublishedList | None:
        """One published version of the authority's list, if there is one."""
        ...

    def publish(self, version: PublishedList, *, audit: AuditEvent | None = None) -> bool:
        """Store a new version; False (nothing stored, nothing audited) when that sequence
        exists (another process published it first). NOT_FOUND if no authority."""
        ...


class TrustListSubscriptionRepository(Protocol):
    """The trust lists the verifier follows, and every version of them it accepted.

    Each change of what is held is one compare-and-set: a due fetch is claimed by one
    process, and a new version is accepted only over the one its fetcher saw held.
    """

    def add(self, subscription: TrustListSubscription, *, audit: AuditEvent | None = None) -> None:
        """Store a new subscription (CONFLICT if its id or URL exists)."""
        ...

    def get(self, subscription_id: str) -> TrustListSubscription | None:
        """The subscription with ``subscription_id``."""
        ...

    def delete(self, subscription_id: str, *, audit: AuditEvent | None = None) -> bool:
        """Remove the subscription and its snapshots; False if there was none (and nothing
        is audited)."""
        ...

    def held(self) -> list[tuple[TrustListSubscription, TrustListSnapshot | None]]:
        """Every subscription, oldest first, with the snapshot of the sequence it holds
        (None before the first accepted version), read in one query."""
        ...

    def snapshots(self, subscription_id: str) -> list[TrustListSnapshot]:
        """Every accepted version of the subscription's list, lowest sequence first."""
        ...

    def claim_due(self, now: datetime, *, until: datetime) -> list[TrustListSubscription]:
        """Claim each subscription due at ``now`` (never fetched, or ``next_fetch_at`` not
        after ``now``) by moving its ``next_fetch_at`` to ``until``, one compare-and-set per
        row; the subscriptions this call won, as claimed. ``until`` must be after ``now``."""
        ...

    def accept(
        self,
        subscription_id: str,
        snapshot: TrustListSnapshot,
        *,
        previous_sequence: int | None,
        etag: str | None,
        next_fetch_at: datetime,
        audit: AuditEvent | None = None,
    ) -> bool:
        """Hold ``snapshot`` if the subscription still holds ``previous_sequence`` (None:
        nothing), in one transaction: the snapshot is stored (kept if stored already with
        the same digest; CONFLICT with another), the sequence, ``confirmed_at`` (the
        snapshot's ``accepted_at``), ``etag`` and ``next_fetch_at`` set, failures cleared.
        False, and nothing written, when another process moved the subscription first."""
        ...

    def confirm(
        self,
        subscription_id: str,
        *,
        sequence: int,
        confirmed_at: datetime,
        etag: str | None,
        next_fetch_at: datetime,
    ) -> None:
        """Record that the list held (``sequence``) was served again: ``confirmed_at``,
        ``etag`` and ``next_fetch_at`` set, failures set to 0; nothing if the subscription
        holds another sequence by now."""
        ...

    def record_failure(
        self,
        subscription_id: str,
        *,
        code: str,
        at: datetime,
        next_fetch_at: datetime,
        audit: AuditEvent | None = None,
    ) -> int:
        """Count one more failed fetch (``code`` at ``at``) and schedule the next; the
        failures counted since the last success. NOT_FOUND if no such subscription."""
        ...

    def list(self) -> list[TrustListSubscription]:
        """Every subscription, oldest first."""
        ...


class WorkflowRepository(Protocol):
    """Verifier workflows (presentation policies), by id."""

    def add(self, workflow: Workflow) -> None:
        """Store a new workflow (CONFLICT if its id exists)."""
        ...

    def get(self, workflow_id: str) -> Workflow | None:
        """The workflow with ``workflow_id``."""
        ...

    def list(self) -> list[Workflow]:
        """Every workflow, by id."""
        ...

    def delete(self, workflow_id: str) -> bool:
        """Remove the workflow and its exchanges; False if there was none."""
        ...


class ExchangeRepository(Protocol):
    """Exchanges of workflows; each leaves ``pending`` at most once (the database's job)."""

    def add(self, exchange: Exchange, *, limit: OpenLimit | None = None) -> LimitReached | None:
        """Store a new exchange unless that would pass ``limit`` for its caller (pending
        at its ``created_at``); CONFLICT if its id or challenge exists."""
        ...

    def get(self, exchange_id: str) -> Exchange | None:
        """The exchange with ``exchange_id``."""
        ...

    def start(self, exchange_id: str, *, now: datetime) -> Exchange | None:
        """Move a pending, unexpired exchange to ``active``, atomically; None otherwise."""
        ...

    def finish(
        self,
        exchange_id: str,
        *,
        state: ExchangeState,
        result: str,
        presentation: str,
        now: datetime,
    ) -> None:
        """Record the answer of an active exchange: its final state and result."""
        ...

    def purge_expired(self, before: datetime) -> int:
        """Delete every exchange that expired before ``before``; how many were deleted."""
        ...


class AuditRepository(Protocol):
    """The hash-chained audit log (``vcservice.audit.chain``) and its head.

    Appending is the database's job: entries get consecutive sequences and chain from
    each other, whatever the number of processes appending at once.
    """

    def append(self, event: AuditEvent) -> AuditEntry:
        """Append ``event`` on its own (for changes made in transactions of their own)."""
        ...

    def head(self) -> AuditHead | None:
        """The newest sequence and hash as recorded; None if that record was removed."""
        ...

    def entries(self, *, after: int = 0, limit: int = 100) -> list[AuditEntry]:
        """Up to ``limit`` entries with a sequence above ``after``, oldest first."""
        ...

    def latest(self, limit: int) -> list[AuditEntry]:
        """The newest ``limit`` entries, oldest first."""
        ...

    def snapshot(self) -> tuple[AuditHead | None, list[AuditEntry]]:
        """The head and every entry by sequence, from one consistent read."""
        ...


class RateBucketRepository(Protocol):
    """Token buckets every process of a deployment shares: its rate limits, held as one."""

    def lease(self, key: str, *, want: int, rate: float, burst: float, now: float) -> Lease:
        """Take up to ``want`` whole tokens from ``key``'s bucket (refilled at ``rate`` a
        second up to ``burst``, from full for a new key), in one transaction."""
        ...

    def spend(self, key: str, *, cost: float, rate: float, burst: float, now: float) -> None:
        """Take ``cost`` tokens from ``key``'s bucket even into debt."""
        ...

    def level(self, key: str, *, rate: float, burst: float, now: float) -> float:
        """What ``key``'s bucket holds at ``now`` (refilled; ``burst`` for a new key),
        taking nothing and writing nothing."""
        ...

    def purge_idle(self, before: float) -> int:
        """Forget the buckets untouched since ``before`` (they are full again); how many."""
        ...


class CredentialOfferRepository(Protocol):
    """OpenID4VCI credential offers; each change of state is one conditional write.

    A pre-authorized code is redeemed at most once, a transaction code tried at most the
    allowed number of times, and each offered configuration issued at most once, whatever
    the number of processes trying at once (the database's job).
    """

    def add(self, offer: CredentialOffer, *, audit: AuditEvent | None = None) -> None:
        """Store a new offer (CONFLICT if its id or code digest exists)."""
        ...

    def get(self, offer_id: str) -> CredentialOffer | None:
        """The offer with ``offer_id``."""
        ...

    def find_by_code(self, code_digest: str) -> CredentialOffer | None:
        """The offer whose pre-authorized code has ``code_digest``, in whatever state."""
        ...

    def find_by_token(self, token_digest: str) -> CredentialOffer | None:
        """The redeemed offer whose access token has ``token_digest``."""
        ...

    def count_attempt(
        self, offer_id: str, *, now: datetime, max_attempts: int
    ) -> CredentialOffer | None:
        """Count one more transaction code attempt of an offered, unexpired offer with
        fewer than ``max_attempts`` tried; the offer as counted, else None."""
        ...

    def lock(self, offer_id: str, *, audit: AuditEvent | None = None) -> bool:
        """Lock an offered offer for good (no code is redeemed any more); whether it was."""
        ...

    def redeem(
        self,
        offer_id: str,
        *,
        token_digest: str,
        token_expires_at: datetime,
        now: datetime,
        audit: AuditEvent | None = None,
    ) -> CredentialOffer | None:
        """Exchange the code of an offered, unexpired offer for an access token, atomically;
        the redeemed offer, or None when it was not offered any more (or expired)."""
        ...

    def claim(self, offer_id: str, configuration_id: str, *, now: datetime) -> bool:
        """Start issuing the offer's credential of ``configuration_id``: False when it was
        claimed before (issued, or being issued)."""
        ...

    def release(self, offer_id: str, configuration_id: str) -> None:
        """Give back a claim whose credential could not be issued (it may be asked again)."""
        ...

    def record_issued(self, offer_id: str, configuration_id: str, credential_id: str) -> None:
        """Name the credential issued for a claimed configuration."""
        ...

    def issued(self, offer_id: str) -> dict[str, str | None]:
        """The offer's claimed configurations: configuration id -> credential id (None
        while it is being issued)."""
        ...

    def purge_expired(self, before: datetime) -> int:
        """Delete the offers whose code, and access token if any, expired before ``before``;
        how many were deleted."""
        ...


class IssuanceNonceRepository(Protocol):
    """The ``c_nonce`` values issuers handed out; each is consumed at most once."""

    def issue(self, nonce: IssuanceNonce) -> None:
        """Store a new, unused nonce (CONFLICT if it exists)."""
        ...

    def consume(self, nonce: str, *, authority: str, now: datetime) -> bool:
        """Mark an unused, unexpired nonce of ``authority`` used at ``now``, atomically;
        whether it was."""
        ...

    def purge_expired(self, now: datetime) -> int:
        """Delete every nonce expired at ``now``; how many were deleted."""
        ...


class PresentationRequestRepository(Protocol):
    """The verifier's OpenID4VP authorization requests; each leaves ``pending`` at most once
    (the database's job), as an exchange does."""

    def add(
        self, request: PresentationRequest, *, limit: OpenLimit | None = None
    ) -> LimitReached | None:
        """Store a new request unless that would pass ``limit`` for its caller (pending at
        its ``created_at``); CONFLICT if one of its identifiers exists."""
        ...

    def get(self, request_id: str) -> PresentationRequest | None:
        """The request whose verifier's handle (``id``) is ``request_id``."""
        ...

    def by_public_id(self, public_id: str) -> PresentationRequest | None:
        """The request whose public ``request_id`` is ``public_id``."""
        ...

    def start(self, public_id: str, *, state: str, now: datetime) -> PresentationRequest | None:
        """Move the pending, unexpired request with ``public_id`` and ``state`` to
        ``active``, atomically; None otherwise."""
        ...

    def finish(
        self,
        request_id: str,
        *,
        status: ExchangeState,
        result: str,
        presentation: str | None,
        error: str | None,
        now: datetime,
    ) -> None:
        """Record the outcome of an active request (NOT_FOUND if it is not active)."""
        ...

    def purge_expired(self, before: datetime) -> int:
        """Delete every request that expired before ``before``; how many were deleted."""
        ...


class Store(Protocol):
    """All repositories over one database."""

    authorities: AuthorityRepository
    keys: KeyRepository
    clients: ClientRepository
    credentials: CredentialRepository
    statuses: StatusRepository
    challenges: ChallengeRepository
    holders: HolderRepository
    held_credentials: HeldCredentialRepository
    trust: TrustRepository
    workflows: WorkflowRepository
    exchanges: ExchangeRepository
    audit: AuditRepository
    rate_buckets: RateBucketRepository
    credential_offers: CredentialOfferRepository
    issuance_nonces: IssuanceNonceRepository
    presentation_requests: PresentationRequestRepository
    generation: GenerationRepository
    published_lists: PublishedListRepository
    subscriptions: TrustListSubscriptionRepository

    def ping(self) -> None:
        """Run a trivial query; StorageError if the database cannot answer it."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
