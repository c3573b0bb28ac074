"""Published and subscribed trust lists behave the same on SQLite and PostgreSQL.

Every change processes race for has one winner: a sequence is published once, a due fetch
is claimed once, a new version is held only over the one its fetcher saw. Audit entries are
appended with their change, and only when something changed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import TypeVar

import pytest

from tests.audit_events import event
from tests.contract.builders import (
    NOW,
    authority,
    published_entry,
    published_list,
    snapshot,
    subscription,
)
from vcservice.errors import StorageError
from vcservice.model.records import AuditEvent, TrustListSubscription
from vcservice.storage.sql import SqlStore

RACERS = 8
HOUR = timedelta(hours=1)
SAT_LIST = subscription(1)
CBP_LIST = subscription(2, url="https://cbp.example/trust-lists/cbp", label="CBP")
_Result = TypeVar("_Result")


def _race(action: Callable[[int], _Result]) -> list[_Result]:
    """``action(n)`` for ``RACERS`` threads started at once; their results."""
    start = threading.Barrier(RACERS)

    def run(number: int) -> _Result:
        start.wait(timeout=60)
        return action(number)

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        return list(pool.map(run, range(RACERS)))


def _audited(store: SqlStore) -> list[str]:
    """The subjects of the audit log's entries, oldest first."""
    return [entry.subject for entry in store.audit.entries()]


def _audit(subject: str, action: str = "trust_list.accepted") -> AuditEvent:
    return event(1, action=action, subject=subject, authority=None)


def _accept(
    store: SqlStore,
    sequence: int,
    previous: int | None,
    *,
    audit: AuditEvent | None = None,
    **changes: str,
) -> bool:
    """Accept version ``sequence`` of SAT's list over ``previous``; whether it was held."""
    return store.subscriptions.accept(
        SAT_LIST.id,
        snapshot(SAT_LIST.id, sequence, **changes),
        previous_sequence=previous,
        etag=f'"{sequence}"',
        next_fetch_at=NOW + sequence * HOUR,
        audit=audit,
    )


def _held(store: SqlStore, subscription_id: str = SAT_LIST.id) -> TrustListSubscription:
    held = store.subscriptions.get(subscription_id)
    assert held is not None
    return held


# What an authority publishes


def test_entries_are_kept_per_authority_oldest_first_and_audited(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    store.authorities.add(authority("cbp"))
    later, first = published_entry(2), published_entry(1, accredited_until=NOW + HOUR)
    cbp = published_entry(3, "cbp", credential_types=frozenset({"CTPATCertificate", "C"}))
    store.published_lists.add_entry(later, audit=_audit("e-2", "accreditation.added"))
    store.published_lists.add_entry(first)
    store.published_lists.add_entry(cbp)
    assert store.published_lists.entries("sat") == [first, later]
    assert store.published_lists.entries("cbp") == [cbp]
    assert store.published_lists.entries("nobody") == []
    assert _audited(store) == ["e-2"]


def test_an_entry_names_a_known_authority_and_a_new_id(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    with pytest.raises(StorageError) as unknown:
        store.published_lists.add_entry(published_entry(1, "nobody"), audit=_audit("e-1"))
    assert unknown.value.code == "NOT_FOUND"
    store.published_lists.add_entry(published_entry(1))
    with pytest.raises(StorageError) as taken:
        store.published_lists.add_entry(published_entry(1, name="Other"), audit=_audit("e-1"))
    assert taken.value.code == "CONFLICT"
    assert store.published_lists.entries("sat") == [published_entry(1)]
    assert _audited(store) == []


def test_an_entry_is_deleted_once_by_its_own_authority(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    store.authorities.add(authority("cbp"))
    entry = published_entry(1)
    store.published_lists.add_entry(entry)
    removed = "accreditation.removed"
    delete = store.published_lists.delete_entry
    assert delete("cbp", entry.id, audit=_audit("by-cbp", removed)) is False
    assert delete("sat", entry.id, audit=_audit("by-sat", removed)) is True
    assert delete("sat", entry.id, audit=_audit("again", removed)) is False
    assert store.published_lists.entries("sat") == []
    assert _audited(store) == ["by-sat"]


def test_the_latest_version_is_the_highest_sequence(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    store.authorities.add(authority("cbp"))
    assert store.published_lists.latest("sat") is None
    published = "trust_list.published"
    assert store.published_lists.publish(published_list(1), audit=_audit("v1", published))
    assert store.published_lists.publish(published_list(3), audit=_audit("v3", published))
    assert store.published_lists.publish(published_list(2))
    assert store.published_lists.publish(published_list(1, "cbp"))
    assert store.published_lists.latest("sat") == published_list(3)
    assert store.published_lists.latest("cbp") == published_list(1, "cbp")
    assert _audited(store) == ["v1", "v3"]


def test_a_sequence_is_published_once(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    assert store.published_lists.publish(published_list(1))
    other = published_list(1, document="{}", digest="other")
    assert store.published_lists.publish(other, audit=_audit("lost")) is False
    assert store.published_lists.latest("sat") == published_list(1)
    assert _audited(store) == []
    with pytest.raises(StorageError) as unknown:
        store.published_lists.publish(published_list(1, "nobody"))
    assert unknown.value.code == "NOT_FOUND"


def test_racing_publishers_of_one_sequence_leave_one_version(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    results = _race(
        lambda n: store.published_lists.publish(
            published_list(2, digest=f"digest-{n}"), audit=_audit(f"racer-{n}")
        )
    )
    assert sorted(results) == [False] * (RACERS - 1) + [True]
    winner = results.index(True)
    latest = store.published_lists.latest("sat")
    assert latest is not None and latest.digest == f"digest-{winner}"
    assert _audited(store) == [f"racer-{winner}"]


# What the verifier subscribes to


def test_a_subscription_round_trips_with_its_periods(store: SqlStore) -> None:
    scheduled = replace(
        CBP_LIST,
        max_staleness=timedelta(days=2, seconds=5),
        refresh_interval=timedelta(minutes=15),
        etag='W/"x"',
        next_fetch_at=NOW + HOUR,
        failures=2,
        last_error_code="TRUST_LIST_UNREACHABLE",
        last_error_at=NOW,
    )
    store.subscriptions.add(scheduled, audit=_audit("cbp", "trust_list.subscribed"))
    store.subscriptions.add(SAT_LIST)
    assert store.subscriptions.get(CBP_LIST.id) == scheduled
    assert store.subscriptions.get("urn:uuid:nobody") is None
    assert store.subscriptions.list() == [SAT_LIST, scheduled]  # oldest first
    assert _audited(store) == ["cbp"]


def test_a_url_is_subscribed_once(store: SqlStore) -> None:
    store.subscriptions.add(SAT_LIST)
    twin = replace(CBP_LIST, url=SAT_LIST.url)
    with pytest.raises(StorageError) as taken:
        store.subscriptions.add(twin, audit=_audit("twin"))
    assert taken.value.code == "CONFLICT"
    with pytest.raises(StorageError) as same_id:
        store.subscriptions.add(replace(SAT_LIST, url="https://other.example/list"))
    assert same_id.value.code == "CONFLICT"
    assert store.subscriptions.list() == [SAT_LIST]
    assert _audited(store) == []


def test_periods_are_whole_seconds(store: SqlStore) -> None:
    with pytest.raises(ValueError, match="whole seconds"):
        store.subscriptions.add(replace(SAT_LIST, max_staleness=timedelta(milliseconds=1500)))
    assert store.subscriptions.list() == []


def test_accepting_a_version_holds_it_and_clears_the_failures(store: SqlStore) -> None:
    store.subscriptions.add(replace(SAT_LIST, failures=3, last_error_code="X", last_error_at=NOW))
    assert _accept(store, 1, None, audit=_audit("v1"))
    assert _held(store) == replace(
        SAT_LIST,
        sequence=1,
        confirmed_at=snapshot(SAT_LIST.id, 1).accepted_at,
        etag='"1"',
        next_fetch_at=NOW + HOUR,
    )
    assert _accept(store, 4, 1, audit=_audit("v4"))  # gaps are allowed
    assert _held(store).sequence == 4
    assert store.subscriptions.snapshots(SAT_LIST.id) == [
        snapshot(SAT_LIST.id, 1),
        snapshot(SAT_LIST.id, 4),
    ]
    assert _audited(store) == ["v1", "v4"]


def test_sequence_numbers_beyond_32_bits_are_kept(store: SqlStore) -> None:
    large = 3_000_000_000  # e.g. a publisher numbering its versions by epoch seconds
    store.subscriptions.add(SAT_LIST)
    for sequence, previous in ((large, None), (large + 1, large)):
        version = replace(snapshot(SAT_LIST.id, 1), sequence=sequence, digest=str(sequence))
        assert store.subscriptions.accept(
            SAT_LIST.id, version, previous_sequence=previous, etag=None, next_fetch_at=NOW
        )
    assert _held(store).sequence == large + 1


def test_a_version_is_accepted_only_over_the_sequence_its_fetcher_saw(store: SqlStore) -> None:
    store.subscriptions.add(SAT_LIST)
    assert _accept(store, 1, 0) is False  # nothing is held: 0 is not NULL
    assert _accept(store, 1, None)
    assert _accept(store, 2, None, audit=_audit("stale")) is False  # 1 is held now
    assert _accept(store, 3, 2, audit=_audit("stale")) is False
    assert _held(store).sequence == 1
    assert store.subscriptions.snapshots(SAT_LIST.id) == [snapshot(SAT_LIST.id, 1)]
    assert _audited(store) == []
    unknown = snapshot("urn:uuid:nobody", 1)
    accept = store.subscriptions.accept
    held = accept("urn:uuid:nobody", unknown, previous_sequence=None, etag=None, next_fetch_at=NOW)
    assert held is False
    with pytest.raises(ValueError, match="another subscription"):
        accept(CBP_LIST.id, unknown, previous_sequence=None, etag=None, next_fetch_at=NOW)


def test_a_stored_snapshot_is_kept_if_the_same_and_refused_if_not(store: SqlStore) -> None:
    store.subscriptions.add(SAT_LIST)
    assert _accept(store, 1, None)
    assert _accept(store, 1, 1)  # the same version again: stored once
    assert store.subscriptions.snapshots(SAT_LIST.id) == [snapshot(SAT_LIST.id, 1)]
    with pytest.raises(StorageError) as equivocation:
        _accept(store, 1, 1, audit=_audit("other"), digest="another digest")
    assert equivocation.value.code == "CONFLICT"
    assert store.subscriptions.snapshots(SAT_LIST.id) == [snapshot(SAT_LIST.id, 1)]
    assert _audited(store) == []


def test_racing_accepts_over_one_sequence_leave_one_winner(store: SqlStore) -> None:
    store.subscriptions.add(SAT_LIST)
    results = _race(lambda n: _accept(store, 2 + n, None, audit=_audit(f"racer-{n}")))
    assert sorted(results) == [False] * (RACERS - 1) + [True]
    winner = results.index(True)
    assert _held(store).sequence == 2 + winner
    assert store.subscriptions.snapshots(SAT_LIST.id) == [snapshot(SAT_LIST.id, 2 + winner)]
    assert _audited(store) == [f"racer-{winner}"]


def test_held_pairs_each_subscription_with_its_current_snapshot(store: SqlStore) -> None:
    store.subscriptions.add(SAT_LIST)
    store.subscriptions.add(CBP_LIST)
    assert store.subscriptions.held() == [(SAT_LIST, None), (CBP_LIST, None)]
    assert _accept(store, 1, None)
    assert _accept(store, 2, 1)
    assert store.subscriptions.held() == [
        (_held(store), snapshot(SAT_LIST.id, 2)),
        (CBP_LIST, None),
    ]


def test_confirming_moves_only_the_confirmation_of_the_sequence_held(store: SqlStore) -> None:
    store.subscriptions.add(SAT_LIST)
    assert _accept(store, 1, None)
    store.subscriptions.record_failure(SAT_LIST.id, code="X", at=NOW, next_fetch_at=NOW)
    accepted = _held(store)
    later = NOW + 5 * HOUR
    confirm = store.subscriptions.confirm
    confirm(SAT_LIST.id, sequence=2, confirmed_at=later, etag='"2"', next_fetch_at=later)
    assert _held(store) == accepted  # another sequence: nothing changes
    confirm(SAT_LIST.id, sequence=1, confirmed_at=later, etag=None, next_fetch_at=later + HOUR)
    assert _held(store) == replace(
        accepted,
        confirmed_at=later,
        etag=None,
        next_fetch_at=later + HOUR,
        failures=0,
        last_error_code=None,
        last_error_at=None,
    )
    confirm("urn:uuid:nobody", sequence=1, confirmed_at=later, etag=None, next_fetch_at=later)
    assert store.subscriptions.snapshots(SAT_LIST.id) == [snapshot(SAT_LIST.id, 1)]


def test_failures_are_counted_and_audited(store: SqlStore) -> None:
    store.subscriptions.add(SAT_LIST)
    record = store.subscriptions.record_failure
    refused = "trust_list.refused"
    first = record(SAT_LIST.id, code="A", at=NOW, next_fetch_at=NOW + HOUR)
    second = record(
        SAT_LIST.id,
        code="B",
        at=NOW + HOUR,
        next_fetch_at=NOW + 2 * HOUR,
        audit=_audit("B", refused),
    )
    assert (first, second) == (1, 2)
    assert _held(store) == replace(
        SAT_LIST,
        failures=2,
        last_error_code="B",
        last_error_at=NOW + HOUR,
        next_fetch_at=NOW + 2 * HOUR,
    )
    with pytest.raises(StorageError) as unknown:
        record("urn:uuid:nobody", code="A", at=NOW, next_fetch_at=NOW, audit=_audit("none"))
    assert unknown.value.code == "NOT_FOUND"
    assert _audited(store) == ["B"]


def test_due_subscriptions_are_claimed_until_their_claim_ends(store: SqlStore) -> None:
    store.subscriptions.add(SAT_LIST)  # never fetched: due
    store.subscriptions.add(replace(CBP_LIST, next_fetch_at=NOW + 2 * HOUR))
    claimed = store.subscriptions.claim_due(NOW, until=NOW + HOUR)
    assert claimed == [replace(SAT_LIST, next_fetch_at=NOW + HOUR)]
    assert store.subscriptions.claim_due(NOW, until=NOW + HOUR) == []
    assert store.subscriptions.claim_due(NOW + HOUR - timedelta(seconds=1), until=NOW + HOUR) == []
    later = store.subscriptions.claim_due(NOW + 2 * HOUR, until=NOW + 3 * HOUR)
    assert [claim.id for claim in later] == [SAT_LIST.id, CBP_LIST.id]  # due at, or before, now
    assert {claim.next_fetch_at for claim in later} == {NOW + 3 * HOUR}
    with pytest.raises(ValueError, match="after now"):
        store.subscriptions.claim_due(NOW, until=NOW)


def test_racing_claims_give_each_due_subscription_to_one_caller(store: SqlStore) -> None:
    lists = [subscription(n, url=f"https://issuer{n}.example/list") for n in range(1, 6)]
    for listed in lists:
        store.subscriptions.add(listed)
    results = _race(lambda n: store.subscriptions.claim_due(NOW, until=NOW + HOUR))
    claimed = sorted(claim.id for result in results for claim in result)
    assert claimed == sorted(listed.id for listed in lists)


def test_unsubscribing_removes_the_snapshots_and_frees_the_url(store: SqlStore) -> None:
    store.subscriptions.add(SAT_LIST)
    store.subscriptions.add(CBP_LIST)
    assert _accept(store, 1, None)
    assert _accept(store, 2, 1)
    unsubscribed = "trust_list.unsubscribed"
    assert store.subscriptions.delete(SAT_LIST.id, audit=_audit("sat", unsubscribed)) is True
    assert store.subscriptions.delete(SAT_LIST.id, audit=_audit("again", unsubscribed)) is False
    assert store.subscriptions.get(SAT_LIST.id) is None
    assert store.subscriptions.snapshots(SAT_LIST.id) == []
    assert store.subscriptions.list() == [CBP_LIST]
    assert _audited(store) == ["sat"]
    store.subscriptions.add(SAT_LIST)
    assert store.subscriptions.held() == [(SAT_LIST, None), (CBP_LIST, None)]
