"""A trust list as a verifier holds it: what it was subscribed for, and whether it may vouch now.

The same rules serve the running verifier (its subscriptions, in its database) and an offline
bundle (the lists it carries): a list vouches only for the credential types its subscriber
trusts it for, and only until it is too old (``lists.stale_at``); after that, and before a
first good copy, it is *unavailable*: the types it covers verify as "could not check".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from vcservice.model.datetimes import format_datetime
from vcservice.trust.lists import TrustList, list_accreditations, stale_at
from vcservice.trust.registry import Accreditation, UnavailableList

__all__ = ["SubscribedList", "list_sources"]


@dataclass(frozen=True, slots=True)
class SubscribedList:
    """A subscription's terms and the list held under it (None before a first good fetch)."""

    url: str
    expected_signer: str
    credential_types: frozenset[str]
    label: str
    max_staleness: timedelta
    trust_list: TrustList | None = None
    confirmed_at: datetime | None = None
    _by_issuer: Mapping[str, tuple[Accreditation, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Indexed once: a verification asks about one issuer of lists of thousands.
        by_issuer: dict[str, list[Accreditation]] = {}
        if self.trust_list is not None and self.confirmed_at is not None:
            for accreditation in list_accreditations(
                self.trust_list, confirmed_at=self.confirmed_at
            ):
                if accreditation.credential_types <= self.credential_types:
                    by_issuer.setdefault(accreditation.issuer, []).append(accreditation)
        frozen = {issuer: tuple(found) for issuer, found in by_issuer.items()}
        object.__setattr__(self, "_by_issuer", frozen)

    def stale_at(self) -> datetime | None:
        """When the held list stops vouching (None: no list held)."""
        if self.trust_list is None or self.confirmed_at is None:
            return None
        return stale_at(self.trust_list, self.confirmed_at, self.max_staleness)

    def usable(self, now: datetime) -> bool:
        """Whether the held list may vouch for issuers at ``now``."""
        until = self.stale_at()
        return until is not None and now < until

    def accreditations(self, issuer: str) -> list[Accreditation]:
        """What the held list says of ``issuer``, for the types it is trusted for."""
        return list(self._by_issuer.get(issuer, ()))

    def unavailable(self) -> UnavailableList:
        """This list as one that cannot vouch now, and why."""
        if self.trust_list is None or self.confirmed_at is None:
            reason = "no list fetched yet"
        else:
            reason = (
                f"version {self.trust_list.sequence}, last confirmed "
                f"{format_datetime(self.confirmed_at)}, is past its maximum staleness "
                f"({int(self.max_staleness.total_seconds())} s) or its validity"
            )
        operator = self.trust_list.operator_name if self.trust_list else None
        return UnavailableList(
            url=self.url,
            operator_name=operator or self.label,
            credential_types=self.credential_types,
            reason=reason,
        )


def list_sources(
    lists: Iterable[SubscribedList], issuer: str, now: datetime
) -> tuple[list[Accreditation], list[UnavailableList]]:
    """What ``lists`` say of ``issuer`` at ``now``: the accreditations of those that may
    vouch, and those that may not."""
    accreditations: list[Accreditation] = []
    unavailable: list[UnavailableList] = []
    for held in lists:
        if held.usable(now):
            accreditations.extend(held.accreditations(issuer))
        else:
            unavailable.append(held.unavailable())
    return accreditations, unavailable
