"""``vcservice serve`` as a real process tree for the integration tests, and its helpers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

# The tests are one very busy client; per-client rate limits would only slow them down.
UNLIMITED = {
    "VCSERVICE_ISSUE_RATE_PER_MINUTE": "0",
    "VCSERVICE_TOKEN_RATE_PER_MINUTE": "0",
    "VCSERVICE_VERIFY_RATE_PER_MINUTE": "0",
}
STARTED = "Application startup complete."  # what each of uvicorn's workers logs once ready


@dataclass
class Served:
    """A running ``vcservice serve``: where it answers, its process and its files."""

    url: str
    process: subprocess.Popen[bytes]
    admin_token: str
    data: Path
    log: Path
    database_url: str


@contextmanager
def serve_process(
    tmp_path: Path,
    context_store: Path,
    *,
    database_url: str,
    arguments: Sequence[str] = (),
    environment: dict[str, str] | None = None,
) -> Iterator[Served]:
    """``vcservice serve`` on a free port with a fresh data directory, until the block ends."""
    port = free_port()
    data = tmp_path / "data"
    log = tmp_path / "server.log"
    command = [
        sys.executable, "-m", "vcservice", "--context-store", str(context_store), "serve",
        "--port", str(port), "--data", str(data), "--database-url", database_url, *arguments,
    ]  # fmt: skip
    env = {**os.environ, **UNLIMITED, "VCSERVICE_DEV_MODE": "true", **(environment or {})}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=output)
    url = f"http://localhost:{port}"
    try:
        wait_for(url, process)
        admin_token = (data / "admin-token").read_text().strip()
        yield Served(url, process, admin_token, data, log, database_url)
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=60)


def issuer_headers(url: str, admin_token: str) -> dict[str, str]:
    """A new authority (CBP, C-TPAT) through the admin API, and its client's Bearer header."""
    return client_headers(
        url, admin_token, "cbp", scopes=["issue:credentials"], credential_types=["CTPATCertificate"]
    )


def client_headers(
    url: str,
    admin_token: str,
    authority: str,
    *,
    scopes: Sequence[str],
    credential_types: Sequence[str] = (),
) -> dict[str, str]:
    """A new authority through the admin API, a client of it with ``scopes``, and the
    Bearer header of the client's token (client_credentials)."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=url, timeout=30) as http:
        body = {
            "name": authority,
            "displayName": authority.upper(),
            "credentialTypes": list(credential_types),
        }
        http.post("/admin/authorities", json=body, headers=admin).raise_for_status()
        client = (
            http.post(
                f"/admin/authorities/{authority}/clients",
                json={"scopes": list(scopes)},
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


def create_workflow(url: str, admin_token: str, workflow_id: str) -> None:
    """A workflow through the admin API (C-TPAT accepted), whose exchanges only the
    verifier's clients start."""
    body = {"id": workflow_id, "name": workflow_id, "acceptedCredentialTypes": ["CTPATCertificate"]}
    admin = {"Authorization": f"Bearer {admin_token}"}
    httpx.post(f"{url}/workflows", json=body, headers=admin, timeout=30).raise_for_status()


def workers_of(supervisor: int) -> list[int]:
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


def wait_for_workers(served: Served, count: int) -> None:
    """Until ``count`` workers have started their application (each says so in the log):
    /healthz answers as soon as one of them has, and connections go only to those that have."""
    deadline = time.monotonic() + 60
    while served.log.read_text().count(STARTED) < count:
        assert served.process.poll() is None, "the service exited during startup"
        assert time.monotonic() < deadline, f"fewer than {count} workers started"
        time.sleep(0.1)


def server_side_inode(server_port: int, client_port: int) -> str:
    """The socket inode of the server's end of the connection from ``client_port``."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if (local_port, remote_port) == (server_port, client_port):
                return fields[9]
    raise AssertionError("the server's end of the connection is not in /proc/net/tcp")


def holder_of(inode: str, pids: list[int]) -> tuple[int, int]:
    """(pid, fd) of the process among ``pids`` that holds socket ``inode``."""
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if str(fd.readlink()) == f"socket:[{inode}]":
                    return pid, int(fd.name)
            except OSError:
                continue
    raise AssertionError(f"no serving process holds socket {inode}")


def free_port() -> int:
    """A TCP port free on loopback at this moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    """Until ``url`` answers /healthz (the process must not exit meanwhile)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the service exited during startup"
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the service did not start")
