"""The verifier's trust registry: a configured file's entries, those added by admins, and
the signed trust lists this verifier subscribes to.

File entries are configuration (read once at start-up, changed by editing the file and
restarting); stored entries are added and removed through the admin API and seen by every
process at once: an issuer's entries are read again as soon as the database's change
counter moved (``services.freshness``). Subscribed lists vouch only while fresh enough
(``services.trust_list_subscriptions``); each accreditation says which source made it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from vcservice.clock import Clock
from vcservice.errors import VcError
from vcservice.model.checks import TrustBasis
from vcservice.model.records import AuditAction, AuditEvent, TrustEntry
from vcservice.services.audit import audit_event
from vcservice.services.freshness import Freshness, Memo
from vcservice.services.trust_list_subscriptions import TrustListSubscriptions
from vcservice.storage.repository import TrustRepository
from vcservice.trust.registry import Accreditation, TrustRegistry

__all__ = ["TrustRegistryService", "as_accreditation"]

ISSUERS_KEPT = 1024  # issuers whose stored entries this process keeps


class TrustRegistryService:
    """Which issuers this verifier accepts, for which credential types (an ``IssuerTrust``)."""

    def __init__(
        self,
        *,
        entries: TrustRepository,
        clock: Clock,
        freshness: Freshness,
        configured: TrustRegistry | None = None,
        lists: TrustListSubscriptions | None = None,
    ) -> None:
        self._entries = entries
        self._clock = clock
        self._configured = configured or TrustRegistry(())
        self._lists = lists
        self._stored: Memo[str, list[TrustEntry]] = Memo(freshness, max_entries=ISSUERS_KEPT)

    def add(
        self,
        *,
        issuer: str,
        name: str,
        credential_types: Sequence[str],
        valid_from: datetime | None = None,
        valid_until: datetime | None = None,
    ) -> TrustEntry:
        """Accredit ``issuer`` for ``credential_types`` (optionally only for a period)."""
        if valid_from is not None and valid_until is not None and valid_until < valid_from:
            raise VcError(
                "validUntil is before validFrom", code="MALFORMED_VALUE_ERROR", field="validUntil"
            )
        entry = TrustEntry(
            id=f"urn:uuid:{uuid.uuid4()}",
            issuer=issuer,
            name=name,
            credential_types=frozenset(credential_types),
            valid_from=valid_from,
            valid_until=valid_until,
            created_at=self._clock.now(),
        )
        self._entries.add(entry, audit=self._event(AuditAction.TRUST_ENTRY_ADDED, entry))
        return entry

    def remove(self, entry_id: str) -> None:
        """Withdraw a stored accreditation, audited (NOT_FOUND if there is none with that id)."""
        entry = self._entries.get(entry_id)
        removed = entry is not None and self._entries.delete(
            entry_id, audit=self._event(AuditAction.TRUST_ENTRY_REMOVED, entry)
        )
        if not removed:
            raise VcError(f"no trust registry entry {entry_id!r}", code="NOT_FOUND", field="id")

    def _event(self, action: AuditAction, entry: TrustEntry) -> AuditEvent:
        """The audit event of adding or removing ``entry`` of the local registry."""
        return audit_event(
            self._clock,
            action,
            subject=entry.id,
            authority=None,
            details={"issuer": entry.issuer, "credentialTypes": sorted(entry.credential_types)},
        )

    def stored(self) -> list[TrustEntry]:
        """The entries added through the API."""
        return self._entries.list()

    def configured(self) -> TrustRegistry:
        """The entries of the configured file."""
        return self._configured

    def about(self, issuer: str) -> TrustRegistry:
        """The registry restricted to ``issuer``: its file entries, the stored ones (read
        again only once the change counter moved) and what the subscribed lists say now."""
        entries = self._stored.get(issuer, lambda: self._entries.for_issuer(issuer))
        stored = [as_accreditation(entry) for entry in entries]
        listed, unavailable = (
            self._lists.about(issuer, self._clock.now()) if self._lists else ([], [])
        )
        return TrustRegistry(
            [*self._configured.accreditations(issuer), *stored, *listed], unavailable
        )

    def display_name(self, issuer: str) -> str | None:
        """The issuer's display name, the file's first."""
        return self.about(issuer).display_name(issuer)


def as_accreditation(entry: TrustEntry) -> Accreditation:
    """The registry entry a stored accreditation stands for."""
    return Accreditation(
        issuer=entry.issuer,
        name=entry.name,
        credential_types=entry.credential_types,
        valid_from=entry.valid_from,
        valid_until=entry.valid_until,
        basis=TrustBasis(source="local", name=entry.name, credential_types=(), entry_id=entry.id),
    )
