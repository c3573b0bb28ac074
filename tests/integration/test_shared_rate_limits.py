"""A caller's rate and quotas hold across the workers of ``vcservice serve``, not per worker.

Each test holds one connection to each of two workers (found through /proc: which process
owns the server's end) and sends one caller's verifier requests over both:

* an anonymous caller (its address) with a rate of 60 a minute (bursts of ten): the two
  workers together admit one burst, plus what refills meanwhile; limits kept per process
  would admit a burst each;
* a verifier's client (a ``verify:credentials`` token) likewise, its requests alternating
  between the workers, while its address may send a hundred times as many: the client is
  counted as itself, once for the deployment;
* the same client's quotas of open challenges and of open exchanges (of a workflow only
  clients may use), each counted apart: both workers together admit the quota, then refuse
  (429 ``TOO_MANY_CHALLENGES`` / ``TOO_MANY_EXCHANGES``), the exchanges all opened while
  the challenges are spent; quotas kept per process would admit each twice.
"""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from tests.integration.serving import (
    Served,
    client_headers,
    create_workflow,
    holder_of,
    serve_process,
    server_side_inode,
    wait_for_workers,
    workers_of,
)

pytestmark = [pytest.mark.slow]

PER_MINUTE = 60  # one a second, bursts of ten
BURST = PER_MINUTE // 6
REQUESTS_PER_WORKER = 15
ADDRESS_PER_MINUTE = 100 * PER_MINUTE  # bursts of a thousand: never the limit here
QUOTA = 5  # open challenges, and apart open exchanges, per client (an address's quota,
# 20 by default, is larger)
PROBLEM_JSON = "application/problem+json"
JSON = {"Content-Type": "application/json"}
VERIFY = "verify:credentials"


def _connection_to_each_worker(served: Served) -> list[http.client.HTTPConnection]:
    """One open connection to each of the service's two workers."""
    wait_for_workers(served, 2)
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


def _post(
    connection: http.client.HTTPConnection, path: str, headers: Mapping[str, str] | None = None
) -> tuple[int, Any]:
    """POST an empty JSON object to ``path``: the status and the parsed answer. A 429 must
    be a problem naming when to retry (Retry-After, at least a second)."""
    connection.request("POST", path, body=b"{}", headers={**JSON, **(headers or {})})
    response = connection.getresponse()
    body = json.loads(response.read() or b"null")
    if response.status == 429:
        assert int(response.getheader("Retry-After", "0")) >= 1
        assert response.getheader("Content-Type", "").startswith(PROBLEM_JSON)
    return response.status, body


def _two_workers(
    tmp_path: Path, context_store_dir: Path, database_url: str, environment: dict[str, str]
) -> AbstractContextManager[Served]:
    """``vcservice serve --workers 2`` with ``environment`` on the test's database."""
    return serve_process(
        tmp_path,
        context_store_dir,
        database_url=database_url,
        arguments=["--workers", "2"],
        environment=environment,
    )


def _admitted(connection: http.client.HTTPConnection, count: int) -> list[int]:
    """The statuses of ``count`` verifier requests (an empty body: refused, but counted)."""
    return [_post(connection, "/credentials/verify")[0] for _ in range(count)]


def test_two_workers_admit_one_callers_rate_between_them(
    tmp_path: Path, context_store_dir: Path, database_url: str
) -> None:
    with _two_workers(
        tmp_path,
        context_store_dir,
        database_url,
        {  # refusals answered at once: the test counts admissions, not the delay
            "VCSERVICE_VERIFY_RATE_PER_MINUTE": str(PER_MINUTE),
            "VCSERVICE_REFUSAL_DELAY_SECONDS": "0",
        },
    ) as served:
        first, second = _connection_to_each_worker(served)
        started = time.monotonic()
        statuses = _admitted(first, REQUESTS_PER_WORKER) + _admitted(second, REQUESTS_PER_WORKER)
        refilled = (time.monotonic() - started) * PER_MINUTE / 60
    admitted = [status for status in statuses if status != 429]
    assert set(admitted) == {422}, statuses
    assert BURST <= len(admitted) <= BURST + 1 + int(refilled), statuses


def test_two_workers_admit_one_clients_rate_between_them(
    tmp_path: Path, context_store_dir: Path, database_url: str
) -> None:
    with _two_workers(
        tmp_path,
        context_store_dir,
        database_url,
        {
            "VCSERVICE_VERIFY_RATE_PER_MINUTE": str(ADDRESS_PER_MINUTE),
            "VCSERVICE_CLIENT_VERIFY_RATE_PER_MINUTE": str(PER_MINUTE),
        },
    ) as served:
        broker = client_headers(served.url, served.admin_token, "broker", scopes=[VERIFY])
        connections = _connection_to_each_worker(served)
        started = time.monotonic()
        answers = [  # alternately over the two workers
            (worker, *_post(connection, "/credentials/verify", broker))
            for _ in range(REQUESTS_PER_WORKER)
            for worker, connection in enumerate(connections)
        ]
        refilled = (time.monotonic() - started) * PER_MINUTE / 60
        anonymous = [_admitted(connection, 1)[0] for connection in connections]
    admitted = [(worker, status) for worker, status, _ in answers if status != 429]
    refusals = [refusal for _, status, refusal in answers if status == 429]
    assert {status for _, status in admitted} == {422}, answers
    assert BURST <= len(admitted) <= BURST + 1 + int(refilled), admitted
    assert {worker for worker, _ in admitted} == {0, 1}  # both workers took part
    assert {refusal["code"] for refusal in refusals} == {"RATE_LIMITED"}, refusals
    assert anonymous == [422, 422]  # the address's own rate is untouched


# What a client holds open: where it opens one, and the refusal past its quota.
OPEN_RECORDS = (
    ("/challenges", "TOO_MANY_CHALLENGES"),
    ("/workflows/crossing/exchanges", "TOO_MANY_EXCHANGES"),
)


def test_two_workers_hold_one_clients_quotas_of_open_records(
    tmp_path: Path, context_store_dir: Path, database_url: str
) -> None:
    environment = {"VCSERVICE_CLIENT_OPEN_QUOTA": str(QUOTA)}
    with _two_workers(tmp_path, context_store_dir, database_url, environment) as served:
        broker = client_headers(served.url, served.admin_token, "broker", scopes=[VERIFY])
        create_workflow(served.url, served.admin_token, "crossing")
        connections = _connection_to_each_worker(served)
        answers = {  # each kind in turn (the second while the first is spent), alternately
            path: [
                (worker, *_post(connection, path, broker))
                for _ in range(QUOTA + 1)
                for worker, connection in enumerate(connections)
            ]
            for path, _ in OPEN_RECORDS
        }
    for path, code in OPEN_RECORDS:
        statuses = [status for _, status, _ in answers[path]]
        assert statuses == [201] * QUOTA + [429] * (QUOTA + 2), (path, statuses)
        assert {worker for worker, status, _ in answers[path] if status == 201} == {0, 1}
        assert {refusal["code"] for _, _, refusal in answers[path][QUOTA:]} == {code}
