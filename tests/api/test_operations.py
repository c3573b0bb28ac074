"""Production operation over real HTTP: readiness (``/readyz``) and Prometheus ``/metrics``."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from tests.api.builders import certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem, database_for, serve
from vcservice.storage.engine import normalise_url


def scrape(live: LiveService) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """``/metrics`` as {(sample name, labels): value}."""
    response = live.http.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_readyz_checks_the_database_and_the_key_store(live_service: LiveService) -> None:
    response = live_service.http.get("/readyz")

    assert response.status_code == 200, response.text
    checks = {"database": "ok", "keyStore": "ok", "contexts": "ok"}
    assert response.json() == {"status": "ready", "checks": checks}
    assert live_service.http.get("/healthz").json() == {"status": "ok"}


def test_metrics_count_issuance_verification_and_status_list_fetches(
    live_service: LiveService, cbp: Issuer
) -> None:
    before = scrape(live_service)

    issued = live_service.http.post(
        "/certificates/ctpat", json=certificate_body("ctpat"), headers=cbp.headers
    )
    assert issued.status_code == 201, issued.text
    credential = issued.json()["verifiableCredential"]
    verified = live_service.http.post(
        "/credentials/verify", json={"verifiableCredential": credential, "options": {}}
    )
    assert verified.status_code == 200 and verified.json()["verified"] is True, verified.text
    tampered = dict(credential, credentialSubject=dict(credential["credentialSubject"], name="X"))
    refused = live_service.http.post(
        "/credentials/verify", json={"verifiableCredential": tampered, "options": {}}
    )
    assert refused.status_code == 422 and refused.json()["verified"] is False
    live_service.http.get("/no/such/path")
    after = scrape(live_service)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert (
        moved(
            "vcservice_credentials_issued_total", type="CTPATCertificate", format="eddsa-rdfc-2022"
        )
        == 1
    )
    assert moved("vcservice_verifications_total", kind="credential", outcome="verified") == 1
    assert moved("vcservice_verifications_total", kind="credential", outcome="not_verified") == 1
    # The service's own lists are read locally (never cached): one per status entry checked.
    assert moved("vcservice_status_list_fetches_total", source="local") >= 1
    assert moved("vcservice_status_list_fetches_total", source="network") == 0
    route = {"method": "POST", "route": "/credentials/verify"}
    assert moved("vcservice_http_requests_total", **route, status="200") == 1
    assert moved("vcservice_http_requests_total", **route, status="422") == 1
    assert moved("vcservice_http_request_duration_seconds_count", **route) == 2
    issue_route = {"method": "POST", "route": "/certificates/ctpat", "status": "201"}
    assert moved("vcservice_http_requests_total", **issue_route) == 1
    # Paths no route serves share one label (no label per random path).
    assert (
        moved("vcservice_http_requests_total", method="GET", route="unmatched", status="404") == 1
    )


def test_metrics_and_readyz_in_openapi(live_service: LiveService) -> None:
    paths = live_service.http.get("/openapi.json").json()["paths"]

    assert "/metrics" not in paths  # text exposition, not JSON
    responses = paths["/readyz"]["get"]["responses"]
    assert set(responses) == {"200", "503"}
    assert "application/problem+json" in responses["503"]["content"]


@pytest.mark.postgres
def test_readyz_answers_503_when_the_database_is_gone(
    tmp_path: Path, context_store_dir: Path
) -> None:
    with database_for("postgres") as database_url:
        assert database_url is not None
        with serve(tmp_path, database_url, context_store_dir) as live:
            assert live.http.get("/readyz").status_code == 200
            url = normalise_url(database_url)
            admin = create_engine(
                url.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
            )
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE "{url.database}" WITH (FORCE)')
            admin.dispose()

            response = live.http.get("/readyz")

            problem = assert_problem(response, 503, "NOT_READY")
            assert "database" in problem["detail"] and "keyStore" not in problem["detail"]
            assert problem["i18n"]["es"]["title"]
            assert live.http.get("/healthz").status_code == 200  # alive, not ready
