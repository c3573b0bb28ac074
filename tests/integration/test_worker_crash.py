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
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.builders import certificate_body
from tests.postgres import NO_POSTGRES, POSTGRES_URL, fresh_postgres_database
from vcservice.model.records import StatusPurpose
from vcservice.storage.sql import open_store

pytestmark = [pytest.mark.slow, pytest.mark.shared]

CLIENTS = 8
KILL_AFTER_SECONDS = 1.5
BURST_SECONDS = 4.0
# The burst is one client; per-client rate limits would only slow it down.
UNLIMITED = {"VCSERVICE_ISSUE_RATE_PER_MINUTE": "0", "VCSERVICE_TOKEN_RATE_PER_MINUTE": "0"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'vcservice.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with fresh_postgres_database(POSTGRES_URL, prefix="vcservice_crash") as url:
        yield url


@pytest.fixture
def service(
    database_url: str, tmp_path: Path, context_store_dir: Path
) -> Iterator[tuple[str, int, str]]:
    """The service with two workers: (URL, supervisor pid, admin token)."""
    port = _free_port()
    data = tmp_path / "data"
    command = [
        sys.executable,
        "-m",
        "vcservice",
        "--context-store",
        str(context_store_dir),
        "serve",
        "--workers",
        "2",
        "--port",
        str(port),
        "--data",
        str(data),
        "--database-url",
        database_url,
    ]
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        command,
        env={**os.environ, **UNLIMITED, "VCSERVICE_DEV_MODE": "true"},
        stdout=log,
        stderr=log,
    )
    url = f"http://localhost:{port}"
    try:
        _wait_for(url, process)
        yield url, process.pid, (data / "admin-token").read_text().strip()
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_every_credential_returned_survives_a_killed_worker(
    service: tuple[str, int, str], database_url: str
) -> None:
    url, supervisor, admin_token = service
    headers = _issuer_headers(url, admin_token)
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
    victim = _workers_of(supervisor)[0]
    os.kill(victim, signal.SIGKILL)
    time.sleep(BURST_SECONDS - KILL_AFTER_SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert victim not in _workers_of(supervisor)  # it died (uvicorn may start a new one)
    assert len(returned) > 20, (returned, failures)
    with open_store(database_url, migrate=False) as store:
        for credential_id in returned:
            assert store.credentials.get(credential_id) is not None, credential_id
            entries = store.statuses.entries_for(credential_id)
            assert sorted(entry.purpose for entry in entries) == sorted(StatusPurpose), entries
    print(f"{len(returned)} credentials returned, all recorded; failed requests: {failures}")


# ---------------------------------------------------------------- helpers


def _issuer_headers(url: str, admin_token: str) -> dict[str, str]:
    admin = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=url, timeout=30) as http:
        body = {"name": "cbp", "displayName": "CBP", "credentialTypes": ["CTPATCertificate"]}
        http.post("/admin/authorities", json=body, headers=admin).raise_for_status()
        client = (
            http.post(
                "/admin/authorities/cbp/clients",
                json={"scopes": ["issue:credentials"]},
                headers=admin,
            )
            .raise_for_status()
            .json()
        )
        token = (
            http.post(
                "/oauth/token",
                data={"grant_type": "client_credentials"},
                auth=(client["clientId"], client["clientSecret"]),
            )
            .raise_for_status()
            .json()["access_token"]
        )
    return {"Authorization": f"Bearer {token}"}


def _workers_of(supervisor: int) -> list[int]:
    """The pids of uvicorn's live worker processes under the supervisor, from /proc."""
    workers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        alive = fields[0] != "Z"
        if int(fields[1]) == supervisor and alive and b"resource_tracker" not in command:
            workers.append(int(entry.name))
    return sorted(workers)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the service exited during startup"
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the service did not start")
