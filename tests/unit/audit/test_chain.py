"""The audit hash chain: the hash definition, and every kind of damage found and named."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.audit_events import T0, chain, event
from vcservice.audit.chain import (
    GENESIS_HASH,
    chain_entry,
    entry_hash,
    entry_json,
    format_time,
    verify_chain,
    verify_head,
    verify_log,
)
from vcservice.errors import Problem
from vcservice.model.records import AuditEntry, AuditHead


def _codes(problems: list[Problem]) -> list[tuple[str, str | None]]:
    return [(problem.code, problem.field) for problem in problems]


def _head(entries: list[AuditEntry]) -> AuditHead:
    return (
        AuditHead(entries[-1].sequence, entries[-1].hash) if entries else AuditHead(0, GENESIS_HASH)
    )


def _rehashed(entry: AuditEntry, **changes: object) -> AuditEntry:
    """``entry`` edited by someone who also recomputed its hash."""
    edited = replace(entry, **changes)  # type: ignore[arg-type]
    return replace(edited, hash=entry_hash(edited))


# ---------------------------------------------------------------- the hash


def test_the_hash_is_sha256_of_the_jcs_form_of_every_other_field() -> None:
    entry = chain_entry(
        event(1, details={"ñ": "✓", "b": [2, 1], "a": None}, request_id=None),
        sequence=1,
        previous_hash=GENESIS_HASH,
    )
    canonical = (
        '{"action":"credential.issued","actor":"sat-client","authority":"sat",'
        '"details":{"a":null,"b":[2,1],"ñ":"✓"},"previousHash":"' + "0" * 64 + '",'
        '"recordedAt":"2026-11-28T12:00:01.123456Z","requestId":null,"sequence":1,'
        '"subject":"urn:uuid:00000000-0000-4000-8000-000000000001"}'
    )
    assert entry.hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert entry_json(entry) == {
        "sequence": 1,
        "recordedAt": "2026-11-28T12:00:01.123456Z",
        "actor": "sat-client",
        "authority": "sat",
        "action": "credential.issued",
        "subject": "urn:uuid:00000000-0000-4000-8000-000000000001",
        "details": {"ñ": "✓", "b": [2, 1], "a": None},
        "requestId": None,
        "previousHash": GENESIS_HASH,
        "hash": entry.hash,
    }


def test_every_field_but_the_hash_is_covered() -> None:
    entry = chain(1)[0]
    edits = {
        "sequence": 2,
        "recorded_at": entry.recorded_at + timedelta(microseconds=1),
        "actor": "admin",
        "authority": None,
        "action": "client.created",
        "subject": "other",
        "details": {},
        "request_id": "request-2",
        "previous_hash": "f" * 64,
    }
    for name, value in edits.items():
        assert entry_hash(replace(entry, **{name: value})) != entry.hash, name  # type: ignore[arg-type]


def test_times_are_hashed_in_utc_whatever_their_offset() -> None:
    mexico_city = timezone(timedelta(hours=-6))
    assert format_time(T0.astimezone(mexico_city)) == "2026-11-28T12:00:00.123456Z"
    assert format_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05.000000Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 1, 2))


def test_entries_chain_from_the_genesis_hash() -> None:
    first, second = chain(2)
    assert (first.sequence, first.previous_hash) == (1, GENESIS_HASH)
    assert (second.sequence, second.previous_hash) == (2, first.hash)


# ---------------------------------------------------------------- an intact log


@pytest.mark.parametrize("length", [0, 1, 5])
def test_an_intact_log_has_no_problems(length: int) -> None:
    entries = chain(length)
    assert verify_log(entries, _head(entries)) == []


# ---------------------------------------------------------------- edits


def test_an_edited_entry_is_named() -> None:
    entries = chain(5)
    entries[2] = replace(entries[2], actor="someone-else")
    assert _codes(verify_log(entries, _head(chain(5)))) == [("AUDIT_ENTRY_ALTERED", "entry 3")]


def test_an_edited_detail_is_named() -> None:
    entries = chain(5)
    entries[3] = replace(entries[3], details={"type": "OEACertificate", "format": "vc+jwt"})
    assert _codes(verify_chain(entries)) == [("AUDIT_ENTRY_ALTERED", "entry 4")]


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = chain(5)
    entries[2] = _rehashed(entries[2], actor="someone-else")
    assert _codes(verify_chain(entries)) == [("AUDIT_CHAIN_BROKEN", "entry 4")]


def test_an_edited_first_entry_rehashed_from_elsewhere_is_off_the_genesis() -> None:
    entries = chain(2)
    entries[0] = _rehashed(entries[0], previous_hash="f" * 64)
    problems = verify_chain(entries)  # entry 2's stale link follows from it: not repeated
    assert _codes(problems) == [("AUDIT_CHAIN_BROKEN", "entry 1")]
    assert "genesis" in problems[0].detail


def test_a_detail_json_cannot_carry_is_an_edit() -> None:
    entries = chain(2)
    entries[1] = replace(entries[1], details={"n": 2**60})
    assert _codes(verify_chain(entries)) == [("AUDIT_ENTRY_ALTERED", "entry 2")]


# ---------------------------------------------------------------- removals


def test_a_removed_entry_is_a_gap_named_by_its_sequence() -> None:
    entries = chain(5)
    del entries[2]
    problems = verify_log(entries, _head(chain(5)))
    assert _codes(problems) == [("AUDIT_ENTRY_MISSING", "entry 3")]
    assert problems[0].detail == "entry 3 is missing: the log goes from 2 to 4"


def test_removed_first_entries_are_a_gap_too() -> None:
    entries = chain(4)[2:]
    problems = verify_chain(entries)
    assert _codes(problems) == [("AUDIT_ENTRY_MISSING", "entry 1")]
    assert problems[0].detail == "entries 1 to 2 are missing: the log goes from 0 to 3"


def test_a_removed_entry_with_the_rest_renumbered_is_found() -> None:
    entries = chain(5)
    del entries[2]
    entries[2:] = [replace(entry, sequence=entry.sequence - 1) for entry in entries[2:]]
    problems = verify_log(entries, _head(chain(5)))
    assert problems[0] == Problem(
        "AUDIT_ENTRY_ALTERED",
        "entry 3 does not match its hash: it was edited or renumbered",
        "entry 3",
    )


def test_a_removed_entry_with_the_rest_renumbered_and_rehashed_breaks_the_link() -> None:
    entries = chain(5)
    del entries[2]
    for index in range(2, len(entries)):
        entries[index] = _rehashed(entries[index], sequence=index + 1)
    assert _codes(verify_chain(entries)) == [("AUDIT_CHAIN_BROKEN", "entry 3")]


def test_a_removed_tail_is_found_only_with_the_head() -> None:
    entries = chain(5)
    truncated = entries[:3]
    assert verify_chain(truncated) == []
    problems = verify_log(truncated, _head(entries))
    assert _codes(problems) == [("AUDIT_ENTRY_MISSING", "entry 4")]
    assert "removed from the end" in problems[0].detail


def test_a_log_emptied_entirely_is_found_with_the_head() -> None:
    assert _codes(verify_log([], _head(chain(2)))) == [("AUDIT_ENTRY_MISSING", "entry 1")]


# ---------------------------------------------------------------- reordering


def test_two_swapped_entries_are_named_as_moved() -> None:
    entries = chain(5)
    second, third = entries[1], entries[2]
    entries[1], entries[2] = replace(third, sequence=2), replace(second, sequence=3)
    problems = verify_log(entries, _head(chain(5)))
    assert _codes(problems) == [
        ("AUDIT_ENTRY_OUT_OF_ORDER", "entry 2"),
        ("AUDIT_ENTRY_OUT_OF_ORDER", "entry 3"),
    ]
    assert problems[0].detail == (
        "the entry at sequence 2 was written as entry 3: the log was reordered"
    )


def test_an_entry_moved_far_is_named_as_moved() -> None:
    entries = chain(6)
    moved = entries.pop(1)
    entries = [replace(entry, sequence=n) for n, entry in enumerate([*entries, moved], start=1)]
    problems = verify_chain(entries)
    assert problems[0].code == "AUDIT_ENTRY_OUT_OF_ORDER"
    assert problems[-1] == Problem(
        "AUDIT_ENTRY_OUT_OF_ORDER",
        "the entry at sequence 6 was written as entry 2: the log was reordered",
        "entry 6",
    )


def test_entries_given_out_of_sequence_order_are_named() -> None:
    entries = chain(3)
    entries[1], entries[2] = entries[2], entries[1]
    assert ("AUDIT_ENTRY_OUT_OF_ORDER", "entry 2") in _codes(verify_chain(entries))


def test_a_sequence_below_one_is_out_of_order() -> None:
    entry = chain_entry(event(1), sequence=0, previous_hash=GENESIS_HASH)
    assert _codes(verify_chain([entry])) == [("AUDIT_ENTRY_OUT_OF_ORDER", "entry 0")]


# ---------------------------------------------------------------- the head


def test_a_missing_head_record_is_named() -> None:
    assert _codes(verify_head(chain(2), None)) == [("AUDIT_HEAD_MISMATCH", "head")]


def test_entries_appended_past_the_head_are_named() -> None:
    entries = chain(4)
    assert _codes(verify_head(entries, _head(entries[:2]))) == [("AUDIT_HEAD_MISMATCH", "entry 3")]


def test_a_head_with_another_hash_is_named() -> None:
    entries = chain(3)
    head = AuditHead(3, "f" * 64)
    assert _codes(verify_head(entries, head)) == [("AUDIT_HEAD_MISMATCH", "entry 3")]


def test_an_edited_last_entry_rehashed_still_disagrees_with_the_head() -> None:
    entries = chain(3)
    head = _head(entries)
    entries[2] = _rehashed(entries[2], actor="someone-else")
    assert _codes(verify_log(entries, head)) == [("AUDIT_HEAD_MISMATCH", "entry 3")]
