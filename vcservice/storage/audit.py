"""The audit log in SQL: appends that never fork the chain, and reads to show and check it.

``append_entry`` runs inside the write transaction of the change it records (the other
repositories call it with their ``audit`` argument), so a change and its entry commit
together or not at all. (This module imports nothing of ``storage.common``, which uses it.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, insert, select, update
from sqlalchemy.exc import IntegrityError

from vcservice.audit.chain import chain_entry
from vcservice.errors import StorageError
from vcservice.model.records import AuditEntry, AuditEvent, AuditHead
from vcservice.storage import rows
from vcservice.storage.engine import Database
from vcservice.storage.schema import audit_head, audit_log

__all__ = ["SqlAuditRepository", "append_entry"]

_HEAD_ROW = 1
_HEAD = select(audit_head.c.sequence, audit_head.c.hash).where(audit_head.c.id == _HEAD_ROW)


def append_entry(connection: Connection, event: AuditEvent) -> AuditEntry:
    """Append ``event`` in the caller's write transaction, chained from the current head.

    The head row is read ``FOR UPDATE`` on PostgreSQL (SQLite's ``BEGIN IMMEDIATE``
    already serialises writers), so appends from any number of processes take turns,
    each chaining from the head the one before committed: the chain never forks. The
    lock is held until the transaction ends, so call this last in it; every audited
    change then takes the head's lock after its own rows', in the same order.

    STORAGE_ERROR when the head row is gone or an entry already holds the next
    sequence (both only happen when the tables were edited by hand): appending then
    would hide the damage, so the change is refused with its entry.
    """
    locked = select(audit_head).where(audit_head.c.id == _HEAD_ROW).with_for_update()
    head = connection.execute(locked).mappings().first()
    if head is None:
        raise StorageError(
            "the audit log has lost its head record; run `vcservice audit verify`",
            code="STORAGE_ERROR",
        )
    entry = chain_entry(event, sequence=head["sequence"] + 1, previous_hash=head["hash"])
    try:
        connection.execute(insert(audit_log), rows.audit_entry_row(entry))
    except IntegrityError:
        raise StorageError(
            f"audit entry {entry.sequence} exists beyond the log's head; "
            "run `vcservice audit verify`",
            code="STORAGE_ERROR",
        ) from None
    connection.execute(
        update(audit_head)
        .where(audit_head.c.id == _HEAD_ROW)
        .values(sequence=entry.sequence, hash=entry.hash)
    )
    return entry


class SqlAuditRepository:
    """The hash-chained ``audit_log`` and its one-row ``audit_head``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def append(self, event: AuditEvent) -> AuditEntry:
        """Append ``event`` in a transaction of its own (see ``append_entry``)."""
        with self._db.write() as connection:
            return append_entry(connection, event)

    def head(self) -> AuditHead | None:
        """The newest sequence and hash as recorded (sequence 0 for an empty log)."""
        with self._db.read() as connection:
            head = connection.execute(_HEAD).mappings().first()
        return None if head is None else rows.to_audit_head(head)

    def entries(self, *, after: int = 0, limit: int = 100) -> list[AuditEntry]:
        """Up to ``limit`` entries with a sequence above ``after``, oldest first."""
        if limit < 0:
            raise ValueError("limit must not be negative")
        query = (
            select(audit_log)
            .where(audit_log.c.sequence > after)
            .order_by(audit_log.c.sequence)
            .limit(limit)
        )
        return self._read(query)

    def latest(self, limit: int) -> list[AuditEntry]:
        """The newest ``limit`` entries, oldest first."""
        if limit < 0:
            raise ValueError("limit must not be negative")
        query = select(audit_log).order_by(audit_log.c.sequence.desc()).limit(limit)
        return self._read(query)[::-1]

    def snapshot(self) -> tuple[AuditHead | None, list[AuditEntry]]:
        """The head and every entry, by sequence, read in one snapshot (to check them)."""
        with self._db.read() as connection:
            head = connection.execute(_HEAD).mappings().first()
            found = connection.execute(select(audit_log).order_by(audit_log.c.sequence))
            entries = [rows.to_audit_entry(row) for row in found.mappings()]
        return (None if head is None else rows.to_audit_head(head)), entries

    def _read(self, query: Select[Any]) -> list[AuditEntry]:
        with self._db.read() as connection:
            found = connection.execute(query).mappings().all()
        return [rows.to_audit_entry(row) for row in found]
