"""An authority's signed trust list: the issuers it accredits, published at a stable URL.

Every change of the authority's entries, of its signing key or of a key it announces makes
a new version at the next sequence number, signed by the authority's active key and naming
the pending ones (``nextSigningKeys``), so that subscribers accept the next list signed by
a key they were told of in the previous one. A version is also re-signed when its
``nextUpdate`` comes near. Versions are never rewritten: two processes publishing at once
race for one sequence number and the loser serves the winner's.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vcservice.clock import Clock
from vcservice.errors import StorageError, VcError
from vcservice.keys import KeyType, Signer
from vcservice.model.datetimes import format_datetime
from vcservice.model.records import (
    AuditAction,
    AuditEvent,
    Authority,
    KeyStatus,
    PublishedEntry,
    PublishedList,
    StoredKey,
)
from vcservice.services.audit import audit_event
from vcservice.services.authorities import AuthorityService
from vcservice.services.core import Core
from vcservice.services.signing import default_format
from vcservice.storage.repository import Store
from vcservice.trust.lists import ListedAccreditation, ListedIssuer, build_trust_list

__all__ = ["TRUST_LISTS_PATH", "TrustListPublisher", "list_etag"]

TRUST_LISTS_PATH = "trust-lists"


def list_etag(version: PublishedList) -> str:
    """The strong ETag of a published version: its bytes' digest, quoted."""
    return f'"{version.digest[:32]}"'


class TrustListPublisher:
    """Keeps each authority's entries and serves its current signed list."""

    def __init__(
        self,
        *,
        store: Store,
        authorities: AuthorityService,
        core: Core,
        clock: Clock,
        public_url: str,
        next_update: timedelta,
    ) -> None:
        self._store = store
        self._authorities = authorities
        self._core = core
        self._clock = clock
        self._base = f"{public_url.rstrip('/')}/{TRUST_LISTS_PATH}/"
        self._next_update = next_update

    def url(self, authority: str) -> str:
        """Where the authority's list is served (its credential ``id``)."""
        return f"{self._base}{authority}"

    def entries(self, authority: str) -> list[PublishedEntry]:
        """The authority's entries (NOT_FOUND if there is no such authority)."""
        self._authorities.get(authority)
        return self._store.published_lists.entries(authority)

    def add_entry(
        self,
        authority: str,
        *,
        issuer: str,
        name: str,
        credential_types: Sequence[str],
        accredited_from: datetime | None = None,
        accredited_until: datetime | None = None,
    ) -> tuple[PublishedEntry, PublishedList]:
        """Accredit ``issuer`` in the authority's list; the new entry and the new version."""
        self._authorities.get(authority)
        if accredited_from and accredited_until and accredited_until < accredited_from:
            raise VcError(
                "accreditedUntil is before accreditedFrom",
                code="MALFORMED_VALUE_ERROR",
                field="accreditedUntil",
            )
        entry = PublishedEntry(
            id=f"urn:uuid:{uuid.uuid4()}",
            authority=authority,
            issuer=issuer,
            name=name,
            credential_types=frozenset(credential_types),
            accredited_from=accredited_from,
            accredited_until=accredited_until,
            created_at=self._clock.now(),
        )
        event = self._event(
            AuditAction.TRUST_ENTRY_ADDED, authority, entry.id, _entry_details(entry)
        )
        self._store.published_lists.add_entry(entry, audit=event)
        return entry, self.current(authority)

    def remove_entry(self, authority: str, entry_id: str) -> PublishedList:
        """Withdraw an entry from the authority's list; the new version."""
        entry = next((e for e in self.entries(authority) if e.id == entry_id), None)
        details = {} if entry is None else _entry_details(entry)
        event = self._event(AuditAction.TRUST_ENTRY_REMOVED, authority, entry_id, details)
        if entry is None or not self._store.published_lists.delete_entry(
            authority, entry_id, audit=event
        ):
            raise StorageError(
                f"no entry {entry_id!r} in the trust list of {authority!r}",
                code="NOT_FOUND",
                field="entryId",
            )
        return self.current(authority)

    def prepare_key(self, authority: str) -> tuple[StoredKey, PublishedList]:
        """A pending key announced in a new version of the list; ``rotate`` later makes it
        the signing key (subscribers accept it because the version before named it)."""
        key_type = self._signing_key_type(self._authorities.get(authority))
        key = self._authorities.prepare_key(authority, key_type)
        return key, self.current(authority)

    def current(self, authority: str) -> PublishedList:
        """The version to serve: the latest, unless what it says changed or its next update
        is near, when a new version is signed first."""
        found = self._authorities.get(authority)
        while True:
            latest = self._store.published_lists.latest(authority)
            content = self._content(found)
            if latest is not None and self._current(latest, content):
                return latest
            version = self._sign(found, content, 1 if latest is None else latest.sequence + 1)
            event = self._event(
                AuditAction.TRUST_LIST_PUBLISHED,
                authority,
                self.url(authority),
                {
                    "sequence": version.sequence,
                    "digest": version.digest,
                    "signingKey": version.signing_key,
                    "issuers": len(content.listed),
                },
            )
            if self._store.published_lists.publish(version, audit=event):
                return version
            # Another process published this sequence first: serve the newest.

    def version(self, authority: str, sequence: int) -> PublishedList:
        """A version published earlier, as it was (NOT_FOUND if there is none)."""
        self._authorities.get(authority)
        found = self._store.published_lists.version(authority, sequence)
        if found is None:
            raise StorageError(
                f"no version {sequence} of the trust list of {authority!r}",
                code="NOT_FOUND",
                field="sequence",
            )
        return found

    def version_url(self, authority: str, sequence: int) -> str:
        """Where version ``sequence`` stays served, unchanged."""
        return f"{self.url(authority)}/{sequence}"

    def _current(self, latest: PublishedList, content: _Content) -> bool:
        margin = self._next_update / 4
        return (
            latest.entries_digest == content.digest
            and latest.next_update - self._clock.now() > margin
        )

    def _content(self, authority: Authority) -> _Content:
        """What a version says, apart from its dates and sequence (changes make a new one),
        read once: the version is signed from exactly this."""
        key_type = self._signing_key_type(authority)
        pending = [
            f"{authority.did}#{key.key_id}"
            for key in self._store.keys.for_authority(authority.name)
            if key.status is KeyStatus.PENDING and key.key_type == key_type.value
        ]
        return _Content(
            signer=self._authorities.signer(authority, key_type),
            cryptosuite=default_format(key_type),
            next_signing_keys=tuple(pending),
            listed=tuple(_listed(self._store.published_lists.entries(authority.name))),
            operator_name=authority.display_name,
        )

    def _sign(self, authority: Authority, content: _Content, sequence: int) -> PublishedList:
        now = self._clock.now().replace(microsecond=0)
        unsigned = build_trust_list(
            url=self.url(authority.name),
            operator=authority.did,
            operator_name=content.operator_name,
            sequence=sequence,
            issued=now,
            next_update=now + self._next_update,
            territory=None,
            signing_keys=[content.signer.verification_method],
            next_signing_keys=content.next_signing_keys,
            entries=content.listed,
            previous_version=(
                self.version_url(authority.name, sequence - 1) if sequence > 1 else None
            ),
        )
        signed = self._core.data_integrity.add_proof(
            unsigned, signer=content.signer, cryptosuite=content.cryptosuite, created=now
        )
        document = json.dumps(signed, ensure_ascii=False)
        return PublishedList(
            authority=authority.name,
            sequence=sequence,
            document=document,
            digest=hashlib.sha256(document.encode()).hexdigest(),
            entries_digest=content.digest,
            valid_from=now,
            next_update=now + self._next_update,
            signing_key=content.signer.verification_method,
            created_at=now,
        )

    def _signing_key_type(self, authority: Authority) -> KeyType:
        """The authority's first key type (Ed25519 for a did:web authority), as its status
        lists are signed."""
        return self._authorities.key_types(authority)[0]

    def _event(
        self, action: AuditAction, authority: str, subject: str, details: dict[str, Any]
    ) -> AuditEvent:
        return audit_event(
            self._clock, action, subject=subject, authority=authority, details=details
        )


@dataclass(frozen=True)
class _Content:
    """What one version says, but for its sequence and dates; ``digest`` tells a change."""

    signer: Signer
    cryptosuite: str
    next_signing_keys: tuple[str, ...]
    listed: tuple[ListedIssuer, ...]
    operator_name: str

    @property
    def digest(self) -> str:
        content = {
            "operatorName": self.operator_name,
            "signingKeys": [self.signer.verification_method],
            "nextSigningKeys": list(self.next_signing_keys),
            "entries": [_listed_json(issuer) for issuer in self.listed],
        }
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _listed(entries: Sequence[PublishedEntry]) -> list[ListedIssuer]:
    """The entries grouped by issuer, in a stable order."""
    by_issuer: dict[str, list[PublishedEntry]] = {}
    for entry in sorted(entries, key=_entry_order):
        by_issuer.setdefault(entry.issuer, []).append(entry)
    return [
        ListedIssuer(
            issuer=issuer,
            name=grouped[0].name,
            accreditations=tuple(
                ListedAccreditation(
                    credential_type=credential_type,
                    accredited_from=entry.accredited_from,
                    accredited_until=entry.accredited_until,
                )
                for entry in grouped
                for credential_type in sorted(entry.credential_types)
            ),
        )
        for issuer, grouped in sorted(by_issuer.items())
    ]


def _entry_details(entry: PublishedEntry) -> dict[str, Any]:
    """An entry as its audit records it."""
    details: dict[str, Any] = {
        "issuer": entry.issuer,
        "credentialTypes": sorted(entry.credential_types),
    }
    if entry.accredited_from is not None:
        details["accreditedFrom"] = format_datetime(entry.accredited_from)
    if entry.accredited_until is not None:
        details["accreditedUntil"] = format_datetime(entry.accredited_until)
    return details


def _entry_order(entry: PublishedEntry) -> tuple[str, str]:
    return entry.issuer, format_datetime(entry.created_at)


def _listed_json(issuer: ListedIssuer) -> dict[str, Any]:
    return {
        "id": issuer.issuer,
        "name": issuer.name,
        "accreditedFor": [
            [
                accreditation.credential_type,
                accreditation.accredited_from and format_datetime(accreditation.accredited_from),
                accreditation.accredited_until and format_datetime(accreditation.accredited_until),
            ]
            for accreditation in issuer.accreditations
        ],
    }
