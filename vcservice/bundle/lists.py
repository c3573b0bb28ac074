"""The trust lists a bundle carries, and the trust they give offline.

Each entry of a bundle's ``trustLists`` (bundle version 2) is a signed trust list as it was
fetched, with the terms it was subscribed on::

    {"url": "https://vc.sat.gob.mx/trust-lists/sat", "expectedSigner": "did:web:…:sat",
     "credentialTypes": ["IMMEXCertificate", "OEACertificate"], "label": "SAT",
     "maxStalenessSeconds": 86400, "fetchedAt": "2026-11-28T11:59:58Z",
     "document": {...the signed TrustListCredential...}}

Offline, a carried list vouches as a subscribed one does online (``trust.subscribed``): only
for its ``credentialTypes``, and only until ``maxStalenessSeconds`` after it was fetched (or
fell due), after which the types it covers verify as "could not check". Its proof and signer
are the verifier's to check before relying on it (this package verifies no proofs); the
bundle reads the entry (``bundle.bundle``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vcservice.model.datetimes import format_datetime
from vcservice.trust.lists import TrustList
from vcservice.trust.registry import TrustRegistry
from vcservice.trust.subscribed import SubscribedList, list_sources

__all__ = ["CarriedTrustList", "ListTerms", "ListedTrust"]


@dataclass(frozen=True, slots=True)
class ListTerms:
    """What a trust list is trusted on: the list at ``url``, if ``expected_signer`` (a DID,
    or one verification method) signed it, for ``credential_types``, until ``max_staleness``
    after it was last confirmed; ``label`` names it for people."""

    url: str
    expected_signer: str
    credential_types: frozenset[str]
    label: str
    max_staleness: timedelta

    def to_json(self) -> dict[str, Any]:
        """The terms as the admin API's subscriptions and a bundle's ``trustLists`` give them."""
        return {
            "url": self.url,
            "expectedSigner": self.expected_signer,
            "credentialTypes": sorted(self.credential_types),
            "label": self.label,
            "maxStalenessSeconds": int(self.max_staleness.total_seconds()),
        }


@dataclass(frozen=True, slots=True)
class CarriedTrustList:
    """A signed trust list ``document`` fetched at ``fetched_at`` (UTC), and its ``terms``."""

    terms: ListTerms
    fetched_at: datetime
    document: dict[str, Any]

    @property
    def trust_list(self) -> TrustList:
        """What the document lists (read again: the bundle checked it when it was read)."""
        return TrustList.from_credential(self.document)

    def subscribed(self, max_staleness: timedelta | None = None) -> SubscribedList:
        """The list as a subscription holds it, confirmed when fetched; ``max_staleness``
        replaces the bundle's."""
        terms = self.terms
        return SubscribedList(
            url=terms.url,
            expected_signer=terms.expected_signer,
            credential_types=terms.credential_types,
            label=terms.label,
            max_staleness=max_staleness or terms.max_staleness,
            trust_list=self.trust_list,
            confirmed_at=self.fetched_at,
        )

    def to_json(self) -> dict[str, Any]:
        """The ``trustLists`` entry."""
        return self.terms.to_json() | {
            "fetchedAt": format_datetime(self.fetched_at),
            "document": self.document,
        }


@dataclass(frozen=True, slots=True)
class ListedTrust:
    """A trust registry and the trust lists held beside it, as the verifier asks of them
    (an ``IssuerTrust``): an issuer's entries in the registry, what the lists usable at
    ``now()`` say of it, and the lists that cannot vouch now."""

    registry: TrustRegistry
    lists: tuple[SubscribedList, ...]
    now: Callable[[], datetime]

    def about(self, issuer: str) -> TrustRegistry:
        """The accreditations of ``issuer`` alone, and the lists unavailable now."""
        listed, unavailable = list_sources(self.lists, issuer, self.now())
        return TrustRegistry([*self.registry.accreditations(issuer), *listed], unavailable)
