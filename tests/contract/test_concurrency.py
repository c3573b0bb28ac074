"""Concurrent writers, in threads and in separate processes, lose and duplicate nothing."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select

from tests.contract.builders import authority, credential, credential_id
from tests.contract.workers import add_credentials, allocate_entries, issue_challenges, open_fresh
from vcservice.errors import StorageError
from vcservice.model.records import IssuedCredential, StatusPurpose
from vcservice.storage.repository import CredentialQuery
from vcservice.storage.schema import status_entries, status_lists
from vcservice.storage.sql import SqlStore, full_threshold, open_store

THREADS = 8
PROCESSES = 4
PER_PROCESS = 40
ALLOCATING_PROCESSES = 8
ALLOCATIONS_PER_PROCESS = 60
LIST_SIZE = 128  # 480 allocations fill four lists (115 entries each) and open a fifth


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


def test_processes_issuing_for_one_caller_at_once_stay_within_its_limit(
    store: SqlStore, database_url: str
) -> None:
    """Workers (or replicas) count a caller's open challenges in the database, one at a time."""
    names = [[f"c-{p}-{n}" for n in range(10)] for p in range(PROCESSES)]
    reported = _run_processes(
        issue_challenges, [(database_url, batch, "address:192.0.2.1", 7) for batch in names]
    )
    stored = [name for batch in reported for name in batch]
    assert len(stored) == 7
    assert all(store.challenges.get(name) is not None for name in stored)


def test_processes_migrating_a_fresh_database_at_once_all_succeed(database_url: str) -> None:
    _run_processes(open_fresh, [(database_url,)] * PROCESSES)
    with open_store(database_url, migrate=False) as store:
        store.authorities.add(authority("sat"))
        assert store.authorities.list() == [authority("sat")]


def test_processes_allocating_at_once_never_share_an_index(
    store: SqlStore, sat: str, database_url: str
) -> None:
    """Eight processes allocate from an empty database: every list boundary is a race."""
    batches = [
        list(range(p * ALLOCATIONS_PER_PROCESS, (p + 1) * ALLOCATIONS_PER_PROCESS))
        for p in range(ALLOCATING_PROCESSES)
    ]
    reported = _run_processes(
        allocate_entries, [(database_url, batch, LIST_SIZE) for batch in batches]
    )
    allocated = [entry for entries in reported for entry in entries]
    expected = {credential_id(n) for batch in batches for n in batch}
    assert sorted(cid for cid, _, _ in allocated) == sorted(expected)
    assert len({(list_id, index) for _, list_id, index in allocated}) == len(allocated)
    assert all(0 <= index < LIST_SIZE for _, _, index in allocated)
    for cid, list_id, index in allocated:
        (entry,) = store.statuses.entries_for(cid)
        assert (entry.list_id, entry.index, entry.status) == (list_id, index, 0)

    with store.engine.connect() as connection:
        counts: dict[int, int] = dict(
            connection.execute(
                select(status_entries.c.list_id, func.count()).group_by(status_entries.c.list_id)
            ).all()
        )
        lists = connection.execute(
            select(status_lists.c.id, status_lists.c.sequence, status_lists.c.full).order_by(
                status_lists.c.sequence
            )
        ).all()
    assert sum(counts.values()) == len(allocated)
    assert [sequence for _, sequence, _ in lists] == list(range(1, len(lists) + 1))
    assert len(lists) >= 4
    threshold = full_threshold(LIST_SIZE)
    for list_id, sequence, full in lists:
        status_list = store.statuses.get_list(sat, StatusPurpose.REVOCATION, sequence)
        assert status_list is not None
        assert (status_list.id, status_list.full, status_list.size) == (list_id, full, LIST_SIZE)
        assert counts.get(list_id, 0) <= LIST_SIZE
        if full:  # closed at the threshold; concurrent allocations may add a few more
            assert threshold <= counts[list_id] <= threshold + ALLOCATING_PROCESSES
        else:  # on PostgreSQL, allocations that overshot may leave closing to the next one
            assert counts.get(list_id, 0) < threshold + ALLOCATING_PROCESSES
    assert [full for _, _, full in lists].count(False) <= 1  # one open list at a time
