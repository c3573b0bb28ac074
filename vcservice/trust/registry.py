"""The trust registry: which issuer DIDs are accredited for which credential types, and when.

A registry file is a JSON object with one member, ``issuers``, a list of entries::

    {
      "issuers": [
        {
          "id": "did:web:economia.example",
          "name": "Secretaría de Economía",
          "credentialTypes": ["IMMEXCertificate"]
        },
        {
          "id": "did:web:sat.example",
          "name": "Servicio de Administración Tributaria",
          "credentialTypes": ["OEACertificate"],
          "validFrom": "2026-01-01T00:00:00Z",
          "validUntil": "2030-12-31T23:59:59Z"
        },
        {
          "id": "did:web:cbp.example",
          "name": "U.S. Customs and Border Protection",
          "credentialTypes": ["CTPATCertificate"]
        }
      ]
    }

``id`` (the issuer's DID or URL), ``name`` (a display name) and ``credentialTypes`` (a
non-empty list of type names) are required; ``validFrom`` and ``validUntil`` are optional XML
Schema dateTimes with a time zone bounding the accreditation.  One issuer may have several
entries (say, one per accreditation period).  A malformed file raises ``ParsingError`` whose
``field`` names the entry and member (``issuers[2].validUntil``).

A credential passes when every type other than ``VerifiableCredential`` is accredited for its
issuer at the moment of the check; an issuer with no entry at all is not trusted, whatever its
types.  Each accreditation says where it comes from (its ``TrustBasis``: the file, a local
entry, a trust list); a pass names the sources that made it.  A subscribed trust list the
verifier cannot rely on now (an ``UnavailableList``) never makes an issuer trusted: a type
it covers and nothing else accredits is ``TRUST_LIST_STALE`` (could not check), not
``ISSUER_NOT_TRUSTED``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from vcservice.errors import ParsingError, Problem
from vcservice.model.checks import TrustBasis
from vcservice.model.datetimes import format_datetime, parse_datetime
from vcservice.model.json_files import read_json_file

BASE_TYPE = "VerifiableCredential"
NOT_TRUSTED = "ISSUER_NOT_TRUSTED"
LIST_STALE = "TRUST_LIST_STALE"


@dataclass(frozen=True, slots=True)
class Accreditation:
    """One registry entry: an issuer accredited for some credential types, maybe for a while."""

    issuer: str
    name: str
    credential_types: frozenset[str]
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    basis: TrustBasis | None = None  # None: the registry file

    def source(self) -> TrustBasis:
        """Where the accreditation comes from (``credential_types`` left to the check)."""
        return self.basis or TrustBasis(source="file", name=self.name, credential_types=())

    def in_force(self, now: datetime) -> bool:
        """Whether ``now`` falls inside the accreditation's period."""
        if self.valid_from is not None and now < self.valid_from:
            return False
        return self.valid_until is None or now <= self.valid_until

    def to_json(self) -> dict[str, Any]:
        """The entry as in a registry file."""
        entry: dict[str, Any] = {
            "id": self.issuer,
            "name": self.name,
            "credentialTypes": sorted(self.credential_types),
        }
        if self.valid_from is not None:
            entry["validFrom"] = format_datetime(self.valid_from)
        if self.valid_until is not None:
            entry["validUntil"] = format_datetime(self.valid_until)
        return entry

    def period_problem(self, now: datetime) -> str:
        """Why the accreditation is not in force at ``now`` (call only when it is not)."""
        if self.valid_from is not None and now < self.valid_from:
            return f"only from {format_datetime(self.valid_from)}"
        assert self.valid_until is not None
        return f"which ended at {format_datetime(self.valid_until)}"


def local_basis(entry_id: str, name: str) -> TrustBasis:
    """The basis of an accreditation stored in this verifier (added through its API)."""
    return TrustBasis(source="local", name=name, credential_types=(), entry_id=entry_id)


@dataclass(frozen=True, slots=True)
class UnavailableList:
    """A subscribed trust list the verifier cannot rely on now (stale, or never fetched).

    ``credential_types`` is the subscription's scope; ``reason`` says why, for the detail
    (``last confirmed 2026-12-01T00:00:00Z, more than 1 day ago``, ``never fetched``).
    """

    url: str
    operator_name: str | None
    credential_types: frozenset[str]
    reason: str

    def describe(self) -> str:
        """The list as a reader knows it, and why it is unavailable."""
        by = f" of {self.operator_name}" if self.operator_name else ""
        return f"the trust list{by} at {self.url} ({self.reason})"


@dataclass(frozen=True, slots=True)
class TrustDecision:
    """``check``'s answer: the problems, and the sources that accredited the types that passed."""

    problems: list[Problem]
    trusted_by: tuple[TrustBasis, ...] = ()


class IssuerTrust(Protocol):
    """What the verifier asks of a trust registry (a file's, or the service's stored one)."""

    def about(self, issuer: str) -> TrustRegistry:
        """The accreditations of ``issuer`` alone, to check its credential against."""
        ...


class TrustRegistry:
    """Accreditations by issuer, and the trust lists that cannot be relied on now; ``check``
    turns them into a decision for one credential."""

    def __init__(
        self, accreditations: Iterable[Accreditation], unavailable: Iterable[UnavailableList] = ()
    ) -> None:
        self._by_issuer: dict[str, list[Accreditation]] = {}
        for accreditation in accreditations:
            self._by_issuer.setdefault(accreditation.issuer, []).append(accreditation)
        self.unavailable = tuple(unavailable)

    @classmethod
    def load(cls, path: Path) -> TrustRegistry:
        """Read a registry file (format in the module docstring)."""
        return cls.from_json(read_json_file(path, "trust registry"))

    @classmethod
    def from_json(cls, data: Any) -> TrustRegistry:
        """A registry from its parsed JSON form."""
        if not isinstance(data, Mapping) or not isinstance(data.get("issuers"), list):
            raise ParsingError(
                "a trust registry must be an object with an 'issuers' list", field="issuers"
            )
        return cls(_entry(entry, f"issuers[{i}]") for i, entry in enumerate(data["issuers"]))

    def to_json(self) -> dict[str, Any]:
        """The registry in its file format (``load`` and ``from_json`` read it back)."""
        return {"issuers": [entry.to_json() for entry in self.entries()]}

    def entries(self) -> tuple[Accreditation, ...]:
        """Every entry, issuer by issuer."""
        return tuple(entry for entries in self._by_issuer.values() for entry in entries)

    def about(self, issuer: str) -> TrustRegistry:
        """The registry restricted to ``issuer``'s entries (and the same unavailable lists)."""
        return TrustRegistry(self.accreditations(issuer), self.unavailable)

    def accreditations(self, issuer: str) -> tuple[Accreditation, ...]:
        """Every entry for ``issuer``."""
        return tuple(self._by_issuer.get(issuer, ()))

    def display_name(self, issuer: str) -> str | None:
        """The issuer's display name, if it is in the registry."""
        entries = self._by_issuer.get(issuer)
        return entries[0].name if entries else None

    def check(
        self, issuer: str | None, credential_types: Sequence[str], now: datetime
    ) -> TrustDecision:
        """Whether ``issuer`` is accredited at ``now`` for each of the types, and by what."""
        if issuer is None:
            return TrustDecision([_problem("the credential names no issuer to look up")])
        entries = self._by_issuer.get(issuer, [])
        types = [name for name in dict.fromkeys(credential_types) if name != BASE_TYPE]
        if not entries and not any(self._covering(name) for name in types):
            return TrustDecision([_problem(f"issuer {issuer} is not in the trust registry")])
        problems: list[Problem] = []
        sources: dict[TrustBasis, dict[str, None]] = {}
        for credential_type in types:
            accrediting = [e for e in entries if credential_type in e.credential_types]
            in_force = [e for e in accrediting if e.in_force(now)]
            for entry in in_force:
                sources.setdefault(entry.source(), {})[credential_type] = None
            if not in_force:
                problems.append(self._type_problem(issuer, credential_type, accrediting, now))
        trusted_by = tuple(
            replace(basis, credential_types=tuple(names)) for basis, names in sources.items()
        )
        return TrustDecision(problems, trusted_by)

    def _covering(self, credential_type: str) -> list[UnavailableList]:
        return [u for u in self.unavailable if credential_type in u.credential_types]

    def _type_problem(
        self, issuer: str, credential_type: str, accrediting: list[Accreditation], now: datetime
    ) -> Problem:
        """Why no accreditation makes ``issuer`` trusted for ``credential_type``."""
        covering = self._covering(credential_type)
        if covering:
            lists = "; ".join(unavailable.describe() for unavailable in covering)
            detail = (
                f"whether issuer {issuer} is accredited for {credential_type} cannot be "
                f"checked now: {lists} cannot be relied on"
            )
            return Problem(code=LIST_STALE, detail=detail, field="issuer")
        if accrediting:
            periods = "; ".join(entry.period_problem(now) for entry in accrediting)
            return _problem(
                f"issuer {issuer} is accredited for {credential_type} {periods}, "
                f"not at {format_datetime(now)}"
            )
        return _problem(f"issuer {issuer} is not accredited for {credential_type}")


def _problem(detail: str) -> Problem:
    return Problem(code=NOT_TRUSTED, detail=detail, field="issuer")


def _entry(entry: Any, where: str) -> Accreditation:
    if not isinstance(entry, Mapping):
        raise ParsingError(f"{where} must be an object", field=where)
    issuer, name = entry.get("id"), entry.get("name")
    if not isinstance(issuer, str) or not issuer:
        raise ParsingError(f"{where}.id must be the issuer's DID or URL", field=f"{where}.id")
    if not isinstance(name, str) or not name:
        raise ParsingError(f"{where}.name must be a display name", field=f"{where}.name")
    types = entry.get("credentialTypes")
    if not isinstance(types, list) or not types or not all(isinstance(t, str) and t for t in types):
        raise ParsingError(
            f"{where}.credentialTypes must be a non-empty list of type names",
            field=f"{where}.credentialTypes",
        )
    valid_from, valid_until = (
        None if entry.get(key) is None else parse_datetime(entry[key], field=f"{where}.{key}")
        for key in ("validFrom", "validUntil")
    )
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise ParsingError(
            f"{where}.validUntil is before its validFrom", field=f"{where}.validUntil"
        )
    return Accreditation(
        issuer=issuer,
        name=name,
        credential_types=frozenset(types),
        valid_from=valid_from,
        valid_until=valid_until,
    )
