"""Engines for one database URL, their transactions, and how driver errors surface.

SQLite runs in WAL mode with foreign keys on and a busy timeout; SQLAlchemy, not the
``sqlite3`` module, emits BEGIN, so reads see one snapshot and writes take the write
lock up front (``BEGIN IMMEDIATE``) instead of failing on a lock upgrade. PostgreSQL
uses psycopg 3 with a pre-pinged pool; its reads are REPEATABLE READ, READ ONLY, except
one-statement reads, which run in autocommit on a second pool that does not ping: one
statement is its own snapshot already, and the ping, BEGIN, the isolation settings and
COMMIT would be more round trips than the look-up itself, for every look-up a verification
makes. A read on a connection the server dropped is run once more on a fresh one.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    SQLAlchemyError,
    StatementError,
)
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from vcservice.errors import StorageError

SQLITE_BUSY_TIMEOUT_MS = 30_000
_POSTGRES_SCHEMES = {"postgres", "postgresql", "postgresql+psycopg"}
_SQLITE_SCHEMES = {"sqlite", "sqlite+pysqlite"}
_WRITE = "vcservice_write"
_Result = TypeVar("_Result")


def normalise_url(database_url: str) -> URL:
    """Parse ``database_url``, naming the psycopg 3 driver for PostgreSQL URLs."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        raise ValueError("not a database URL") from None
    if url.drivername in _POSTGRES_SCHEMES:
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in _SQLITE_SCHEMES:
        return url.set(drivername="sqlite+pysqlite")
    raise ValueError(f"unsupported database URL scheme {url.drivername!r}")


def build_engine(database_url: str) -> Engine:
    """An engine for ``database_url``: ``sqlite:///path``, ``postgresql://…``, or ``sqlite://``.

    ``sqlite://`` is an in-memory database on one shared connection: for tests that
    use the store from one thread at a time.
    """
    url = normalise_url(database_url)
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True, pool_recycle=1800)
    in_memory = url.database in (None, "", ":memory:")
    if in_memory:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url)
    _configure_sqlite(engine, wal=not in_memory)
    return engine


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN, see _on_begin
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                _enable_wal(cursor)
            cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _enable_wal(cursor: Any) -> None:
    """Put the database file in WAL mode (it stays so), retrying while another process locks it.

    Leaving the rollback journal needs an exclusive lock and SQLite answers "database
    is locked" at once instead of waiting the busy timeout, so processes opening a
    new database together would fail; this waits up to the busy timeout instead.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # and its extended codes
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
        else:
            return


class Database:
    """Short transactions on one engine, with driver errors turned into ``StorageError``.

    ``IntegrityError`` passes through ``write`` untouched: callers decide whether a
    violated constraint is a conflict, a replay or a missing parent.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._statements = (
            create_engine(engine.url, pool_size=16, pool_recycle=1800, isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else None
        )

    def read(self) -> AbstractContextManager[Connection]:
        """One read-only snapshot."""
        if self.engine.dialect.name == "postgresql":
            return self._transaction(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        return self._transaction()

    def read_once(self, run: Callable[[Connection], _Result]) -> _Result:
        """``run(connection)`` for one read-only statement (its own snapshot).

        Reads are safe to repeat, so one that meets a connection the server dropped (a
        restart, an idle timeout) is run once more on a fresh connection.
        """
        if self._statements is None:
            with self.read() as connection:
                return run(connection)
        with self._guard():
            try:
                with self._statements.connect() as connection:
                    return run(connection)
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
            with self._statements.connect() as connection:
                return run(connection)

    def read_scalar(self, sql: str) -> Any:
        """The first column of the first row of ``sql``, a constant read-only statement
        (None without a row), on a pooled connection past SQLAlchemy's statement layer:
        the one read every verification makes costs ~15 µs instead of ~90 on SQLite.
        A read that fails (a connection the server dropped is discarded) is made once more.
        """
        try:
            return self._raw_scalar(sql)
        except StorageError:
            return self._raw_scalar(sql)

    def _raw_scalar(self, sql: str) -> Any:
        engine = self._statements or self.engine
        with self._guard():
            connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(sql)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except engine.dialect.loaded_dbapi.Error as exc:
            connection.invalidate()
            kind = type(exc).__name__
            raise StorageError(
                f"the database request failed ({kind})", code="STORAGE_ERROR"
            ) from exc
        finally:
            connection.close()
        return None if row is None else row[0]

    @property
    def engines(self) -> tuple[Engine, ...]:
        """Every engine this database talks through (one, or two on PostgreSQL)."""
        return (self.engine,) if self._statements is None else (self.engine, self._statements)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        if self._statements is not None:
            self._statements.dispose()

    def write(self) -> AbstractContextManager[Connection]:
        """One write transaction, committed on success and rolled back on error."""
        return self._transaction(**{_WRITE: True})

    @contextmanager
    def _transaction(self, **options: Any) -> Iterator[Connection]:
        """One transaction on a connection with these execution ``options``."""
        with self._guard(), self.engine.connect() as connection:
            if options:
                connection.execution_options(**options)
            with connection.begin():
                yield connection

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except IntegrityError:
            raise
        except DBAPIError as exc:
            raise StorageError(_describe(exc), code="STORAGE_ERROR") from exc
        except StatementError as exc:
            if isinstance(exc.orig, ValueError):  # a value refused before reaching the driver
                raise exc.orig from None
            raise StorageError("the database request failed", code="STORAGE_ERROR") from exc
        except SQLAlchemyError as exc:
            raise StorageError("the database request failed", code="STORAGE_ERROR") from exc


def _describe(exc: DBAPIError) -> str:
    """A message naming the kind of failure, never the SQL or the connection string."""
    if exc.connection_invalidated:
        return "the database connection was lost"
    kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
    return f"the database request failed ({kind})"
