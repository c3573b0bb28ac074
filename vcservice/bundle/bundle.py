"""The verification bundle: what a verifier needs to check credentials without the network.

A bundle file is one JSON object::

    {
      "type": "VerificationBundle",
      "version": 2,
      "created": "2026-11-28T12:00:00Z",
      "trustRegistry": {"issuers": [...]},
      "didDocuments": [{"id": "did:web:…", ...}, ...],
      "statusLists": [
        {"url": "https://…/status-lists/sat/revocation/1",
         "fetchedAt": "2026-11-28T11:59:58Z",
         "credential": {...the signed BitstringStatusListCredential...}}
      ],
      "trustLists": [
        {"url": "https://…/trust-lists/sat", "expectedSigner": "did:web:…:sat",
         "credentialTypes": ["OEACertificate"], "label": "SAT", "maxStalenessSeconds": 86400,
         "fetchedAt": "2026-11-28T11:59:57Z",
         "document": {...the signed TrustListCredential, as fetched...}}
      ]
    }

``trustRegistry`` is a trust registry in its file format (:mod:`vcservice.trust.registry`);
``didDocuments`` are the accredited issuers' DID documents (and the trust lists' signers'),
one per DID; ``statusLists`` are snapshots of their status lists, one per URL, each with the
moment it was fetched so that a verifier can tell how old the status data is;
``trustLists`` are the signed trust lists the bundle was made with, one per URL, each with
the terms it was subscribed on (:mod:`vcservice.bundle.lists`). Every member is required
and no other is allowed; version 1, without ``trustLists``, is still read. A malformed
bundle raises ``ParsingError`` whose ``field`` names the member
(``statusLists[3].fetchedAt``). Each status list and trust list also carries its issuer's
proof, which verification checks as for a fetched one; the bundle as a whole is signed by
the verifier organisation (:mod:`vcservice.bundle.signing`), which this JSON is then the
payload of.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from vcservice.bundle.lists import CarriedTrustList, ListTerms
from vcservice.errors import ParsingError
from vcservice.model.datetimes import format_datetime, parse_datetime, to_utc
from vcservice.model.json_files import read_json_file
from vcservice.trust.lists import TrustList
from vcservice.trust.registry import TrustRegistry

__all__ = [
    "BUNDLE_TYPE",
    "BUNDLE_VERSION",
    "StatusListSnapshot",
    "VerificationBundle",
    "trust_list_terms",
]

BUNDLE_TYPE = "VerificationBundle"
BUNDLE_VERSION = 2
_V1_MEMBERS = ("type", "version", "created", "trustRegistry", "didDocuments", "statusLists")
_MEMBERS = {1: _V1_MEMBERS, BUNDLE_VERSION: (*_V1_MEMBERS, "trustLists")}
_SNAPSHOT_MEMBERS = ("url", "fetchedAt", "credential")
_TERM_MEMBERS = ("url", "expectedSigner", "credentialTypes", "label", "maxStalenessSeconds")
_CARRIED_MEMBERS = (*_TERM_MEMBERS, "fetchedAt", "document")


@dataclass(frozen=True, slots=True)
class StatusListSnapshot:
    """A status list credential as fetched from ``url`` at ``fetched_at`` (UTC)."""

    url: str
    fetched_at: datetime
    credential: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The ``statusLists`` entry."""
        return {
            "url": self.url,
            "fetchedAt": format_datetime(self.fetched_at),
            "credential": self.credential,
        }


@dataclass(frozen=True, slots=True)
class VerificationBundle:
    """A trust registry, the issuers' DID documents, status list snapshots and the trust
    lists used, as of ``created``."""

    created: datetime
    trust_registry: TrustRegistry
    did_documents: tuple[dict[str, Any], ...]
    status_lists: tuple[StatusListSnapshot, ...]
    trust_lists: tuple[CarriedTrustList, ...] = ()

    @classmethod
    def load(cls, path: Path) -> VerificationBundle:
        """Read a bundle file (format in the module docstring)."""
        return cls.from_json(read_json_file(path, "bundle"))

    @classmethod
    def from_json(cls, data: Any) -> VerificationBundle:
        """A bundle from its parsed JSON form, every member checked."""
        if not isinstance(data, Mapping):
            raise ParsingError("a verification bundle must be a JSON object", field="type")
        if data.get("type") != BUNDLE_TYPE:
            raise ParsingError(f"type must be {BUNDLE_TYPE!r}", field="type")
        version = data.get("version")
        if type(version) is not int or version not in _MEMBERS:
            raise ParsingError(
                f"version {version!r} is not supported (this reader knows 1 and 2)",
                field="version",
            )
        _only(data, _MEMBERS[version], where="")
        created = _moment(data.get("created"), field="created")
        snapshots = tuple(
            _snapshot(entry, f"statusLists[{i}]", created)
            for i, entry in enumerate(_list(data, "statusLists"))
        )
        _unique([snapshot.url for snapshot in snapshots], "statusLists[{}].url")
        carried = tuple(
            _carried(entry, f"trustLists[{i}]", created)
            for i, entry in enumerate(_list(data, "trustLists") if version > 1 else ())
        )
        _unique([held.terms.url for held in carried], "trustLists[{}].url")
        return cls(
            created=created,
            trust_registry=_registry(data.get("trustRegistry")),
            did_documents=_did_documents(_list(data, "didDocuments")),
            status_lists=snapshots,
            trust_lists=carried,
        )

    def to_json(self) -> dict[str, Any]:
        """The bundle in its file format (``from_json`` reads it back)."""
        return {
            "type": BUNDLE_TYPE,
            "version": BUNDLE_VERSION,
            "created": format_datetime(self.created),
            "trustRegistry": self.trust_registry.to_json(),
            "didDocuments": list(self.did_documents),
            "statusLists": [snapshot.to_json() for snapshot in self.status_lists],
            "trustLists": [carried.to_json() for carried in self.trust_lists],
        }


def _registry(data: Any) -> TrustRegistry:
    """The embedded trust registry; its errors name their field below ``trustRegistry``."""
    try:
        return TrustRegistry.from_json(data)
    except ParsingError as error:
        raise _within(error, "trustRegistry") from error


def _within(error: ParsingError, where: str) -> ParsingError:
    """``error`` in a part of the bundle, its field named below ``where``."""
    field = f"{where}.{error.field}" if error.field else where
    return ParsingError(f"{where}: {error.message}", code=error.code, field=field)


def _did_documents(entries: list[Any]) -> tuple[dict[str, Any], ...]:
    for i, document in enumerate(entries):
        if not isinstance(document, dict):
            raise ParsingError(f"didDocuments[{i}] must be an object", field=f"didDocuments[{i}]")
        did = document.get("id")
        if not isinstance(did, str) or not did.startswith("did:"):
            raise ParsingError(f"didDocuments[{i}].id must be a DID", field=f"didDocuments[{i}].id")
    _unique([document["id"] for document in entries], "didDocuments[{}].id")
    return tuple(entries)


def trust_list_terms(entry: Any, where: str) -> ListTerms:
    """The terms a trust list is trusted on, from exactly their members (a ``trustLists``
    entry's but ``fetchedAt`` and ``document``); errors name the member below ``where``."""
    _entry(entry, where, _TERM_MEMBERS)
    signer = entry["expectedSigner"]
    if not isinstance(signer, str) or not signer.startswith("did:"):
        raise ParsingError(
            f"{where}.expectedSigner must be a DID or DID URL", field=f"{where}.expectedSigner"
        )
    label = entry["label"]
    if not isinstance(label, str) or not label.strip():
        raise ParsingError(f"{where}.label must be a non-empty string", field=f"{where}.label")
    types = entry["credentialTypes"]
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise ParsingError(
            f"{where}.credentialTypes must be a non-empty list of credential types",
            field=f"{where}.credentialTypes",
        )
    seconds = entry["maxStalenessSeconds"]
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
        raise ParsingError(
            f"{where}.maxStalenessSeconds must be a positive number of seconds",
            field=f"{where}.maxStalenessSeconds",
        )
    return ListTerms(
        url=_url(entry, where),
        expected_signer=signer,
        credential_types=frozenset(types),
        label=label,
        max_staleness=timedelta(seconds=seconds),
    )


def _snapshot(entry: Any, where: str, created: datetime) -> StatusListSnapshot:
    _entry(entry, where, _SNAPSHOT_MEMBERS)
    return StatusListSnapshot(
        url=_url(entry, where),
        fetched_at=_fetched_at(entry, where, created),
        credential=_object(entry, "credential", where, "a status list credential"),
    )


def _carried(entry: Any, where: str, created: datetime) -> CarriedTrustList:
    """A ``trustLists`` entry; errors in its list name their field below its ``document``."""
    _entry(entry, where, _CARRIED_MEMBERS)
    terms = trust_list_terms({member: entry[member] for member in _TERM_MEMBERS}, where)
    document = _object(entry, "document", where, "a trust list credential")
    try:
        TrustList.from_credential(document)
    except ParsingError as error:
        raise _within(error, f"{where}.document") from error
    return CarriedTrustList(terms, _fetched_at(entry, where, created), document)


def _entry(entry: Any, where: str, members: tuple[str, ...]) -> None:
    """``entry`` is an object with exactly ``members``."""
    if not isinstance(entry, Mapping):
        raise ParsingError(f"{where} must be an object", field=where)
    _only(entry, members, where=f"{where}.")


def _url(entry: Mapping[str, Any], where: str) -> str:
    url = entry["url"]
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ParsingError(f"{where}.url must be an http(s) URL", field=f"{where}.url")
    return url


def _fetched_at(entry: Mapping[str, Any], where: str, created: datetime) -> datetime:
    fetched_at = _moment(entry["fetchedAt"], field=f"{where}.fetchedAt")
    if fetched_at > created:
        raise ParsingError(
            f"{where}.fetchedAt is after the bundle was created", field=f"{where}.fetchedAt"
        )
    return fetched_at


def _object(entry: Mapping[str, Any], member: str, where: str, what: str) -> dict[str, Any]:
    value = entry[member]
    if not isinstance(value, dict):
        raise ParsingError(
            f"{where}.{member} must be {what} (an object)", field=f"{where}.{member}"
        )
    return value


def _moment(value: Any, *, field: str) -> datetime:
    return to_utc(parse_datetime(value, field=field), field=field)


def _list(data: Mapping[str, Any], member: str) -> list[Any]:
    value = data.get(member)
    if not isinstance(value, list):
        raise ParsingError(f"{member} must be a list", field=member)
    return value


def _only(data: Mapping[str, Any], members: tuple[str, ...], *, where: str) -> None:
    """Every member of ``members`` is present and there is no other."""
    for member in members:
        if member not in data:
            raise ParsingError(f"{where}{member} is missing", field=f"{where}{member}")
    for member in data:
        if member not in members:
            raise ParsingError(f"{where}{member} is not a bundle member", field=f"{where}{member}")


def _unique(values: list[str], field: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise ParsingError(f"{value} appears more than once", field=field.format(i))
        seen.add(value)
