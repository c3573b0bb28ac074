"""Verifier challenges behave the same on SQLite and PostgreSQL: used once, then never."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.contract.builders import NOW
from vcservice.errors import StorageError
from vcservice.model.records import Challenge
from vcservice.storage.repository import LimitReached, OpenLimit
from vcservice.storage.sql import SqlStore

LATER = NOW + timedelta(minutes=5)
SOON = NOW + timedelta(minutes=1)
ALICE, BOB, CLIENT = "address:192.0.2.1", "address:192.0.2.2", "client:broker-1"


def _issue(store: SqlStore, challenge: str = "c-1", **changes: object) -> Challenge:
    arguments: dict[str, object] = {
        "domain": "aduana.example",
        "expires_at": LATER,
        "created_at": NOW,
        **changes,
    }
    return store.challenges.issue(challenge, **arguments)  # type: ignore[arg-type]


def test_an_issued_challenge_is_stored_unused(store: SqlStore) -> None:
    issued = _issue(store)
    assert issued == Challenge("c-1", "aduana.example", NOW, LATER, None)
    assert store.challenges.get("c-1") == issued
    assert store.challenges.get("c-2") is None


def test_a_challenge_without_a_domain_keeps_none(store: SqlStore) -> None:
    _issue(store, domain=None)
    found = store.challenges.get("c-1")
    assert found is not None and found.domain is None


def test_issuing_the_same_challenge_twice_is_a_conflict(store: SqlStore) -> None:
    _issue(store)
    with pytest.raises(StorageError) as excinfo:
        _issue(store, domain="other.example")
    assert excinfo.value.code == "CONFLICT"
    assert store.challenges.get("c-1") == Challenge("c-1", "aduana.example", NOW, LATER, None)


def test_timestamps_come_back_in_utc(store: SqlStore) -> None:
    mexico = timezone(timedelta(hours=-6))
    _issue(store, created_at=NOW.astimezone(mexico), expires_at=LATER.astimezone(mexico))
    found = store.challenges.get("c-1")
    assert found is not None
    assert found.created_at == NOW and found.created_at.tzinfo == UTC
    assert found.expires_at == LATER and found.expires_at.tzinfo == UTC


def test_naive_timestamps_are_refused(store: SqlStore) -> None:
    with pytest.raises(ValueError):
        _issue(store, expires_at=datetime(2026, 11, 28, 12, 5))
    with pytest.raises(ValueError):
        store.challenges.consume("c-1", now=datetime(2026, 11, 28, 12, 1))


def test_a_challenge_is_consumed_once(store: SqlStore) -> None:
    _issue(store)
    moment = NOW + timedelta(minutes=1)
    consumed = store.challenges.consume("c-1", now=moment)
    assert consumed == Challenge("c-1", "aduana.example", NOW, LATER, moment)
    assert store.challenges.consume("c-1", now=moment) is None
    assert store.challenges.consume("c-1", now=moment + timedelta(seconds=1)) is None
    assert store.challenges.get("c-1") == consumed


def test_unknown_and_expired_challenges_are_not_consumed(store: SqlStore) -> None:
    _issue(store)
    assert store.challenges.consume("c-2", now=NOW) is None
    assert store.challenges.consume("c-1", now=LATER) is None  # expiry is exclusive
    assert store.challenges.consume("c-1", now=LATER + timedelta(seconds=1)) is None
    found = store.challenges.get("c-1")
    assert found is not None and found.used_at is None


def test_a_caller_holds_at_most_its_limit_of_open_challenges(store: SqlStore) -> None:
    limit = OpenLimit(own=2)
    assert isinstance(_issue(store, "c-1", caller=ALICE, limit=limit, expires_at=SOON), Challenge)
    assert isinstance(_issue(store, "c-2", caller=ALICE, limit=limit), Challenge)
    refused = _issue(store, "c-3", caller=ALICE, limit=limit)
    assert refused == LimitReached(pooled=False, frees_at=SOON)  # when its first one expires
    assert store.challenges.get("c-3") is None
    assert isinstance(_issue(store, "c-3", caller=BOB, limit=limit), Challenge)  # its own
    store.challenges.consume("c-2", now=NOW)  # used: no longer open
    assert isinstance(_issue(store, "c-4", caller=ALICE, limit=limit), Challenge)
    assert isinstance(_issue(store, "c-5", caller=ALICE, limit=limit, created_at=SOON), Challenge)
    assert store.challenges.get("c-5") == Challenge(
        "c-5", "aduana.example", SOON, LATER, None, ALICE
    )


def test_anonymous_callers_together_hold_at_most_the_pool(store: SqlStore) -> None:
    pooled = OpenLimit(own=5, pool=2)
    _issue(store, "c-1", caller=ALICE, limit=pooled, expires_at=SOON)
    _issue(store, "c-2", caller=BOB, limit=pooled)
    _issue(store, "c-3", caller=CLIENT, limit=OpenLimit(own=5))  # clients are not pooled
    _issue(store, "c-4")  # nor is an exchange's challenge, which has no caller
    refused = _issue(store, "c-5", caller="address:192.0.2.3", limit=pooled)
    assert refused == LimitReached(pooled=True, frees_at=SOON)
    assert isinstance(_issue(store, "c-5", caller=CLIENT, limit=OpenLimit(own=5)), Challenge)
    assert isinstance(_issue(store, "c-6", caller=ALICE, limit=pooled, created_at=SOON), Challenge)


def test_limits_leave_room_for_one(store: SqlStore) -> None:
    with pytest.raises(ValueError):
        OpenLimit(own=0)
    with pytest.raises(ValueError):
        OpenLimit(own=1, pool=0)
    with pytest.raises(ValueError):
        _issue(store, limit=OpenLimit(own=1))  # a limited challenge names its caller


def test_threads_issuing_for_one_caller_at_once_stay_within_its_limit(store: SqlStore) -> None:
    racers, limit = 8, OpenLimit(own=3)
    start = threading.Barrier(racers)

    def issue(number: int) -> Challenge | LimitReached:
        start.wait()
        return _issue(store, f"c-{number}", caller=ALICE, limit=limit)

    with ThreadPoolExecutor(max_workers=racers) as pool:
        results = list(pool.map(issue, range(racers)))
    assert sum(isinstance(result, Challenge) for result in results) == 3
    assert sum(isinstance(result, LimitReached) for result in results) == racers - 3


def test_purge_deletes_only_expired_challenges(store: SqlStore) -> None:
    _issue(store, "c-1", expires_at=NOW + timedelta(minutes=1))
    _issue(store, "c-2", expires_at=NOW + timedelta(minutes=1))
    store.challenges.consume("c-2", now=NOW)
    _issue(store, "c-3")
    assert store.challenges.purge_expired(NOW) == 0
    assert store.challenges.purge_expired(NOW + timedelta(minutes=1)) == 2
    assert store.challenges.get("c-1") is None and store.challenges.get("c-2") is None
    assert store.challenges.get("c-3") is not None
    assert store.challenges.purge_expired(NOW + timedelta(minutes=1)) == 0


def test_threads_racing_to_consume_one_challenge_leave_one_winner(store: SqlStore) -> None:
    _issue(store)
    racers = 8
    start = threading.Barrier(racers)

    def consume(number: int) -> Challenge | None:
        start.wait()
        return store.challenges.consume("c-1", now=NOW + timedelta(seconds=number))

    with ThreadPoolExecutor(max_workers=racers) as pool:
        results = list(pool.map(consume, range(racers)))
    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    assert store.challenges.get("c-1") == winners[0]
