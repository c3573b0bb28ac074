"""Certificate lifecycle: status entries at issuance, status changes, published status lists.

Every credential gets one ``BitstringStatusListEntry`` per purpose — revocation,
suspension and a customs message list (statusSize 2: active, under revalidation, under
review, pending renewal) — at a random, never reused index of its authority's lists.
Lists are published as signed ``BitstringStatusListCredential``s, re-signed whenever
their version moved on or their validity runs short.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vcservice.clock import Clock
from vcservice.errors import StorageError, VcError
from vcservice.model.datetimes import parse_datetime
from vcservice.model.records import (
    AuditAction,
    Authority,
    StatusChange,
    StatusList,
    StatusPurpose,
    StatusReason,
)
from vcservice.services.audit import audit_event
from vcservice.services.authorities import STATUS_LISTS_PATH, AuthorityService
from vcservice.services.core import Core
from vcservice.services.freshness import Freshness, Memo
from vcservice.services.registry import issued_by
from vcservice.services.signing import default_format
from vcservice.services.versioned_cache import VersionedCache
from vcservice.status.bitstring import MINIMUM_ENTRIES, Bitstring
from vcservice.status.list_credential import (
    CUSTOMS_MESSAGES,
    CUSTOMS_STATUS_SIZE,
    status_entry,
    status_list_credential,
)
from vcservice.storage.repository import Store

STATUS_SIZES: Mapping[StatusPurpose, int] = {
    StatusPurpose.REVOCATION: 1,
    StatusPurpose.SUSPENSION: 1,
    StatusPurpose.MESSAGE: CUSTOMS_STATUS_SIZE,
}
REVOKED = 1
LIST_TTL = timedelta(minutes=5)
LIST_VALIDITY = timedelta(days=7)
RESIGN_BEFORE = timedelta(days=1)  # re-sign a published list whose validity runs out sooner
# Parsed list credentials a process keeps for its own verifications, by list, each until
# the list's version moves on or its validity runs short.
STATUS_DOCUMENTS_KEPT = 256


def _check_reason_code(
    reason_code: StatusReason | None, updates: Mapping[StatusPurpose, int]
) -> None:
    """Refuse a coded reason that contradicts the updates (MALFORMED_VALUE_ERROR).

    ``StatusReasonReinstated`` says a suspension or a customs message was lifted: every
    update must set 0x0, and revocation (final) is never reinstated.
    """
    if reason_code is not StatusReason.REINSTATED:
        return
    if StatusPurpose.REVOCATION in updates:
        raise VcError(
            f"{reason_code.value} does not apply to revocation: revocation is final",
            code="MALFORMED_VALUE_ERROR",
            field="reasonCode",
        )
    if any(status != 0 for status in updates.values()):
        raise VcError(
            f"{reason_code.value} lifts a status: each status given must be 0x0",
            code="MALFORMED_VALUE_ERROR",
            field="reasonCode",
        )


def _change_details(
    purpose: StatusPurpose, status: int, reason: str, reason_code: StatusReason | None
) -> dict[str, str]:
    """The audit details of one change (``reasonCode`` only when a coded reason was given)."""
    details = {"purpose": purpose.value, "status": f"{status:#x}", "reason": reason}
    if reason_code is not None:
        details["reasonCode"] = reason_code.value
    return details


@dataclass(frozen=True, slots=True)
class PublishedList:
    """A signed status list credential as served, with its version for ETags."""

    document: str
    version: int

    @property
    def etag(self) -> str:
        """A strong ETag of the signed bytes: it changes with every change and re-signing."""
        return '"' + hashlib.sha256(self.document.encode()).hexdigest()[:32] + '"'


class StatusService:
    """Allocates status entries, records changes with who/when/why, publishes the lists.

    ``documents`` keeps the list credentials that :meth:`local_document` parsed (by
    default up to ``STATUS_DOCUMENTS_KEPT``).
    """

    def __init__(
        self,
        *,
        store: Store,
        authorities: AuthorityService,
        core: Core,
        public_url: str,
        clock: Clock,
        freshness: Freshness,
        list_size: int = MINIMUM_ENTRIES,
        documents: VersionedCache[int, dict[str, Any]] | None = None,
    ) -> None:
        self._store = store
        self._authorities = authorities
        self._core = core
        self._base = f"{public_url.rstrip('/')}/{STATUS_LISTS_PATH}/"
        self._clock = clock
        self._list_size = list_size
        self._documents = (
            VersionedCache(max_entries=STATUS_DOCUMENTS_KEPT) if documents is None else documents
        )
        self._lists: Memo[tuple[tuple[str, StatusPurpose, int], ...], list[StatusList]] = Memo(
            freshness, max_entries=STATUS_DOCUMENTS_KEPT
        )

    def entries_for(
        self, authority: Authority, credential_id: str, purposes: Iterable[StatusPurpose]
    ) -> list[dict[str, Any]]:
        """Allocate the new credential's entries of ``purposes`` and return them as
        ``credentialStatus``."""
        entries = []
        for purpose in purposes:
            status_size = STATUS_SIZES[purpose]
            entry = self._store.statuses.allocate(
                authority=authority.name,
                purpose=purpose,
                credential_id=credential_id,
                size=self._list_size,
                status_size=status_size,
                now=self._clock.now(),
            )
            status_list = self._list(entry.list_id)
            messages = CUSTOMS_MESSAGES if purpose is StatusPurpose.MESSAGE else None
            entries.append(
                status_entry(
                    self._url(status_list),
                    entry.index,
                    purpose.value,
                    status_size=status_size,
                    messages=messages,
                )
            )
        return entries

    def apply(
        self,
        authority: Authority,
        *,
        credential_id: str,
        updates: Mapping[StatusPurpose, int],
        reason: str,
        actor: str,
        reason_code: StatusReason | None = None,
    ) -> list[StatusChange]:
        """Set statuses of a credential the authority issued, each change recorded.

        Every update is checked before any is written. Revocation is final: once
        revoked, every further change is a CONFLICT. ``reason_code`` (optional) must fit
        the updates: ``StatusReasonReinstated`` only when every update sets 0x0 and none
        is a revocation (else MALFORMED_VALUE_ERROR naming ``reasonCode``). Each change is
        recorded with ``reason`` and ``reason_code``, and audited (one entry per purpose,
        as ``actor``) in the transaction that makes it.
        """
        issued_by(self._store, authority, credential_id, field="credentialId")
        for purpose, status in updates.items():
            if not 0 <= status < 2 ** STATUS_SIZES[purpose]:
                raise VcError(
                    f"status {status:#x} does not fit the {purpose.value} list",
                    code="MALFORMED_VALUE_ERROR",
                    field="credentialStatus.status",
                )
        _check_reason_code(reason_code, updates)
        if self.current(credential_id).get(StatusPurpose.REVOCATION) == REVOKED:
            raise StorageError(
                f"{credential_id} is revoked; revocation is final",
                code="CONFLICT",
                field="credentialId",
            )
        changes = [
            self._store.statuses.change(
                credential_id=credential_id,
                purpose=purpose,
                new_status=status,
                reason=reason,
                actor=actor,
                now=self._clock.now(),
                final_status=REVOKED if purpose is StatusPurpose.REVOCATION else None,
                unless_revoked=True,
                audit=audit_event(
                    self._clock,
                    AuditAction.CREDENTIAL_STATUS_CHANGED,
                    subject=credential_id,
                    authority=authority.name,
                    details=_change_details(purpose, status, reason, reason_code),
                    actor=actor,
                ),
                reason_code=reason_code,
            )
            for purpose, status in updates.items()
        ]
        self._store.credentials.set_status(credential_id, self.summary(credential_id))
        return changes

    def current(self, credential_id: str) -> dict[StatusPurpose, int]:
        """The credential's status value for each purpose."""
        return {
            entry.purpose: entry.status for entry in self._store.statuses.entries_for(credential_id)
        }

    def summary(self, credential_id: str) -> str:
        """``revoked``, ``suspended`` or ``active``: what a registry listing shows."""
        current = self.current(credential_id)
        if current.get(StatusPurpose.REVOCATION):
            return "revoked"
        return "suspended" if current.get(StatusPurpose.SUSPENSION) else "active"

    def history(self, credential_id: str) -> list[StatusChange]:
        """Every status change of the credential, oldest first."""
        return self._store.statuses.history(credential_id)

    def publish(self, authority_name: str, purpose: StatusPurpose, sequence: int) -> PublishedList:
        """The signed list credential, re-signed if its version moved or it is about to expire."""
        status_list = self._store.statuses.get_list(authority_name, purpose, sequence)
        if status_list is None:
            raise StorageError(
                f"no {purpose.value} list {sequence} for {authority_name}",
                code="NOT_FOUND",
                field="path",
            )
        return self._publish(status_list)

    def index(self, authority_name: str) -> list[str]:
        """The URLs of every status list the authority has opened (NOT_FOUND if no authority)."""
        self._authorities.get(authority_name)
        return [
            self._url(status_list) for status_list in self._store.statuses.lists_of(authority_name)
        ]

    def local_document(self, url: str) -> dict[str, Any] | None:
        """One of our own status lists by URL, without a network round trip (else None)."""
        return self.local_documents([url]).get(url)

    def local_documents(self, urls: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Those of ``urls`` that are our own status lists, by URL, without the network.

        The lists' versions are read (in one query) again only once the change counter
        moved; a list's published copy is read and parsed again only if its version moved
        on since it was parsed here, or if the copy is about to expire.
        """
        coordinates = {url: found for url in urls if (found := self._coordinates(url))}
        wanted = tuple(coordinates.values())
        try:
            lists = self._lists.get(wanted, lambda: self._store.statuses.get_lists(wanted))
            by_coordinates = {(item.authority, item.purpose, item.sequence): item for item in lists}
            return {
                url: self._parsed(by_coordinates[place])
                for url, place in coordinates.items()
                if place in by_coordinates
            }
        except StorageError:
            return {}

    def _coordinates(self, url: str) -> tuple[str, StatusPurpose, int] | None:
        """(authority, purpose, sequence) of a URL of ours, else None."""
        if not url.startswith(self._base):
            return None
        parts = url[len(self._base) :].split("/")
        purposes = {purpose.value for purpose in StatusPurpose}
        if len(parts) != 3 or not parts[2].isdigit() or parts[1] not in purposes:
            return None
        return parts[0], StatusPurpose(parts[1]), int(parts[2])

    def _parsed(self, status_list: StatusList) -> dict[str, Any]:
        """The list's published copy, parsed: kept from an earlier call while still current."""
        document = self._documents.get(status_list.id, status_list.version)
        if document is None or not self._fresh(document):
            published = self._publish(status_list)
            document = json.loads(published.document)
            self._documents.put(status_list.id, published.version, document)
        return document

    def _publish(self, status_list: StatusList) -> PublishedList:
        """The stored copy if it is of the list's version or later and fresh, else a new one."""
        stored = self._store.statuses.published(status_list.id)
        if (
            stored is not None
            and stored[0] >= status_list.version
            and self._fresh(json.loads(stored[1]))
        ):
            return PublishedList(stored[1], stored[0])
        document = json.dumps(self._sign(status_list))
        self._store.statuses.publish(status_list.id, status_list.version, document)
        return PublishedList(document, status_list.version)

    def _sign(self, status_list: StatusList) -> dict[str, Any]:
        authority = self._authorities.get(status_list.authority)
        bitstring = Bitstring(status_list.size, status_size=status_list.status_size)
        for index, value in self._store.statuses.set_bits(status_list.id).items():
            bitstring.set(index, value)
        now = self._clock.now()
        unsigned = status_list_credential(
            list_url=self._url(status_list),
            issuer=authority.did,
            purpose=status_list.purpose.value,
            bitstring=bitstring,
            valid_from=now,
            valid_until=now + LIST_VALIDITY,
            ttl_ms=int(LIST_TTL.total_seconds() * 1000),
        )
        # The authority's first key: Ed25519 for a did:web authority, a did:key's own key.
        key_type = self._authorities.key_types(authority)[0]
        signer = self._authorities.signer(authority, key_type)
        return self._core.data_integrity.add_proof(
            unsigned, signer=signer, cryptosuite=default_format(key_type), created=now
        )

    def _fresh(self, document: Mapping[str, Any]) -> bool:
        valid_until = document.get("validUntil")
        if not isinstance(valid_until, str):
            return False
        return _moment(valid_until) - self._clock.now() > RESIGN_BEFORE

    def _list(self, list_id: int) -> StatusList:
        status_list = self._store.statuses.list_by_id(list_id)
        if status_list is None:
            raise StorageError(f"status list {list_id} vanished", code="STORAGE_ERROR")
        return status_list

    def _url(self, status_list: StatusList) -> str:
        return (
            f"{self._base}{status_list.authority}/{status_list.purpose.value}/"
            f"{status_list.sequence}"
        )


@functools.lru_cache(maxsize=STATUS_DOCUMENTS_KEPT)
def _moment(text: str) -> datetime:
    """``validUntil`` of a kept list, parsed once (each verification asks if it is fresh)."""
    return parse_datetime(text, field="validUntil")
