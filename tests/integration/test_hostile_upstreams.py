"""A hostile upstream cannot hold the verifier: a status-list host that trickles its response
headers a byte at a time is cut off at the fetch deadline, fetches to it are capped, and the
service answers everyone else at once meanwhile (a real ``vcservice serve`` process)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.builders import unsigned_credential
from tests.factories import key_file
from tests.integration.serving import Served, serve_process
from tests.jsonld_rewrites import permissive_data_integrity
from tests.unit.net.local_server import LocalServer, Route
from vcservice.clock import SystemClock
from vcservice.keys import KeyType
from vcservice.net import FetchPolicy, GuardedHttpClient, TtlCache
from vcservice.services.core import Core
from vcservice.status import Bitstring, BitstringStatusChecker, status_list_credential
from vcservice.status.checker import ExpandedList
from vcservice.status.sources import FetchedList, HttpStatusListSource

pytestmark = [pytest.mark.slow, pytest.mark.shared]

SIGNER = key_file(KeyType.ED25519, seed=71)
SIGNER_DID = SIGNER.verification_method.split("#")[0]
DEADLINE = 2.0  # VCSERVICE_FETCH_TIMEOUT_SECONDS of the service under attack
ATTACKERS = 12


class TricklingServer:
    """Accepts connections and sends a status line one byte every ``interval`` seconds,
    forever: the slow-loris upstream. Counts the connections it was sent."""

    def __init__(self, interval: float = 0.5) -> None:
        self.connections = 0
        self._interval = interval
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}/lists/1"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.recv(65536)
                for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 100:
                    if self._stop.wait(self._interval):
                        return
                    connection.send(bytes([byte]))
            except OSError:
                return  # the verifier hung up, as it should

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


@pytest.fixture
def trickling() -> Iterator[TricklingServer]:
    server = TricklingServer()
    yield server
    server.close()


@pytest.fixture
def served(tmp_path: Path, context_store_dir: Path) -> Iterator[Served]:
    environment = {
        "VCSERVICE_ALLOW_HTTP_HOSTS": '["127.0.0.1"]',
        "VCSERVICE_ALLOW_PRIVATE_NETWORKS": "true",
        "VCSERVICE_FETCH_TIMEOUT_SECONDS": str(DEADLINE),
    }
    with serve_process(
        tmp_path,
        context_store_dir,
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        environment=environment,
    ) as service:
        admin = {"Authorization": f"Bearer {service.admin_token}"}
        body = {"id": SIGNER_DID, "name": "Signer", "credentialTypes": ["CTPATCertificate"]}
        response = httpx.post(
            f"{service.url}/admin/trust-registry/issuers", json=body, headers=admin, timeout=30
        )
        assert response.status_code == 201, response.text
        yield service


def _signed(core: Core, status_url: str | None) -> dict[str, Any]:
    credential = unsigned_credential("ctpat", SIGNER_DID)
    credential.pop("credentialSchema", None)
    if status_url is not None:
        credential["credentialStatus"] = {
            "id": f"{status_url}#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": status_url,
        }
    return permissive_data_integrity(core.store, core.resolver).add_proof(
        credential, signer=SIGNER.signer(), cryptosuite="eddsa-rdfc-2022", created=datetime.now(UTC)
    )


def _timed_post(url: str, body: dict[str, Any]) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = httpx.post(url, json=body, timeout=30)
    return time.monotonic() - started, response


def test_a_trickling_status_list_host_is_cut_off_and_others_stay_fast(
    served: Served, trickling: TricklingServer, core: Core
) -> None:
    attack = {"verifiableCredential": _signed(core, trickling.url)}
    good = {"verifiableCredential": _signed(core, None)}
    verify = f"{served.url}/credentials/verify"
    with ThreadPoolExecutor(max_workers=ATTACKERS) as pool:
        attacks = [pool.submit(_timed_post, verify, attack) for _ in range(ATTACKERS)]
        time.sleep(0.5)  # the attack is under way: every fetch slot to the host is taken
        others = []
        for _ in range(5):
            others.append(_timed_post(verify, good))
            started = time.monotonic()
            challenge = httpx.post(f"{served.url}/challenges", json={}, timeout=30)
            ready = httpx.get(f"{served.url}/readyz", timeout=30)
            others.append((time.monotonic() - started, challenge))
            assert challenge.status_code == 201 and ready.status_code == 200
        attacked = [future.result() for future in attacks]
    for elapsed, response in others:
        assert response.status_code in (200, 201), response.text
        # Not held for the attack's deadline (2 × DEADLINE); the margin is for a loaded CI.
        assert elapsed < DEADLINE, f"a bystander waited {elapsed:.2f} s"
    assert all(response.json()["verified"] for _, response in others[::2])
    for elapsed, response in attacked:
        assert elapsed < 2 * DEADLINE, f"an attacking request held the service {elapsed:.2f} s"
        result = response.json()
        assert result["verified"] is False
        assert [p["code"] for p in result["problemDetails"]] == ["STATUS_RETRIEVAL_ERROR"]
    details = " ".join(response.json()["problemDetails"][0]["detail"] for _, response in attacked)
    assert "timed out" in details
    assert "too many fetches in flight" in details
    assert trickling.connections <= 4  # the per-address cap: the rest refused without a fetch


# ---------------------------------------------------------------- big lists, many lists


def _serve_lists(core: Core, server: LocalServer, count: int, *, size: int) -> list[str]:
    """``count`` signed revocation lists of ``size`` entries by SIGNER, served by ``server``."""
    urls = []
    for number in range(count):
        url = server.url(f"/lists/{number}")
        document = status_list_credential(
            list_url=url,
            issuer=SIGNER_DID,
            purpose="revocation",
            bitstring=Bitstring(size),
            valid_from=datetime.now(UTC) - timedelta(hours=1),
            valid_until=datetime.now(UTC) + timedelta(days=1),
        )
        signed = core.data_integrity.add_proof(
            document,
            signer=SIGNER.signer(),
            cryptosuite="eddsa-rdfc-2022",
            created=datetime.now(UTC) - timedelta(minutes=1),
        )
        server.routes[f"/lists/{number}"] = Route(json.dumps(signed).encode())
        urls.append(url)
    return urls


def test_a_list_larger_than_the_configured_size_is_refused_at_once(
    served: Served, core: Core
) -> None:
    server = LocalServer()
    try:
        [url] = _serve_lists(core, server, 1, size=16 * 1024 * 1024 * 8)  # 16 MiB of bits
        elapsed, response = _timed_post(
            f"{served.url}/credentials/verify", {"verifiableCredential": _signed(core, url)}
        )
        assert elapsed < 2.0, f"{elapsed:.2f} s"  # generous: a loaded CI machine
        assert [p["code"] for p in response.json()["problemDetails"]] == ["STATUS_LIST_TOO_LARGE"]
    finally:
        server.close()


def test_the_list_caches_stay_within_their_byte_budget(core: Core) -> None:
    server = LocalServer()
    budget = 1 << 20
    policy = FetchPolicy(
        allow_private_networks=True,
        allow_http_hosts=frozenset({"127.0.0.1"}),
        cache_max_bytes=budget,
    )
    fetched: TtlCache[str, FetchedList] = TtlCache(
        max_entries=1024, max_ttl_seconds=300, max_bytes=budget, weigh=lambda f: f.size
    )
    verified: TtlCache[str, ExpandedList] = TtlCache(
        max_entries=1024, max_ttl_seconds=300, max_bytes=budget, weigh=lambda e: len(e.bits)
    )
    try:
        urls = _serve_lists(core, server, 24, size=8 * 131_072)  # 128 KiB of bits each
        with GuardedHttpClient(policy) as http:
            clock = SystemClock()
            checker = BitstringStatusChecker(
                source=HttpStatusListSource(http, cache=fetched, clock=clock),
                data_integrity=core.data_integrity,
                clock=clock,
                verified_lists=verified,
            )
            for url in urls:
                check = checker.check(_signed(core, url))
                assert check.outcome.value == "passed", check.problems
                assert verified.bytes <= budget and fetched.bytes <= budget
        assert len(verified) < len(urls)  # the budget, not the entry count, evicted
        assert server.hits("/lists/0") == 1
    finally:
        server.close()
