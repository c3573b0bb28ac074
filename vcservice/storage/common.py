"""What every SQL repository shares: error helpers, conflict-free inserts, short queries.

A violated constraint becomes ``StorageError`` CONFLICT (or NOT_FOUND for an unknown
authority); the transactions themselves, and how other failures surface, are
``engine.Database``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Connection,
    RowMapping,
    Select,
    Table,
    Update,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from vcservice.errors import StorageError
from vcservice.model.records import AuditEvent
from vcservice.model.requester import ADDRESS_PREFIX
from vcservice.storage.audit import append_entry
from vcservice.storage.engine import Database
from vcservice.storage.repository import LimitReached, OpenLimit
from vcservice.storage.rows import Row
from vcservice.storage.schema import authorities

_Record = TypeVar("_Record")


def conflict(message: str) -> StorageError:
    """A CONFLICT ``StorageError``."""
    return StorageError(message, code="CONFLICT")


def not_found(message: str) -> StorageError:
    """A NOT_FOUND ``StorageError``."""
    return StorageError(message, code="NOT_FOUND")


def authority_exists(connection: Connection, name: str) -> bool:
    """Whether an authority called ``name`` is stored."""
    return bool(connection.scalar(select(exists().where(authorities.c.name == name))))


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; naive datetimes are refused, as ``schema.UtcDateTime`` does."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC)


def insert_unless_taken(
    connection: Connection, table: Table, values: dict[str, Any], key: list[str]
) -> bool:
    """Insert ``values`` unless a row with the same ``key`` exists; whether it was inserted.

    ``INSERT … ON CONFLICT (key) DO NOTHING`` on both backends: a clash on ``key``
    neither raises nor (on PostgreSQL) aborts the transaction, and waits for a
    concurrent uncommitted insert of that key to settle. Other constraints still raise.
    """
    statement: Any
    if connection.dialect.name == "postgresql":
        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=key)
    else:
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=key)
    statement = statement.values(values).execution_options(preserve_rowcount=True)
    return bool(connection.execute(statement).rowcount == 1)


def limit_reached(
    connection: Connection,
    table: Table,
    is_open: ColumnElement[bool],
    *,
    caller: str | None,
    limit: OpenLimit,
) -> LimitReached | None:
    """Whether ``caller`` may not add one more open row to ``table`` (whose ``is_open``
    rows count): it holds ``limit.own`` already, or anonymous callers ``limit.pool``.

    Run it in the write that adds the row. On PostgreSQL it first takes a transaction
    lock on (``table``, ``caller``), so the writes of one caller count and add one after
    the other across processes; SQLite's writes are serialised already. The pool is
    counted without a lock: writes at the same moment may pass it by their number.
    """
    if caller is None:
        raise ValueError("a record counted against a limit names its caller")
    if connection.dialect.name == "postgresql":
        key = func.hashtextextended(f"{table.name}:{caller}", 0)
        connection.execute(select(func.pg_advisory_xact_lock(key)))
    own = _full(connection, table, is_open, table.c.caller == caller, limit.own, pooled=False)
    if own is not None or limit.pool is None:
        return own
    anonymous = table.c.caller.startswith(ADDRESS_PREFIX, autoescape=True)
    return _full(connection, table, is_open, anonymous, limit.pool, pooled=True)


def _full(
    connection: Connection,
    table: Table,
    is_open: ColumnElement[bool],
    whose: ColumnElement[bool],
    most: int,
    *,
    pooled: bool,
) -> LimitReached | None:
    """LimitReached when ``most`` (at least one) of ``whose`` rows are open, else None."""
    query = select(func.count(), func.min(table.c.expires_at)).where(is_open, whose)
    count, first_expiry = connection.execute(query).one()
    return LimitReached(pooled=pooled, frees_at=first_expiry) if count >= most else None


class SqlRepository:
    """A repository over one ``Database``, with the short transactions its methods share."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def _first(
        self, query: Select[Any], convert: Callable[[RowMapping], _Record]
    ) -> _Record | None:
        """The first row ``query`` reads, converted; None if there is none."""
        row = self._db.read_once(lambda connection: connection.execute(query).mappings().first())
        return None if row is None else convert(row)

    def _all(self, query: Select[Any], convert: Callable[[RowMapping], _Record]) -> list[_Record]:
        """Every row ``query`` reads, converted, in its order."""
        found = self._db.read_once(lambda connection: connection.execute(query).mappings().all())
        return [convert(row) for row in found]

    def _update_or_not_found(
        self, statement: Update, missing: str, *, then: Update | None = None
    ) -> None:
        """Run ``statement``, then ``then``, in a write; NOT_FOUND with ``missing`` if
        ``statement`` matched no row (and nothing is written)."""
        with self._db.write() as connection:
            if connection.execute(statement).rowcount == 0:
                raise not_found(missing)
            if then is not None:
                connection.execute(then)

    def _replace_if_unchanged(
        self, table: Table, row: ColumnElement[bool], column: str, *, current: str, new: str
    ) -> bool:
        """Set ``column`` of the ``row`` to ``new`` if it still holds ``current`` (one
        conditional UPDATE, so a concurrent change wins); whether it was set."""
        statement = (
            update(table)
            .where(row, table.c[column] == current)
            .values({column: new})
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            return bool(connection.execute(statement).rowcount == 1)

    def _add_for_authority(
        self,
        table: Table,
        row: Row,
        authority: str,
        taken: str,
        *,
        audit: AuditEvent | None = None,
        then: Update | None = None,
    ) -> None:
        """Insert ``row`` of something ``authority`` owns, then run ``then`` and append
        ``audit``, in one transaction.

        NOT_FOUND if the authority is unknown, else CONFLICT with ``taken`` when a
        constraint refuses the row.
        """
        try:
            with self._db.write() as connection:
                connection.execute(insert(table), row)
                if then is not None:
                    connection.execute(then)
                if audit is not None:
                    append_entry(connection, audit)
        except IntegrityError:
            with self._db.read() as connection:
                if not authority_exists(connection, authority):
                    raise not_found(f"no authority named {authority!r}") from None
            raise conflict(taken) from None
