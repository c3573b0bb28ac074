"""The verification bundle file: it reads back what it writes, and names any bad member; the
trust lists it carries vouch as subscribed ones do, until they are too old."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.factories import NOW
from vcservice.bundle import (
    CarriedTrustList,
    ListedTrust,
    ListTerms,
    StatusListSnapshot,
    VerificationBundle,
    trust_list_terms,
)
from vcservice.errors import ParsingError
from vcservice.trust.lists import ListedAccreditation, ListedIssuer, build_trust_list
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


AGACE = "did:web:aduanas.example:issuers:agace"
TRUST_LIST_URL = "https://aduanas.example/trust-lists/sat"
TERMS = ListTerms(
    url=TRUST_LIST_URL,
    expected_signer=SAT,
    credential_types=frozenset({"OEACertificate"}),
    label="SAT",
    max_staleness=timedelta(hours=6),
)


def _trust_list(issued: datetime = NOW - timedelta(hours=1)) -> dict[str, Any]:
    """SAT's list accrediting AGACE for OEA (unsigned: reading it needs no proof)."""
    return build_trust_list(
        url=TRUST_LIST_URL,
        operator=SAT,
        operator_name="Servicio de Administración Tributaria",
        sequence=7,
        issued=issued,
        next_update=issued + timedelta(days=1),
        territory="MX",
        signing_keys=[f"{SAT}#key-1"],
        next_signing_keys=[],
        entries=[
            ListedIssuer(AGACE, "SAT – AGACE", (ListedAccreditation("OEACertificate"),)),
        ],
    )


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
        trust_lists=(CarriedTrustList(TERMS, NOW - timedelta(minutes=4), _trust_list()),),
    )


def test_the_file_format_round_trips(tmp_path: Path) -> None:
    data = _bundle().to_json()
    assert data["type"] == "VerificationBundle" and data["version"] == 2
    assert data["created"] == "2026-11-28T12:00:00Z"
    assert data["trustRegistry"] == REGISTRY
    assert data["statusLists"][0]["fetchedAt"] == "2026-11-28T11:57:00Z"
    assert data["trustLists"] == [
        {
            "url": TRUST_LIST_URL,
            "expectedSigner": SAT,
            "credentialTypes": ["OEACertificate"],
            "label": "SAT",
            "maxStalenessSeconds": 21_600,
            "fetchedAt": "2026-11-28T11:56:00Z",
            "document": _trust_list(),
        }
    ]
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded = VerificationBundle.load(path)
    assert loaded.to_json() == data
    assert loaded.created == NOW and loaded.status_lists == _bundle().status_lists
    assert loaded.trust_lists == _bundle().trust_lists


def test_a_version_1_bundle_still_loads_without_trust_lists() -> None:
    data = _bundle().to_json()
    data["version"] = 1
    del data["trustLists"]
    loaded = VerificationBundle.from_json(data)
    assert loaded.trust_lists == () and loaded.status_lists == _bundle().status_lists
    data["trustLists"] = []
    with pytest.raises(ParsingError) as raised:
        VerificationBundle.from_json(data)
    assert raised.value.field == "trustLists"  # version 1 had no such member


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
        (_set("version", 3), "version"),
        (_set("version", [2]), "version"),
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
        (_delete("trustLists"), "trustLists"),
        (_set("trustLists", {}), "trustLists"),
        (_set("trustLists[0]", "SAT"), "trustLists[0]"),
        (_set("trustLists[0].url", "sat"), "trustLists[0].url"),
        (_set("trustLists[0].expectedSigner", "SAT"), "trustLists[0].expectedSigner"),
        (_set("trustLists[0].credentialTypes", []), "trustLists[0].credentialTypes"),
        (_set("trustLists[0].label", " "), "trustLists[0].label"),
        (_set("trustLists[0].maxStalenessSeconds", 0), "trustLists[0].maxStalenessSeconds"),
        (_set("trustLists[0].maxStalenessSeconds", True), "trustLists[0].maxStalenessSeconds"),
        (_set("trustLists[0].fetchedAt", "2026-11-28T12:00:01Z"), "trustLists[0].fetchedAt"),
        (_set("trustLists[0].document", []), "trustLists[0].document"),
        (
            _set("trustLists[0].document.credentialSubject.sequenceNumber", 0),
            "trustLists[0].document.credentialSubject.sequenceNumber",
        ),
        (_set("trustLists[0].refreshSeconds", 60), "trustLists[0].refreshSeconds"),
        (_duplicate("trustLists"), "trustLists[1].url"),
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


def test_the_terms_of_a_subscription_are_read_from_exactly_their_members() -> None:
    entry = TERMS.to_json()
    assert trust_list_terms(entry, "lists[0]") == TERMS
    with pytest.raises(ParsingError) as raised:
        trust_list_terms({**entry, "fetchedAt": "2026-11-28T12:00:00Z"}, "lists[0]")
    assert raised.value.field == "lists[0].fetchedAt"


def _trust(carried: CarriedTrustList, *, at: datetime, **terms: Any) -> ListedTrust:
    return ListedTrust(
        TrustRegistry.from_json(REGISTRY), (carried.subscribed(**terms),), lambda: at
    )


def test_a_carried_list_vouches_for_its_types_until_it_is_too_old() -> None:
    carried = _bundle().trust_lists[0]
    fresh = _trust(carried, at=NOW).about(AGACE).check(AGACE, ["OEACertificate"], NOW)
    [basis] = fresh.trusted_by
    assert not fresh.problems and (basis.source, basis.sequence) == ("trustList", 7)
    assert basis.confirmed_at == carried.fetched_at and basis.list_url == TRUST_LIST_URL
    immex = _trust(carried, at=NOW).about(AGACE).check(AGACE, ["IMMEXCertificate"], NOW)
    assert [p.code for p in immex.problems] == ["ISSUER_NOT_TRUSTED"]  # not its types

    later = NOW + timedelta(hours=7)  # past the 6 h it may vouch after it was fetched
    stale = _trust(carried, at=later).about(AGACE).check(AGACE, ["OEACertificate"], later)
    assert [p.code for p in stale.problems] == ["TRUST_LIST_STALE"] and not stale.trusted_by
    longer = _trust(carried, at=later, max_staleness=timedelta(hours=8)).about(AGACE)
    assert not longer.check(AGACE, ["OEACertificate"], later).problems


def test_the_registry_file_is_consulted_beside_the_lists() -> None:
    trust = _trust(_bundle().trust_lists[0], at=NOW)
    decision = trust.about(SAT).check(SAT, ["IMMEXCertificate"], NOW)
    assert not decision.problems and [b.source for b in decision.trusted_by] == ["file"]
