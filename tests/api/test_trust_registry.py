"""The verifier's trust registry over real HTTP: a file's entries, the admin API's, both."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Issuer, LiveService, assert_problem, serve
from tests.api.presenting import codes, issue_certificate, outcomes, verification_result
from tests.factories import NOW, certificate, did_of, key_file
from vcservice.errors import ParsingError
from vcservice.keys import KeyFile, KeyType
from vcservice.services.container import build_services
from vcservice.services.core import Core
from vcservice.settings import Settings


def _verify(live_service: LiveService, credential: Any, *, verified: bool) -> dict[str, Any]:
    """The result: a 200 when it ``verified``, else a 422 VERIFICATION_FAILED problem whose
    members are the whole result."""
    response = live_service.http.post(
        "/credentials/verify", json={"verifiableCredential": credential}
    )
    return verification_result(response, verified=verified)


def test_an_issuer_is_trusted_from_its_accreditation_until_it_is_withdrawn(
    live_service: LiveService,
) -> None:
    sat = live_service.issuer("sat-trust", ["IMMEXCertificate"], accredited=False)
    credential = issue_certificate(live_service, sat, "immex")
    assert codes(_verify(live_service, credential, verified=False)) == ["ISSUER_NOT_TRUSTED"]
    start = _audit_head(live_service)

    entry = live_service.accredit(sat.did, ["IMMEXCertificate"], name="SAT")
    assert entry["source"] == "api" and entry["entryId"].startswith("urn:uuid:")
    result = _verify(live_service, credential, verified=True)
    assert "SAT" in next(c for c in result["checks"] if c["check"] == "issuerTrust")["detail"]

    withdrawn = live_service.http.delete(
        f"/admin/trust-registry/issuers/{entry['entryId']}", headers=live_service.admin
    )
    assert withdrawn.status_code == 204
    assert codes(_verify(live_service, credential, verified=False)) == ["ISSUER_NOT_TRUSTED"]
    again = live_service.http.delete(
        f"/admin/trust-registry/issuers/{entry['entryId']}", headers=live_service.admin
    )
    assert_problem(again, 404, "NOT_FOUND")
    audited = live_service.http.get(
        "/admin/audit", headers=live_service.admin, params={"after": start, "limit": 1000}
    ).json()["entries"]
    assert [
        (logged["actor"], logged["action"], logged["authority"], logged["details"])
        for logged in audited
        if logged["subject"] == entry["entryId"]
    ] == [
        ("admin", action, None, {"issuer": sat.did, "credentialTypes": ["IMMEXCertificate"]})
        for action in ("accreditation.added", "accreditation.removed")
    ]


def _audit_head(live_service: LiveService) -> int:
    """The sequence of the audit log's newest entry now."""
    head = live_service.http.get("/admin/audit", headers=live_service.admin).json()["head"]
    return int(head["sequence"])


def test_accreditation_is_per_credential_type(live_service: LiveService) -> None:
    sat = live_service.issuer("sat-types", ["IMMEXCertificate", "OEACertificate"], accredited=False)
    live_service.accredit(sat.did, ["OEACertificate"], name="SAT")
    _verify(live_service, issue_certificate(live_service, sat, "oea"), verified=True)
    immex = _verify(live_service, issue_certificate(live_service, sat, "immex"), verified=False)
    assert codes(immex) == ["ISSUER_NOT_TRUSTED"]
    assert "not accredited for IMMEXCertificate" in immex["problemDetails"][0]["detail"]


def test_an_accreditation_outside_its_period_does_not_count(live_service: LiveService) -> None:
    cbp = live_service.issuer("cbp-period", ["CTPATCertificate"], accredited=False)
    live_service.accredit(
        cbp.did,
        ["CTPATCertificate"],
        name="CBP",
        validFrom="2020-01-01T00:00:00Z",
        validUntil="2021-01-01T00:00:00Z",
    )
    result = _verify(live_service, issue_certificate(live_service, cbp, "ctpat"), verified=False)
    assert outcomes(result)["issuerTrust"] == "failed"
    assert "ended at 2021-01-01T00:00:00Z" in result["problemDetails"][0]["detail"]


def test_the_registry_lists_in_its_file_format(live_service: LiveService, sat: Issuer) -> None:
    listed = live_service.http.get("/admin/trust-registry", headers=live_service.admin)
    assert listed.status_code == 200
    entries = [entry for entry in listed.json()["issuers"] if entry["id"] == sat.did]
    assert [entry["credentialTypes"] for entry in entries] == [
        ["IMMEXCertificate", "OEACertificate"]
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "not a did"}, "id"),
        ({"credentialTypes": []}, "credentialTypes"),
        ({"credentialTypes": ["IMMEX Certificate"]}, "credentialTypes[0]"),
        ({"validFrom": "2026-01-01"}, "validFrom"),
        ({"validFrom": "2027-01-01T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"}, "validUntil"),
        ({"extra": 1}, "extra"),
    ],
)
def test_malformed_accreditations_are_problems(
    live_service: LiveService, change: dict[str, Any], field: str
) -> None:
    body = {"id": "did:web:sat.example", "name": "SAT", "credentialTypes": ["OEACertificate"]}
    response = live_service.http.post(
        "/admin/trust-registry/issuers", headers=live_service.admin, json=body | change
    )
    assert_problem(response, 422, field=field)


def test_the_registry_needs_the_admin_token(live_service: LiveService) -> None:
    assert_problem(live_service.http.get("/admin/trust-registry"), 401, "UNAUTHORIZED")
    body = {"id": "did:web:x.example", "name": "X", "credentialTypes": ["OEACertificate"]}
    assert_problem(
        live_service.http.post("/admin/trust-registry/issuers", json=body), 401, "UNAUTHORIZED"
    )


# ---------------------------------------------------------------- a configured file

FILE_ISSUER = key_file(KeyType.ED25519, seed=41)
STRANGER = key_file(KeyType.ED25519, seed=42)


@pytest.fixture(scope="module")
def configured(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """A service whose trust registry file accredits a did:key issuer for C-TPAT."""
    directory = tmp_path_factory.mktemp("trust-file")
    registry = directory / "registry.json"
    entry = {
        "id": did_of(FILE_ISSUER),
        "name": "CBP (file)",
        "credentialTypes": ["CTPATCertificate"],
    }
    registry.write_text(json.dumps({"issuers": [entry]}), encoding="utf-8")
    with serve(directory, None, context_store_dir, trust_registry_file=registry) as live:
        yield live


def _signed_by(core: Core, key: KeyFile) -> dict[str, Any]:
    credential = certificate("ctpat", issuer=key)
    return core.data_integrity.add_proof(
        credential, signer=key.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
    )


def test_a_configured_file_accredits_issuers(configured: LiveService, core: Core) -> None:
    result = _verify(configured, _signed_by(core, FILE_ISSUER), verified=True)
    trust = next(check for check in result["checks"] if check["check"] == "issuerTrust")
    assert "CBP (file)" in trust["detail"]
    stranger = _verify(configured, _signed_by(core, STRANGER), verified=False)
    assert codes(stranger) == ["ISSUER_NOT_TRUSTED"]
    listed = configured.http.get("/admin/trust-registry", headers=configured.admin).json()
    assert listed["issuers"] == [
        {
            "id": did_of(FILE_ISSUER),
            "name": "CBP (file)",
            "credentialTypes": ["CTPATCertificate"],
            "source": "file",
        }
    ]


def test_a_malformed_file_stops_the_service_at_start(
    context_store_dir: Path, tmp_path: Path
) -> None:
    registry = tmp_path / "registry.json"
    registry.write_text(json.dumps({"issuers": [{"id": "did:web:x.example"}]}), encoding="utf-8")
    with pytest.raises(ParsingError) as excinfo:
        build_services(
            Settings(
                data_dir=tmp_path / "data",
                context_store=context_store_dir,
                trust_registry_file=registry,
            )
        )
    assert excinfo.value.field == "issuers[0].name"
