"""The verification bundle: what a verifier needs to check credentials without the network.

A bundle file is one JSON object::

    {
      "type": "VerificationBundle",
      "version": 1,
      "created": "2026-11-28T12:00:00Z",
      "trustRegistry": {"issuers": [...]},
      "didDocuments": [{"id": "did:web:…", ...}, ...],
      "statusLists": [
        {"url": "https://…/status-lists/sat/revocation/1",
         "fetchedAt": "2026-11-28T11:59:58Z",
         "credential": {...the signed BitstringStatusListCredential...}}
      ]
    }

``trustRegistry`` is a trust registry in its file format (:mod:`vcservice.trust.registry`);
``didDocuments`` are the accredited issuers' DID documents, one per DID; ``statusLists`` are
snapshots of their status lists, one per URL, each with the moment it was fetched so that a
verifier can tell how old the status data is. Every member is required and no other is
allowed; a malformed bundle raises ``ParsingError`` whose ``field`` names the member
(``statusLists[3].fetchedAt``). Each status list also carries its issuer's proof, which
verification checks as for a fetched list; the bundle as a whole is signed by the verifier
organisation (:mod:`vcservice.bundle.signing`), which this JSON is then the payload of.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from vcservice.errors import ParsingError
from vcservice.model.datetimes import format_datetime, parse_datetime, to_utc
from vcservice.model.json_files import read_json_file
from vcservice.trust.registry import TrustRegistry

__all__ = ["BUNDLE_TYPE", "BUNDLE_VERSION", "StatusListSnapshot", "VerificationBundle"]

BUNDLE_TYPE = "VerificationBundle"
BUNDLE_VERSION = 1
_MEMBERS = ("type", "version", "created", "trustRegistry", "didDocuments", "statusLists")
_SNAPSHOT_MEMBERS = ("url", "fetchedAt", "credential")


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
    """A trust registry, the issuers' DID documents and status list snapshots, as of ``created``."""

    created: datetime
    trust_registry: TrustRegistry
    did_documents: tuple[dict[str, Any], ...]
    status_lists: tuple[StatusListSnapshot, ...]

    @classmethod
    def load(cls, path: Path) -> VerificationBundle:
        """Read a bundle file (format in the module docstring)."""
        return cls.from_json(read_json_file(path, "bundle"))

    @classmethod
    def from_json(cls, data: Any) -> VerificationBundle:
        """A bundle from its parsed JSON form, every member checked."""
        if not isinstance(data, Mapping):
            raise ParsingError("a verification bundle must be a JSON object", field="type")
        _only(data, _MEMBERS, where="")
        if data.get("type") != BUNDLE_TYPE:
            raise ParsingError(f"type must be {BUNDLE_TYPE!r}", field="type")
        version = data.get("version")
        if isinstance(version, bool) or version != BUNDLE_VERSION:
            raise ParsingError(
                f"version {version!r} is not supported (this reader knows {BUNDLE_VERSION})",
                field="version",
            )
        created = _moment(data.get("created"), field="created")
        snapshots = tuple(
            _snapshot(entry, f"statusLists[{i}]", created)
            for i, entry in enumerate(_list(data, "statusLists"))
        )
        _unique([snapshot.url for snapshot in snapshots], "statusLists[{}].url")
        return cls(
            created=created,
            trust_registry=_registry(data.get("trustRegistry")),
            did_documents=_did_documents(_list(data, "didDocuments")),
            status_lists=snapshots,
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
        }


def _registry(data: Any) -> TrustRegistry:
    """The embedded trust registry; its errors name their field below ``trustRegistry``."""
    try:
        return TrustRegistry.from_json(data)
    except ParsingError as error:
        field = f"trustRegistry.{error.field}" if error.field else "trustRegistry"
        raise ParsingError(
            f"trustRegistry: {error.message}", code=error.code, field=field
        ) from error


def _did_documents(entries: list[Any]) -> tuple[dict[str, Any], ...]:
    for i, document in enumerate(entries):
        if not isinstance(document, dict):
            raise ParsingError(f"didDocuments[{i}] must be an object", field=f"didDocuments[{i}]")
        did = document.get("id")
        if not isinstance(did, str) or not did.startswith("did:"):
            raise ParsingError(f"didDocuments[{i}].id must be a DID", field=f"didDocuments[{i}].id")
    _unique([document["id"] for document in entries], "didDocuments[{}].id")
    return tuple(entries)


def _snapshot(entry: Any, where: str, created: datetime) -> StatusListSnapshot:
    if not isinstance(entry, Mapping):
        raise ParsingError(f"{where} must be an object", field=where)
    _only(entry, _SNAPSHOT_MEMBERS, where=f"{where}.")
    url = entry.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ParsingError(f"{where}.url must be an http(s) URL", field=f"{where}.url")
    fetched_at = _moment(entry.get("fetchedAt"), field=f"{where}.fetchedAt")
    if fetched_at > created:
        raise ParsingError(
            f"{where}.fetchedAt is after the bundle was created", field=f"{where}.fetchedAt"
        )
    credential = entry.get("credential")
    if not isinstance(credential, dict):
        raise ParsingError(
            f"{where}.credential must be a status list credential (an object)",
            field=f"{where}.credential",
        )
    return StatusListSnapshot(url=url, fetched_at=fetched_at, credential=credential)


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
