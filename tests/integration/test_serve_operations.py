"""``vcservice serve --workers 2`` as a real process tree: metrics summed over workers, JSON
logs with request ids, and a graceful SIGTERM in the middle of a burst of issuances."""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from tests.api.builders import certificate_body
from tests.integration.serving import Served, issuer_headers, serve_process, workers_of
from vcservice.storage.schema import credentials
from vcservice.storage.sql import open_store

pytestmark = [pytest.mark.slow, pytest.mark.shared]

REQUESTS = 40
CLIENTS = 8
TERM_AFTER_SECONDS = 1.5


@pytest.fixture
def served(tmp_path: Path, context_store_dir: Path) -> Iterator[Served]:
    """Two workers on SQLite, JSON logs into a file, outside dev mode's text default."""
    with serve_process(
        tmp_path,
        context_store_dir,
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        arguments=["--workers", "2", "--log-format", "json"],
    ) as running:
        yield running


def healthz_requests(text: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "vcservice_http_requests_total" and sample.labels["route"] == "/healthz"
    )


def test_metrics_sum_over_workers_and_logs_are_json_with_request_ids(served: Served) -> None:
    before = healthz_requests(httpx.get(f"{served.url}/metrics").text)

    def hit(count: int) -> None:
        for _ in range(count):  # a new connection each time, so both workers take some
            response = httpx.get(f"{served.url}/healthz", headers={"Connection": "close"})
            assert response.status_code == 200

    threads = [threading.Thread(target=hit, args=(REQUESTS // CLIENTS,)) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _ in range(6):  # each scrape may land on either worker: all must see the sum
        scraped = httpx.get(f"{served.url}/metrics", headers={"Connection": "close"})
        assert scraped.status_code == 200
        assert healthz_requests(scraped.text) - before == REQUESTS
    metrics_dir = served.data / "metrics"
    writers = {path.stem.rsplit("_", 1)[1] for path in metrics_dir.glob("counter_*.db")}
    assert set(map(str, workers_of(served.process.pid))) <= writers | {"none"}, writers

    secret = f"Bearer not-a-token-{uuid.uuid4().hex}"
    answered = httpx.get(
        f"{served.url}/credentials",
        headers={"X-Request-Id": "ops-log-check-1", "Authorization": secret},
    )
    assert answered.status_code == 401
    assert answered.headers["X-Request-Id"] == "ops-log-check-1"
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=60) == 0

    text = served.log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line JSON
    access = [line for line in lines if line.get("request_id") == "ops-log-check-1"]
    assert len(access) == 1, text
    entry = access[0]
    assert entry["logger"] == "vcservice.access" and entry["level"] == "INFO"
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/credentials", 401)
    assert entry["duration_ms"] >= 0 and entry["time"].endswith("+00:00")
    assert secret.split()[1] not in text  # the Authorization header is never logged
    assert any(line["logger"].startswith("uvicorn") for line in lines)


def test_sigterm_lets_requests_in_flight_finish(served: Served) -> None:
    headers = issuer_headers(served.url, served.admin_token)
    returned: list[str] = []
    failures: list[str] = []
    refused_after_term: list[str] = []
    term_sent = threading.Event()

    def burst() -> None:
        while not term_sent.is_set() or served.process.poll() is None:
            body = certificate_body("ctpat")
            key = {"Idempotency-Key": str(uuid.uuid4())}
            try:
                with httpx.Client(base_url=served.url, timeout=30) as http:
                    response = http.post("/certificates/ctpat", json=body, headers=headers | key)
            except httpx.TransportError as error:
                # Once SIGTERM is sent, new connections are refused or closed unanswered.
                (refused_after_term if term_sent.is_set() else failures).append(repr(error))
                if term_sent.is_set():
                    return
                continue
            if response.status_code == 201:
                returned.append(response.json()["verifiableCredential"]["id"])
            else:
                failures.append(f"{response.status_code} {response.text[:200]}")

    threads = [threading.Thread(target=burst) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(TERM_AFTER_SECONDS)
    served.process.send_signal(signal.SIGTERM)
    term_sent.set()
    exit_code = served.process.wait(timeout=60)
    for thread in threads:
        thread.join(timeout=60)

    assert exit_code == 0, served.log.read_text()
    assert not failures, failures  # nothing failed before SIGTERM, and no 5xx at all
    assert len(returned) > 10, returned
    # Every issuance the service accepted (and so recorded) was answered to its client: an
    # in-flight request cut short would leave a credential nobody received.
    with open_store(served.database_url, migrate=False) as store, store.engine.connect() as db:
        recorded = {row.id for row in db.execute(select(credentials.c.id))}
    assert recorded == set(returned), (len(recorded), len(returned))
