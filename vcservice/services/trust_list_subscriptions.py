"""The verifier's subscriptions to other authorities' signed trust lists.

A subscription names a list's URL, who must sign it (a DID, or one verification method),
the credential types the verifier trusts that list for, and how old the last confirmed copy
may grow. Refreshing fetches the list through the guarded client (conditionally, with the
ETag held), verifies its proof, then the rules of ``trust.lists.accept_list`` (the signer,
no rollback, no second list under one sequence number, its dates). A new list is stored
with its audit entry in one transaction; every process sees it at its next verification
(the change counter). A failed or refused fetch keeps the last good list, and only confirms
nothing: past its maximum staleness that list stops vouching for anyone, and the types it
covers verify as "could not check".

Due subscriptions are claimed by compare-and-set, so processes sharing a database fetch
each list once per interval between them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vcservice.clock import Clock
from vcservice.errors import FetchError, ParsingError, StorageError, VcError
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import (
    AuditAction,
    TrustListSnapshot,
    TrustListSubscription,
)
from vcservice.net.guarded_client import HttpAnswer
from vcservice.services.audit import audit_event
from vcservice.services.core import Core
from vcservice.services.freshness import Freshness, Memo
from vcservice.storage.repository import Store
from vcservice.trust.lists import TrustList, TrustListRefused, accept_list
from vcservice.trust.registry import Accreditation, UnavailableList
from vcservice.trust.subscribed import SubscribedList, list_sources
from vcservice.verification.trust_lists import verified_trust_list

__all__ = ["HeldList", "RefreshOutcome", "TrustListSubscriptions"]

_log = logging.getLogger(__name__)
ACCEPTED_MEDIA = "application/vc+ld+json, application/vc, application/json;q=0.9"
MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF = timedelta(seconds=30)
MAX_LINKS = 64  # versions followed back to reach the one held, at most


@dataclass(frozen=True, slots=True)
class HeldList:
    """A subscription and, in the core's terms, the list it holds now."""

    subscription: TrustListSubscription
    listed: SubscribedList


@dataclass(frozen=True, slots=True)
class _Fetched:
    """A fetched list whose proof verified: the list, who signed it, and its bytes."""

    trust_list: TrustList
    signer: str
    text: str
    digest: str


@dataclass(frozen=True, slots=True)
class RefreshOutcome:
    """What a refresh did: ``accepted``, ``unchanged``, ``refused`` or ``failed``."""

    result: str
    sequence: int | None
    code: str | None = None
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The outcome as the admin API answers it."""
        body: dict[str, Any] = {"result": self.result, "sequence": self.sequence}
        if self.code is not None:
            body |= {"code": self.code, "detail": self.detail}
        return body


class TrustListSubscriptions:
    """Subscribe, refresh (on demand and when due), and the lists held now."""

    def __init__(
        self,
        *,
        store: Store,
        core: Core,
        clock: Clock,
        freshness: Freshness,
        refresh_interval: timedelta,
        max_staleness: timedelta,
        clock_skew: timedelta,
    ) -> None:
        self._store = store
        self._clock_skew = clock_skew
        self._core = core
        self._clock = clock
        self._refresh_interval = refresh_interval
        self._max_staleness = max_staleness
        self._held: Memo[str, tuple[HeldList, ...]] = Memo(freshness, max_entries=1)
        self._parsed: dict[str, TrustList] = {}  # the lists held now, by their bytes' digest

    def subscribe(
        self,
        *,
        url: str,
        expected_signer: str,
        credential_types: Sequence[str],
        label: str,
        max_staleness: timedelta | None = None,
        refresh_interval: timedelta | None = None,
    ) -> TrustListSubscription:
        """Subscribe to the list at ``url`` (CONFLICT if already subscribed); fetch it with
        ``refresh``."""
        subscription = TrustListSubscription(
            id=f"urn:uuid:{uuid.uuid4()}",
            url=url,
            label=label,
            expected_signer=expected_signer,
            credential_types=frozenset(credential_types),
            max_staleness=max_staleness or self._max_staleness,
            refresh_interval=refresh_interval or self._refresh_interval,
            created_at=self._clock.now(),
        )
        details = {
            "url": url,
            "expectedSigner": expected_signer,
            "credentialTypes": sorted(subscription.credential_types),
            "maxStalenessSeconds": int(subscription.max_staleness.total_seconds()),
        }
        event = self._event(AuditAction.TRUST_LIST_SUBSCRIBED, subscription.id, details)
        self._store.subscriptions.add(subscription, audit=event)
        return subscription

    def unsubscribe(self, subscription_id: str) -> None:
        """Stop trusting a list (NOT_FOUND if there is no such subscription)."""
        found = self.get(subscription_id)
        event = self._event(AuditAction.TRUST_LIST_UNSUBSCRIBED, found.id, {"url": found.url})
        if not self._store.subscriptions.delete(subscription_id, audit=event):
            raise _not_found(subscription_id)

    def get(self, subscription_id: str) -> TrustListSubscription:
        """One subscription (NOT_FOUND if none)."""
        found = self._store.subscriptions.get(subscription_id)
        if found is None:
            raise _not_found(subscription_id)
        return found

    def held(self) -> tuple[HeldList, ...]:
        """Every subscription with the list it holds, parsed once per change of the store."""
        return self._held.get("all", self._read_held)

    def about(
        self, issuer: str, now: datetime
    ) -> tuple[list[Accreditation], list[UnavailableList]]:
        """What the lists held say of ``issuer`` at ``now`` (``trust.subscribed.list_sources``)."""
        return list_sources((held.listed for held in self.held()), issuer, now)

    def refresh_due(self) -> dict[str, int]:
        """Refresh the subscriptions due now that this process claims; how many of each
        outcome. One that cannot be refreshed at all (removed meanwhile, the database
        away) is logged and left to its next claim; the others go on."""
        now = self._clock.now()
        counts: Counter[str] = Counter()
        for subscription in self._store.subscriptions.claim_due(
            now, until=now + self._refresh_interval
        ):
            try:
                outcome = self.refresh(subscription.id)
            except VcError as error:
                _log.warning("trust list %s not refreshed: %s", subscription.url, error.message)
                counts["trust lists not refreshed"] += 1
                continue
            counts[f"trust lists {outcome.result}"] += 1
        return dict(counts)

    def refresh(self, subscription_id: str) -> RefreshOutcome:
        """Fetch the list now and apply it (accept, confirm, or keep the last good one)."""
        subscription = self.get(subscription_id)
        held = next(
            (
                snapshot
                for snapshot in self._store.subscriptions.snapshots(subscription.id)
                if snapshot.sequence == subscription.sequence
            ),
            None,
        )
        try:
            return self._refresh(subscription, held)
        except (TrustListRefused, ParsingError) as refusal:
            return self._failed(subscription, "refused", refusal)
        except FetchError as failure:
            return self._failed(subscription, "failed", failure)

    def _refresh(
        self, subscription: TrustListSubscription, held: TrustListSnapshot | None
    ) -> RefreshOutcome:
        headers = {"Accept": ACCEPTED_MEDIA}
        if held is not None and subscription.etag:
            headers["If-None-Match"] = subscription.etag
        answer = self._core.http.send("GET", subscription.url, headers=headers)
        now = self._clock.now()
        if answer.status == 304 and held is not None:
            return self._confirm(subscription, held, subscription.etag, now)
        offered = self._fetched(subscription.url, answer)
        if held is not None and offered.digest == held.digest:
            return self._confirm(subscription, held, answer.etag, now)
        previous = None if held is None else _parsed(held.document)
        links = self._links(previous, offered)
        base, base_digest = previous, None if held is None else held.digest
        for link in links:
            # A version in between only has to carry the rotation on: judged as of its issue.
            self._accept(subscription, base, base_digest, link, now=link.trust_list.issued)
            base, base_digest = link.trust_list, link.digest
        if not self._accept(subscription, base, base_digest, offered, now=now):
            assert held is not None  # only a held list can be the same again
            return self._confirm(subscription, held, answer.etag, now)
        snapshot = TrustListSnapshot(
            subscription_id=subscription.id,
            sequence=offered.trust_list.sequence,
            document=offered.text,
            digest=offered.digest,
            signer=offered.signer,
            valid_from=offered.trust_list.issued,
            next_update=offered.trust_list.next_update,
            accepted_at=now,
        )
        details: dict[str, Any] = {
            "url": subscription.url,
            "from": subscription.sequence,
            "to": offered.trust_list.sequence,
            "signer": offered.signer,
        }
        if links:
            details["through"] = [link.trust_list.sequence for link in links]
        event = self._event(
            AuditAction.TRUST_LIST_ACCEPTED,
            subscription.id,
            details | _changes(previous, offered.trust_list),
        )
        accepted = self._store.subscriptions.accept(
            subscription.id,
            snapshot,
            previous_sequence=subscription.sequence,
            etag=answer.etag,
            next_fetch_at=now + subscription.refresh_interval,
            audit=event,
        )
        if not accepted:  # another process applied a list first; it will be read from there
            return RefreshOutcome("unchanged", subscription.sequence)
        return RefreshOutcome("accepted", offered.trust_list.sequence)

    def _accept(
        self,
        subscription: TrustListSubscription,
        held: TrustList | None,
        held_digest: str | None,
        offered: _Fetched,
        *,
        now: datetime,
    ) -> bool:
        return accept_list(
            held,
            held_digest,
            offered.trust_list,
            digest=offered.digest,
            signer=offered.signer,
            expected_signer=subscription.expected_signer,
            now=now,
            skew=self._clock_skew,
        )

    def _links(self, held: TrustList | None, offered: _Fetched) -> list[_Fetched]:
        """The versions between ``held`` and ``offered``, oldest first, when ``offered`` is
        signed by a key ``held`` did not announce: followed back through each version's
        ``previousVersion`` (at most ``MAX_LINKS``), so that a subscriber that missed the
        version announcing a rotation can still check it, one step at a time."""
        if held is None or offered.signer in (*held.signing_keys, *held.next_signing_keys):
            return []
        links: list[_Fetched] = []
        current = offered.trust_list
        while (
            current.sequence > held.sequence + 1
            and current.previous_version
            and len(links) < MAX_LINKS
        ):
            url = current.previous_version
            link = self._fetched(url, self._core.http.send("GET", url))
            if link.trust_list.url != current.url or link.trust_list.sequence != (
                current.sequence - 1
            ):
                raise TrustListRefused(
                    f"{url} is not version {current.sequence - 1} of {current.url}",
                    code="TRUST_LIST_INVALID",
                    field="credentialSubject.previousVersion",
                )
            links.append(link)
            current = link.trust_list
        return links[::-1]

    def _fetched(self, url: str, answer: HttpAnswer) -> _Fetched:
        """The list an answer carries, once its proof is verified (Data Integrity, one proof,
        made by its issuer); read from what the proof covers."""
        if answer.status != 200:
            raise FetchError(f"{url} answered {answer.status}", code="FETCH_FAILED")
        document = answer.json()
        # The signer's DID afresh: a key announced since it was last resolved must be seen.
        operator = document.get("issuer") if isinstance(document, Mapping) else None
        if isinstance(operator, str) and operator.startswith("did:"):
            self._core.resolver.forget(operator)
        trust_list, signer = verified_trust_list(self._core.verifier, document, named=url)
        return _Fetched(
            trust_list=trust_list,
            signer=signer,
            text=answer.text(),
            digest=hashlib.sha256(answer.body).hexdigest(),
        )

    def _confirm(
        self,
        subscription: TrustListSubscription,
        held: TrustListSnapshot,
        etag: str | None,
        now: datetime,
    ) -> RefreshOutcome:
        self._store.subscriptions.confirm(
            subscription.id,
            sequence=held.sequence,
            confirmed_at=now,
            etag=etag,
            next_fetch_at=now + subscription.refresh_interval,
        )
        return RefreshOutcome("unchanged", held.sequence)

    def _failed(
        self, subscription: TrustListSubscription, result: str, error: VcError
    ) -> RefreshOutcome:
        now = self._clock.now()
        backoff = min(
            subscription.refresh_interval, FIRST_BACKOFF * 2 ** min(subscription.failures, 10)
        )
        event = None
        if result == "refused" and subscription.last_error_code != error.code:
            details = {"url": subscription.url, "code": error.code, "detail": error.message}
            event = self._event(AuditAction.TRUST_LIST_REFUSED, subscription.id, details)
        self._store.subscriptions.record_failure(
            subscription.id,
            code=error.code,
            at=now,
            next_fetch_at=now + min(backoff, MAX_BACKOFF),
            audit=event,
        )
        _log.warning("trust list %s %s: %s", subscription.url, result, error.message)
        return RefreshOutcome(result, subscription.sequence, error.code, error.message)

    def _read_held(self) -> tuple[HeldList, ...]:
        """Every subscription and its list; a list is parsed again only when its bytes
        changed (the store's counter also moves for changes that are not lists')."""
        held = self._store.subscriptions.held()
        kept = self._parsed
        parsed = {
            snapshot.digest: kept.get(snapshot.digest) or _parsed(snapshot.document)
            for _, snapshot in held
            if snapshot is not None
        }
        self._parsed = parsed  # one assignment: another thread may be reading the old one
        return tuple(
            HeldList(
                subscription,
                _listed(subscription, None if snapshot is None else parsed[snapshot.digest]),
            )
            for subscription, snapshot in held
        )

    def _event(self, action: AuditAction, subject: str, details: Mapping[str, Any]) -> Any:
        return audit_event(self._clock, action, subject=subject, authority=None, details=details)


def _listed(subscription: TrustListSubscription, trust_list: TrustList | None) -> SubscribedList:
    return SubscribedList(
        url=subscription.url,
        expected_signer=subscription.expected_signer,
        credential_types=subscription.credential_types,
        label=subscription.label,
        max_staleness=subscription.max_staleness,
        trust_list=trust_list,
        confirmed_at=subscription.confirmed_at,
    )


def _parsed(document: str) -> TrustList:
    """A stored list, parsed again (it was verified when accepted)."""
    return TrustList.from_credential(json.loads(document))


def _changes(previous: TrustList | None, offered: TrustList) -> dict[str, list[str]]:
    """The accreditations the new list adds and withdraws (issuer, type and period), and
    the issuers it adds and removes altogether."""
    before, after = _accreditations(previous), _accreditations(offered)
    issuers_before = {issuer for issuer, *_ in before}
    issuers_after = {issuer for issuer, *_ in after}
    return {
        "accreditationsAdded": sorted(" ".join(item) for item in after - before),
        "accreditationsWithdrawn": sorted(" ".join(item) for item in before - after),
        "issuersAdded": sorted(issuers_after - issuers_before),
        "issuersRemoved": sorted(issuers_before - issuers_after),
    }


def _accreditations(trust_list: TrustList | None) -> set[tuple[str, str, str, str]]:
    if trust_list is None:
        return set()
    return {
        (
            entry.issuer,
            listed.credential_type,
            format_datetime(listed.accredited_from) if listed.accredited_from else "-",
            format_datetime(listed.accredited_until) if listed.accredited_until else "-",
        )
        for entry in trust_list.entries
        for listed in entry.accreditations
    }


def _not_found(subscription_id: str) -> StorageError:
    return StorageError(
        f"no trust list subscription {subscription_id!r}", code="NOT_FOUND", field="id"
    )
