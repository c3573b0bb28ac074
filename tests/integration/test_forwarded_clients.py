"""Behind a reverse proxy, rate limits see each client's address, but only when the proxy is
one the settings trust (``VCSERVICE_FORWARDED_ALLOW_IPS``, which may not be ``*``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.integration.serving import serve_process

pytestmark = [pytest.mark.slow, pytest.mark.shared]

# Six a minute: a burst of one request per address.
LIMITED = {"VCSERVICE_VERIFY_RATE_PER_MINUTE": "6"}


def _statuses(url: str, forwarded_for: list[str]) -> list[int]:
    with httpx.Client(base_url=url, timeout=30) as http:
        return [
            http.post("/challenges", json={}, headers={"X-Forwarded-For": client}).status_code
            for client in forwarded_for
        ]


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [("127.0.0.1", [201, 201, 429]), ("10.9.9.9", [201, 429, 429])],
    ids=["trusted-proxy", "untrusted-proxy"],
)
def test_clients_behind_a_trusted_proxy_have_their_own_limits(
    tmp_path: Path, context_store_dir: Path, trusted: str, expected: list[int]
) -> None:
    with serve_process(
        tmp_path,
        context_store_dir,
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        environment=LIMITED | {"VCSERVICE_FORWARDED_ALLOW_IPS": trusted},
    ) as served:
        assert _statuses(served.url, ["203.0.113.7", "203.0.113.8", "203.0.113.7"]) == expected


def test_serve_refuses_to_trust_every_peer(tmp_path: Path, context_store_dir: Path) -> None:
    command = [sys.executable, "-m", "vcservice", "--context-store", str(context_store_dir),
               "serve", "--data", str(tmp_path / "data")]  # fmt: skip
    environment = os.environ | {"VCSERVICE_FORWARDED_ALLOW_IPS": "*"}
    finished = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    assert finished.returncode == 1
    assert finished.stderr.startswith(
        "refusing to start: VCSERVICE_FORWARDED_ALLOW_IPS: * would let every client choose"
    ), finished.stderr
    assert not (tmp_path / "data").exists()  # before anything was created
