"""Bitstring status lists in SQL: allocation of indices, status changes and their audit."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    Table,
    and_,
    exists,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError

from vcservice.errors import StorageError
from vcservice.model.records import (
    AuditEvent,
    StatusChange,
    StatusEntry,
    StatusList,
    StatusPurpose,
    StatusReason,
)
from vcservice.storage import rows
from vcservice.storage.audit import append_entry
from vcservice.storage.common import (
    SqlRepository,
    authority_exists,
    conflict,
    insert_unless_taken,
    not_found,
    utc,
)
from vcservice.storage.schema import status_changes, status_entries, status_lists

__all__ = ["FULL_PERCENT", "SqlStatusRepository", "full_threshold"]

FULL_PERCENT = 90
"""A status list closes to allocation once this share of its indices is taken."""
_PROBES = 128  # random indices tried in one list before it is closed (0.9**128 ≈ 1e-6)
_ROUNDS = 16  # lists one allocation may open or close before it gives up


# A list's own columns, without its published copy (tens of kilobytes: ``published`` reads it).
_LIST = select(*(column for column in status_lists.c if not column.name.startswith("published_")))


def full_threshold(size: int) -> int:
    """How many entries close a list of ``size`` indices: ``FULL_PERCENT`` of it, at least 1."""
    return max(1, size * FULL_PERCENT // 100)


@dataclass(frozen=True, slots=True)
class _Allocation:
    """One ``allocate`` call, checked: its list's shape and the credential to place."""

    authority: str
    purpose: StatusPurpose
    credential_id: str
    size: int
    status_size: int
    now: datetime  # in UTC


class SqlStatusRepository(SqlRepository):
    """Status lists in ``status_lists``, their entries and the audit in ``status_changes``.

    Allocation relies on the database only: the primary key (list_id, index) of
    ``status_entries`` makes an index impossible to give twice, the unique
    (authority, purpose, sequence) of ``status_lists`` makes two processes opening
    "the next list" at once end with one list, and the unique (credential_id, purpose)
    gives a credential one entry per purpose. SQLite serialises every allocation
    (``BEGIN IMMEDIATE``); PostgreSQL runs them side by side at READ COMMITTED and
    settles clashes with ``INSERT … ON CONFLICT DO NOTHING`` and a retry.
    """

    def allocate(
        self,
        *,
        authority: str,
        purpose: StatusPurpose,
        credential_id: str,
        size: int,
        status_size: int,
        now: datetime,
    ) -> StatusEntry:
        """Give ``credential_id`` a uniformly random, never-used index in an open list.

        The open list is the authority's newest list for ``purpose`` that is not full
        and has this ``size`` and ``status_size`` (a changed configuration opens a new
        list; older open lists just stop growing). Without one, the next ``sequence``
        is opened. A list is marked full once ``full_threshold(size)`` of its indices
        are taken (counted in the allocating transaction; on PostgreSQL, concurrent
        allocations may take a few more), or when ``_PROBES`` random indices in a row
        were taken. The entry starts at status 0. An index whose credential is never
        stored stays taken: indices are never reused.

        CONFLICT if the credential already has an entry for ``purpose``; NOT_FOUND for
        an unknown authority; ``ValueError`` for a size or status size below 1.
        """
        purpose = StatusPurpose(purpose)
        if size < 1 or status_size < 1:
            raise ValueError("a status list needs a size and a status size of at least 1")
        request = _Allocation(authority, purpose, credential_id, size, status_size, utc(now))
        for _ in range(_ROUNDS):
            try:
                with self._db.write() as connection:
                    entry = self._allocate_in_open_list(connection, request)
            except IntegrityError:
                self._explain_refused_allocation(authority, purpose, credential_id)
                continue  # not explained: a race settled since; try again
            if entry is not None:
                return entry
        raise StorageError("no status list index could be allocated", code="STORAGE_ERROR")

    def _allocate_in_open_list(
        self, connection: Connection, request: _Allocation
    ) -> StatusEntry | None:
        """Take an index of the open list; None if that list was closed instead."""
        if _has_entry(connection, request.credential_id, request.purpose):
            raise _duplicate_entry(request.credential_id, request.purpose)
        status_list = self._open_list(connection, request)
        threshold = full_threshold(status_list.size)
        taken = connection.scalar(
            select(func.count())
            .select_from(status_entries)
            .where(status_entries.c.list_id == status_list.id)
        )
        taken = taken or 0
        if taken < threshold:
            for _ in range(_PROBES):
                entry = StatusEntry(
                    list_id=status_list.id,
                    index=secrets.randbelow(status_list.size),
                    credential_id=request.credential_id,
                    purpose=request.purpose,
                    status=0,
                )
                row = rows.status_entry_row(entry)
                if insert_unless_taken(connection, status_entries, row, ["list_id", "index"]):
                    if taken + 1 >= threshold:
                        _close(connection, status_list.id)
                    return entry
        _close(connection, status_list.id)
        return None

    @staticmethod
    def _open_list(connection: Connection, request: _Allocation) -> StatusList:
        """The newest open list of this shape, opening the next sequence if there is none.

        The open list and the newest sequence are read in one statement, so in one
        snapshot even at READ COMMITTED: a list opened by another process between two
        reads cannot make this one open a second list beside it. Two processes opening
        the same sequence at once: one insert wins, the other skips it and reads the
        winner's list on its next pass.
        """
        coordinates = (
            status_lists.c.authority == request.authority,
            status_lists.c.purpose == request.purpose.value,
        )
        newest = select(func.max(status_lists.c.sequence)).where(*coordinates).scalar_subquery()
        open_of_shape = and_(
            status_lists.c.full.is_(False),
            status_lists.c.size == request.size,
            status_lists.c.status_size == request.status_size,
        )
        # The newest list, then (when that one is closed) the newest open one of this shape.
        candidates = (
            _LIST.add_columns(open_of_shape.label("usable"))
            .where(*coordinates, or_(open_of_shape, status_lists.c.sequence == newest))
            .order_by(status_lists.c.sequence.desc())
            .limit(2)
        )
        for _ in range(_ROUNDS):
            found = connection.execute(candidates).mappings().all()
            usable = [row for row in found if row["usable"]]
            if usable:
                return rows.to_status_list(usable[0])
            opened = {
                "authority": request.authority,
                "purpose": request.purpose.value,
                "sequence": found[0]["sequence"] + 1 if found else 1,
                "size": request.size,
                "status_size": request.status_size,
                "version": 0,
                "full": False,
                "created_at": request.now,
            }
            insert_unless_taken(
                connection, status_lists, opened, ["authority", "purpose", "sequence"]
            )
        raise StorageError("no status list could be opened", code="STORAGE_ERROR")

    def _explain_refused_allocation(
        self, authority: str, purpose: StatusPurpose, credential_id: str
    ) -> None:
        """Raise CONFLICT or NOT_FOUND for an allocation a constraint refused, if either fits."""
        with self._db.read() as connection:
            duplicate = _has_entry(connection, credential_id, purpose)
            known_authority = authority_exists(connection, authority)
        if duplicate:
            raise _duplicate_entry(credential_id, purpose)
        if not known_authority:
            raise not_found(f"no authority named {authority!r}")

    def entries_for(self, credential_id: str) -> list[StatusEntry]:
        """The credential's entries, one per purpose, by purpose."""
        query = _of_credential(status_entries, credential_id).order_by(status_entries.c.purpose)
        return self._all(query, rows.to_status_entry)

    def change(
        self,
        *,
        credential_id: str,
        purpose: StatusPurpose,
        new_status: int,
        reason: str,
        actor: str,
        now: datetime,
        final_status: int | None = None,
        unless_revoked: bool = False,
        audit: AuditEvent | None = None,
        reason_code: StatusReason | None = None,
    ) -> StatusChange:
        """Set the status, bump the list's version and record the change, in one transaction
        (with ``audit`` appended to the audit log last in it). The change keeps ``reason``
        and ``reason_code`` (a coded reason, or None).

        With ``unless_revoked``, a credential whose revocation entry is set is refused
        (CONFLICT) in the same transaction, so no concurrent request can change a
        revoked credential.

        The entry is read ``FOR UPDATE`` on PostgreSQL (SQLite serialises writers), so
        a concurrent change cannot slip past ``final_status``. Setting the value the
        entry already has is recorded in the history (who asked, and why) but leaves
        the status and the list's ``version`` alone: no bit changed, so a published
        copy stays current. CONFLICT when the current status is ``final_status``
        (even when asked for that same value again); NOT_FOUND without an entry;
        ``ValueError`` when ``new_status`` does not fit in the list's status size.
        """
        purpose = StatusPurpose(purpose)
        reason_code = None if reason_code is None else StatusReason(reason_code)
        changed_at = utc(now)
        query = (
            select(
                status_entries.c.list_id,
                status_entries.c.index,
                status_entries.c.status,
                status_lists.c.status_size,
            )
            .join_from(status_entries, status_lists, status_entries.c.list_id == status_lists.c.id)
            .where(
                status_entries.c.credential_id == credential_id,
                status_entries.c.purpose == purpose.value,
            )
            .with_for_update(of=status_entries)
        )
        with self._db.write() as connection:
            entry = connection.execute(query).mappings().first()
            if entry is None:
                raise not_found(f"credential {credential_id!r} has no {purpose.value} entry")
            if not 0 <= new_status < 2 ** entry["status_size"]:
                raise ValueError(
                    f"status {new_status} does not fit in {entry['status_size']} bit(s)"
                )
            if unless_revoked and self._revoked(connection, credential_id):
                raise conflict(f"{credential_id!r} is revoked; revocation is final")
            if final_status is not None and entry["status"] == final_status:
                raise conflict(
                    f"the {purpose.value} status of {credential_id!r} is final ({final_status})"
                )
            if new_status != entry["status"]:
                connection.execute(
                    update(status_entries)
                    .where(
                        status_entries.c.list_id == entry["list_id"],
                        status_entries.c.index == entry["index"],
                    )
                    .values(status=new_status)
                )
                connection.execute(
                    update(status_lists)
                    .where(status_lists.c.id == entry["list_id"])
                    .values(version=status_lists.c.version + 1)
                )
            record = StatusChange(
                credential_id=credential_id,
                purpose=purpose,
                old_status=entry["status"],
                new_status=new_status,
                reason=reason,
                actor=actor,
                changed_at=changed_at,
                reason_code=reason_code,
            )
            connection.execute(insert(status_changes), rows.status_change_row(record))
            if audit is not None:
                append_entry(connection, audit)
        return record

    @staticmethod
    def _revoked(connection: Connection, credential_id: str) -> bool:
        query = (
            select(status_entries.c.status)
            .where(
                status_entries.c.credential_id == credential_id,
                status_entries.c.purpose == StatusPurpose.REVOCATION.value,
            )
            .with_for_update()
        )
        return bool(connection.execute(query).scalar())

    def history(self, credential_id: str) -> list[StatusChange]:
        """Every recorded change of the credential, in the order they were made."""
        query = _of_credential(status_changes, credential_id).order_by(status_changes.c.id)
        return self._all(query, rows.to_status_change)

    def get_list(self, authority: str, purpose: StatusPurpose, sequence: int) -> StatusList | None:
        """A status list by its public coordinates."""
        purpose = StatusPurpose(purpose)
        query = _LIST.where(
            status_lists.c.authority == authority,
            status_lists.c.purpose == purpose.value,
            status_lists.c.sequence == sequence,
        )
        return self._first(query, rows.to_status_list)

    def get_lists(self, coordinates: Sequence[tuple[str, StatusPurpose, int]]) -> list[StatusList]:
        """The lists among ``coordinates`` that exist, in one query."""
        if not coordinates:
            return []
        wanted = [(name, StatusPurpose(kind).value, number) for name, kind, number in coordinates]
        key = tuple_(status_lists.c.authority, status_lists.c.purpose, status_lists.c.sequence)
        return self._all(_LIST.where(key.in_(wanted)), rows.to_status_list)

    def list_by_id(self, list_id: int) -> StatusList | None:
        """A status list by its id."""
        return self._first(_LIST.where(status_lists.c.id == list_id), rows.to_status_list)

    def lists_of(self, authority: str) -> list[StatusList]:
        """Every status list of ``authority``, by purpose, then sequence."""
        query = _LIST.where(status_lists.c.authority == authority).order_by(
            status_lists.c.purpose, status_lists.c.sequence
        )
        return self._all(query, rows.to_status_list)

    def set_bits(self, list_id: int) -> dict[int, int]:
        """The non-zero statuses of a list: index → status value (empty for no list)."""
        query = (
            select(status_entries.c.index, status_entries.c.status)
            .where(status_entries.c.list_id == list_id, status_entries.c.status != 0)
            .order_by(status_entries.c.index)
        )
        with self._db.read() as connection:
            found = connection.execute(query).all()
        return {index: status for index, status in found}

    def suspended_in(self, revocation_list_id: int) -> list[int]:
        """The indices, in a revocation list, of its credentials that are suspended and not
        revoked: one join over the stored entries the Bitstring lists are built from."""
        revocation, suspension = (
            status_entries.alias("revocation"),
            status_entries.alias("suspension"),
        )
        query = (
            select(revocation.c.index)
            .join(suspension, suspension.c.credential_id == revocation.c.credential_id)
            .where(
                revocation.c.list_id == revocation_list_id,
                revocation.c.purpose == StatusPurpose.REVOCATION.value,
                revocation.c.status == 0,
                suspension.c.purpose == StatusPurpose.SUSPENSION.value,
                suspension.c.status != 0,
            )
            .order_by(revocation.c.index)
        )
        with self._db.read() as connection:
            return [index for (index,) in connection.execute(query).all()]

    def published(self, list_id: int) -> tuple[int, str] | None:
        """The last published (version, signed document) of a list, if any."""
        query = select(status_lists.c.published_version, status_lists.c.published_document).where(
            status_lists.c.id == list_id
        )
        with self._db.read() as connection:
            row = connection.execute(query).first()
        if row is None or row.published_version is None or row.published_document is None:
            return None
        return row.published_version, row.published_document

    def publish(self, list_id: int, version: int, document: str) -> None:
        """Keep a signed copy of ``version`` unless a newer one is stored (same version replaces).

        The version check is in the ``UPDATE`` itself, so concurrent publishers leave
        the newest copy whatever order they commit in. NOT_FOUND for an unknown list;
        ``ValueError`` for a version the list has not reached (it would hide every
        later copy).
        """
        if version < 0:
            raise ValueError("a status list version is never negative")
        keep = (
            update(status_lists)
            .where(
                status_lists.c.id == list_id,
                (status_lists.c.published_version.is_(None))
                | (status_lists.c.published_version <= version),
            )
            .values(published_version=version, published_document=document)
        )
        with self._db.write() as connection:
            current = connection.scalar(
                select(status_lists.c.version).where(status_lists.c.id == list_id)
            )
            if current is None:
                raise not_found(f"no status list {list_id}")
            if version > current:
                raise ValueError(f"status list {list_id} is at version {current}, not {version}")
            connection.execute(keep)


def _of_credential(table: Table, credential_id: str) -> Select[Any]:
    """Every row of ``table`` about the credential ``credential_id``."""
    return select(table).where(table.c.credential_id == credential_id)


def _duplicate_entry(credential_id: str, purpose: StatusPurpose) -> StorageError:
    return conflict(f"credential {credential_id!r} already has a {purpose.value} entry")


def _has_entry(connection: Connection, credential_id: str, purpose: StatusPurpose) -> bool:
    return bool(
        connection.scalar(
            select(
                exists().where(
                    status_entries.c.credential_id == credential_id,
                    status_entries.c.purpose == purpose.value,
                )
            )
        )
    )


def _close(connection: Connection, list_id: int) -> None:
    """Mark a list full: allocation moves on to the next sequence."""
    connection.execute(update(status_lists).where(status_lists.c.id == list_id).values(full=True))
