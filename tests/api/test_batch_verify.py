"""``POST /credentials/verify/batch`` over real HTTP: each credential's result as
``POST /credentials/verify`` gives it, in request order; the batch's bounds; each
credential counted (metrics, and the caller's verify rate); the verify token option.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import Issuer, LiveService, assert_problem, serve
from tests.api.presenting import V2, codes, issue_certificate, suspend, verification_result
from tests.api.test_operations import scrape, value
from vcservice.api.routers.verifier import (
    EXAMPLE_MALFORMED,
    EXAMPLE_UNREADABLE,
    EXAMPLE_VERIFIED,
    MAX_BATCH,
)

BATCH = "/credentials/verify/batch"
VERIFY, UPDATE = "verify:credentials", "update:credentials"
UNSIGNED: dict[str, Any] = {"@context": [V2]}  # read, checked, and not verified (cheap)


def _batch(
    http: httpx.Client, items: list[Any], headers: dict[str, str] | None = None
) -> httpx.Response:
    return http.post(
        BATCH, json={"verifiableCredentials": items, "options": {}}, headers=headers or {}
    )


def _verified_batch(live_service: LiveService, items: list[Any]) -> dict[str, Any]:
    response = _batch(live_service.http, items)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert len(body["results"]) == len(items)
    return body


def _single(live_service: LiveService, item: Any) -> dict[str, Any]:
    """``POST /credentials/verify``'s result: a 200 when it verified, else a 422
    VERIFICATION_FAILED problem whose members are the whole result."""
    response = live_service.http.post(
        "/credentials/verify", json={"verifiableCredential": item, "options": {}}
    )
    return verification_result(response)


def _essence(result: dict[str, Any]) -> dict[str, Any]:
    """A result without what varies between two verifications (times, ages in details)."""
    return {
        "verified": result["verified"],
        "kind": result["kind"],
        "format": result["format"],
        "checks": [(c["check"], c["outcome"], c.get("codes")) for c in result["checks"]],
        "problems": [(p["code"], p.get("field")) for p in result["problemDetails"]],
        "warnings": result["warnings"],
        "document": result.get("document"),
    }


@pytest.fixture(scope="module")
def customs(live_service: LiveService) -> Issuer:
    """CBP with the right to suspend."""
    return live_service.issuer(
        "cbp-batch", ["CTPATCertificate"], scopes=("issue:credentials", UPDATE)
    )


@pytest.fixture(scope="module")
def mixed(live_service: LiveService, sat: Issuer, cbp: Issuer, customs: Issuer) -> dict[str, Any]:
    """One credential of each kind a broker may bring, by name."""
    suspended = issue_certificate(live_service, customs, "ctpat")
    suspend(live_service, customs, suspended["id"])
    tampered = issue_certificate(live_service, sat, "oea")
    tampered["credentialSubject"]["member"]["legalName"] = "Otra Empresa S.A. de C.V."
    return {
        "good": issue_certificate(live_service, sat, "immex"),
        "suspended": suspended,
        "tampered": tampered,
        "jwt": issue_certificate(live_service, cbp, "ctpat", securing_format="vc+jwt"),
        "malformed": EXAMPLE_MALFORMED,
    }


# ---------------------------------------------------------------- results


def test_each_result_is_what_the_single_endpoint_answers(
    live_service: LiveService, mixed: dict[str, Any]
) -> None:
    body = _verified_batch(live_service, list(mixed.values()))
    assert body["verified"] is False
    results = dict(zip(mixed, body["results"], strict=True))
    for name, item in mixed.items():
        assert _essence(results[name]) == _essence(_single(live_service, item)), name
    assert results["good"]["verified"] is True
    assert _essence(results["good"])["checks"] == _essence(EXAMPLE_VERIFIED)["checks"]
    assert codes(results["suspended"]) == ["CREDENTIAL_SUSPENDED"]
    assert "PROOF_VERIFICATION_ERROR" in codes(results["tampered"])
    assert results["jwt"]["verified"] is True and results["jwt"]["format"] == "vc+jwt"
    assert results["malformed"] == EXAMPLE_UNREADABLE  # as the OpenAPI example shows it


def test_results_keep_the_request_order(live_service: LiveService, mixed: dict[str, Any]) -> None:
    names = ["malformed", "good", "suspended", "good", "jwt", "tampered", "malformed"]
    body = _verified_batch(live_service, [mixed[name] for name in names])
    expected = {name: _essence(_single(live_service, mixed[name])) for name in set(names)}
    assert [_essence(result) for result in body["results"]] == [expected[n] for n in names]


def test_a_batch_is_verified_when_every_credential_is(
    live_service: LiveService, mixed: dict[str, Any]
) -> None:
    body = _verified_batch(live_service, [mixed["good"], mixed["jwt"]])
    assert body["verified"] is True
    assert [result["verified"] for result in body["results"]] == [True, True]


def test_metrics_count_each_credential(live_service: LiveService, mixed: dict[str, Any]) -> None:
    before = scrape(live_service)
    _verified_batch(live_service, [mixed["good"], mixed["jwt"], mixed["malformed"]])
    after = scrape(live_service)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("vcservice_verifications_total", kind="credential", outcome="verified") == 2
    assert moved("vcservice_verifications_total", kind="credential", outcome="not_verified") == 1
    route = {"method": "POST", "route": BATCH, "status": "200"}
    assert moved("vcservice_http_requests_total", **route) == 1


# ---------------------------------------------------------------- malformed batches


def test_a_batch_holds_one_to_max_batch_credentials(live_service: LiveService) -> None:
    http = live_service.http
    for items, said in (([], "at least 1 item"), ([UNSIGNED] * (MAX_BATCH + 1), "at most 100")):
        problem = assert_problem(
            _batch(http, items), 422, "MALFORMED_VALUE_ERROR", field="verifiableCredentials"
        )
        assert said in problem["detail"], problem
    assert_problem(
        http.post(BATCH, json={"verifiableCredential": UNSIGNED}),
        422,
        "MALFORMED_VALUE_ERROR",
        field="verifiableCredentials",
    )


def test_an_item_the_single_endpoint_refuses_refuses_the_batch(
    live_service: LiveService,
) -> None:
    """What ``/credentials/verify`` refuses as malformed (neither an object nor a compact
    JWT; not a VERIFICATION_FAILED) is a 422 of the whole batch, naming the item."""
    http = live_service.http
    for refused in ("not a jwt", 5, None, [UNSIGNED]):
        assert_problem(
            http.post("/credentials/verify", json={"verifiableCredential": refused}),
            422,
            "MALFORMED_VALUE_ERROR",
        )
        assert_problem(
            _batch(http, [UNSIGNED, refused]),
            422,
            "MALFORMED_VALUE_ERROR",
            field="verifiableCredentials[1]",
        )
    assert_problem(
        http.post(BATCH, json={"verifiableCredentials": [UNSIGNED], "options": {"checks": "all"}}),
        422,
        "MALFORMED_VALUE_ERROR",
        field="options.checks",
    )
    assert_problem(
        http.post(BATCH, content=b"{not json", headers={"content-type": "application/json"}),
        400,
        "PARSING_ERROR",
    )


# ---------------------------------------------------------------- access and rate


@pytest.fixture(scope="module")
def guarded(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """A verifier requiring a token, allowing 60 verifications a minute (bursts of ten)
    per client: each test's own client has a bucket of its own."""
    directory = tmp_path_factory.mktemp("batch-guarded")
    with serve(
        directory, None, context_store_dir, verify_requires_token=True, verify_rate_per_minute=60
    ) as live:
        yield live


def _verifier(guarded: LiveService, prefix: str) -> dict[str, str]:
    return guarded.issuer(prefix, ["CTPATCertificate"], scopes=(VERIFY,)).headers


def test_a_batch_needs_a_verify_token_when_configured(guarded: LiveService) -> None:
    assert_problem(_batch(guarded.http, [UNSIGNED]), 401, "UNAUTHORIZED")
    issuing = guarded.issuer("batch-issuing", ["OEACertificate"]).headers
    assert_problem(_batch(guarded.http, [UNSIGNED], issuing), 403, "INSUFFICIENT_SCOPE")
    response = _batch(guarded.http, [UNSIGNED], _verifier(guarded, "batch-officers"))
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is False


def test_each_credential_counts_against_the_rate(guarded: LiveService) -> None:
    broker, other = _verifier(guarded, "batch-broker"), _verifier(guarded, "batch-other")
    full = _batch(guarded.http, [UNSIGNED] * 10, broker)  # the whole burst
    assert full.status_code == 200, full.text
    refused = guarded.http.post(
        "/credentials/verify", json={"verifiableCredential": UNSIGNED}, headers=broker
    )
    assert_problem(refused, 429, "RATE_LIMITED")  # one a request would have left nine
    assert int(refused.headers["retry-after"]) >= 1
    assert _batch(guarded.http, [UNSIGNED], other).status_code == 200  # its own bucket


def test_a_batch_of_one_costs_one(guarded: LiveService) -> None:
    officer = _verifier(guarded, "batch-single")
    statuses = [_batch(guarded.http, [UNSIGNED], officer).status_code for _ in range(10)]
    assert statuses == [200] * 10


def test_a_batch_beyond_the_burst_is_waited_out_afterwards(guarded: LiveService) -> None:
    """Admitted like any request, a batch of MAX_BATCH overdraws a bucket of ten: the
    caller's next requests wait until the other ninety are paid back, a second each."""
    bulk = _verifier(guarded, "batch-bulk")
    response = _batch(guarded.http, [UNSIGNED] * MAX_BATCH, bulk)
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]) == MAX_BATCH
    refused = _batch(guarded.http, [UNSIGNED] * 5, bulk)
    assert_problem(refused, 429, "RATE_LIMITED")
    assert int(refused.headers["retry-after"]) >= MAX_BATCH - 10 - 5  # minus time passed
