"""Holders and the credentials they hold, in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError

from vcservice.model.records import HeldCredential, Holder
from vcservice.storage import rows
from vcservice.storage.common import SqlRepository, conflict, not_found, utc
from vcservice.storage.schema import held_credentials, holders, retired_holder_dids

__all__ = ["SqlHeldCredentialRepository", "SqlHolderRepository"]


class SqlHolderRepository(SqlRepository):
    """Holders in ``holders``."""

    def add(self, holder: Holder) -> None:
        """Store a new holder (CONFLICT if the name or DID exists, or the DID was a deleted
        holder's)."""
        try:
            with self._db.write() as connection:
                retired = connection.scalar(
                    select(exists().where(retired_holder_dids.c.did == holder.did))
                )
                if retired:
                    raise conflict(f"the DID {holder.did} belonged to a deleted holder")
                connection.execute(insert(holders), rows.holder_row(holder))
        except IntegrityError:
            raise conflict(f"a holder named {holder.name!r} or with its DID exists") from None

    def get(self, name: str) -> Holder | None:
        """The holder called ``name``."""
        return self._first(select(holders).where(holders.c.name == name), rows.to_holder)

    def list(self) -> list[Holder]:
        """Every holder, by name."""
        return self._all(select(holders).order_by(holders.c.name), rows.to_holder)

    def replace_token_hash(self, name: str, token_hash: str) -> None:
        """Make ``token_hash`` the holder's only token hash (NOT_FOUND if no such holder)."""
        statement = update(holders).where(holders.c.name == name).values(token_hash=token_hash)
        self._update_or_not_found(statement, f"no holder named {name!r}")

    def upgrade_token_hash(self, name: str, *, current: str, upgraded: str) -> bool:
        """Store ``upgraded`` as the holder's token hash if it still is ``current``."""
        row = holders.c.name == name
        return self._replace_if_unchanged(holders, row, "token_hash", current=current, new=upgraded)

    def delete(self, name: str, *, retired_at: datetime) -> bool:
        """Remove the holder and every credential it holds; False if there was none.

        The holder's row is locked first, so a credential stored at the same moment
        either is removed here or is refused for want of a holder. Its DID is retired:
        no later holder gets it.
        """
        with self._db.write() as connection:
            did = connection.scalar(
                select(holders.c.did).where(holders.c.name == name).with_for_update()
            )
            if did is None:
                return False
            connection.execute(delete(held_credentials).where(held_credentials.c.holder == name))
            connection.execute(delete(holders).where(holders.c.name == name))
            connection.execute(
                insert(retired_holder_dids), {"did": did, "retired_at": utc(retired_at)}
            )
        return True


class SqlHeldCredentialRepository(SqlRepository):
    """Held credentials in ``held_credentials``, keyed by (holder, credential id)."""

    def add(self, credential: HeldCredential) -> None:
        """Store a credential (CONFLICT if the holder has that id; NOT_FOUND if no holder)."""
        try:
            with self._db.write() as connection:
                connection.execute(insert(held_credentials), rows.held_credential_row(credential))
        except IntegrityError:
            with self._db.read() as connection:
                known = connection.scalar(
                    select(exists().where(holders.c.name == credential.holder))
                )
            if not known:
                raise not_found(f"no holder named {credential.holder!r}") from None
            raise conflict(f"the holder already holds {credential.credential_id!r}") from None

    def get(self, holder: str, credential_id: str) -> HeldCredential | None:
        """The holder's credential with ``credential_id``."""
        query = select(held_credentials).where(
            held_credentials.c.holder == holder,
            held_credentials.c.credential_id == credential_id,
        )
        return self._first(query, rows.to_held_credential)

    def for_holder(self, holder: str) -> list[HeldCredential]:
        """Every credential of ``holder``, oldest stored first (ties by id)."""
        query = (
            select(held_credentials)
            .where(held_credentials.c.holder == holder)
            .order_by(held_credentials.c.stored_at, held_credentials.c.credential_id)
        )
        return self._all(query, rows.to_held_credential)

    def delete(self, holder: str, credential_id: str) -> bool:
        """Remove the holder's credential; False if there was none."""
        statement = (
            delete(held_credentials)
            .where(
                held_credentials.c.holder == holder,
                held_credentials.c.credential_id == credential_id,
            )
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            return bool(connection.execute(statement).rowcount == 1)
