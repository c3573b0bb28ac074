"""Issuing authorities, their signing keys and their OAuth2 clients, in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Select, Table, Update, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from vcservice.model.records import AuditEvent, Authority, Client, KeyStatus, StoredKey
from vcservice.storage import rows
from vcservice.storage.audit import append_entry
from vcservice.storage.common import SqlRepository, conflict
from vcservice.storage.schema import authorities, clients, keys

__all__ = ["SqlAuthorityRepository", "SqlClientRepository", "SqlKeyRepository"]


def _oldest_first(table: Table, authority: str, tie: Column[Any]) -> Select[Any]:
    """Every row of ``table`` that ``authority`` owns, by ``created_at`` and then ``tie``."""
    return select(table).where(table.c.authority == authority).order_by(table.c.created_at, tie)


def _bump_key_version(authority: str) -> Update:
    """Move the authority's ``key_version`` on: its keys changed (in this transaction)."""
    return (
        update(authorities)
        .where(authorities.c.name == authority)
        .values(key_version=authorities.c.key_version + 1)
    )


class SqlAuthorityRepository(SqlRepository):
    """Issuing authorities in the ``authorities`` table."""

    def add(
        self,
        authority: Authority,
        *,
        with_keys: Sequence[StoredKey] = (),
        audit: AuditEvent | None = None,
    ) -> None:
        """Store a new authority with its first keys, ``with_keys`` (CONFLICT if the name or DID
        exists), audited with it, in one transaction."""
        try:
            with self._db.write() as connection:
                connection.execute(insert(authorities), rows.authority_row(authority))
                if with_keys:
                    connection.execute(insert(keys), [rows.key_row(key) for key in with_keys])
                if audit is not None:
                    append_entry(connection, audit)
        except IntegrityError:
            message = f"an authority named {authority.name!r} or with DID {authority.did!r} exists"
            raise conflict(message) from None

    def get(self, name: str) -> Authority | None:
        """The authority called ``name``."""
        return self._first(select(authorities).where(authorities.c.name == name), rows.to_authority)

    def list(self) -> list[Authority]:
        """Every authority, by name."""
        return self._all(select(authorities).order_by(authorities.c.name), rows.to_authority)

    def key_version(self, name: str, *, did: str) -> int | None:
        """The ``key_version`` of the authority called ``name``, if its DID is ``did``."""
        query = select(authorities.c.key_version).where(
            authorities.c.name == name, authorities.c.did == did
        )
        version: int | None = self._db.read_once(lambda connection: connection.scalar(query))
        return version


class SqlKeyRepository(SqlRepository):
    """Signing keys in the ``keys`` table."""

    def add(self, key: StoredKey) -> None:
        """Store a new key and bump the authority's key version, in one transaction
        (CONFLICT if the key id is taken, NOT_FOUND if no authority)."""
        taken = f"authority {key.authority!r} has a key {key.key_id!r}"
        self._add_for_authority(
            keys, rows.key_row(key), key.authority, taken, then=_bump_key_version(key.authority)
        )

    def for_authority(self, authority: str) -> list[StoredKey]:
        """Every key of ``authority``, oldest first: active, pending and retired."""
        return self._all(_oldest_first(keys, authority, keys.c.key_id), rows.to_key)

    def retire(self, authority: str, key_id: str) -> None:
        """Mark a key retired and bump the authority's key version, in one transaction
        (NOT_FOUND if there is no such key); retiring twice is harmless."""
        statement = (
            update(keys)
            .where(keys.c.authority == authority, keys.c.key_id == key_id)
            .values(status=KeyStatus.RETIRED.value)
        )
        self._update_or_not_found(
            statement,
            f"authority {authority!r} has no key {key_id!r}",
            then=_bump_key_version(authority),
        )

    def promote(self, authority: str, key_id: str, *, retiring: Sequence[str] = ()) -> bool:
        """Make a pending key active, retire the keys ``retiring`` and bump the authority's
        key version, in one transaction; False (nothing written) unless the key was pending.

        The promotion is a conditional UPDATE on the key's status: of rotations promoting
        the same key at once, exactly one does.
        """
        promote = (
            update(keys)
            .where(
                keys.c.authority == authority,
                keys.c.key_id == key_id,
                keys.c.status == KeyStatus.PENDING.value,
            )
            .values(status=KeyStatus.ACTIVE.value)
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            if connection.execute(promote).rowcount != 1:
                return False
            if retiring:
                connection.execute(
                    update(keys)
                    .where(keys.c.authority == authority, keys.c.key_id.in_(retiring))
                    .values(status=KeyStatus.RETIRED.value)
                )
            connection.execute(_bump_key_version(authority))
        return True


class SqlClientRepository(SqlRepository):
    """OAuth2 clients in the ``clients`` table."""

    def add(self, client: Client, *, audit: AuditEvent | None = None) -> None:
        """Store a new client (CONFLICT if the id exists, NOT_FOUND if no authority)."""
        taken = f"a client {client.client_id!r} exists"
        row = rows.client_row(client)
        self._add_for_authority(clients, row, client.authority, taken, audit=audit)

    def get(self, client_id: str) -> Client | None:
        """The client with ``client_id``."""
        return self._first(select(clients).where(clients.c.client_id == client_id), rows.to_client)

    def for_authority(self, authority: str) -> list[Client]:
        """Every client of ``authority``, oldest first."""
        return self._all(_oldest_first(clients, authority, clients.c.client_id), rows.to_client)

    def delete(self, client_id: str, *, audit: AuditEvent | None = None) -> bool:
        """Remove a client, audited with it; False if there was none (nothing is audited)."""
        statement = delete(clients).where(clients.c.client_id == client_id)
        with self._db.write() as connection:
            removed = connection.execute(statement).rowcount > 0
            if removed and audit is not None:
                append_entry(connection, audit)
        return removed

    def upgrade_secret_hash(self, client_id: str, *, current: str, upgraded: str) -> bool:
        """Store ``upgraded`` as the client's secret hash if it still is ``current``."""
        row = clients.c.client_id == client_id
        return self._replace_if_unchanged(
            clients, row, "secret_hash", current=current, new=upgraded
        )
