"""A caller's rate holds across the workers of ``vcservice serve``, not per worker.

The test holds one connection to each of two workers (found through /proc: which process
owns the server's end) and sends one anonymous caller's verifier requests over both. With a
rate of 60 a minute (bursts of ten) the two workers together admit one burst, plus what
refills meanwhile; limits kept per process would admit a burst each.
"""

from __future__ import annotations

import http.client
import time
from pathlib import Path

import pytest

from tests.integration.serving import (
    Served,
    holder_of,
    serve_process,
    server_side_inode,
    workers_of,
)

pytestmark = [pytest.mark.slow]

PER_MINUTE = 60  # one a second, bursts of ten
BURST = PER_MINUTE // 6
REQUESTS_PER_WORKER = 15


def _connection_to_each_worker(served: Served) -> list[http.client.HTTPConnection]:
    """One open connection to each of the service's workers."""
    port = int(served.url.rsplit(":", 1)[1])
    workers = workers_of(served.process.pid)
    by_worker: dict[int, http.client.HTTPConnection] = {}
    spare = []
    for _ in range(200):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        assert connection.sock is not None
        inode = server_side_inode(port, connection.sock.getsockname()[1])
        pid, _ = holder_of(inode, workers)
        if pid in by_worker:
            spare.append(connection)  # kept open, so the next one is accepted anew
        else:
            by_worker[pid] = connection
        if len(by_worker) == len(workers):
            break
    for connection in spare:
        connection.close()
    assert len(by_worker) == 2, "the connections all reached one worker"
    return list(by_worker.values())


def _admitted(connection: http.client.HTTPConnection, count: int) -> list[int]:
    """The statuses of ``count`` verifier requests (an empty body: refused, but counted)."""
    statuses = []
    for _ in range(count):
        connection.request(
            "POST", "/credentials/verify", body=b"{}", headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        response.read()
        if response.status == 429:
            assert int(response.getheader("Retry-After", "0")) >= 1
        statuses.append(response.status)
    return statuses


def test_two_workers_admit_one_callers_rate_between_them(
    tmp_path: Path, context_store_dir: Path, database_url: str
) -> None:
    with serve_process(
        tmp_path,
        context_store_dir,
        database_url=database_url,
        arguments=["--workers", "2"],
        environment={"VCSERVICE_VERIFY_RATE_PER_MINUTE": str(PER_MINUTE)},
    ) as served:
        first, second = _connection_to_each_worker(served)
        started = time.monotonic()
        statuses = _admitted(first, REQUESTS_PER_WORKER) + _admitted(second, REQUESTS_PER_WORKER)
        refilled = (time.monotonic() - started) * PER_MINUTE / 60
    admitted = [status for status in statuses if status != 429]
    assert set(admitted) == {422}, statuses
    assert BURST <= len(admitted) <= BURST + 1 + int(refilled), statuses
