"""Signed trust lists: the issuers an authority accredits, and when to accept a fetched list.

A trust list is a credential its operator (the authority, its ``issuer``) signs::

    {"@context": ["https://www.w3.org/ns/credentials/v2",
                  "https://w3id.org/vcservice/trust-lists/v1"],
     "id": "https://host/trust-lists/sat", "type": ["VerifiableCredential", "TrustListCredential"],
     "issuer": "did:web:host:issuers:sat", "validFrom": "2026-12-01T00:00:00Z",
     "credentialSubject": {
       "id": "https://host/trust-lists/sat#list", "type": "TrustList",
       "sequenceNumber": 12, "nextUpdate": "2026-12-02T00:00:00Z",
       "operatorName": "Servicio de Administración Tributaria", "territory": "MX",
       "signingKeys": ["did:web:host:issuers:sat#key-1"], "nextSigningKeys": [...],
       "entries": [{"type": "TrustedIssuer", "id": "did:web:host:issuers:sat", "name": "SAT",
                    "accreditedFor": [{"type": "Accreditation", "credentialType": "OEACertificate",
                                       "accreditedFrom": "2026-01-01T00:00:00Z"}]}]}}

``schemas/trust-list-v1.json`` is its JSON Schema.  ``issuer`` is a bare DID, and the
operator's name is ``operatorName``: the operator usually lists itself, and the compact-form
rule allows one JSON object per node.  ``accept_list`` decides whether a list whose proof
the caller verified replaces the one held: the signer must be the operator and, once a list
is held, a key that list announced; sequence numbers never go back, and one number is never
two lists (after TUF's rollback rules; ETSI TS 119 612 names the fields).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vcservice.errors import ParsingError, VcError
from vcservice.model.checks import TrustBasis
from vcservice.model.datetimes import format_datetime, parse_datetime
from vcservice.trust.list_schema import MALFORMED, check_schema
from vcservice.trust.registry import Accreditation

__all__ = [
    "CONTEXT_URL",
    "ListedAccreditation",
    "ListedIssuer",
    "TrustList",
    "TrustListRefused",
    "accept_list",
    "build_trust_list",
    "list_accreditations",
    "stale_at",
]

CONTEXT_URL = "https://w3id.org/vcservice/trust-lists/v1"
CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
LIST_TYPES = ["VerifiableCredential", "TrustListCredential"]


@dataclass(frozen=True, slots=True)
class ListedAccreditation:
    """One credential type a listed issuer is accredited for, maybe only for a period."""

    credential_type: str
    accredited_from: datetime | None = None
    accredited_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ListedIssuer:
    """An entry of a trust list: an issuer's DID (or URL), its name, its accreditations."""

    issuer: str
    name: str
    accreditations: tuple[ListedAccreditation, ...]


@dataclass(frozen=True, slots=True)
class TrustList:
    """A trust list read from its credential (the proof is the caller's to verify)."""

    url: str
    operator: str
    operator_name: str | None
    sequence: int
    issued: datetime
    next_update: datetime
    valid_until: datetime | None
    territory: str | None
    signing_keys: tuple[str, ...]
    next_signing_keys: tuple[str, ...]
    entries: tuple[ListedIssuer, ...]
    previous_version: str | None = None  # where the version before this one stays served

    @classmethod
    def from_credential(cls, document: Mapping[str, Any]) -> TrustList:
        """Read a trust list credential; ``ParsingError`` naming the field if it is not one."""
        check_schema(document)
        subject = document["credentialSubject"]
        if type(subject["sequenceNumber"]) is not int:  # JSON Schema takes 12.0 for 12
            raise _malformed("must be an integer", "credentialSubject.sequenceNumber")
        issued = parse_datetime(document["validFrom"], field="validFrom")
        next_update = parse_datetime(subject["nextUpdate"], field="credentialSubject.nextUpdate")
        valid_until = _moment(document, "validUntil", "validUntil")
        _check_period(issued, next_update, valid_until)
        return cls(
            url=document["id"],
            operator=document["issuer"],
            operator_name=subject.get("operatorName"),
            sequence=subject["sequenceNumber"],
            issued=issued,
            next_update=next_update,
            valid_until=valid_until,
            territory=subject.get("territory"),
            signing_keys=tuple(subject["signingKeys"]),
            next_signing_keys=tuple(subject.get("nextSigningKeys", ())),
            entries=_entries(subject["entries"]),
            previous_version=subject.get("previousVersion"),
        )


class TrustListRefused(VcError):  # noqa: N818  (the contract's name: a refusal, not a fault)
    """A fetched trust list that must not replace the one held (a ``TRUST_LIST_*`` code)."""

    code = "TRUST_LIST_SIGNER_MISMATCH"


def build_trust_list(
    *,
    url: str,
    operator: str,
    operator_name: str | None,
    sequence: int,
    issued: datetime,
    next_update: datetime,
    territory: str | None,
    signing_keys: Sequence[str],
    next_signing_keys: Sequence[str],
    entries: Sequence[ListedIssuer],
    valid_until: datetime | None = None,
    previous_version: str | None = None,
) -> dict[str, Any]:
    """The unsigned trust list credential (``ParsingError`` if it would not read back)."""
    subject: dict[str, Any] = {
        "id": f"{url}#list",
        "type": "TrustList",
        "sequenceNumber": sequence,
        "nextUpdate": format_datetime(next_update),
    }
    if operator_name is not None:
        subject["operatorName"] = operator_name
    if territory is not None:
        subject["territory"] = territory
    subject["signingKeys"] = list(signing_keys)
    if next_signing_keys:
        subject["nextSigningKeys"] = list(next_signing_keys)
    subject["entries"] = [_entry_json(entry) for entry in entries]
    if previous_version is not None:
        subject["previousVersion"] = previous_version
    document: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, CONTEXT_URL],
        "id": url,
        "type": list(LIST_TYPES),
        "issuer": operator,
        "validFrom": format_datetime(issued),
    }
    if valid_until is not None:
        document["validUntil"] = format_datetime(valid_until)
    document["credentialSubject"] = subject
    TrustList.from_credential(document)
    return document


def accept_list(
    held: TrustList | None,
    held_digest: str | None,
    offered: TrustList,
    *,
    digest: str,
    signer: str,
    expected_signer: str,
    now: datetime,
    skew: timedelta,
) -> bool:
    """Whether ``offered`` (signed by the verification method ``signer``) is a new list to
    store (True) or the one held again (False); ``TrustListRefused`` if neither.

    ``expected_signer`` is the subscription's DID or verification method; ``digest`` and
    ``held_digest`` are the SHA-256 of the documents as served.
    """
    controller = signer.split("#", 1)[0]
    if offered.operator != controller:
        raise TrustListRefused(
            f"the list's issuer {offered.operator} did not sign it ({signer} did)",
            code="TRUST_LIST_SIGNER_MISMATCH",
            field="issuer",
        )
    if expected_signer != (signer if "#" in expected_signer else controller):
        raise TrustListRefused(
            f"the list is signed by {signer}, not by {expected_signer}",
            code="TRUST_LIST_SIGNER_MISMATCH",
            field="proof",
        )
    if held is not None and signer not in (*held.signing_keys, *held.next_signing_keys):
        raise TrustListRefused(
            f"{signer} is not a key the held list (sequence {held.sequence}) announced",
            code="TRUST_LIST_KEY_NOT_ANNOUNCED",
            field="proof",
        )
    unchanged = held is not None and _same_sequence(held, held_digest, offered, digest)
    _check_time(offered, now, skew)
    return not unchanged


def stale_at(trust_list: TrustList, confirmed_at: datetime, max_staleness: timedelta) -> datetime:
    """When a held list stops being relied on: ``max_staleness`` after it was last confirmed
    or fell due, whichever is first, and never after its ``validUntil``."""
    stale = min(confirmed_at, trust_list.next_update) + max_staleness
    if trust_list.valid_until is not None:
        return min(stale, trust_list.valid_until)
    return stale


def list_accreditations(
    trust_list: TrustList, *, confirmed_at: datetime
) -> tuple[Accreditation, ...]:
    """The registry's accreditations a held list makes, each naming the list as its basis."""
    return tuple(
        Accreditation(
            issuer=entry.issuer,
            name=entry.name,
            credential_types=frozenset({listed.credential_type}),
            valid_from=listed.accredited_from,
            valid_until=listed.accredited_until,
            basis=_basis(trust_list, entry.name, confirmed_at),
        )
        for entry in trust_list.entries
        for listed in entry.accreditations
    )


def _basis(trust_list: TrustList, name: str, confirmed_at: datetime) -> TrustBasis:
    return TrustBasis(
        source="trustList",
        name=name,
        credential_types=(),
        list_url=trust_list.url,
        operator=trust_list.operator,
        operator_name=trust_list.operator_name,
        sequence=trust_list.sequence,
        issued=trust_list.issued,
        confirmed_at=confirmed_at,
        next_update=trust_list.next_update,
    )


def _same_sequence(
    held: TrustList, held_digest: str | None, offered: TrustList, digest: str
) -> bool:
    """True for the held list again; refuses an older list or another list at its number."""
    field = "credentialSubject.sequenceNumber"
    if offered.sequence < held.sequence:
        raise TrustListRefused(
            f"sequence {offered.sequence} is older than the held list's {held.sequence}",
            code="TRUST_LIST_ROLLBACK",
            field=field,
        )
    if offered.sequence > held.sequence:
        return False
    if digest != held_digest:
        raise TrustListRefused(
            f"sequence {offered.sequence} is already held with other content",
            code="TRUST_LIST_EQUIVOCATION",
            field=field,
        )
    return True


def _check_time(offered: TrustList, now: datetime, skew: timedelta) -> None:
    if offered.issued > now + skew:
        raise TrustListRefused(
            f"the list is issued at {format_datetime(offered.issued)}, after now",
            code="TRUST_LIST_NOT_YET_VALID",
            field="validFrom",
        )
    if offered.valid_until is not None and now > offered.valid_until:
        raise TrustListRefused(
            f"the list ended at {format_datetime(offered.valid_until)}",
            code="TRUST_LIST_EXPIRED",
            field="validUntil",
        )
    _check_period(offered.issued, offered.next_update, offered.valid_until)


def _check_period(issued: datetime, next_update: datetime, valid_until: datetime | None) -> None:
    if next_update <= issued:
        raise _malformed("must be after validFrom", "credentialSubject.nextUpdate")
    if valid_until is not None and valid_until < issued:
        raise _malformed("must not be before validFrom", "validUntil")


def _entries(entries: list[Any]) -> tuple[ListedIssuer, ...]:
    seen: set[str] = set()
    listed = []
    for i, entry in enumerate(entries):
        where = f"credentialSubject.entries[{i}]"
        if entry["id"] in seen:
            raise _malformed(f"lists {entry['id']} a second time", f"{where}.id")
        seen.add(entry["id"])
        accreditations = tuple(
            _accreditation(item, f"{where}.accreditedFor[{j}]")
            for j, item in enumerate(entry["accreditedFor"])
        )
        listed.append(ListedIssuer(entry["id"], entry["name"], accreditations))
    return tuple(listed)


def _accreditation(item: Mapping[str, Any], where: str) -> ListedAccreditation:
    start = _moment(item, "accreditedFrom", f"{where}.accreditedFrom")
    end = _moment(item, "accreditedUntil", f"{where}.accreditedUntil")
    if start is not None and end is not None and end < start:
        raise _malformed("is before accreditedFrom", f"{where}.accreditedUntil")
    return ListedAccreditation(item["credentialType"], start, end)


def _entry_json(entry: ListedIssuer) -> dict[str, Any]:
    accredited = []
    for listed in entry.accreditations:
        item: dict[str, Any] = {"type": "Accreditation", "credentialType": listed.credential_type}
        if listed.accredited_from is not None:
            item["accreditedFrom"] = format_datetime(listed.accredited_from)
        if listed.accredited_until is not None:
            item["accreditedUntil"] = format_datetime(listed.accredited_until)
        accredited.append(item)
    return {
        "type": "TrustedIssuer",
        "id": entry.issuer,
        "name": entry.name,
        "accreditedFor": accredited,
    }


def _moment(members: Mapping[str, Any], key: str, field: str) -> datetime | None:
    return None if key not in members else parse_datetime(members[key], field=field)


def _malformed(detail: str, field: str) -> ParsingError:
    return ParsingError(f"{field} {detail}", code=MALFORMED, field=field)
