"""The SQL store: every repository of ``storage.repository`` on SQLite or PostgreSQL.

``open_store(url)`` is the one entry point: it builds the engine for the URL, brings
the schema to the newest migration and returns a ``SqlStore``. Each method runs in
its own short transaction. A violated constraint becomes ``StorageError`` CONFLICT
(or NOT_FOUND for an unknown authority); any other database failure becomes
STORAGE_ERROR, with a message that names neither the SQL nor the URL.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy import Connection, Engine, delete, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from vcservice.errors import StorageError
from vcservice.model.records import Authority, Client, IssuedCredential, KeyStatus, StoredKey
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
)
from vcservice.storage.schema import authorities, clients, credential_subjects, credentials, keys

__all__ = [
    "SqlAuthorityRepository",
    "SqlClientRepository",
    "SqlCredentialRepository",
    "SqlKeyRepository",
    "SqlStore",
    "open_store",
]


def _conflict(message: str) -> StorageError:
    return StorageError(message, code="CONFLICT")


def _not_found(message: str) -> StorageError:
    return StorageError(message, code="NOT_FOUND")


def _authority_exists(connection: Connection, name: str) -> bool:
    return bool(connection.scalar(select(exists().where(authorities.c.name == name))))


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


class SqlStore:
    """Every repository over one SQLAlchemy engine; ``close`` releases its connections."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        database = Database(engine)
        self.authorities: AuthorityRepository = SqlAuthorityRepository(database)
        self.keys: KeyRepository = SqlKeyRepository(database)
        self.clients: ClientRepository = SqlClientRepository(database)
        self.credentials: CredentialRepository = SqlCredentialRepository(database)

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
