"""Issue 7 acceptance: a worker killed with SIGKILL in the middle of a burst of issuances.

``vcservice serve --workers 2`` runs as a real process tree. Eight clients issue C-TPAT
certificates over HTTP as fast as they can; one worker is killed with SIGKILL while they
do. Requests that worker had in flight fail at the client (the connection drops); every
credential a client *did* receive must be in the registry with its three status entries,
because the service records a credential before it answers.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.builders import certificate_body
from tests.integration.serving import Served, issuer_headers, serve_process, workers_of
from vcservice.model.records import StatusPurpose
from vcservice.storage.sql import open_store

pytestmark = [pytest.mark.slow, pytest.mark.shared]

CLIENTS = 8
KILL_AFTER_SECONDS = 1.5
BURST_SECONDS = 4.0


@pytest.fixture
def service(database_url: str, tmp_path: Path, context_store_dir: Path) -> Iterator[Served]:
    """The service with two workers."""
    with serve_process(
        tmp_path, context_store_dir, database_url=database_url, arguments=["--workers", "2"]
    ) as served:
        yield served


def test_every_credential_returned_survives_a_killed_worker(
    service: Served, database_url: str
) -> None:
    url, supervisor = service.url, service.process.pid
    headers = issuer_headers(url, service.admin_token)
    returned: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    def burst() -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while not stop.is_set():
                body = certificate_body("ctpat")
                key = {"Idempotency-Key": str(uuid.uuid4())}
                try:
                    response = http.post("/certificates/ctpat", json=body, headers=headers | key)
                except httpx.TransportError as error:
                    failures.append(type(error).__name__)
                    continue
                if response.status_code == 201:
                    returned.append(response.json()["verifiableCredential"]["id"])
                else:
                    failures.append(str(response.status_code))

    threads = [threading.Thread(target=burst) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(KILL_AFTER_SECONDS)
    victim = workers_of(supervisor)[0]
    os.kill(victim, signal.SIGKILL)
    time.sleep(BURST_SECONDS - KILL_AFTER_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert victim not in workers_of(supervisor)  # it died (uvicorn may start a new one)
    assert len(returned) > 20, (returned, failures)
    with open_store(database_url, migrate=False) as store:
        for credential_id in returned:
            assert store.credentials.get(credential_id) is not None, credential_id
            entries = store.statuses.entries_for(credential_id)
            assert sorted(entry.purpose for entry in entries) == sorted(StatusPurpose), entries
    print(f"{len(returned)} credentials returned, all recorded; failed requests: {failures}")
