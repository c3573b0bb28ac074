"""Trust registry entries, workflows and exchanges behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.audit_events import event
from tests.contract.builders import NOW
from vcservice.errors import StorageError
from vcservice.model.records import Exchange, ExchangeState, TrustEntry, Workflow
from vcservice.storage.repository import LimitReached, OpenLimit
from vcservice.storage.sql import SqlStore

LATER = NOW + timedelta(minutes=10)
ALICE, BOB, CLIENT = "address:192.0.2.1", "address:192.0.2.2", "client:broker-1"


def _entry(
    entry_id: str = "t-1", issuer: str = "did:web:sat.example", **changes: object
) -> TrustEntry:
    entry = TrustEntry(
        id=entry_id,
        issuer=issuer,
        name="SAT",
        credential_types=frozenset({"IMMEXCertificate", "OEACertificate"}),
        valid_from=NOW,
        valid_until=None,
        created_at=NOW,
    )
    return replace(entry, **changes)  # type: ignore[arg-type]


def _workflow(workflow_id: str = "mutual-recognition") -> Workflow:
    return Workflow(
        id=workflow_id,
        name="C-TPAT or OEA",
        accepted_types=("CTPATCertificate", "OEACertificate"),
        domain="aduana-nuevo-laredo.example",
        exchange_ttl_seconds=600,
        created_at=NOW,
    )


def _exchange(
    exchange_id: str = "x-1", workflow: str = "mutual-recognition", **changes: object
) -> Exchange:
    exchange = Exchange(
        id=exchange_id,
        workflow=workflow,
        challenge=f"challenge-{exchange_id}",
        domain="aduana-nuevo-laredo.example",
        state=ExchangeState.PENDING,
        created_at=NOW,
        expires_at=LATER,
        caller=ALICE,
    )
    return replace(exchange, **changes)  # type: ignore[arg-type]


def test_trust_entries_are_kept_and_listed_by_issuer(store: SqlStore) -> None:
    sat_first = _entry("t-1")
    sat_later = _entry("t-2", created_at=NOW + timedelta(days=1), valid_until=LATER)
    cbp = _entry(
        "t-3", issuer="did:web:cbp.example", credential_types=frozenset({"CTPATCertificate"})
    )
    for entry in (sat_later, cbp, sat_first):
        store.trust.add(entry)
    assert store.trust.for_issuer("did:web:sat.example") == [sat_first, sat_later]
    assert store.trust.for_issuer("did:web:nobody.example") == []
    assert store.trust.list() == [cbp, sat_first, sat_later]


def test_a_trust_entry_id_is_taken_once_and_deleted_once(store: SqlStore) -> None:
    store.trust.add(_entry())
    with pytest.raises(StorageError) as excinfo:
        store.trust.add(_entry(issuer="did:web:other.example"))
    assert excinfo.value.code == "CONFLICT"
    assert store.trust.delete("t-1") is True
    assert store.trust.delete("t-1") is False
    assert store.trust.list() == []


def test_trust_entries_are_audited_with_their_change_only(store: SqlStore) -> None:
    store.trust.add(_entry(), audit=event(1, action="accreditation.added", subject="t-1"))
    with pytest.raises(StorageError):
        store.trust.add(_entry(), audit=event(2, action="accreditation.added"))
    assert store.trust.get("t-1") == _entry()
    assert store.trust.delete("t-1", audit=event(3, action="accreditation.removed")) is True
    assert store.trust.delete("t-1", audit=event(4, action="accreditation.removed")) is False
    assert store.trust.get("t-1") is None
    audited = [(entry.action, entry.recorded_at) for entry in store.audit.entries()]
    assert audited == [
        ("accreditation.added", event(1).recorded_at),
        ("accreditation.removed", event(3).recorded_at),
    ]


def test_workflows_are_kept_and_deleted_with_their_exchanges(store: SqlStore) -> None:
    store.workflows.add(_workflow())
    store.workflows.add(replace(_workflow("ctpat-only"), public=True))
    assert store.workflows.get("mutual-recognition") == _workflow()
    assert store.workflows.get("ctpat-only") == replace(_workflow("ctpat-only"), public=True)
    assert [w.id for w in store.workflows.list()] == ["ctpat-only", "mutual-recognition"]
    with pytest.raises(StorageError) as excinfo:
        store.workflows.add(_workflow())
    assert excinfo.value.code == "CONFLICT"
    store.exchanges.add(_exchange())
    assert store.workflows.delete("mutual-recognition") is True
    assert store.exchanges.get("x-1") is None
    assert store.workflows.delete("mutual-recognition") is False


def test_an_exchange_needs_its_workflow(store: SqlStore) -> None:
    with pytest.raises(StorageError) as excinfo:
        store.exchanges.add(_exchange(workflow="missing"))
    assert excinfo.value.code == "NOT_FOUND"


def test_an_exchange_starts_once_and_finishes_with_its_answer(store: SqlStore) -> None:
    store.workflows.add(_workflow())
    store.exchanges.add(_exchange())
    assert store.exchanges.get("x-1") == _exchange()
    started = store.exchanges.start("x-1", now=NOW)
    assert started is not None and started.state is ExchangeState.ACTIVE
    assert store.exchanges.start("x-1", now=NOW) is None
    store.exchanges.finish(
        "x-1",
        state=ExchangeState.COMPLETE,
        result='{"verified": true}',
        presentation="{}",
        now=LATER,
    )
    finished = store.exchanges.get("x-1")
    assert finished is not None
    assert (finished.state, finished.result, finished.completed_at) == (
        ExchangeState.COMPLETE,
        '{"verified": true}',
        LATER,
    )
    with pytest.raises(StorageError) as excinfo:
        store.exchanges.finish(
            "x-1", state=ExchangeState.INVALID, result="{}", presentation="{}", now=LATER
        )
    assert excinfo.value.code == "NOT_FOUND"


def test_an_expired_exchange_does_not_start_and_is_purged(store: SqlStore) -> None:
    store.workflows.add(_workflow())
    store.exchanges.add(_exchange())
    store.exchanges.add(_exchange("x-2", expires_at=LATER + timedelta(hours=1)))
    assert store.exchanges.start("x-1", now=LATER) is None
    assert store.exchanges.purge_expired(LATER) == 0  # expiry is exclusive
    assert store.exchanges.purge_expired(LATER + timedelta(seconds=1)) == 1
    assert store.exchanges.get("x-1") is None and store.exchanges.get("x-2") is not None


def test_a_caller_holds_at_most_its_limit_of_pending_exchanges(store: SqlStore) -> None:
    store.workflows.add(_workflow())
    limit = OpenLimit(own=2)
    soon = NOW + timedelta(minutes=1)
    assert store.exchanges.add(_exchange("x-1", expires_at=soon), limit=limit) is None
    assert store.exchanges.add(_exchange("x-2"), limit=limit) is None
    refused = store.exchanges.add(_exchange("x-3"), limit=limit)
    assert refused == LimitReached(pooled=False, frees_at=soon)
    assert store.exchanges.get("x-3") is None
    assert store.exchanges.add(_exchange("x-3", caller=BOB), limit=limit) is None
    store.exchanges.start("x-2", now=NOW)  # answered: no longer pending
    assert store.exchanges.add(_exchange("x-4"), limit=limit) is None
    later = _exchange("x-5", created_at=soon)  # x-1 expired
    assert store.exchanges.add(later, limit=limit) is None
    assert store.exchanges.get("x-5") == later


def test_anonymous_callers_together_hold_at_most_the_pool_of_exchanges(store: SqlStore) -> None:
    store.workflows.add(_workflow())
    pooled = OpenLimit(own=5, pool=2)
    store.exchanges.add(_exchange("x-1"), limit=pooled)
    store.exchanges.add(_exchange("x-2", caller=BOB), limit=pooled)
    store.exchanges.add(_exchange("x-3", caller=CLIENT), limit=OpenLimit(own=5))
    refused = store.exchanges.add(_exchange("x-4", caller="address:192.0.2.3"), limit=pooled)
    assert refused == LimitReached(pooled=True, frees_at=LATER)
    assert store.exchanges.add(_exchange("x-4", caller=CLIENT), limit=OpenLimit(own=5)) is None


def test_concurrent_answers_start_an_exchange_once(store: SqlStore) -> None:
    store.workflows.add(_workflow())
    store.exchanges.add(_exchange())
    with ThreadPoolExecutor(max_workers=8) as pool:
        started = list(pool.map(lambda _: store.exchanges.start("x-1", now=NOW), range(16)))
    assert sum(result is not None for result in started) == 1
