"""The audit trail over HTTP: each change names its caller and the request's X-Request-Id.

Issuing, changing a status, creating and removing a client, creating an authority and
rotating a key each append one entry; a retried issuance appends none; the log then
verifies with ``vcservice audit verify`` on the service's own database.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from tests.api.builders import SAT_TYPES, certificate_body
from tests.api.conftest import ISSUE, READ, LiveService, assert_problem
from vcservice.cli.main import main

pytestmark = pytest.mark.shared

UPDATE = "update:credentials"
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def _sent(response: httpx.Response, status: int, request_id: str) -> dict[str, Any]:
    """The JSON body of a ``status`` response that echoes ``request_id``."""
    assert response.status_code == status, response.text
    assert response.headers["X-Request-Id"] == request_id
    return response.json() if response.content else {}


def _entries(live_service: LiveService, **params: Any) -> list[dict[str, Any]]:
    response = live_service.http.get("/admin/audit", headers=live_service.admin, params=params)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def test_every_change_names_its_caller_and_request(
    live_service: LiveService, capsys: pytest.CaptureFixture[str]
) -> None:
    http, admin, name = live_service.http, live_service.admin, live_service.unique_name("audited")
    start = live_service.http.get("/admin/audit", headers=admin).json()["head"]["sequence"]

    authority = _sent(
        http.post(
            "/admin/authorities",
            headers=admin | {"X-Request-Id": "audit-authority"},
            json={"name": name, "displayName": "SAT", "credentialTypes": SAT_TYPES},
        ),
        201,
        "audit-authority",
    )
    client = _sent(
        http.post(
            f"/admin/authorities/{name}/clients",
            headers=admin | {"X-Request-Id": "audit-client"},
            json={"scopes": [ISSUE, READ, UPDATE]},
        ),
        201,
        "audit-client",
    )
    client_id = client["clientId"]
    caller = {"Authorization": f"Bearer {live_service.token(client_id, client['clientSecret'])}"}
    issue = {"Idempotency-Key": "audit-immex-1"}
    body = certificate_body("immex")  # once: a retry must send the very same request
    issued = _sent(
        http.post(
            "/certificates/immex",
            headers=caller | issue | {"X-Request-Id": "audit-issue"},
            json=body,
        ),
        201,
        "audit-issue",
    )
    credential_id = issued["verifiableCredential"]["id"]
    retried = http.post(
        "/certificates/immex",
        headers=caller | issue | {"X-Request-Id": "audit-retry"},
        json=body,
    )
    assert retried.json()["verifiableCredential"]["id"] == credential_id
    _sent(
        http.post(
            "/credentials/status",
            headers=caller | {"X-Request-Id": "audit-suspend"},
            json={
                "credentialId": credential_id,
                "reason": "revisión de seguridad",
                "credentialStatus": [
                    {
                        "type": "BitstringStatusListEntry",
                        "statusPurpose": "suspension",
                        "status": "0x1",
                    }
                ],
            },
        ),
        200,
        "audit-suspend",
    )
    key = _sent(
        http.post(
            f"/admin/authorities/{name}/keys/rotate",
            headers=admin | {"X-Request-Id": "audit-rotate"},
            json={"keyType": "Ed25519"},
        ),
        201,
        "audit-rotate",
    )
    _sent(
        http.delete(
            f"/admin/clients/{client_id}", headers=admin | {"X-Request-Id": "audit-remove"}
        ),
        204,
        "audit-remove",
    )

    mine = [
        entry
        for entry in _entries(live_service, after=start, limit=1000)
        if entry["requestId"].startswith("audit-")
    ]
    assert [
        (entry["requestId"], entry["actor"], entry["action"], entry["subject"], entry["authority"])
        for entry in mine
    ] == [
        ("audit-authority", "admin", "authority.created", name, name),
        ("audit-client", "admin", "client.created", client_id, name),
        ("audit-issue", client_id, "credential.issued", credential_id, name),
        ("audit-suspend", client_id, "credential.status_changed", credential_id, name),
        ("audit-rotate", "admin", "key.rotated", key["keyId"], name),
        ("audit-remove", "admin", "client.removed", client_id, name),
    ]
    details = [entry["details"] for entry in mine]
    assert details[0] == {"did": authority["did"], "credentialTypes": sorted(SAT_TYPES)}
    assert details[1] == {"scopes": sorted([ISSUE, READ, UPDATE])}
    assert details[2] == {"type": "IMMEXCertificate", "format": "eddsa-rdfc-2022"}
    assert details[3] == {
        "purpose": "suspension",
        "status": "0x1",
        "reason": "revisión de seguridad",
    }
    assert details[4] == {"keyType": "Ed25519"}
    assert client["clientSecret"] not in json.dumps(mine)
    sequences = [entry["sequence"] for entry in mine]
    assert sequences == sorted(sequences)

    url = live_service.settings.resolved_database_url
    assert main(["audit", "verify", "--database-url", url]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["intact"] is True and report["head"]["sequence"] >= sequences[-1]


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        ("req-1.A_b", True),
        ("x" * 100, True),
        ("x" * 101, False),
        ("two words", False),
        ("ñandú", False),
        ("", False),
    ],
)
def test_a_sane_request_id_is_echoed_and_any_other_replaced(
    live_service: LiveService, sent: str, echoed: bool
) -> None:
    headers = {"X-Request-Id": sent.encode("utf-8")}
    response = live_service.http.get("/healthz", headers=headers)
    returned = response.headers["X-Request-Id"]
    if echoed:
        assert returned == sent
    else:
        assert GENERATED_ID.fullmatch(returned), returned


def test_every_response_gets_its_own_request_id(live_service: LiveService) -> None:
    first = live_service.http.get("/healthz").headers["X-Request-Id"]
    problem = live_service.http.get("/admin/audit")  # a problem response carries one too
    assert_problem(problem, 401, "UNAUTHORIZED")
    second = problem.headers["X-Request-Id"]
    assert GENERATED_ID.fullmatch(first) and GENERATED_ID.fullmatch(second) and first != second


def test_the_log_is_read_with_the_admin_token_in_pages(live_service: LiveService) -> None:
    issuer = live_service.issuer("pager", SAT_TYPES, accredited=False)
    assert_problem(live_service.http.get("/admin/audit", headers=issuer.headers), 401)
    everything = _entries(live_service, limit=1000)
    assert len(everything) >= 2
    first_sequence = everything[0]["sequence"]
    page = _entries(live_service, after=first_sequence, limit=1)
    assert page == everything[1:2]
    for params in ({"limit": 0}, {"limit": 1001}, {"after": -1}):
        response = live_service.http.get("/admin/audit", headers=live_service.admin, params=params)
        assert_problem(response, 422)
