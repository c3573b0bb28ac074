"""Certificate lifecycle over real HTTP: suspend, reinstate, revoke; the published lists."""

from __future__ import annotations

import base64
import gzip
from typing import Any

import httpx
import pytest

from tests.api.builders import CBP_TYPES, certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem
from tests.api.offline import OfflineVerifier
from vcservice.model.records import StatusPurpose
from vcservice.storage.sql import open_store

pytestmark = pytest.mark.shared
UPDATE = "update:credentials"


@pytest.fixture(scope="module")
def customs(live_service: LiveService) -> Issuer:
    """CBP with the right to change statuses."""
    return live_service.issuer(
        "cbp-status", CBP_TYPES, scopes=("issue:credentials", "read:credentials", UPDATE)
    )


def _issue(live_service: LiveService, issuer: Issuer) -> dict[str, Any]:
    response = live_service.http.post(
        "/certificates/ctpat", headers=issuer.headers, json=certificate_body("ctpat")
    )
    assert response.status_code == 201, response.text
    credential: dict[str, Any] = response.json()["verifiableCredential"]
    return credential


def _set(
    live_service: LiveService,
    issuer: Issuer,
    credential_id: str,
    purpose: str,
    status: str,
    reason: str = "test",
) -> httpx.Response:
    return live_service.http.post(
        "/credentials/status",
        headers=issuer.headers,
        json={
            "credentialId": credential_id,
            "reason": reason,
            "credentialStatus": [
                {"type": "BitstringStatusListEntry", "statusPurpose": purpose, "status": status}
            ],
        },
    )


def _verify(
    live_service: LiveService, offline: OfflineVerifier, issuer: Issuer, credential: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    return offline.verify(
        credential,
        live_service.did_document(issuer.name),
        status_lists=live_service.status_lists(credential),
    )


def _codes(report: dict[str, Any]) -> list[str]:
    return [problem["code"] for problem in report["problemDetails"]]


def test_suspend_reinstate_revoke(
    live_service: LiveService, customs: Issuer, offline: OfflineVerifier
) -> None:
    credential = _issue(live_service, customs)
    assert [entry["statusPurpose"] for entry in credential["credentialStatus"]] == [
        "revocation",
        "suspension",
        "message",
    ]
    assert _verify(live_service, offline, customs, credential)[0] == 0

    assert (
        _set(
            live_service, customs, credential["id"], "suspension", "0x1", "security incident"
        ).status_code
        == 200
    )
    code, report = _verify(live_service, offline, customs, credential)
    assert code == 1 and _codes(report) == ["CREDENTIAL_SUSPENDED"]

    assert _set(live_service, customs, credential["id"], "suspension", "0x0").status_code == 200
    assert _verify(live_service, offline, customs, credential)[0] == 0

    revoked = _set(live_service, customs, credential["id"], "revocation", "0x1", "cancelled")
    assert revoked.status_code == 200 and revoked.json()["summary"] == "revoked"
    code, report = _verify(live_service, offline, customs, credential)
    assert code == 1 and _codes(report) == ["CREDENTIAL_REVOKED"]

    reinstate = _set(live_service, customs, credential["id"], "suspension", "0x0")
    assert_problem(reinstate, 409, "CONFLICT")
    unrevoke = _set(live_service, customs, credential["id"], "revocation", "0x0")
    assert_problem(unrevoke, 409, "CONFLICT")

    # Every change is on record: who, when, why.
    history = live_service.http.get(
        f"/credentials/{credential['id']}", headers=customs.headers
    ).json()["statusHistory"]
    assert [(h["purpose"], h["newStatus"], h["reason"]) for h in history] == [
        ("suspension", "0x1", "security incident"),
        ("suspension", "0x0", "test"),
        ("revocation", "0x1", "cancelled"),
    ]
    assert {h["actor"] for h in history} == {customs.client_id}


def test_one_request_changes_all_or_nothing(live_service: LiveService, customs: Issuer) -> None:
    credential = _issue(live_service, customs)
    response = live_service.http.post(
        "/credentials/status",
        headers=customs.headers,
        json={
            "credentialId": credential["id"],
            "reason": "test",
            "credentialStatus": [
                {
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": "suspension",
                    "status": "0x1",
                },
                {
                    "type": "BitstringStatusListEntry",
                    "statusPurpose": "revocation",
                    "status": "0x2",
                },
            ],
        },
    )
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR")
    record = live_service.http.get(
        f"/credentials/{credential['id']}", headers=customs.headers
    ).json()
    assert record["status"] == "active" and record["statusHistory"] == []


def test_message_list_carries_a_customs_state(
    live_service: LiveService, customs: Issuer, offline: OfflineVerifier
) -> None:
    credential = _issue(live_service, customs)
    assert (
        _set(
            live_service,
            customs,
            credential["id"],
            "message",
            "0x1",
            "revalidation visit scheduled",
        ).status_code
        == 200
    )
    code, report = _verify(live_service, offline, customs, credential)
    assert code == 0  # a message informs; it does not refuse the credential
    status = next(check for check in report["checks"] if check["check"] == "status")
    assert "under revalidation" in status["detail"]


def test_changes_need_the_update_scope_and_the_issuing_authority(
    live_service: LiveService, customs: Issuer
) -> None:
    credential = _issue(live_service, customs)
    reader = live_service.issuer("cbp-reader", CBP_TYPES)
    assert_problem(
        _set(live_service, reader, credential["id"], "suspension", "0x1"), 403, "INSUFFICIENT_SCOPE"
    )
    other = live_service.issuer("other", CBP_TYPES, scopes=("issue:credentials", UPDATE))
    assert_problem(
        _set(live_service, other, credential["id"], "suspension", "0x1"), 404, "NOT_FOUND"
    )
    assert_problem(
        _set(live_service, customs, credential["id"], "suspension", "0x2"),
        422,
        "MALFORMED_VALUE_ERROR",
    )


def test_published_list_decodes_to_the_registry_bits(
    live_service: LiveService, customs: Issuer
) -> None:
    credentials = [_issue(live_service, customs) for _ in range(3)]
    for credential in credentials[:2]:
        assert _set(live_service, customs, credential["id"], "suspension", "0x1").status_code == 200
    entry = next(
        e for e in credentials[0]["credentialStatus"] if e["statusPurpose"] == "suspension"
    )
    url = httpx.URL(entry["statusListCredential"])
    response = live_service.http.get(url.path)
    assert response.status_code == 200
    assert "max-age" in response.headers["cache-control"]
    subject = response.json()["credentialSubject"]

    # An independent decoder: the standard library only.
    encoded = subject["encodedList"]
    assert encoded.startswith("u")
    body = encoded[1:]
    raw = gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert len(raw) * 8 >= 131_072
    set_bits = {index for index in range(len(raw) * 8) if raw[index // 8] >> (7 - index % 8) & 1}

    store = open_store(live_service.settings.resolved_database_url)
    try:
        sequence = int(url.path.rsplit("/", 1)[1])
        status_list = store.statuses.get_list(customs.name, StatusPurpose.SUSPENSION, sequence)
        assert status_list is not None
        registry = {
            index for index, value in store.statuses.set_bits(status_list.id).items() if value
        }
    finally:
        store.close()
    assert set_bits == registry
    suspended = {
        int(e["statusListIndex"])
        for c in credentials[:2]
        for e in c["credentialStatus"]
        if e["statusPurpose"] == "suspension"
    }
    assert suspended <= set_bits


def test_conditional_get_and_the_next_version(live_service: LiveService, customs: Issuer) -> None:
    credential = _issue(live_service, customs)
    entry = next(e for e in credential["credentialStatus"] if e["statusPurpose"] == "suspension")
    path = httpx.URL(entry["statusListCredential"]).path
    first = live_service.http.get(path)
    etag = first.headers["etag"]
    assert live_service.http.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert _set(live_service, customs, credential["id"], "suspension", "0x1").status_code == 200
    changed = live_service.http.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert (
        changed.json()["credentialSubject"]["encodedList"]
        != (first.json()["credentialSubject"]["encodedList"])
    )


def test_unknown_lists_are_404(live_service: LiveService, customs: Issuer) -> None:
    assert_problem(
        live_service.http.get(f"/status-lists/{customs.name}/revocation/999"), 404, "NOT_FOUND"
    )
    assert live_service.http.get(f"/status-lists/{customs.name}/bogus/1").status_code == 422
