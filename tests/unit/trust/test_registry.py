"""The trust registry: loading its file, and which issuers it accredits for which types, when."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.factories import NOW
from vcservice.errors import ParsingError
from vcservice.model.checks import TrustBasis
from vcservice.model.datetimes import format_datetime
from vcservice.trust.registry import Accreditation, TrustRegistry, UnavailableList, local_basis

SAT = "did:web:sat.example"
CBP = "did:web:cbp.example"
IMMEX = ["VerifiableCredential", "IMMEXCertificate"]
OEA = ["VerifiableCredential", "OEACertificate"]
LIST_URL = "https://aduanas.example/trust-lists/sat"
STALE_SAT_LIST = UnavailableList(
    url=LIST_URL,
    operator_name="Servicio de Administración Tributaria",
    credential_types=frozenset({"OEACertificate"}),
    reason="last confirmed 2026-11-20T00:00:00Z, more than 1 day ago",
)
LISTED = TrustBasis(
    source="trustList",
    name="SAT – AGACE",
    credential_types=(),
    list_url=LIST_URL,
    operator="did:web:aduanas.example:issuers:sat",
    operator_name="Servicio de Administración Tributaria",
    sequence=12,
    issued=NOW - timedelta(days=1),
    confirmed_at=NOW - timedelta(hours=1),
    next_update=NOW + timedelta(hours=23),
)


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
    assert registry.check(SAT, IMMEX, NOW).problems == []
    assert registry.check(CBP, ["VerifiableCredential", "CTPATCertificate"], NOW).problems == []
    assert registry.display_name(SAT) == "Servicio de Administración Tributaria"


def test_an_issuer_accredited_for_other_types_is_not_trusted_for_this_one() -> None:
    registry = _registry(
        _sat(), {"id": CBP, "name": "CBP", "credentialTypes": ["CTPATCertificate"]}
    )
    [problem] = registry.check(CBP, IMMEX, NOW).problems
    assert problem.code == "ISSUER_NOT_TRUSTED" and problem.field == "issuer"
    assert CBP in problem.detail and "IMMEXCertificate" in problem.detail


def test_an_unknown_or_missing_issuer_is_not_trusted() -> None:
    registry = _registry(_sat())
    [unknown] = registry.check("did:key:z6MkSomebody", IMMEX, NOW).problems
    assert unknown.code == "ISSUER_NOT_TRUSTED" and "did:key:z6MkSomebody" in unknown.detail
    [missing] = registry.check(None, IMMEX, NOW).problems
    assert missing.code == "ISSUER_NOT_TRUSTED"


def test_the_accreditation_period_is_checked_at_now() -> None:
    ended = NOW - timedelta(days=1)
    registry = _registry(_sat(validUntil=format_datetime(ended)))
    [expired] = registry.check(SAT, IMMEX, NOW).problems
    assert expired.code == "ISSUER_NOT_TRUSTED"
    assert "ended" in expired.detail and format_datetime(ended) in expired.detail
    assert registry.check(SAT, IMMEX, NOW - timedelta(days=2)).problems == []

    starts = NOW + timedelta(days=1)
    future = _registry(_sat(validFrom=format_datetime(starts)))
    [early] = future.check(SAT, IMMEX, NOW).problems
    assert "only from" in early.detail and format_datetime(starts) in early.detail


def test_a_later_entry_for_the_same_issuer_renews_the_accreditation() -> None:
    registry = _registry(
        _sat(validUntil=format_datetime(NOW - timedelta(days=10))),
        _sat(validFrom=format_datetime(NOW - timedelta(days=10))),
    )
    assert registry.check(SAT, IMMEX, NOW).problems == []


def test_load_reads_the_documented_file(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    path.write_text(json.dumps({"issuers": [_sat(validFrom="2026-01-01T00:00:00Z")]}))
    registry = TrustRegistry.load(path)
    [entry] = registry.accreditations(SAT)
    assert entry.credential_types == {"IMMEXCertificate", "OEACertificate"}
    assert registry.check(SAT, IMMEX, NOW).problems == []


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


# ---------------------------------------------------------------- sources and trust lists


def _accredited(types: set[str], basis: TrustBasis | None = None, **period: Any) -> Accreditation:
    return Accreditation(SAT, "SAT", frozenset(types), basis=basis, **period)


def test_a_pass_names_its_sources_and_the_types_each_accredited() -> None:
    local = local_basis("urn:uuid:1", "SAT (local)")
    registry = TrustRegistry(
        [
            _accredited({"IMMEXCertificate"}),
            _accredited({"IMMEXCertificate", "OEACertificate"}, local),
            _accredited({"OEACertificate"}, LISTED),
            _accredited({"OEACertificate"}, LISTED),  # a second period in the same list
        ]
    )
    decision = registry.check(
        SAT, ["VerifiableCredential", "IMMEXCertificate", "OEACertificate"], NOW
    )
    assert decision.problems == []
    file, stored, listed = decision.trusted_by
    assert file == TrustBasis("file", "SAT", ("IMMEXCertificate",))
    assert stored.entry_id == "urn:uuid:1" and stored.credential_types == (
        "IMMEXCertificate",
        "OEACertificate",
    )
    assert listed.source == "trustList" and listed.credential_types == ("OEACertificate",)


def test_an_accreditation_out_of_its_period_is_no_source() -> None:
    ended = _accredited({"OEACertificate"}, LISTED, valid_until=NOW - timedelta(days=1))
    decision = TrustRegistry([ended, _accredited({"OEACertificate"})]).check(SAT, OEA, NOW)
    assert decision.problems == [] and [b.source for b in decision.trusted_by] == ["file"]


def test_a_fresh_local_entry_beats_a_stale_list() -> None:
    local = local_basis("urn:uuid:2", "SAT")
    registry = TrustRegistry([_accredited({"OEACertificate"}, local)], [STALE_SAT_LIST])
    decision = registry.about(SAT).check(SAT, OEA, NOW)
    assert decision.problems == []
    [basis] = decision.trusted_by
    assert basis.source == "local" and basis.entry_id == "urn:uuid:2"


def test_only_a_stale_list_covering_the_type_cannot_be_checked() -> None:
    registry = TrustRegistry([], [STALE_SAT_LIST])
    decision = registry.about(SAT).check(SAT, OEA, NOW)
    [problem] = decision.problems
    assert problem.code == "TRUST_LIST_STALE" and problem.field == "issuer"
    assert LIST_URL in problem.detail and "more than 1 day ago" in problem.detail
    assert "Servicio de Administración Tributaria" in problem.detail
    assert decision.trusted_by == ()


def test_a_stale_list_is_never_a_pass_and_never_a_definite_no() -> None:
    """An expired local entry and a stale list covering the type: could not check."""
    expired = _accredited({"OEACertificate"}, valid_until=NOW - timedelta(days=1))
    registry = TrustRegistry([expired], [STALE_SAT_LIST])
    [problem] = registry.check(SAT, OEA, NOW).problems
    assert problem.code == "TRUST_LIST_STALE"
    # Types the stale list does not cover are decided as before.
    mixed = registry.check(SAT, ["VerifiableCredential", "OEACertificate", "IMMEXCertificate"], NOW)
    assert [p.code for p in mixed.problems] == ["TRUST_LIST_STALE", "ISSUER_NOT_TRUSTED"]
    assert mixed.trusted_by == ()


def test_an_issuer_named_nowhere_and_no_stale_list_for_the_type_is_not_trusted() -> None:
    registry = TrustRegistry([], [STALE_SAT_LIST])
    [problem] = registry.check("did:web:nobody.example", IMMEX, NOW).problems
    assert problem.code == "ISSUER_NOT_TRUSTED" and "not in the trust registry" in problem.detail
    # A credential of no type but the base one, from an unknown issuer, is not trusted.
    [base_only] = registry.check(SAT, ["VerifiableCredential"], NOW).problems
    assert base_only.code == "ISSUER_NOT_TRUSTED"
