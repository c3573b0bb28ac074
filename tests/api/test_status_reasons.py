"""Coded status reasons over real HTTP: ``reasonCode`` on ``POST /credentials/status``,
its English and Spanish labels in ``statusHistory``, its audit, its checks (both backends)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.builders import CBP_TYPES, certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem
from vcservice.api.routers.status import UpdateStatusRequest
from vcservice.model.records import StatusReason

pytestmark = pytest.mark.shared
UPDATE = "update:credentials"
REINSTATED = StatusReason.REINSTATED.value


@pytest.fixture(scope="module")
def customs(live_service: LiveService) -> Issuer:
    """CBP with the right to change statuses."""
    return live_service.issuer(
        "cbp-reasons", CBP_TYPES, scopes=("issue:credentials", "read:credentials", UPDATE)
    )


def _issue(live_service: LiveService, issuer: Issuer) -> str:
    response = live_service.http.post(
        "/certificates/ctpat", headers=issuer.headers, json=certificate_body("ctpat")
    )
    assert response.status_code == 201, response.text
    credential_id: str = response.json()["verifiableCredential"]["id"]
    return credential_id


def _set(
    live_service: LiveService,
    issuer: Issuer,
    credential_id: str,
    updates: list[tuple[str, str]],
    reason: str = "nota del oficial",
    request_id: str | None = None,
    **coded: str,
) -> httpx.Response:
    headers = issuer.headers | ({"X-Request-Id": request_id} if request_id else {})
    return live_service.http.post(
        "/credentials/status",
        headers=headers,
        json={
            "credentialId": credential_id,
            "reason": reason,
            "credentialStatus": [
                {"type": "BitstringStatusListEntry", "statusPurpose": purpose, "status": status}
                for purpose, status in updates
            ],
            **coded,
        },
    )


def _record(live_service: LiveService, issuer: Issuer, credential_id: str) -> dict[str, Any]:
    response = live_service.http.get(f"/credentials/{credential_id}", headers=issuer.headers)
    assert response.status_code == 200, response.text
    record: dict[str, Any] = response.json()
    return record


def test_a_coded_reason_is_recorded_and_shown_with_its_labels(
    live_service: LiveService, customs: Issuer
) -> None:
    credential_id = _issue(live_service, customs)
    suspended = _set(
        live_service,
        customs,
        credential_id,
        [("suspension", "0x1")],
        reason="CBP case 2026-114",
        reasonCode="StatusReasonSecurityIncident",
    )
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["summary"] == "suspended"
    lifted = _set(
        live_service,
        customs,
        credential_id,
        [("suspension", "0x0"), ("message", "0x0")],
        reason="case closed",
        reasonCode=REINSTATED,
    )
    assert lifted.status_code == 200, lifted.text
    uncoded = _set(live_service, customs, credential_id, [("message", "0x2")], reason="review")
    assert uncoded.status_code == 200, uncoded.text

    history = _record(live_service, customs, credential_id)["statusHistory"]
    assert [
        (h["purpose"], h["newStatus"], h["reason"], h["reasonCode"], h["reasonLabel"])
        for h in history
    ] == [
        (
            "suspension",
            "0x1",
            "CBP case 2026-114",
            "StatusReasonSecurityIncident",
            {"en": "Security incident", "es": "Incidente de seguridad"},
        ),
        (
            "suspension",
            "0x0",
            "case closed",
            REINSTATED,
            {"en": "Reinstated", "es": "Restablecido"},
        ),
        (
            "message",
            "0x0",
            "case closed",
            REINSTATED,
            {"en": "Reinstated", "es": "Restablecido"},
        ),
        ("message", "0x2", "review", None, None),
    ]


def test_a_revocation_takes_a_coded_reason(live_service: LiveService, customs: Issuer) -> None:
    credential_id = _issue(live_service, customs)
    revoked = _set(
        live_service,
        customs,
        credential_id,
        [("revocation", "0x1")],
        reason="company asked",
        reasonCode="StatusReasonVoluntaryWithdrawal",
    )
    assert revoked.status_code == 200 and revoked.json()["summary"] == "revoked"
    (change,) = _record(live_service, customs, credential_id)["statusHistory"]
    assert change["reasonCode"] == "StatusReasonVoluntaryWithdrawal"
    assert change["reasonLabel"] == {"en": "Voluntary withdrawal", "es": "Baja voluntaria"}


@pytest.mark.parametrize(
    "updates",
    [
        [("revocation", "0x1")],
        [("suspension", "0x1")],
        [("revocation", "0x0")],
        [("suspension", "0x0"), ("message", "0x1")],
    ],
    ids=["revoke", "suspend", "revocation-0x0", "message-set"],
)
def test_reinstated_only_lifts_a_suspension_or_a_message(
    live_service: LiveService, customs: Issuer, updates: list[tuple[str, str]]
) -> None:
    credential_id = _issue(live_service, customs)
    refused = _set(live_service, customs, credential_id, updates, reasonCode=REINSTATED)
    assert_problem(refused, 422, "MALFORMED_VALUE_ERROR", field="reasonCode")
    record = _record(live_service, customs, credential_id)
    assert record["status"] == "active" and record["statusHistory"] == []


@pytest.mark.parametrize(
    "code",
    [
        "SecurityIncident",
        "https://w3id.org/vcservice/trade-certificates#StatusReasonSecurityIncident",
        "",
        None,
    ],
)
def test_an_unknown_reason_code_is_refused(
    live_service: LiveService, customs: Issuer, code: str | None
) -> None:
    credential_id = _issue(live_service, customs)
    response = live_service.http.post(
        "/credentials/status",
        headers=customs.headers,
        json={
            "credentialId": credential_id,
            "reason": "test",
            "reasonCode": code,
            "credentialStatus": [
                {"type": "BitstringStatusListEntry", "statusPurpose": "suspension", "status": "0x1"}
            ],
        },
    )
    if code is None:  # an explicit null is no coded reason
        assert response.status_code == 200, response.text
        return
    problem = assert_problem(response, 422)
    assert "reasonCode" in response.text, problem


def test_a_coded_reason_is_audited(live_service: LiveService, customs: Issuer) -> None:
    credential_id = _issue(live_service, customs)
    head = live_service.http.get("/admin/audit", headers=live_service.admin).json()["head"]
    for request_id, coded in (
        ("reasons-coded", {"reasonCode": "StatusReasonUnderReview"}),
        ("reasons-uncoded", {}),
    ):
        response = _set(
            live_service,
            customs,
            credential_id,
            [("message", "0x2")],
            reason="revisión",
            request_id=request_id,
            **coded,
        )
        assert response.status_code == 200, response.text
    audit = live_service.http.get(
        "/admin/audit",
        headers=live_service.admin,
        params={"after": head["sequence"], "limit": 1000},
    )
    assert audit.status_code == 200, audit.text
    details = {
        entry["requestId"]: entry["details"]
        for entry in audit.json()["entries"]
        if entry["subject"] == credential_id and entry["action"] == "credential.status_changed"
    }
    assert details == {
        "reasons-coded": {
            "purpose": "message",
            "status": "0x2",
            "reason": "revisión",
            "reasonCode": "StatusReasonUnderReview",
        },
        "reasons-uncoded": {"purpose": "message", "status": "0x2", "reason": "revisión"},
    }


def test_openapi_documents_the_optional_reason_code(live_service: LiveService) -> None:
    document = live_service.http.get("/openapi.json").json()
    schemas = document["components"]["schemas"]

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = schemas[node["$ref"].rsplit("/", 1)[1]]
        return node

    operation = document["paths"]["/credentials/status"]["post"]
    body = resolve(operation["requestBody"]["content"]["application/json"]["schema"])
    assert "reasonCode" not in body["required"] and "reason" in body["required"]
    reason_code = body["properties"]["reasonCode"]
    enum = next(resolve(option)["enum"] for option in reason_code["anyOf"] if "$ref" in option)
    assert set(enum) == {reason.value for reason in StatusReason}
    (example,) = body["examples"]
    assert example["reasonCode"] == "StatusReasonSecurityIncident"
    assert UpdateStatusRequest.model_validate(example).reason_code is StatusReason.SECURITY_INCIDENT
    view = schemas["StatusChangeView"]["properties"]
    assert {"reasonCode", "reasonLabel"} <= set(view)
    label = next(resolve(option) for option in view["reasonLabel"]["anyOf"] if "$ref" in option)
    assert set(label["required"]) == {"en", "es"}
