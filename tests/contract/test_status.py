"""Status lists, entries and their history behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from tests.contract.builders import NOW, allocation, authority, credential_id
from vcservice.errors import StorageError
from vcservice.model.records import (
    StatusChange,
    StatusEntry,
    StatusList,
    StatusPurpose,
    StatusReason,
)
from vcservice.storage.sql import SqlStore, full_threshold

REVOCATION = StatusPurpose.REVOCATION
SUSPENSION = StatusPurpose.SUSPENSION
MESSAGE = StatusPurpose.MESSAGE


def _code(excinfo: pytest.ExceptionInfo[StorageError]) -> str:
    return excinfo.value.code


def _list(store: SqlStore, sequence: int, purpose: StatusPurpose = REVOCATION) -> StatusList:
    found = store.statuses.get_list("sat", purpose, sequence)
    assert found is not None, f"no {purpose.value} list {sequence}"
    return found


def _change(store: SqlStore, number: int, new_status: int, **changes: Any) -> StatusChange:
    arguments: dict[str, Any] = {
        "credential_id": credential_id(number),
        "purpose": REVOCATION,
        "new_status": new_status,
        "reason": f"set to {new_status}",
        "actor": "client-1",
        "now": NOW,
        **changes,
    }
    return store.statuses.change(**arguments)


# Allocation


def test_allocation_gives_distinct_random_indices_within_the_list(
    store: SqlStore, sat: str
) -> None:
    entries = [store.statuses.allocate(**allocation(n, size=4096)) for n in range(20)]
    indices = [entry.index for entry in entries]
    assert len(set(indices)) == 20
    assert all(0 <= index < 4096 for index in indices)
    assert indices != sorted(indices)  # random, not handed out in order
    assert indices != list(range(indices[0], indices[0] + 20))
    assert max(indices) - min(indices) > 1000  # spread over the list (fails with p ≈ 1e-13)
    status_list = _list(store, 1)
    assert store.statuses.list_by_id(status_list.id) == status_list
    assert status_list == StatusList(
        id=status_list.id,
        authority=sat,
        purpose=REVOCATION,
        sequence=1,
        size=4096,
        status_size=1,
        version=0,
        full=False,
        created_at=NOW,
    )
    assert {entry.list_id for entry in entries} == {status_list.id}
    assert store.statuses.entries_for(credential_id(3)) == [entries[3]]
    assert entries[3] == StatusEntry(
        list_id=status_list.id,
        index=indices[3],
        credential_id=credential_id(3),
        purpose=REVOCATION,
        status=0,
    )


def test_a_list_closes_at_ninety_percent_and_the_next_sequence_opens(
    store: SqlStore, sat: str
) -> None:
    threshold = full_threshold(64)
    assert threshold == 57
    first = [store.statuses.allocate(**allocation(n, size=64)) for n in range(threshold)]
    assert {entry.list_id for entry in first} == {_list(store, 1).id}
    assert len({entry.index for entry in first}) == threshold
    assert all(0 <= entry.index < 64 for entry in first)
    assert _list(store, 1).full
    assert store.statuses.get_list(sat, REVOCATION, 2) is None
    following = store.statuses.allocate(**allocation(threshold, size=64))
    second = _list(store, 2)
    assert (following.list_id, second.full, second.size) == (second.id, False, 64)
    assert second.id != first[0].list_id


def test_a_one_index_list_holds_one_entry(store: SqlStore, sat: str) -> None:
    entries = [store.statuses.allocate(**allocation(n, size=1)) for n in range(3)]
    assert [entry.index for entry in entries] == [0, 0, 0]
    assert [entry.list_id for entry in entries] == [_list(store, s).id for s in (1, 2, 3)]
    assert all(_list(store, s).full for s in (1, 2, 3))


def test_a_credential_has_one_entry_per_purpose(store: SqlStore, sat: str) -> None:
    revocation = store.statuses.allocate(**allocation(1))
    with pytest.raises(StorageError) as excinfo:
        store.statuses.allocate(**allocation(1))
    assert _code(excinfo) == "CONFLICT"
    with pytest.raises(StorageError) as excinfo:
        store.statuses.allocate(**allocation(1, size=128))  # in another list as well
    assert _code(excinfo) == "CONFLICT"
    suspension = store.statuses.allocate(**allocation(1, purpose=SUSPENSION))
    assert suspension.list_id != revocation.list_id
    assert _list(store, 1, SUSPENSION).id == suspension.list_id
    assert store.statuses.entries_for(credential_id(1)) == [revocation, suspension]
    assert store.statuses.entries_for(credential_id(2)) == []
    assert store.statuses.get_list(sat, REVOCATION, 2) is None  # the refusals opened nothing


def test_lists_are_per_authority_and_purpose(store: SqlStore, sat: str) -> None:
    store.authorities.add(authority("cbp"))
    sat_entry = store.statuses.allocate(**allocation(1))
    cbp_entry = store.statuses.allocate(**allocation(2, "cbp"))
    message = store.statuses.allocate(**allocation(3, purpose=MESSAGE, status_size=2))
    cbp_list = store.statuses.get_list("cbp", REVOCATION, 1)
    assert cbp_list is not None
    assert cbp_entry.list_id == cbp_list.id != sat_entry.list_id
    assert _list(store, 1, MESSAGE).status_size == 2
    assert len({sat_entry.list_id, cbp_entry.list_id, message.list_id}) == 3


def test_lists_of_an_authority_come_by_purpose_then_sequence(store: SqlStore, sat: str) -> None:
    store.authorities.add(authority("cbp"))
    for number in range(3):
        store.statuses.allocate(**allocation(number, size=1))
    store.statuses.allocate(**allocation(3, purpose=MESSAGE, status_size=2))
    store.statuses.allocate(**allocation(4, "cbp"))
    found = [(found.purpose, found.sequence) for found in store.statuses.lists_of(sat)]
    assert found == [(MESSAGE, 1), (REVOCATION, 1), (REVOCATION, 2), (REVOCATION, 3)]
    assert store.statuses.lists_of("nobody") == []


def test_a_list_of_another_shape_opens_a_new_sequence(store: SqlStore, sat: str) -> None:
    small = store.statuses.allocate(**allocation(1, size=64))
    large = store.statuses.allocate(**allocation(2, size=128))
    assert (_list(store, 2).size, large.list_id) == (128, _list(store, 2).id)
    wider = store.statuses.allocate(**allocation(3, size=128, status_size=2))
    assert (_list(store, 3).status_size, wider.list_id) == (2, _list(store, 3).id)
    again = store.statuses.allocate(**allocation(4, size=64))  # the first list is still open
    assert again.list_id == small.list_id
    assert not _list(store, 1).full


def test_allocation_for_an_unknown_authority_is_not_found(store: SqlStore) -> None:
    with pytest.raises(StorageError) as excinfo:
        store.statuses.allocate(**allocation(1, "nobody"))
    assert _code(excinfo) == "NOT_FOUND"


@pytest.mark.parametrize(("size", "status_size"), [(0, 1), (64, 0), (-1, 1)])
def test_allocation_refuses_empty_lists(
    store: SqlStore, sat: str, size: int, status_size: int
) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        store.statuses.allocate(**allocation(1, size=size, status_size=status_size))


# Changes


def test_change_sets_the_status_bumps_the_version_and_is_recorded(
    store: SqlStore, sat: str
) -> None:
    entry = store.statuses.allocate(**allocation(1))
    store.statuses.allocate(**allocation(2))
    later = NOW + timedelta(hours=1)
    change = _change(store, 1, 1, reason="fraud", actor="officer@sat", now=later, final_status=1)
    assert change == StatusChange(
        credential_id=credential_id(1),
        purpose=REVOCATION,
        old_status=0,
        new_status=1,
        reason="fraud",
        actor="officer@sat",
        changed_at=later,
    )
    assert store.statuses.entries_for(credential_id(1)) == [
        StatusEntry(entry.list_id, entry.index, credential_id(1), REVOCATION, 1)
    ]
    assert _list(store, 1).version == 1
    assert store.statuses.set_bits(entry.list_id) == {entry.index: 1}
    assert store.statuses.history(credential_id(1)) == [change]
    assert store.statuses.history(credential_id(2)) == []


def test_suspension_is_lifted_and_history_is_oldest_first(store: SqlStore, sat: str) -> None:
    entry = store.statuses.allocate(**allocation(1, purpose=SUSPENSION))
    changes = [
        _change(store, 1, status, purpose=SUSPENSION, now=NOW + timedelta(minutes=minute))
        for minute, status in enumerate([1, 0, 1, 0])
    ]
    assert [(c.old_status, c.new_status) for c in changes] == [(0, 1), (1, 0), (0, 1), (1, 0)]
    assert store.statuses.history(credential_id(1)) == changes
    assert _list(store, 1, SUSPENSION).version == 4
    assert store.statuses.set_bits(entry.list_id) == {}


def test_suspended_in_finds_the_suspended_unrevoked_credentials_of_a_revocation_list(
    store: SqlStore, sat: str
) -> None:
    revocations = {n: store.statuses.allocate(**allocation(n)) for n in (1, 2, 3, 4)}
    for n in (1, 2, 3, 4):
        store.statuses.allocate(**allocation(n, purpose=SUSPENSION))
    _change(store, 1, 1, purpose=SUSPENSION)  # suspended
    _change(store, 2, 1, purpose=SUSPENSION, now=NOW + timedelta(minutes=1))
    _change(store, 2, 1, now=NOW + timedelta(minutes=2))  # suspended, then revoked
    _change(store, 3, 1, purpose=SUSPENSION, now=NOW + timedelta(minutes=3))
    _change(store, 3, 0, purpose=SUSPENSION, now=NOW + timedelta(minutes=4))  # reinstated
    list_id = revocations[1].list_id
    assert {entry.list_id for entry in revocations.values()} == {list_id}
    assert store.statuses.suspended_in(list_id) == [revocations[1].index]
    assert store.statuses.suspended_in(list_id + 1000) == []


def test_history_keeps_the_order_of_changes_made_at_one_instant(store: SqlStore, sat: str) -> None:
    store.statuses.allocate(**allocation(1, purpose=SUSPENSION))
    store.statuses.allocate(**allocation(1))
    made = [
        _change(store, 1, 1, purpose=SUSPENSION),
        _change(store, 1, 0, purpose=SUSPENSION, reason="cleared"),
        _change(store, 1, 1),
        _change(store, 1, 1, purpose=SUSPENSION, reason="again"),
    ]
    assert store.statuses.history(credential_id(1)) == made


def test_a_coded_reason_is_kept_beside_the_note(store: SqlStore, sat: str) -> None:
    store.statuses.allocate(**allocation(1, purpose=SUSPENSION))
    store.statuses.allocate(**allocation(1))
    made = [
        _change(
            store,
            1,
            1,
            purpose=SUSPENSION,
            reason="CBP case 2026-114",
            reason_code=StatusReason.SECURITY_INCIDENT,
        ),
        _change(store, 1, 0, purpose=SUSPENSION, reason_code=StatusReason.REINSTATED),
        _change(store, 1, 1, purpose=SUSPENSION),  # no coded reason
        _change(store, 1, 1, reason_code=StatusReason.CANCELLED, final_status=1),
    ]
    assert [(c.reason, c.reason_code) for c in made] == [
        ("CBP case 2026-114", StatusReason.SECURITY_INCIDENT),
        ("set to 0", StatusReason.REINSTATED),
        ("set to 1", None),
        ("set to 1", StatusReason.CANCELLED),
    ]
    history = store.statuses.history(credential_id(1))
    assert history == made
    assert [type(c.reason_code) for c in history] == [StatusReason] * 2 + [type(None)] + [
        StatusReason
    ]
    with store.engine.connect() as connection:
        stored = connection.scalars(sa.text("SELECT reason_code FROM status_changes ORDER BY id"))
        assert list(stored) == [
            "StatusReasonSecurityIncident",
            "StatusReasonReinstated",
            None,
            "StatusReasonCancelled",
        ]


def test_an_unknown_reason_code_is_refused_before_anything_is_written(
    store: SqlStore, sat: str
) -> None:
    store.statuses.allocate(**allocation(1))
    with pytest.raises(ValueError, match="StatusReason"):
        _change(store, 1, 1, reason_code="SecurityIncident")
    assert store.statuses.history(credential_id(1)) == []
    assert _list(store, 1).version == 0


def test_a_revoked_credential_stays_revoked(store: SqlStore, sat: str) -> None:
    entry = store.statuses.allocate(**allocation(1))
    revoked = _change(store, 1, 1, final_status=1)
    for new_status in (0, 1):
        with pytest.raises(StorageError) as excinfo:
            _change(store, 1, new_status, final_status=1)
        assert _code(excinfo) == "CONFLICT"
    assert store.statuses.history(credential_id(1)) == [revoked]
    assert _list(store, 1).version == 1
    assert store.statuses.set_bits(entry.list_id) == {entry.index: 1}


def test_setting_the_current_status_is_recorded_without_a_new_version(
    store: SqlStore, sat: str
) -> None:
    entry = store.statuses.allocate(**allocation(1, purpose=SUSPENSION))
    first = _change(store, 1, 1, purpose=SUSPENSION, reason="audit")
    repeated = _change(store, 1, 1, purpose=SUSPENSION, reason="audit, again", actor="admin")
    assert (repeated.old_status, repeated.new_status) == (1, 1)
    assert store.statuses.history(credential_id(1)) == [first, repeated]
    assert _list(store, 1, SUSPENSION).version == 1  # no bit changed: published copy stays valid
    assert store.statuses.set_bits(entry.list_id) == {entry.index: 1}


def test_change_without_an_entry_is_not_found(store: SqlStore, sat: str) -> None:
    store.statuses.allocate(**allocation(1))
    for number, purpose in [(2, REVOCATION), (1, SUSPENSION)]:
        with pytest.raises(StorageError) as excinfo:
            _change(store, number, 1, purpose=purpose)
        assert _code(excinfo) == "NOT_FOUND"
    assert store.statuses.history(credential_id(1)) == []


def test_a_status_must_fit_the_status_size(store: SqlStore, sat: str) -> None:
    entry = store.statuses.allocate(**allocation(1, purpose=MESSAGE, status_size=2))
    _change(store, 1, 3, purpose=MESSAGE)
    for too_wide in (4, -1):
        with pytest.raises(ValueError, match="bit"):
            _change(store, 1, too_wide, purpose=MESSAGE)
    store.statuses.allocate(**allocation(2))
    with pytest.raises(ValueError, match="bit"):
        _change(store, 2, 2)
    assert store.statuses.set_bits(entry.list_id) == {entry.index: 3}
    assert len(store.statuses.history(credential_id(1))) == 1


def test_set_bits_lists_the_non_zero_statuses_of_one_list(store: SqlStore, sat: str) -> None:
    entries = [store.statuses.allocate(**allocation(n)) for n in range(6)]
    other = store.statuses.allocate(**allocation(9, purpose=SUSPENSION))
    for number in (1, 4):
        _change(store, number, 1)
    _change(store, 2, 1)
    _change(store, 2, 0)
    _change(store, 9, 1, purpose=SUSPENSION)
    assert store.statuses.set_bits(entries[0].list_id) == {
        entries[1].index: 1,
        entries[4].index: 1,
    }
    assert store.statuses.set_bits(other.list_id) == {other.index: 1}
    assert store.statuses.set_bits(other.list_id + entries[0].list_id + 100) == {}
    assert _list(store, 1).version == 4


def test_racing_changes_never_undo_a_final_status(store: SqlStore, sat: str) -> None:
    """Revocations and reinstatements at once: nothing is accepted after the revocation."""
    store.statuses.allocate(**allocation(1))
    start = threading.Barrier(8)

    def attempt(number: int) -> str:
        start.wait(timeout=60)
        try:
            _change(store, 1, number % 2, reason=str(number), final_status=1)
        except StorageError as exc:
            return exc.code
        return "ok"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    history = store.statuses.history(credential_id(1))
    assert outcomes.count("ok") == len(history)
    assert set(outcomes) <= {"ok", "CONFLICT"}
    statuses = [change.new_status for change in history]
    assert statuses.index(1) == len(statuses) - 1  # the revocation is the last change
    assert all(a.new_status == b.old_status for a, b in itertools.pairwise(history))
    assert _list(store, 1).version == sum(c.old_status != c.new_status for c in history)


# Publication


def test_publish_keeps_the_newest_copy(store: SqlStore, sat: str) -> None:
    store.statuses.allocate(**allocation(1, purpose=SUSPENSION))
    list_id = _list(store, 1, SUSPENSION).id
    assert store.statuses.published(list_id) is None
    store.statuses.publish(list_id, 0, "v0")
    assert store.statuses.published(list_id) == (0, "v0")
    _change(store, 1, 1, purpose=SUSPENSION)
    _change(store, 1, 0, purpose=SUSPENSION)
    store.statuses.publish(list_id, 2, "v2")
    store.statuses.publish(list_id, 1, "v1")  # a slow publisher of an older version
    assert store.statuses.published(list_id) == (2, "v2")
    store.statuses.publish(list_id, 2, "v2 signed again")  # the same version replaces
    assert store.statuses.published(list_id) == (2, "v2 signed again")
    assert _list(store, 1, SUSPENSION).version == 2  # publishing is no status change


def test_publish_refuses_unknown_lists_and_future_versions(store: SqlStore, sat: str) -> None:
    entry = store.statuses.allocate(**allocation(1))
    with pytest.raises(StorageError) as excinfo:
        store.statuses.publish(entry.list_id + 100, 0, "doc")
    assert _code(excinfo) == "NOT_FOUND"
    for version in (1, -1):
        with pytest.raises(ValueError, match="version"):
            store.statuses.publish(entry.list_id, version, "doc")
    assert store.statuses.published(entry.list_id) is None
    assert store.statuses.published(entry.list_id + 100) is None


def test_lookups_of_absent_lists(store: SqlStore, sat: str) -> None:
    entry = store.statuses.allocate(**allocation(1))
    assert store.statuses.list_by_id(entry.list_id) == _list(store, 1)
    assert store.statuses.list_by_id(entry.list_id + 100) is None
    assert store.statuses.get_list(sat, REVOCATION, 2) is None
    assert store.statuses.get_list(sat, SUSPENSION, 1) is None
    assert store.statuses.get_list("nobody", REVOCATION, 1) is None
    assert store.statuses.entries_for("urn:uuid:nobody") == []


# Time


def test_status_timestamps_come_back_in_utc(store: SqlStore, sat: str) -> None:
    mexico_city = timezone(timedelta(hours=-6))
    local = datetime(2026, 11, 28, 6, 0, 0, 123456, tzinfo=mexico_city)
    store.statuses.allocate(**{**allocation(1), "now": local})
    change = _change(store, 1, 1, now=local)
    (stored,) = store.statuses.history(credential_id(1))
    for value in (change.changed_at, stored.changed_at, _list(store, 1).created_at):
        assert value.tzinfo is UTC
        assert value == datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=UTC)
    assert stored == change


def test_naive_status_timestamps_are_refused(store: SqlStore, sat: str) -> None:
    naive = datetime(2026, 11, 28, 12, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.statuses.allocate(**{**allocation(1), "now": naive})
    assert store.statuses.get_list(sat, REVOCATION, 1) is None
    store.statuses.allocate(**allocation(1))
    with pytest.raises(ValueError, match="timezone-aware"):
        _change(store, 1, 1, now=naive)
    assert store.statuses.history(credential_id(1)) == []


def test_unless_revoked_refuses_any_purpose_of_a_revoked_credential(
    store: SqlStore, sat: str
) -> None:
    for purpose in (StatusPurpose.REVOCATION, StatusPurpose.SUSPENSION):
        store.statuses.allocate(
            authority=sat,
            purpose=purpose,
            credential_id="urn:uuid:r-1",
            size=64,
            status_size=1,
            now=NOW,
        )
    store.statuses.change(
        credential_id="urn:uuid:r-1",
        purpose=StatusPurpose.SUSPENSION,
        new_status=1,
        reason="incident",
        actor="cbp",
        now=NOW,
        unless_revoked=True,
    )
    store.statuses.change(
        credential_id="urn:uuid:r-1",
        purpose=StatusPurpose.REVOCATION,
        new_status=1,
        reason="cancelled",
        actor="cbp",
        now=NOW,
        unless_revoked=True,
    )
    with pytest.raises(StorageError) as refused:
        store.statuses.change(
            credential_id="urn:uuid:r-1",
            purpose=StatusPurpose.SUSPENSION,
            new_status=0,
            reason="reinstate",
            actor="cbp",
            now=NOW,
            unless_revoked=True,
        )
    assert refused.value.code == "CONFLICT"
    suspension = {
        entry.purpose: entry.status for entry in store.statuses.entries_for("urn:uuid:r-1")
    }[StatusPurpose.SUSPENSION]
    assert suspension == 1
