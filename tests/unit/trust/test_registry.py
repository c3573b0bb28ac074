"""The trust registry: loading its file, and which issuers it accredits for which types, when."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.factories import NOW
from vcservice.errors import ParsingError
from vcservice.model.datetimes import format_datetime
from vcservice.trust.registry import TrustRegistry

SAT = "did:web:sat.example"
CBP = "did:web:cbp.example"
IMMEX = ["VerifiableCredential", "IMMEXCertificate"]


def _registry(*entries: dict[str, Any]) -> TrustRegistry:
    return TrustRegistry.from_json({"issuers": list(entries)})


def _sat(**extra: Any) -> dict[str, Any]:
    return {
        "id": SAT,
        "name": "Servicio de Administración Tributaria",
        "credentialTypes": ["IMMEXCertificate", "OEACertificate"],
    } | extra


def test_an_accredited_issuer_passes() -> None:
    registry = _registry(
        _sat(), {"id": CBP, "name": "CBP", "credentialTypes": ["CTPATCertificate"]}
    )
    assert registry.check(SAT, IMMEX, NOW) == []
    assert registry.check(CBP, ["VerifiableCredential", "CTPATCertificate"], NOW) == []
    assert registry.display_name(SAT) == "Servicio de Administración Tributaria"


def test_an_issuer_accredited_for_other_types_is_not_trusted_for_this_one() -> None:
    registry = _registry(
        _sat(), {"id": CBP, "name": "CBP", "credentialTypes": ["CTPATCertificate"]}
    )
    [problem] = registry.check(CBP, IMMEX, NOW)
    assert problem.code == "ISSUER_NOT_TRUSTED" and problem.field == "issuer"
    assert CBP in problem.detail and "IMMEXCertificate" in problem.detail


def test_an_unknown_or_missing_issuer_is_not_trusted() -> None:
    registry = _registry(_sat())
    [unknown] = registry.check("did:key:z6MkSomebody", IMMEX, NOW)
    assert unknown.code == "ISSUER_NOT_TRUSTED" and "did:key:z6MkSomebody" in unknown.detail
    [missing] = registry.check(None, IMMEX, NOW)
    assert missing.code == "ISSUER_NOT_TRUSTED"


def test_the_accreditation_period_is_checked_at_now() -> None:
    ended = NOW - timedelta(days=1)
    registry = _registry(_sat(validUntil=format_datetime(ended)))
    [expired] = registry.check(SAT, IMMEX, NOW)
    assert expired.code == "ISSUER_NOT_TRUSTED"
    assert "ended" in expired.detail and format_datetime(ended) in expired.detail
    assert registry.check(SAT, IMMEX, NOW - timedelta(days=2)) == []

    starts = NOW + timedelta(days=1)
    future = _registry(_sat(validFrom=format_datetime(starts)))
    [early] = future.check(SAT, IMMEX, NOW)
    assert "only from" in early.detail and format_datetime(starts) in early.detail


def test_a_later_entry_for_the_same_issuer_renews_the_accreditation() -> None:
    registry = _registry(
        _sat(validUntil=format_datetime(NOW - timedelta(days=10))),
        _sat(validFrom=format_datetime(NOW - timedelta(days=10))),
    )
    assert registry.check(SAT, IMMEX, NOW) == []


def test_load_reads_the_documented_file(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text(json.dumps({"issuers": [_sat(validFrom="2026-01-01T00:00:00Z")]}))
    registry = TrustRegistry.load(path)
    [entry] = registry.accreditations(SAT)
    assert entry.credential_types == {"IMMEXCertificate", "OEACertificate"}
    assert registry.check(SAT, IMMEX, NOW) == []


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ([], "issuers"),
        ({"issuers": {}}, "issuers"),
        ({"issuers": ["did:web:sat.example"]}, "issuers[0]"),
        ({"issuers": [_sat(), _sat(id=7)]}, "issuers[1].id"),
        ({"issuers": [_sat(name="")]}, "issuers[0].name"),
        ({"issuers": [_sat(credentialTypes=[])]}, "issuers[0].credentialTypes"),
        ({"issuers": [_sat(credentialTypes="IMMEXCertificate")]}, "issuers[0].credentialTypes"),
        ({"issuers": [_sat(validUntil="next year")]}, "issuers[0].validUntil"),
        (
            {
                "issuers": [
                    _sat(validFrom="2027-01-01T00:00:00Z", validUntil="2026-01-01T00:00:00Z")
                ]
            },
            "issuers[0].validUntil",
        ),
    ],
)
def test_a_malformed_registry_names_the_entry_and_field(
    tmp_path: Path, document: Any, field: str
) -> None:
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ParsingError) as raised:
        TrustRegistry.load(path)
    assert raised.value.field == field


def test_unreadable_registry_files_are_parsing_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ParsingError):
        TrustRegistry.load(broken)
    with pytest.raises(ParsingError):
        TrustRegistry.load(tmp_path / "missing.json")


def test_a_registry_round_trips_through_its_file_format() -> None:
    original = {
        "issuers": [
            {
                "id": "did:web:sat.example",
                "name": "SAT",
                "credentialTypes": ["OEACertificate", "IMMEXCertificate"],
                "validFrom": "2026-01-01T00:00:00Z",
            },
            {"id": "did:web:cbp.example", "name": "CBP", "credentialTypes": ["CTPATCertificate"]},
        ]
    }
    written = TrustRegistry.from_json(original).to_json()
    assert written["issuers"][0]["credentialTypes"] == ["IMMEXCertificate", "OEACertificate"]
    assert "validUntil" not in written["issuers"][0]
    assert TrustRegistry.from_json(written).to_json() == written
    assert written["issuers"][1] == original["issuers"][1]
