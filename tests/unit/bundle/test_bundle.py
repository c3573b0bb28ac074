"""The verification bundle file: it reads back what it writes, and names any bad member."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.factories import NOW
from vcservice.bundle import StatusListSnapshot, VerificationBundle
from vcservice.errors import ParsingError
from vcservice.trust.registry import TrustRegistry

SAT = "did:web:aduanas.example:issuers:sat"
LIST_URL = "https://aduanas.example/status-lists/sat/revocation/1"
REGISTRY = {
    "issuers": [
        {
            "id": SAT,
            "name": "Servicio de Administración Tributaria",
            "credentialTypes": ["IMMEXCertificate"],
            "validFrom": "2026-01-01T00:00:00Z",
        }
    ]
}


def _bundle() -> VerificationBundle:
    return VerificationBundle(
        created=NOW,
        trust_registry=TrustRegistry.from_json(REGISTRY),
        did_documents=({"id": SAT, "verificationMethod": []},),
        status_lists=(
            StatusListSnapshot(
                url=LIST_URL,
                fetched_at=NOW - timedelta(minutes=3),
                credential={"id": LIST_URL, "type": ["VerifiableCredential"]},
            ),
        ),
    )


def test_the_file_format_round_trips(tmp_path: Path) -> None:
    data = _bundle().to_json()
    assert data["type"] == "VerificationBundle" and data["version"] == 1
    assert data["created"] == "2026-11-28T12:00:00Z"
    assert data["trustRegistry"] == REGISTRY
    assert data["statusLists"][0]["fetchedAt"] == "2026-11-28T11:57:00Z"
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded = VerificationBundle.load(path)
    assert loaded.to_json() == data
    assert loaded.created == NOW and loaded.status_lists == _bundle().status_lists


def test_times_with_an_offset_are_read_as_utc() -> None:
    data = _bundle().to_json()
    data["created"] = "2026-11-28T06:00:00-06:00"
    assert VerificationBundle.from_json(data).created == NOW


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """An edit of the bundle JSON: put ``value`` at ``path`` (dots and [indices])."""

    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.replace("[", ".").replace("]", "").split(".")
        target: Any = data
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return edit


def _delete(member: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.pop(member)


def _duplicate(member: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data[member].append(copy.deepcopy(data[member][0]))


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (_set("type", "TrustBundle"), "type"),
        (_set("version", 2), "version"),
        (_set("version", True), "version"),
        (_delete("created"), "created"),
        (_set("created", "2026-11-28"), "created"),
        (_set("extra", 1), "extra"),
        (_set("trustRegistry", []), "trustRegistry.issuers"),
        (_set("trustRegistry.issuers[0].validFrom", "soon"), "trustRegistry.issuers[0].validFrom"),
        (_set("didDocuments", {}), "didDocuments"),
        (_set("didDocuments[0]", "did:web:x"), "didDocuments[0]"),
        (_set("didDocuments[0].id", "https://aduanas.example"), "didDocuments[0].id"),
        (_duplicate("didDocuments"), "didDocuments[1].id"),
        (_set("statusLists", None), "statusLists"),
        (_set("statusLists[0]", []), "statusLists[0]"),
        (_set("statusLists[0].url", "ftp://aduanas.example/1"), "statusLists[0].url"),
        (_set("statusLists[0].fetchedAt", 1764331200), "statusLists[0].fetchedAt"),
        (_set("statusLists[0].fetchedAt", "2026-11-28T12:00:01Z"), "statusLists[0].fetchedAt"),
        (_set("statusLists[0].credential", "eyJ..."), "statusLists[0].credential"),
        (_set("statusLists[0].ttl", 300), "statusLists[0].ttl"),
        (_duplicate("statusLists"), "statusLists[1].url"),
    ],
)
def test_each_malformed_member_is_named(edit: Callable[[dict[str, Any]], None], field: str) -> None:
    data = _bundle().to_json()
    edit(data)
    with pytest.raises(ParsingError) as raised:
        VerificationBundle.from_json(data)
    assert raised.value.field == field


def test_a_missing_status_list_member_is_named() -> None:
    data = _bundle().to_json()
    del data["statusLists"][0]["fetchedAt"]
    with pytest.raises(ParsingError) as raised:
        VerificationBundle.from_json(data)
    assert raised.value.field == "statusLists[0].fetchedAt"


def test_unreadable_files_are_parsing_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    for path in (broken, tmp_path / "missing.json"):
        with pytest.raises(ParsingError) as raised:
            VerificationBundle.load(path)
        assert raised.value.field == str(path)
    with pytest.raises(ParsingError) as raised:
        VerificationBundle.from_json([])
    assert raised.value.field == "type"
