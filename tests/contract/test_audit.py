"""The audit log on each backend: appends chain, audited writes append in their own
transaction (or not at all), and concurrent appenders never fork the chain."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict

import pytest
from sqlalchemy import delete, insert, select

from tests.audit_events import chain, event
from tests.contract.builders import NOW, allocation, client, credential
from tests.contract.test_concurrency import _run_processes
from tests.contract.workers import audited_work
from vcservice.audit.chain import GENESIS_HASH, chain_entry, verify_log
from vcservice.errors import StorageError
from vcservice.model.records import AuditEntry, AuditHead, StatusPurpose
from vcservice.storage import rows
from vcservice.storage.schema import audit_head, audit_log
from vcservice.storage.sql import SqlStore

THREADS = 8
PER_THREAD = 10
PROCESSES = 4
PER_PROCESS = 25


def _log(store: SqlStore) -> list[AuditEntry]:
    head, entries = store.audit.snapshot()
    assert verify_log(entries, head) == [], "the log does not verify"
    return entries


def _assert_linear(entries: list[AuditEntry], count: int) -> None:
    """``count`` entries numbered 1…count, each chained to the one before."""
    assert [entry.sequence for entry in entries] == list(range(1, count + 1))
    links = [GENESIS_HASH] + [entry.hash for entry in entries[:-1]]
    assert [entry.previous_hash for entry in entries] == links


# ---------------------------------------------------------------- appending and reading


def test_a_new_store_has_an_empty_log_at_the_genesis(store: SqlStore) -> None:
    assert store.audit.snapshot() == (AuditHead(0, GENESIS_HASH), [])
    assert store.audit.head() == AuditHead(0, GENESIS_HASH)


def test_appended_entries_read_back_exactly_and_chain(store: SqlStore) -> None:
    details = {"reason": "revisión aduanera ✓", "scopes": ["issue:credentials"], "n": 3}
    appended = [
        store.audit.append(event(1, details=details)),
        store.audit.append(event(2, authority=None, request_id=None)),
        store.audit.append(event(3)),
    ]
    assert appended[0] == chain_entry(
        event(1, details=details), sequence=1, previous_hash=GENESIS_HASH
    )
    entries = _log(store)
    assert entries == appended
    _assert_linear(entries, 3)
    assert store.audit.head() == AuditHead(3, appended[-1].hash)
    assert store.audit.entries(after=1, limit=1) == [appended[1]]
    assert store.audit.entries(after=3) == []
    assert store.audit.latest(2) == appended[1:]


def test_an_event_read_back_keeps_every_field(store: SqlStore) -> None:
    original = event(7, details={"ñ": "✓"})
    entry = store.audit.append(original)
    [stored] = store.audit.entries()
    kept = {name: value for name, value in asdict(stored).items() if name in asdict(original)}
    assert kept == asdict(original) and stored == entry


# ---------------------------------------------------------------- audited writes


def test_audited_writes_append_with_their_change(store: SqlStore, sat: str) -> None:
    store.clients.add(client("c-1"), audit=event(1, action="client.created"))
    store.credentials.add(credential(1), audit=event(2))
    store.statuses.allocate(**allocation(1))
    store.statuses.change(
        credential_id=credential(1).id,
        purpose=StatusPurpose.REVOCATION,
        new_status=1,
        reason="fraud",
        actor="sat-client",
        now=NOW,
        audit=event(3, action="credential.status_changed"),
    )
    assert store.clients.delete("c-1", audit=event(4, action="client.removed"))
    assert [entry.action for entry in _log(store)] == [
        "client.created",
        "credential.issued",
        "credential.status_changed",
        "client.removed",
    ]


def test_writes_that_change_nothing_append_nothing(store: SqlStore, sat: str) -> None:
    first = credential(1, idempotency_key="k", request_digest="d")
    store.credentials.add(first, audit=event(1))
    replay = credential(2, idempotency_key="k", request_digest="d")
    assert store.credentials.add(replay, audit=event(2)) == first  # a retry
    with pytest.raises(StorageError):  # the id is taken
        store.credentials.add(credential(1), audit=event(3))
    with pytest.raises(StorageError):  # no such authority
        store.clients.add(client("c-2", authority="nobody"), audit=event(4))
    assert not store.clients.delete("nobody", audit=event(5))
    store.statuses.allocate(**allocation(1))
    revoke = {
        "credential_id": credential(1).id,
        "purpose": StatusPurpose.REVOCATION,
        "new_status": 1,
        "reason": "fraud",
        "actor": "sat-client",
        "now": NOW,
        "final_status": 1,
    }
    store.statuses.change(**revoke, audit=event(6))
    with pytest.raises(StorageError):  # revocation is final
        store.statuses.change(**revoke, audit=event(7))
    assert [entry.subject for entry in _log(store)] == [event(1).subject, event(6).subject]


def test_without_its_head_the_log_refuses_appends_and_their_changes(
    store: SqlStore, sat: str
) -> None:
    with store.engine.begin() as connection:
        connection.execute(delete(audit_head))
    with pytest.raises(StorageError) as caught:
        store.credentials.add(credential(1), audit=event(1))
    assert caught.value.code == "STORAGE_ERROR" and "head" in caught.value.message
    assert store.credentials.get(credential(1).id) is None
    with pytest.raises(StorageError):
        store.audit.append(event(2))
    assert store.audit.snapshot() == (None, [])


def test_an_entry_written_past_the_head_refuses_the_next_change(store: SqlStore, sat: str) -> None:
    [forged] = chain(1)
    with store.engine.begin() as connection:
        connection.execute(insert(audit_log), rows.audit_entry_row(forged))
    with pytest.raises(StorageError) as caught:
        store.clients.add(client("c-1"), audit=event(2))
    assert caught.value.code == "STORAGE_ERROR" and "beyond the log's head" in caught.value.message
    assert store.clients.get("c-1") is None
    with store.engine.connect() as connection:
        assert connection.execute(select(audit_head.c.sequence)).scalar() == 0


# ---------------------------------------------------------------- concurrency


def test_threads_appending_at_once_keep_one_chain(store: SqlStore) -> None:
    start = threading.Barrier(THREADS)

    def append(thread: int) -> list[int]:
        start.wait(timeout=60)
        numbers = range(thread * PER_THREAD, (thread + 1) * PER_THREAD)
        return [store.audit.append(event(n)).sequence for n in numbers]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        sequences = [s for appended in pool.map(append, range(THREADS)) for s in appended]
    total = THREADS * PER_THREAD
    assert sorted(sequences) == list(range(1, total + 1))
    _assert_linear(_log(store), total)


def test_processes_issuing_and_appending_at_once_keep_one_chain(
    store: SqlStore, sat: str, database_url: str
) -> None:
    """Half the processes add audited credentials, half append events on their own."""
    batches = [list(range(p * PER_PROCESS, (p + 1) * PER_PROCESS)) for p in range(PROCESSES)]
    modes = ["issue", "append"] * (PROCESSES // 2)
    _run_processes(
        audited_work, [(database_url, b, m) for b, m in zip(batches, modes, strict=True)]
    )
    entries = _log(store)
    _assert_linear(entries, PROCESSES * PER_PROCESS)
    issued = {
        credential(n).id for b, m in zip(batches, modes, strict=True) if m == "issue" for n in b
    }
    assert sorted(e.subject for e in entries if e.subject in issued) == sorted(issued)
    assert all(store.credentials.get(credential_id) for credential_id in issued)
