"""VCALM workflows and exchanges over real HTTP: a broker asks, the shipper answers once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Issuer, LiveService, assert_problem
from tests.api.presenting import DOMAIN, Holder, codes, issue_certificate, outcomes, present
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.services.core import Core

MUTUAL_RECOGNITION = ["CTPATCertificate", "OEACertificate"]


@pytest.fixture(scope="module")
def holder() -> Holder:
    return Holder(KeyFile(KeyPair.generate(KeyType.ED25519)))


@pytest.fixture(scope="module")
def workflow(live_service: LiveService) -> str:
    """A workflow accepting C-TPAT or OEA (mutual recognition) for one crossing."""
    response = live_service.http.post(
        "/workflows",
        headers=live_service.admin,
        json={
            "id": "mutual-recognition",
            "name": "C-TPAT u OEA (reconocimiento mutuo)",
            "acceptedCredentialTypes": MUTUAL_RECOGNITION,
            "domain": DOMAIN,
            "exchangeTtlSeconds": 300,
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["acceptedCredentialTypes"] == MUTUAL_RECOGNITION
    return "mutual-recognition"


@pytest.fixture(scope="module")
def broker(live_service: LiveService) -> Issuer:
    """The customs broker's verifier app: a client with a verify:credentials token."""
    return live_service.verifier_client("broker")


def _new_exchange(live_service: LiveService, workflow: str, broker: Issuer) -> dict[str, Any]:
    response = live_service.http.post(f"/workflows/{workflow}/exchanges", headers=broker.headers)
    assert response.status_code == 201, response.text
    exchange: dict[str, Any] = response.json()
    assert response.headers["location"] == exchange["url"]
    return exchange


def _path(exchange: dict[str, Any]) -> str:
    return f"/workflows/{exchange['workflow']}/exchanges/{exchange['id']}"


def _answer(
    live_service: LiveService,
    core: Core,
    holder: Holder,
    exchange: dict[str, Any],
    credentials: list[Any],
) -> dict[str, Any]:
    """The holder's wallet: read the request from the exchange URL, present, post."""
    asked = live_service.http.post(_path(exchange), json={})
    assert asked.status_code == 200, asked.text
    request = asked.json()["verifiablePresentationRequest"]
    presentation = present(
        core, holder, credentials, challenge=request["challenge"], domain=request.get("domain")
    )
    response = live_service.http.post(
        _path(exchange), json={"verifiablePresentation": presentation}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_an_exchange_carries_a_presentation_request(
    live_service: LiveService, workflow: str, broker: Issuer
) -> None:
    exchange = _new_exchange(live_service, workflow, broker)
    assert exchange["state"] == "pending"
    assert exchange["url"] == live_service.url + _path(exchange)
    request = exchange["verifiablePresentationRequest"]
    assert request["domain"] == DOMAIN
    assert [query["credentialQuery"]["example"]["type"] for query in request["query"]] == (
        MUTUAL_RECOGNITION
    )
    assert len({query["group"] for query in request["query"]}) == 2  # either one will do
    assert request["interact"]["service"][0]["serviceEndpoint"] == exchange["url"]
    asked = live_service.http.post(_path(exchange), json={})
    assert asked.json()["verifiablePresentationRequest"] == request


def test_a_good_answer_completes_the_exchange_once(
    live_service: LiveService,
    workflow: str,
    broker: Issuer,
    cbp: Issuer,
    holder: Holder,
    core: Core,
) -> None:
    credential = issue_certificate(live_service, cbp, "ctpat", subject=holder.did)
    exchange = _new_exchange(live_service, workflow, broker)
    result = _answer(live_service, core, holder, exchange, [credential])
    assert result["verified"] is True, result
    assert outcomes(result)["credentialTypes"] == "passed"

    seen = live_service.http.get(_path(exchange)).json()
    assert seen["state"] == "complete"
    assert seen["result"]["verified"] is True
    assert "verifiablePresentationRequest" not in seen
    # The presentation is kept once: the result does not repeat it, nor its credentials.
    assert seen["verifiablePresentation"]["verifiableCredential"] == [credential]
    assert "document" not in seen["result"]
    assert [r["checks"] for r in seen["result"]["credentialResults"]] == [
        r["checks"] for r in result["credentialResults"]
    ]
    assert all("document" not in r for r in seen["result"]["credentialResults"])

    again = live_service.http.post(_path(exchange), json={"verifiablePresentation": {"a": 1}})
    assert_problem(again, 409, "EXCHANGE_NOT_PENDING", "exchangeId")
    assert_problem(live_service.http.post(_path(exchange), json={}), 409, "EXCHANGE_NOT_PENDING")


def test_a_credential_type_outside_the_policy_fails_the_exchange(
    live_service: LiveService,
    workflow: str,
    broker: Issuer,
    sat: Issuer,
    holder: Holder,
    core: Core,
) -> None:
    immex = issue_certificate(live_service, sat, "immex", subject=holder.did)
    exchange = _new_exchange(live_service, workflow, broker)
    result = _answer(live_service, core, holder, exchange, [immex])
    assert result["verified"] is False
    assert outcomes(result)["credentials"] == "passed"  # the IMMEX certificate itself is good
    assert codes(result) == ["REQUIRED_CREDENTIAL_MISSING"]
    assert live_service.http.get(_path(exchange)).json()["state"] == "invalid"


def test_an_oea_certificate_also_satisfies_mutual_recognition(
    live_service: LiveService,
    broker: Issuer,
    sat: Issuer,
    holder: Holder,
    core: Core,
) -> None:
    """An OEA counts where its signed entry says CBP recognizes it for the role asked
    (test_exchange_recognitions.py has the rest)."""
    body: dict[str, Any] = {
        "id": "oea-recognized-by-cbp",
        "name": "C-TPAT, u OEA que CBP reconoce como exportador",
        "acceptedCredentialTypes": ["CTPATCertificate"],
        "acceptedRecognitions": [
            {
                "credentialType": "OEACertificate",
                "recognizedBy": "AuthorityCBP",
                "recognizedRole": "MraRoleManufacturerExporter",
                "arrangement": "MraUsMx2014",
            }
        ],
        "domain": DOMAIN,
    }
    created = live_service.http.post("/workflows", headers=live_service.admin, json=body)
    assert created.status_code == 201, created.text
    oea = issue_certificate(live_service, sat, "oea", subject=holder.did)
    exchange = _new_exchange(live_service, body["id"], broker)
    assert _answer(live_service, core, holder, exchange, [oea])["verified"] is True


def test_a_presentation_made_for_another_exchange_is_refused(
    live_service: LiveService,
    workflow: str,
    broker: Issuer,
    cbp: Issuer,
    holder: Holder,
    core: Core,
) -> None:
    credential = issue_certificate(live_service, cbp, "ctpat", subject=holder.did)
    first, second = (
        _new_exchange(live_service, workflow, broker),
        _new_exchange(live_service, workflow, broker),
    )
    request = first["verifiablePresentationRequest"]
    presentation = present(
        core, holder, [credential], challenge=request["challenge"], domain=DOMAIN
    )
    response = live_service.http.post(_path(second), json={"verifiablePresentation": presentation})
    result = response.json()
    assert result["verified"] is False
    assert "INVALID_CHALLENGE_ERROR" in codes(result)
    assert live_service.http.get(_path(second)).json()["state"] == "invalid"


def test_unknown_workflows_and_exchanges_are_not_found(
    live_service: LiveService, workflow: str, broker: Issuer
) -> None:
    unknown = live_service.http.post("/workflows/nope/exchanges", headers=broker.headers)
    assert_problem(unknown, 404, "NOT_FOUND")
    exchange = _new_exchange(live_service, workflow, broker)
    assert_problem(
        live_service.http.get(f"/workflows/{workflow}/exchanges/made-up"), 404, "NOT_FOUND"
    )
    assert_problem(
        live_service.http.get(f"/workflows/other/exchanges/{exchange['id']}"), 404, "NOT_FOUND"
    )


def test_workflows_are_managed_by_the_admin(live_service: LiveService, workflow: str) -> None:
    body = {"id": "ctpat-only", "name": "C-TPAT", "acceptedCredentialTypes": ["CTPATCertificate"]}
    assert_problem(live_service.http.post("/workflows", json=body), 401, "UNAUTHORIZED")
    created = live_service.http.post("/workflows", headers=live_service.admin, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["domain"] is None and created.json()["exchangeTtlSeconds"] == 600
    assert created.json()["public"] is False
    assert_problem(
        live_service.http.post("/workflows", headers=live_service.admin, json=body), 409, "CONFLICT"
    )
    listed = live_service.http.get("/workflows", headers=live_service.admin).json()
    assert {"ctpat-only", workflow} <= {entry["id"] for entry in listed}
    gone = live_service.http.delete("/workflows/ctpat-only", headers=live_service.admin)
    assert gone.status_code == 204
    assert_problem(live_service.http.get("/workflows/ctpat-only", headers=live_service.admin), 404)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "Bad Id"}, "id"),
        ({"acceptedCredentialTypes": []}, "acceptedCredentialTypes"),
        ({"acceptedCredentialTypes": ["not a type"]}, "acceptedCredentialTypes[0]"),
        ({"exchangeTtlSeconds": 5}, "exchangeTtlSeconds"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_malformed_workflows_are_problems(
    live_service: LiveService, change: dict[str, Any], field: str
) -> None:
    body = {"id": "w-1", "name": "W", "acceptedCredentialTypes": ["OEACertificate"]} | change
    response = live_service.http.post("/workflows", headers=live_service.admin, json=body)
    assert_problem(response, 422, field=field)


def test_a_malformed_answer_is_a_problem_and_leaves_the_exchange_open(
    live_service: LiveService, workflow: str, broker: Issuer
) -> None:
    exchange = _new_exchange(live_service, workflow, broker)
    response = live_service.http.post(_path(exchange), json={"verifiablePresentation": 42})
    assert_problem(response, 422, field="verifiablePresentation")
    assert live_service.http.get(_path(exchange)).json()["state"] == "pending"
