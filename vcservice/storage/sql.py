"""The SQL store: every repository of ``storage.repository`` on SQLite or PostgreSQL.

``open_store(url)`` is the one entry point: it builds the engine for the URL, brings
the schema to the newest migration and returns a ``SqlStore``. Each method runs in
its own short transaction. A violated constraint becomes ``StorageError`` CONFLICT
(or NOT_FOUND for an unknown authority); any other database failure becomes
STORAGE_ERROR, with a message that names neither the SQL nor the URL.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from vcservice.errors import StorageError
from vcservice.model.records import (
    Authority,
    Client,
    IssuedCredential,
    KeyStatus,
    StatusChange,
    StatusEntry,
    StatusList,
    StatusPurpose,
    StoredKey,
)
from vcservice.storage import rows
from vcservice.storage.engine import Database, build_engine
from vcservice.storage.migrations import upgrade_to_head
from vcservice.storage.repository import (
    AuthorityRepository,
    ClientRepository,
    CredentialQuery,
    CredentialRepository,
    KeyRepository,
    Page,
    StatusRepository,
)
from vcservice.storage.schema import (
    authorities,
    clients,
    credential_subjects,
    credentials,
    keys,
    status_changes,
    status_entries,
    status_lists,
)

__all__ = [
    "FULL_PERCENT",
    "SqlAuthorityRepository",
    "SqlClientRepository",
    "SqlCredentialRepository",
    "SqlKeyRepository",
    "SqlStatusRepository",
    "SqlStore",
    "full_threshold",
    "open_store",
]

FULL_PERCENT = 90
"""A status list closes to allocation once this share of its indices is taken."""
_PROBES = 128  # random indices tried in one list before it is closed (0.9**128 ≈ 1e-6)
_ROUNDS = 16  # lists one allocation may open or close before it gives up


def _conflict(message: str) -> StorageError:
    return StorageError(message, code="CONFLICT")


def _not_found(message: str) -> StorageError:
    return StorageError(message, code="NOT_FOUND")


def _authority_exists(connection: Connection, name: str) -> bool:
    return bool(connection.scalar(select(exists().where(authorities.c.name == name))))


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; naive datetimes are refused, as ``schema.UtcDateTime`` does."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return moment.astimezone(UTC)


def _insert_unless_taken(
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


def full_threshold(size: int) -> int:
    """How many entries close a list of ``size`` indices: ``FULL_PERCENT`` of it, at least 1."""
    return max(1, size * FULL_PERCENT // 100)


class SqlAuthorityRepository:
    """Issuing authorities in the ``authorities`` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, authority: Authority) -> None:
        """Store a new authority (CONFLICT if the name or DID exists)."""
        try:
            with self._db.write() as connection:
                connection.execute(insert(authorities), rows.authority_row(authority))
        except IntegrityError:
            message = f"an authority named {authority.name!r} or with DID {authority.did!r} exists"
            raise _conflict(message) from None

    def get(self, name: str) -> Authority | None:
        """The authority called ``name``."""
        query = select(authorities).where(authorities.c.name == name)
        with self._db.read() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else rows.to_authority(row)

    def list(self) -> list[Authority]:
        """Every authority, by name."""
        query = select(authorities).order_by(authorities.c.name)
        with self._db.read() as connection:
            found = connection.execute(query).mappings().all()
        return [rows.to_authority(row) for row in found]


class SqlKeyRepository:
    """Signing keys in the ``keys`` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, key: StoredKey) -> None:
        """Store a new key (CONFLICT if the key id is taken, NOT_FOUND if no authority)."""
        try:
            with self._db.write() as connection:
                connection.execute(insert(keys), rows.key_row(key))
        except IntegrityError:
            with self._db.read() as connection:
                if not _authority_exists(connection, key.authority):
                    raise _not_found(f"no authority named {key.authority!r}") from None
            raise _conflict(f"authority {key.authority!r} has a key {key.key_id!r}") from None

    def for_authority(self, authority: str) -> list[StoredKey]:
        """Every key of ``authority``, oldest first, active and retired."""
        query = (
            select(keys)
            .where(keys.c.authority == authority)
            .order_by(keys.c.created_at, keys.c.key_id)
        )
        with self._db.read() as connection:
            found = connection.execute(query).mappings().all()
        return [rows.to_key(row) for row in found]

    def retire(self, authority: str, key_id: str) -> None:
        """Mark a key retired (NOT_FOUND if there is no such key); retiring twice is harmless."""
        statement = (
            update(keys)
            .where(keys.c.authority == authority, keys.c.key_id == key_id)
            .values(status=KeyStatus.RETIRED.value)
        )
        with self._db.write() as connection:
            if connection.execute(statement).rowcount == 0:
                raise _not_found(f"authority {authority!r} has no key {key_id!r}")


class SqlClientRepository:
    """OAuth2 clients in the ``clients`` table."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, client: Client) -> None:
        """Store a new client (CONFLICT if the id exists, NOT_FOUND if no authority)."""
        try:
            with self._db.write() as connection:
                connection.execute(insert(clients), rows.client_row(client))
        except IntegrityError:
            with self._db.read() as connection:
                if not _authority_exists(connection, client.authority):
                    raise _not_found(f"no authority named {client.authority!r}") from None
            raise _conflict(f"a client {client.client_id!r} exists") from None

    def get(self, client_id: str) -> Client | None:
        """The client with ``client_id``."""
        query = select(clients).where(clients.c.client_id == client_id)
        with self._db.read() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else rows.to_client(row)

    def for_authority(self, authority: str) -> list[Client]:
        """Every client of ``authority``, oldest first."""
        query = (
            select(clients)
            .where(clients.c.authority == authority)
            .order_by(clients.c.created_at, clients.c.client_id)
        )
        with self._db.read() as connection:
            found = connection.execute(query).mappings().all()
        return [rows.to_client(row) for row in found]

    def delete(self, client_id: str) -> bool:
        """Remove a client; False if there was none."""
        statement = delete(clients).where(clients.c.client_id == client_id)
        with self._db.write() as connection:
            return connection.execute(statement).rowcount > 0


class SqlCredentialRepository:
    """Issued credentials in ``credentials``, with subject values in ``credential_subjects``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add(self, credential: IssuedCredential) -> IssuedCredential:
        """Record ``credential``, or return the one stored under its idempotency key.

        The insert relies on the unique (authority, idempotency_key) constraint, so
        concurrent adds in any number of processes store one row; a loser reads the
        winner's record in a fresh transaction (CONFLICT if its request digest differs).
        """
        subjects = rows.subject_rows(credential)
        try:
            with self._db.write() as connection:
                connection.execute(insert(credentials), rows.credential_row(credential))
                if subjects:
                    connection.execute(insert(credential_subjects), subjects)
        except IntegrityError:
            return self._resolve_conflict(credential)
        return credential

    def _resolve_conflict(self, credential: IssuedCredential) -> IssuedCredential:
        """Explain a failed insert: a replay, a digest mismatch, a taken id or no authority."""
        with self._db.read() as connection:
            earlier = None
            if credential.idempotency_key is not None:
                earlier = self._by_idempotency_key(
                    connection, credential.authority, credential.idempotency_key
                )
            authority_exists = _authority_exists(connection, credential.authority)
        if earlier is not None:
            if earlier.request_digest != credential.request_digest:
                raise _conflict(
                    f"idempotency key {credential.idempotency_key!r} was used for another request"
                )
            return earlier
        if not authority_exists:
            raise _not_found(f"no authority named {credential.authority!r}")
        raise _conflict(f"a credential {credential.id!r} exists")

    def get(self, credential_id: str) -> IssuedCredential | None:
        """The credential with ``credential_id``."""
        query = select(credentials).where(credentials.c.id == credential_id)
        with self._db.read() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else rows.to_credential(row)

    def find_by_idempotency_key(self, authority: str, key: str) -> IssuedCredential | None:
        """The credential ``authority`` issued under ``key``."""
        with self._db.read() as connection:
            return self._by_idempotency_key(connection, authority, key)

    @staticmethod
    def _by_idempotency_key(
        connection: Connection, authority: str, key: str
    ) -> IssuedCredential | None:
        query = select(credentials).where(
            credentials.c.authority == authority, credentials.c.idempotency_key == key
        )
        row = connection.execute(query).mappings().first()
        return None if row is None else rows.to_credential(row)

    def set_status(self, credential_id: str, status: str) -> None:
        """Record the credential's status summary (NOT_FOUND if there is no such credential).

        Only the summary that ``search`` filters on: the status lists hold the truth.
        """
        statement = (
            update(credentials).where(credentials.c.id == credential_id).values(status=status)
        )
        with self._db.write() as connection:
            if connection.execute(statement).rowcount == 0:
                raise _not_found(f"no credential {credential_id!r}")

    def search(self, query: CredentialQuery) -> Page:
        """Credentials matching ``query``, newest first (ties by id, descending).

        ``issued_from`` is inclusive and ``issued_until`` exclusive; ``subject`` must
        equal the subject id or one identifier exactly; ``total`` counts every match,
        ignoring ``limit`` and ``offset``.
        """
        if query.limit < 0 or query.offset < 0:
            raise ValueError("limit and offset must not be negative")
        conditions = [credentials.c.authority == query.authority]
        if query.credential_type is not None:
            conditions.append(credentials.c.credential_type == query.credential_type)
        if query.status is not None:
            conditions.append(credentials.c.status == query.status)
        if query.issued_from is not None:
            conditions.append(credentials.c.issued_at >= query.issued_from)
        if query.issued_until is not None:
            conditions.append(credentials.c.issued_at < query.issued_until)
        if query.subject is not None:
            matching = select(credential_subjects.c.credential_id).where(
                credential_subjects.c.identifier == query.subject
            )
            conditions.append(credentials.c.id.in_(matching))
        page = (
            select(credentials)
            .where(*conditions)
            .order_by(credentials.c.issued_at.desc(), credentials.c.id.desc())
            .limit(query.limit)
            .offset(query.offset)
        )
        count = select(func.count()).select_from(credentials).where(*conditions)
        with self._db.read() as connection:
            total = connection.scalar(count) or 0
            found = connection.execute(page).mappings().all() if query.limit else []
        return Page(items=[rows.to_credential(row) for row in found], total=total)


class SqlStatusRepository:
    """Status lists in ``status_lists``, their entries and the audit in ``status_changes``.

    Allocation relies on the database only: the primary key (list_id, index) of
    ``status_entries`` makes an index impossible to give twice, the unique
    (authority, purpose, sequence) of ``status_lists`` makes two processes opening
    "the next list" at once end with one list, and the unique (credential_id, purpose)
    gives a credential one entry per purpose. SQLite serialises every allocation
    (``BEGIN IMMEDIATE``); PostgreSQL runs them side by side at READ COMMITTED and
    settles clashes with ``INSERT … ON CONFLICT DO NOTHING`` and a retry.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

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
        created_at = _utc(now)
        for _ in range(_ROUNDS):
            try:
                with self._db.write() as connection:
                    entry = self._allocate_in_open_list(
                        connection,
                        authority=authority,
                        purpose=purpose,
                        credential_id=credential_id,
                        size=size,
                        status_size=status_size,
                        now=created_at,
                    )
            except IntegrityError:
                self._explain_refused_allocation(authority, purpose, credential_id)
                continue  # not explained: a race settled since; try again
            if entry is not None:
                return entry
        raise StorageError("no status list index could be allocated", code="STORAGE_ERROR")

    def _allocate_in_open_list(
        self,
        connection: Connection,
        *,
        authority: str,
        purpose: StatusPurpose,
        credential_id: str,
        size: int,
        status_size: int,
        now: datetime,
    ) -> StatusEntry | None:
        """Take an index of the open list; None if that list was closed instead."""
        if _has_entry(connection, credential_id, purpose):
            raise _conflict(f"credential {credential_id!r} already has a {purpose.value} entry")
        status_list = self._open_list(
            connection,
            authority=authority,
            purpose=purpose,
            size=size,
            status_size=status_size,
            now=now,
        )
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
                    credential_id=credential_id,
                    purpose=purpose,
                    status=0,
                )
                row = {
                    "list_id": entry.list_id,
                    "index": entry.index,
                    "credential_id": entry.credential_id,
                    "purpose": entry.purpose.value,
                    "status": entry.status,
                }
                if _insert_unless_taken(connection, status_entries, row, ["list_id", "index"]):
                    if taken + 1 >= threshold:
                        _close(connection, status_list.id)
                    return entry
        _close(connection, status_list.id)
        return None

    @staticmethod
    def _open_list(
        connection: Connection,
        *,
        authority: str,
        purpose: StatusPurpose,
        size: int,
        status_size: int,
        now: datetime,
    ) -> StatusList:
        """The newest open list of this shape, opening the next sequence if there is none.

        The open list and the newest sequence are read in one statement, so in one
        snapshot even at READ COMMITTED: a list opened by another process between two
        reads cannot make this one open a second list beside it. Two processes opening
        the same sequence at once: one insert wins, the other skips it and reads the
        winner's list on its next pass.
        """
        coordinates = (
            status_lists.c.authority == authority,
            status_lists.c.purpose == purpose.value,
        )
        newest = select(func.max(status_lists.c.sequence)).where(*coordinates).scalar_subquery()
        open_of_shape = and_(
            status_lists.c.full.is_(False),
            status_lists.c.size == size,
            status_lists.c.status_size == status_size,
        )
        # The newest list, then (when that one is closed) the newest open one of this shape.
        candidates = (
            select(status_lists, open_of_shape.label("usable"))
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
                "authority": authority,
                "purpose": purpose.value,
                "sequence": found[0]["sequence"] + 1 if found else 1,
                "size": size,
                "status_size": status_size,
                "version": 0,
                "full": False,
                "created_at": now,
            }
            _insert_unless_taken(
                connection, status_lists, opened, ["authority", "purpose", "sequence"]
            )
        raise StorageError("no status list could be opened", code="STORAGE_ERROR")

    def _explain_refused_allocation(
        self, authority: str, purpose: StatusPurpose, credential_id: str
    ) -> None:
        """Raise CONFLICT or NOT_FOUND for an allocation a constraint refused, if either fits."""
        with self._db.read() as connection:
            duplicate = _has_entry(connection, credential_id, purpose)
            authority_exists = _authority_exists(connection, authority)
        if duplicate:
            raise _conflict(f"credential {credential_id!r} already has a {purpose.value} entry")
        if not authority_exists:
            raise _not_found(f"no authority named {authority!r}")

    def entries_for(self, credential_id: str) -> list[StatusEntry]:
        """The credential's entries, one per purpose, by purpose."""
        query = (
            select(status_entries)
            .where(status_entries.c.credential_id == credential_id)
            .order_by(status_entries.c.purpose)
        )
        with self._db.read() as connection:
            found = connection.execute(query).mappings().all()
        return [rows.to_status_entry(row) for row in found]

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
    ) -> StatusChange:
        """Set the status, bump the list's version and record the change, in one transaction.

        The entry is read ``FOR UPDATE`` on PostgreSQL (SQLite serialises writers), so
        a concurrent change cannot slip past ``final_status``. Setting the value the
        entry already has is recorded in the history (who asked, and why) but leaves
        the status and the list's ``version`` alone: no bit changed, so a published
        copy stays current. CONFLICT when the current status is ``final_status``
        (even when asked for that same value again); NOT_FOUND without an entry;
        ``ValueError`` when ``new_status`` does not fit in the list's status size.
        """
        purpose = StatusPurpose(purpose)
        changed_at = _utc(now)
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
                raise _not_found(f"credential {credential_id!r} has no {purpose.value} entry")
            if not 0 <= new_status < 2 ** entry["status_size"]:
                raise ValueError(
                    f"status {new_status} does not fit in {entry['status_size']} bit(s)"
                )
            if final_status is not None and entry["status"] == final_status:
                raise _conflict(
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
            )
            connection.execute(insert(status_changes), rows.status_change_row(record))
        return record

    def history(self, credential_id: str) -> list[StatusChange]:
        """Every recorded change of the credential, in the order they were made."""
        query = (
            select(status_changes)
            .where(status_changes.c.credential_id == credential_id)
            .order_by(status_changes.c.id)
        )
        with self._db.read() as connection:
            found = connection.execute(query).mappings().all()
        return [rows.to_status_change(row) for row in found]

    def get_list(self, authority: str, purpose: StatusPurpose, sequence: int) -> StatusList | None:
        """A status list by its public coordinates."""
        purpose = StatusPurpose(purpose)
        query = select(status_lists).where(
            status_lists.c.authority == authority,
            status_lists.c.purpose == purpose.value,
            status_lists.c.sequence == sequence,
        )
        with self._db.read() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else rows.to_status_list(row)

    def list_by_id(self, list_id: int) -> StatusList | None:
        """A status list by its id."""
        query = select(status_lists).where(status_lists.c.id == list_id)
        with self._db.read() as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else rows.to_status_list(row)

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
                raise _not_found(f"no status list {list_id}")
            if version > current:
                raise ValueError(f"status list {list_id} is at version {current}, not {version}")
            connection.execute(keep)


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


class SqlStore:
    """Every repository over one SQLAlchemy engine; ``close`` releases its connections."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        database = Database(engine)
        self.authorities: AuthorityRepository = SqlAuthorityRepository(database)
        self.keys: KeyRepository = SqlKeyRepository(database)
        self.clients: ClientRepository = SqlClientRepository(database)
        self.credentials: CredentialRepository = SqlCredentialRepository(database)
        self.statuses: StatusRepository = SqlStatusRepository(database)

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_store(database_url: str, *, migrate: bool = True) -> SqlStore:
    """Open the store at ``database_url``, migrating its schema to head unless told not to.

    ``sqlite:///path`` (or ``sqlite://`` in memory) and ``postgresql://…`` are accepted;
    PostgreSQL always goes through psycopg 3. Unreachable databases raise
    ``StorageError``; URLs of other kinds raise ``ValueError``.
    """
    engine = build_engine(database_url)
    if migrate:
        try:
            upgrade_to_head(Database(engine))
        except BaseException:
            engine.dispose()
            raise
    return SqlStore(engine)
