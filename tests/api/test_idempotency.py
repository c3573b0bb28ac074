"""``Idempotency-Key``: a retried request returns the first credential, byte for byte."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.api.builders import (
    SAT_TYPES,
    certificate_body,
    issue_body,
    moment,
    unsigned_credential,
)
from tests.api.conftest import Issuer, LiveService, assert_problem

pytestmark = pytest.mark.shared
THREADS = 8


@pytest.fixture
def issuer(live_service: LiveService) -> Issuer:
    """A fresh authority, so its registry holds only this test's credentials."""
    return live_service.issuer("idem", SAT_TYPES)


def _post(
    http: httpx.Client, issuer: Issuer, path: str, body: dict[str, Any], key: str
) -> httpx.Response:
    return http.post(path, headers={**issuer.headers, "Idempotency-Key": key}, json=body)


@pytest.mark.parametrize("securing_format", ["eddsa-rdfc-2022", "vc+jwt"])
def test_a_retry_returns_the_same_credential(
    live_service: LiveService, issuer: Issuer, securing_format: str
) -> None:
    body = certificate_body("immex", securing_format=securing_format, valid_from=moment(-1))
    first = _post(live_service.http, issuer, "/certificates/immex", body, "retry-1")
    second = _post(live_service.http, issuer, "/certificates/immex", body, "retry-1")
    assert first.status_code == second.status_code == 201, second.text
    assert second.content == first.content  # byte-identical: the stored credential
    page = live_service.registry(issuer)
    assert page["total"] == 1
    assert page["items"][0]["verifiableCredential"] == first.json()["verifiableCredential"]


def test_a_retry_of_the_issue_endpoint_returns_the_same_credential(
    live_service: LiveService, issuer: Issuer
) -> None:
    credential = unsigned_credential("oea", issuer.did)
    del credential["id"]  # the service picks the id, once
    first = _post(live_service.http, issuer, "/credentials/issue", issue_body(credential), "k-2")
    second = _post(live_service.http, issuer, "/credentials/issue", issue_body(credential), "k-2")
    assert first.status_code == second.status_code == 201, second.text
    assert second.content == first.content
    assert live_service.registry(issuer)["total"] == 1


def test_different_keys_issue_different_credentials(
    live_service: LiveService, issuer: Issuer
) -> None:
    body = certificate_body("oea", valid_from=moment(-1))
    first = _post(live_service.http, issuer, "/certificates/oea", body, "a")
    second = _post(live_service.http, issuer, "/certificates/oea", body, "b")
    ids = {r.json()["verifiableCredential"]["id"] for r in (first, second)}
    assert len(ids) == 2
    assert live_service.registry(issuer)["total"] == 2


@pytest.mark.parametrize(
    "change",
    ["certificate", "validity", "format", "endpoint"],
)
def test_the_same_key_with_another_request_is_refused(
    live_service: LiveService, issuer: Issuer, change: str
) -> None:
    body = certificate_body("immex", valid_from=moment(-1))
    assert _post(live_service.http, issuer, "/certificates/immex", body, "once").status_code == 201
    path = "/certificates/immex"
    if change == "certificate":
        body["certificate"]["immexProgramNumber"] = "9999-2020"
    elif change == "validity":
        body["validUntil"] = moment(200)
    elif change == "format":
        body["options"]["format"] = "ecdsa-rdfc-2019"
    else:
        path, body = "/certificates/oea", certificate_body("oea", valid_from=moment(-1))
    response = _post(live_service.http, issuer, path, body, "once")
    assert_problem(response, 422, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
    assert live_service.registry(issuer)["total"] == 1


def test_keys_belong_to_one_authority(live_service: LiveService, issuer: Issuer) -> None:
    other = live_service.issuer("idem", SAT_TYPES)
    body = certificate_body("immex", valid_from=moment(-1))
    mine = _post(live_service.http, issuer, "/certificates/immex", body, "shared-key")
    theirs = _post(live_service.http, other, "/certificates/immex", body, "shared-key")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["verifiableCredential"]["id"] != theirs.json()["verifiableCredential"]["id"]


def test_an_overlong_key_is_refused(live_service: LiveService, issuer: Issuer) -> None:
    body = certificate_body("immex")
    response = _post(live_service.http, issuer, "/certificates/immex", body, "k" * 201)
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "Idempotency-Key")
    assert live_service.registry(issuer)["total"] == 0


def _race(
    live_service: LiveService, issuer: Issuer, bodies: list[dict[str, Any]], key: str
) -> list[httpx.Response]:
    """Send every body at once (one connection per thread) with the same key."""
    barrier = threading.Barrier(len(bodies))

    def send(body: dict[str, Any]) -> httpx.Response:
        with live_service.client() as http:
            http.get("/healthz")  # connect before the start line
            barrier.wait()
            return _post(http, issuer, "/certificates/immex", body, key)

    with ThreadPoolExecutor(len(bodies)) as pool:
        return list(pool.map(send, bodies))


def test_concurrent_requests_with_one_key_issue_one_credential(
    live_service: LiveService, issuer: Issuer
) -> None:
    body = certificate_body("immex", valid_from=moment(-1))
    responses = _race(live_service, issuer, [body] * THREADS, "concurrent")
    assert [r.status_code for r in responses] == [201] * THREADS, [r.text for r in responses]
    assert len({r.content for r in responses}) == 1
    page = live_service.registry(issuer)
    assert page["total"] == 1
    assert page["items"][0]["verifiableCredential"] == responses[0].json()["verifiableCredential"]


def test_concurrent_reuse_of_a_key_is_always_idempotency_key_reused(
    live_service: LiveService, issuer: Issuer
) -> None:
    codes: list[str] = []
    for attempt in range(3):
        bodies = [certificate_body("immex", valid_from=moment(-1)) for _ in range(THREADS)]
        for index, body in enumerate(bodies):
            body["certificate"]["immexProgramNumber"] = f"{1000 + index}-2020"
        responses = _race(live_service, issuer, bodies, f"contended-{attempt}")
        assert sum(r.status_code == 201 for r in responses) == 1
        codes += [r.json()["code"] for r in responses if r.status_code != 201]
    assert set(codes) == {"IDEMPOTENCY_KEY_REUSED"}, codes


def test_a_retry_without_valid_from_a_second_later_returns_the_same_credential(
    live_service: LiveService, issuer: Issuer
) -> None:
    body = certificate_body("immex")
    assert "validFrom" not in body
    first = _post(live_service.http, issuer, "/certificates/immex", body, "later")
    assert first.status_code == 201, first.text
    time.sleep(1.05)  # validFrom has second precision
    second = _post(live_service.http, issuer, "/certificates/immex", body, "later")
    assert second.status_code == 201, second.text
    assert second.content == first.content
