"""Concurrent writers, in threads and in separate processes, lose and duplicate nothing."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.contract.builders import authority, credential
from tests.contract.workers import add_credentials, open_fresh
from vcservice.errors import StorageError
from vcservice.model.records import IssuedCredential
from vcservice.storage.repository import CredentialQuery
from vcservice.storage.sql import SqlStore, open_store

THREADS = 8
PROCESSES = 4
PER_PROCESS = 40


def _race(store: SqlStore, records: list[IssuedCredential]) -> list[Any]:
    """Add every record at once, one thread each; each add's result or its exception."""
    start = threading.Barrier(len(records))

    def add(record: IssuedCredential) -> Any:
        start.wait(timeout=60)
        try:
            return store.credentials.add(record)
        except StorageError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(records)) as pool:
        return list(pool.map(add, records))


def _run_processes(target: Callable[..., None], arguments: list[tuple[Any, ...]]) -> list[Any]:
    """Run ``target`` in one spawned process per argument tuple; what each one reported."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(arguments))
    results = context.Queue()
    processes = [context.Process(target=target, args=(*args, start, results)) for args in arguments]
    for process in processes:
        process.start()
    reports = [results.get(timeout=240) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert [status for status, _ in reports] == ["ok"] * len(arguments), reports
    return [payload for _, payload in reports]


def test_threads_racing_on_one_idempotency_key_store_one_credential(
    store: SqlStore, sat: str
) -> None:
    records = [credential(n, sat, idempotency_key="k", request_digest="d") for n in range(THREADS)]
    results = _race(store, records)
    winners = {result.id for result in results}
    assert len(winners) == 1, results
    assert store.credentials.search(CredentialQuery(authority=sat)).total == 1
    assert store.credentials.find_by_idempotency_key(sat, "k") == results[0]


def test_threads_racing_with_different_digests_leave_one_winner(store: SqlStore, sat: str) -> None:
    records = [
        credential(n, sat, idempotency_key="k", request_digest=f"d-{n}") for n in range(THREADS)
    ]
    results = _race(store, records)
    stored = [result for result in results if isinstance(result, IssuedCredential)]
    conflicts = [result for result in results if isinstance(result, StorageError)]
    assert len(stored) == 1
    assert [error.code for error in conflicts] == ["CONFLICT"] * (THREADS - 1)
    assert store.credentials.search(CredentialQuery(authority=sat)).items == stored


def test_processes_adding_distinct_credentials_lose_none(
    store: SqlStore, sat: str, database_url: str
) -> None:
    batches = [list(range(p * PER_PROCESS, (p + 1) * PER_PROCESS)) for p in range(PROCESSES)]
    reported = _run_processes(add_credentials, [(database_url, batch, None) for batch in batches])
    expected = {credential(n).id for batch in batches for n in batch}
    assert {i for ids in reported for i in ids} == expected
    page = store.credentials.search(CredentialQuery(authority=sat, limit=len(expected) + 1))
    assert page.total == len(expected)
    assert {item.id for item in page.items} == expected


def test_processes_racing_on_one_idempotency_key_store_one_credential(
    store: SqlStore, sat: str, database_url: str
) -> None:
    reported = _run_processes(add_credentials, [(database_url, [n], "k") for n in range(PROCESSES)])
    assert len({ids[0] for ids in reported}) == 1
    assert store.credentials.search(CredentialQuery(authority=sat)).total == 1


def test_processes_migrating_a_fresh_database_at_once_all_succeed(database_url: str) -> None:
    _run_processes(open_fresh, [(database_url,)] * PROCESSES)
    with open_store(database_url, migrate=False) as store:
        store.authorities.add(authority("sat"))
        assert store.authorities.list() == [authority("sat")]
