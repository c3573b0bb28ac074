"""Workflows that name what a mutual recognition grants, over real HTTP on SQLite and
PostgreSQL: CBP accepts its own C-TPAT as it is, and a Mexican OEA only where the OEA's
signed ``mutualRecognition`` says CBP recognizes it for the role the workflow asks for."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.api.builders import certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem
from tests.api.presenting import DOMAIN, V2, Holder, codes, issue_certificate, outcomes
from tests.api.test_exchanges import _answer, _new_exchange, _path, broker, holder
from vcservice.services.core import Core

__all__ = ["broker", "holder"]  # the fixtures of test_exchanges.py, used here as they are

CBP = "AuthorityCBP"
EXPORTER = "MraRoleManufacturerExporter"
IMPORTER = "MraRoleImporter"
MRA = "MraUsMx2014"
CONTEXTS = [
    V2,
    "https://w3id.org/traceability/v1",
    "https://w3id.org/vcservice/trade-certificates/v2",
]


def _recognition(role: str, **changes: Any) -> dict[str, Any]:
    """An accepted recognition: an OEA that CBP recognizes for ``role``."""
    return {
        "credentialType": "OEACertificate",
        "recognizedBy": CBP,
        "recognizedRole": role,
        "arrangement": MRA,
    } | changes


def _define(live_service: LiveService, workflow_id: str, role: str) -> str:
    """A workflow accepting C-TPAT as it is, or an OEA that CBP recognizes for ``role``."""
    body = {
        "id": workflow_id,
        "name": f"C-TPAT, u OEA que CBP reconoce ({role})",
        "acceptedCredentialTypes": ["CTPATCertificate"],
        "acceptedRecognitions": [_recognition(role)],
        "domain": DOMAIN,
    }
    response = live_service.http.post("/workflows", headers=live_service.admin, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["acceptedRecognitions"] == [_recognition(role)]
    return workflow_id


@pytest.fixture(scope="module")
def exporting(live_service: LiveService) -> str:
    """A shipment to the United States: the company as manufacturer/exporter."""
    return _define(live_service, "export-to-us", EXPORTER)


@pytest.fixture(scope="module")
def importing(live_service: LiveService) -> str:
    """An import into the United States: the company as importer."""
    return _define(live_service, "import-to-us", IMPORTER)


@pytest.fixture(scope="module")
def oea(live_service: LiveService, sat: Issuer, holder: Holder) -> Any:
    """An OEA whose one signed entry: CBP recognizes it for the manufacturer/exporter role."""
    issued = issue_certificate(live_service, sat, "oea", subject=holder.did)
    [entry] = issued["credentialSubject"]["mutualRecognition"]
    assert (entry["recognizedBy"], entry["recognizedRole"]) == (CBP, [EXPORTER])
    return issued


def _policy(result: dict[str, Any]) -> dict[str, Any]:
    check: dict[str, Any] = next(c for c in result["checks"] if c["check"] == "credentialTypes")
    return check


def _missing(result: dict[str, Any]) -> str:
    """The detail of the policy's REQUIRED_CREDENTIAL_MISSING (the only problem)."""
    assert codes(result) == ["REQUIRED_CREDENTIAL_MISSING"], result
    [problem] = result["problemDetails"]
    assert problem["field"] == "verifiableCredential"
    return str(problem["detail"])


def test_the_request_asks_for_the_recognition_by_example(
    live_service: LiveService, exporting: str, broker: Issuer
) -> None:
    request = _new_exchange(live_service, exporting, broker)["verifiablePresentationRequest"]
    ctpat, recognized = request["query"]
    assert (ctpat["group"], recognized["group"]) == ("1", "2")  # either one will do
    assert ctpat["credentialQuery"]["example"] == {"@context": [V2], "type": "CTPATCertificate"}
    query = recognized["credentialQuery"]
    assert query["reason"].endswith(
        ": present a current OEACertificate recognized by AuthorityCBP for "
        "MraRoleManufacturerExporter under MraUsMx2014"
    )
    assert query["example"] == {
        "@context": CONTEXTS,
        "type": "OEACertificate",
        "credentialSubject": {
            "mutualRecognition": [
                {
                    "type": ["MutualRecognition"],
                    "arrangement": MRA,
                    "recognizedBy": CBP,
                    "recognizedRole": [EXPORTER],
                }
            ]
        },
    }


def test_an_oea_recognized_by_cbp_for_the_role_completes_the_exchange(
    live_service: LiveService, exporting: str, broker: Issuer, oea: Any, holder: Holder, core: Core
) -> None:
    exchange = _new_exchange(live_service, exporting, broker)
    result = _answer(live_service, core, holder, exchange, [oea])
    assert result["verified"] is True, result
    assert _policy(result)["detail"] == (
        "a verified OEACertificate recognized by AuthorityCBP for MraRoleManufacturerExporter "
        "under MraUsMx2014 (mutualRecognition[0]: MraUsMx2014, recognizedBy AuthorityCBP, "
        "recognizedRole MraRoleManufacturerExporter)"
    )
    assert live_service.http.get(_path(exchange)).json()["state"] == "complete"


def test_the_same_oea_fails_a_workflow_asking_for_the_importer_role(
    live_service: LiveService, importing: str, broker: Issuer, oea: Any, holder: Holder, core: Core
) -> None:
    exchange = _new_exchange(live_service, importing, broker)
    result = _answer(live_service, core, holder, exchange, [oea])
    assert result["verified"] is False
    assert outcomes(result)["credentials"] == "passed"  # the OEA itself is good
    assert _missing(result) == (
        "the presentation holds no verified credential of an accepted type (CTPATCertificate "
        "or OEACertificate recognized by AuthorityCBP for MraRoleImporter under MraUsMx2014): "
        "verifiableCredential[0] (OEACertificate): its MraUsMx2014 entry recognizedBy "
        "AuthorityCBP covers MraRoleManufacturerExporter only, not MraRoleImporter"
    )
    seen = live_service.http.get(_path(exchange), headers=broker.headers).json()
    assert seen["state"] == "invalid"
    assert seen["result"]["problemDetails"] == result["problemDetails"]


def test_an_oea_without_a_mutual_recognition_fails(
    live_service: LiveService,
    exporting: str,
    broker: Issuer,
    sat: Issuer,
    holder: Holder,
    core: Core,
) -> None:
    body = certificate_body("oea")
    body["certificate"]["member"]["id"] = holder.did
    del body["certificate"]["mutualRecognition"]
    response = live_service.http.post("/certificates/oea", headers=sat.headers, json=body)
    assert response.status_code == 201, response.text
    unrecognized = response.json()["verifiableCredential"]
    assert "mutualRecognition" not in unrecognized["credentialSubject"]
    exchange = _new_exchange(live_service, exporting, broker)
    result = _answer(live_service, core, holder, exchange, [unrecognized])
    assert result["verified"] is False
    assert _missing(result).endswith(
        ": verifiableCredential[0] (OEACertificate): it has no mutualRecognition entry"
    )


@pytest.mark.parametrize("role", [EXPORTER, IMPORTER])
def test_a_ctpat_still_completes_whatever_the_role(
    live_service: LiveService,
    exporting: str,
    importing: str,
    role: str,
    broker: Issuer,
    cbp: Issuer,
    holder: Holder,
    core: Core,
) -> None:
    ctpat = issue_certificate(live_service, cbp, "ctpat", subject=holder.did)
    workflow = exporting if role == EXPORTER else importing
    result = _answer(
        live_service, core, holder, _new_exchange(live_service, workflow, broker), [ctpat]
    )
    assert result["verified"] is True, result
    assert _policy(result)["detail"].startswith("a verified CTPATCertificate (CTPATCertificate or")


def test_a_tampered_recognition_fails_on_the_proof(
    live_service: LiveService, importing: str, broker: Issuer, oea: Any, holder: Holder, core: Core
) -> None:
    tampered = copy.deepcopy(oea)
    tampered["credentialSubject"]["mutualRecognition"][0]["recognizedRole"].append(IMPORTER)
    exchange = _new_exchange(live_service, importing, broker)
    result = _answer(live_service, core, holder, exchange, [tampered])
    assert result["verified"] is False
    assert outcomes(result)["credentials"] == "failed"
    [credential] = result["credentialResults"]
    assert outcomes(credential)["proof"] == "failed"
    assert "REQUIRED_CREDENTIAL_MISSING" in codes(result)
    assert _policy(result)["outcome"] == "failed"
    [missing] = [p for p in result["problemDetails"] if p["code"] == "REQUIRED_CREDENTIAL_MISSING"]
    assert missing["detail"].endswith(": verifiableCredential[0] (OEACertificate) did not verify")
    assert live_service.http.get(_path(exchange)).json()["state"] == "invalid"


def test_a_workflow_shows_and_keeps_its_recognitions(
    live_service: LiveService, exporting: str
) -> None:
    shown = live_service.http.get(f"/workflows/{exporting}", headers=live_service.admin)
    assert shown.status_code == 200, shown.text
    assert shown.json()["acceptedCredentialTypes"] == ["CTPATCertificate"]
    assert shown.json()["acceptedRecognitions"] == [_recognition(EXPORTER)]
    body = {
        "id": "any-arrangement",
        "name": "W",
        "acceptedCredentialTypes": ["OEACertificate"],
        "acceptedRecognitions": [
            {
                "credentialType": "CTPATCertificate",
                "recognizedBy": "AuthoritySAT",
                "recognizedRole": EXPORTER,
            }
        ]
        * 2,
    }
    created = live_service.http.post("/workflows", headers=live_service.admin, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["acceptedRecognitions"] == [
        {
            "credentialType": "CTPATCertificate",
            "recognizedBy": "AuthoritySAT",
            "recognizedRole": EXPORTER,
            "arrangement": None,
        }
    ]
    listed = live_service.http.get("/workflows", headers=live_service.admin).json()
    assert {w["id"]: w for w in listed}["any-arrangement"] == created.json()


@pytest.mark.parametrize(
    ("recognition", "field"),
    [
        (_recognition("MraRoleAstronaut"), "acceptedRecognitions[0].recognizedRole"),
        (
            _recognition(EXPORTER, recognizedBy="AuthorityCBSA"),
            "acceptedRecognitions[0].recognizedBy",
        ),
        (_recognition(EXPORTER, arrangement="MraUsCa2030"), "acceptedRecognitions[0].arrangement"),
        (
            _recognition(EXPORTER, credentialType="not a type"),
            "acceptedRecognitions[0].credentialType",
        ),
        (_recognition(EXPORTER, colour="red"), "acceptedRecognitions[0].colour"),
        # What no credential could meet: an OEA's entries are recognizedBy CBP, never SAT;
        # IMMEX carries no recognition; C-TPAT is already accepted as it is.
        (
            _recognition(EXPORTER, recognizedBy="AuthoritySAT"),
            "acceptedRecognitions[0].recognizedBy",
        ),
        (
            _recognition(EXPORTER, credentialType="IMMEXCertificate"),
            "acceptedRecognitions[0].credentialType",
        ),
        (
            _recognition(EXPORTER, credentialType="CTPATCertificate", recognizedBy="AuthoritySAT"),
            "acceptedRecognitions[0].credentialType",
        ),
    ],
)
def test_recognitions_no_credential_could_meet_are_refused(
    live_service: LiveService, recognition: dict[str, Any], field: str
) -> None:
    body = {
        "id": "never",
        "name": "W",
        "acceptedCredentialTypes": ["CTPATCertificate"],
        "acceptedRecognitions": [recognition],
    }
    response = live_service.http.post("/workflows", headers=live_service.admin, json=body)
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", field)
    gone = live_service.http.get("/workflows/never", headers=live_service.admin)
    assert_problem(gone, 404, "NOT_FOUND")
