"""The audit log's hash chain: how an entry's hash is defined, and how the log is checked.

An entry's hash is the lowercase hex SHA-256 of the RFC 8785 (JCS) canonical JSON — keys
sorted, no whitespace, UTF-8 — of this object, which is the entry's JSON form
(``entry_json``) without ``hash``::

    {"action": "credential.issued", "actor": "sat-0123456789abcdef", "authority": "sat",
     "details": {...}, "previousHash": "<hash of entry sequence - 1>",
     "recordedAt": "2026-11-28T12:00:00.000000Z", "requestId": "…" or null,
     "sequence": 7, "subject": "urn:uuid:…"}

``recordedAt`` is in UTC with exactly six fractional digits; ``authority`` and
``requestId`` are ``null`` when absent. The first entry (sequence 1) chains from
``GENESIS_HASH``. Since the previous hash is inside the hashed object, editing, removing,
inserting or moving any entry changes what every later entry should hold.

``verify_chain`` finds what a chain alone shows: an entry that does not match its hash
(edited), a gap in the sequence (removed), an entry whose previous hash is not its
predecessor's (removed and renumbered, or rewritten with new hashes), and an entry that
hashes correctly only at another position (moved). Removing the *last* entries leaves a
shorter chain that is intact in itself, so ``verify_head`` compares the log with its head
(the newest sequence and hash, stored apart and updated with every append). Someone who
can rewrite the whole table *and* the head with recomputed hashes is not detected by
either: that needs the head recorded outside the database (``vcservice audit verify``
prints it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import rfc8785

from vcservice.errors import Problem
from vcservice.model.records import AuditEntry, AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
"""The previous hash of the first entry."""


def format_time(moment: datetime) -> str:
    """``moment`` as hashed: UTC, microseconds, ``Z`` (``2026-11-28T12:00:00.000000Z``)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("audit times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    """The entry as JSON (camelCase members, ``hash`` included)."""
    return _hashed_object(entry) | {"hash": entry.hash}


def entry_hash(entry: AuditEntry) -> str:
    """The hash ``entry`` must carry, from every field but its own ``hash``.

    ``ValueError`` when a field has no canonical JSON form (a float out of range, an
    integer beyond 2**53, a lone surrogate): such an entry was never hashed here.
    """
    return hashlib.sha256(rfc8785.dumps(_hashed_object(entry))).hexdigest()


def chain_entry(event: AuditEvent, *, sequence: int, previous_hash: str) -> AuditEntry:
    """The entry that appends ``event`` after the entry ``sequence - 1`` whose hash is given."""
    unsealed = AuditEntry(
        sequence=sequence,
        recorded_at=event.recorded_at,
        actor=event.actor,
        authority=event.authority,
        action=event.action,
        subject=event.subject,
        details=event.details,
        request_id=event.request_id,
        previous_hash=previous_hash,
        hash="",
    )
    return replace(unsealed, hash=entry_hash(unsealed))


def verify_chain(entries: Sequence[AuditEntry]) -> list[Problem]:
    """Every break in ``entries`` (as stored, by sequence), at most one per entry, in order.

    Each problem's ``field`` names the entry (``entry 7``). An entry is checked against
    its own hash first, then for a gap before it, then — unless the entry before it is
    itself broken, which already explains it — for its link to that entry: a single
    edited or moved entry is one problem, not one per later entry.
    """
    positions = _written_positions(entries)
    problems: list[Problem] = []
    previous_intact = True
    for index, entry in enumerate(entries):
        previous = entries[index - 1] if index else None
        problem = _check(entry, previous, positions.get(index), linked=previous_intact)
        if problem is not None:
            problems.append(problem)
        previous_intact = problem is None
    return problems


def verify_head(entries: Sequence[AuditEntry], head: AuditHead | None) -> list[Problem]:
    """Whether the log ends where its head says; ``head`` None means the head record is gone."""
    if head is None:
        return [
            Problem(
                code="AUDIT_HEAD_MISMATCH",
                detail="the audit log's head record is missing",
                field="head",
            )
        ]
    last_sequence = entries[-1].sequence if entries else 0
    last_hash = entries[-1].hash if entries else GENESIS_HASH
    if head.sequence > last_sequence:
        return [
            Problem(
                code="AUDIT_ENTRY_MISSING",
                detail=(
                    f"entries {last_sequence + 1} to {head.sequence} were removed from the end "
                    f"of the log (its head records entry {head.sequence})"
                ),
                field=f"entry {last_sequence + 1}",
            )
        ]
    if head.sequence < last_sequence:
        return [
            Problem(
                code="AUDIT_HEAD_MISMATCH",
                detail=(
                    f"entries after {head.sequence} were not appended through the log "
                    f"(its head records entry {head.sequence}, the log goes to {last_sequence})"
                ),
                field=f"entry {head.sequence + 1}",
            )
        ]
    if head.hash != last_hash:
        return [
            Problem(
                code="AUDIT_HEAD_MISMATCH",
                detail=f"the head records another hash for entry {head.sequence}",
                field=f"entry {head.sequence}",
            )
        ]
    return []


def verify_log(entries: Sequence[AuditEntry], head: AuditHead | None) -> list[Problem]:
    """``verify_chain`` and then ``verify_head``: every problem of a stored log, in order."""
    return verify_chain(entries) + verify_head(entries, head)


def _hashed_object(entry: AuditEntry) -> dict[str, Any]:
    return {
        "sequence": entry.sequence,
        "recordedAt": format_time(entry.recorded_at),
        "actor": entry.actor,
        "authority": entry.authority,
        "action": entry.action,
        "subject": entry.subject,
        "details": entry.details,
        "requestId": entry.request_id,
        "previousHash": entry.previous_hash,
    }


def _check(
    entry: AuditEntry, previous: AuditEntry | None, written: int | None, *, linked: bool
) -> Problem | None:
    """The first thing wrong with ``entry`` after ``previous``, if anything.

    ``written`` is the position the chain's links give the entry (see ``_written_positions``);
    ``linked`` says whether to check the link to ``previous``.
    """
    field = f"entry {entry.sequence}"
    expected = previous.sequence + 1 if previous else 1
    if entry.sequence < expected:
        return Problem(
            code="AUDIT_ENTRY_OUT_OF_ORDER",
            detail=(
                f"entry {entry.sequence} comes after entry {previous.sequence}"
                if previous
                else f"sequence numbers start at 1, not {entry.sequence}"
            ),
            field=field,
        )
    if not _sealed(entry):
        if written is not None and written != entry.sequence:
            moved = replace(entry, sequence=written)
            if _sealed(moved):
                return Problem(
                    code="AUDIT_ENTRY_OUT_OF_ORDER",
                    detail=(
                        f"the entry at sequence {entry.sequence} was written as entry "
                        f"{written}: the log was reordered"
                    ),
                    field=field,
                )
        return Problem(
            code="AUDIT_ENTRY_ALTERED",
            detail=f"entry {entry.sequence} does not match its hash: it was edited or renumbered",
            field=field,
        )
    if entry.sequence > expected:
        missing = (
            f"entry {expected} is"
            if entry.sequence == expected + 1
            else f"entries {expected} to {entry.sequence - 1} are"
        )
        return Problem(
            code="AUDIT_ENTRY_MISSING",
            detail=f"{missing} missing: the log goes from {expected - 1} to {entry.sequence}",
            field=f"entry {expected}",
        )
    link = previous.hash if previous else GENESIS_HASH
    if linked and entry.previous_hash != link:
        return Problem(
            code="AUDIT_CHAIN_BROKEN",
            detail=(
                f"entry {entry.sequence} does not follow entry {expected - 1}: an entry was "
                "replaced, or removed and the log renumbered"
                if previous
                else "the first entry does not start from the genesis hash"
            ),
            field=field,
        )
    return None


def _sealed(entry: AuditEntry) -> bool:
    """Whether ``entry`` carries the hash its fields give."""
    try:
        return entry_hash(entry) == entry.hash
    except ValueError:
        return False


def _written_positions(entries: Sequence[AuditEntry]) -> dict[int, int]:
    """Index in ``entries`` → position in the chain the links spell out from the genesis hash.

    Following each entry's stored hash to the entry that names it as previous recovers the
    order entries were written in, whatever sequence numbers they carry now. Entries off
    that path (after a removed or rewritten one) get no position.
    """
    following: dict[str, int] = {}
    for index, entry in enumerate(entries):
        following.setdefault(entry.previous_hash, index)
    positions: dict[int, int] = {}
    step = following.get(GENESIS_HASH)
    while step is not None and step not in positions:
        positions[step] = len(positions) + 1
        step = following.get(entries[step].hash)
    return positions
