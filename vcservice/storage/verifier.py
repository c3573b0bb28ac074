"""The verifier's records in SQL: trust registry entries, workflows and their exchanges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from vcservice.model.records import AuditEvent, Exchange, ExchangeState, TrustEntry, Workflow
from vcservice.storage import rows
from vcservice.storage.audit import append_entry
from vcservice.storage.common import SqlRepository, conflict, limit_reached, not_found, utc
from vcservice.storage.repository import LimitReached, OpenLimit
from vcservice.storage.schema import accreditations, exchanges, workflows

__all__ = ["SqlExchangeRepository", "SqlTrustRepository", "SqlWorkflowRepository"]


class SqlTrustRepository(SqlRepository):
    """Trust registry entries in ``accreditations``."""

    def add(self, entry: TrustEntry, *, audit: AuditEvent | None = None) -> None:
        """Store a new entry, audited with it (CONFLICT if its id exists)."""
        try:
            with self._db.write() as connection:
                connection.execute(insert(accreditations), rows.trust_entry_row(entry))
                if audit is not None:
                    append_entry(connection, audit)
        except IntegrityError:
            raise conflict(f"a trust registry entry {entry.id!r} exists") from None

    def get(self, entry_id: str) -> TrustEntry | None:
        """The entry with ``entry_id``."""
        query = select(accreditations).where(accreditations.c.id == entry_id)
        return self._first(query, rows.to_trust_entry)

    def for_issuer(self, issuer: str) -> list[TrustEntry]:
        """Every entry of ``issuer``, oldest first."""
        query = (
            select(accreditations)
            .where(accreditations.c.issuer == issuer)
            .order_by(accreditations.c.created_at, accreditations.c.id)
        )
        return self._all(query, rows.to_trust_entry)

    def list(self) -> list[TrustEntry]:
        """Every entry, by issuer, then oldest first."""
        query = select(accreditations).order_by(
            accreditations.c.issuer, accreditations.c.created_at, accreditations.c.id
        )
        return self._all(query, rows.to_trust_entry)

    def delete(self, entry_id: str, *, audit: AuditEvent | None = None) -> bool:
        """Remove the entry, audited with it; False if there was none (nothing is audited)."""
        statement = delete(accreditations).where(accreditations.c.id == entry_id)
        with self._db.write() as connection:
            removed = connection.execute(statement).rowcount > 0
            if removed and audit is not None:
                append_entry(connection, audit)
        return removed


class SqlWorkflowRepository(SqlRepository):
    """Workflows in ``workflows``."""

    def add(self, workflow: Workflow) -> None:
        """Store a new workflow (CONFLICT if its id exists)."""
        try:
            with self._db.write() as connection:
                connection.execute(insert(workflows), rows.workflow_row(workflow))
        except IntegrityError:
            raise conflict(f"a workflow {workflow.id!r} exists") from None

    def get(self, workflow_id: str) -> Workflow | None:
        """The workflow with ``workflow_id``."""
        return self._first(select(workflows).where(workflows.c.id == workflow_id), rows.to_workflow)

    def list(self) -> list[Workflow]:
        """Every workflow, by id."""
        return self._all(select(workflows).order_by(workflows.c.id), rows.to_workflow)

    def delete(self, workflow_id: str) -> bool:
        """Remove the workflow and its exchanges; False if there was none."""
        with self._db.write() as connection:
            connection.execute(delete(exchanges).where(exchanges.c.workflow == workflow_id))
            removed = connection.execute(delete(workflows).where(workflows.c.id == workflow_id))
            return bool(removed.rowcount)


class SqlExchangeRepository(SqlRepository):
    """Exchanges in ``exchanges``.

    ``start`` is one conditional ``UPDATE … SET state = 'active' WHERE state =
    'pending' AND expires_at > now``: of any number of concurrent answers, across
    processes, exactly one changes the row (as ``SqlChallengeRepository.consume``).
    A limited ``add`` counts the caller's pending exchanges in its write
    (``common.limit_reached``).
    """

    def add(self, exchange: Exchange, *, limit: OpenLimit | None = None) -> LimitReached | None:
        """Store a new exchange unless that would pass ``limit`` for its caller (pending at
        its ``created_at``); CONFLICT if its id or challenge exists, NOT_FOUND without its
        workflow."""
        try:
            with self._db.write() as connection:
                if limit is not None:
                    pending = _pending_at(exchange.created_at)
                    refused = limit_reached(
                        connection, exchanges, pending, caller=exchange.caller, limit=limit
                    )
                    if refused is not None:
                        return refused
                connection.execute(insert(exchanges), rows.exchange_row(exchange))
        except IntegrityError:
            with self._db.read() as connection:
                known = connection.scalar(
                    select(func.count()).where(workflows.c.id == exchange.workflow)
                )
            if not known:
                raise not_found(f"no workflow {exchange.workflow!r}") from None
            raise conflict("that exchange or its challenge exists") from None
        return None

    def get(self, exchange_id: str) -> Exchange | None:
        """The exchange with ``exchange_id``."""
        return self._first(select(exchanges).where(exchanges.c.id == exchange_id), rows.to_exchange)

    def start(self, exchange_id: str, *, now: datetime) -> Exchange | None:
        """Move a pending, unexpired exchange to ``active``, atomically; None otherwise."""
        statement = (
            update(exchanges)
            .where(exchanges.c.id == exchange_id, _pending_at(now))
            .values(state=ExchangeState.ACTIVE.value)
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            if connection.execute(statement).rowcount != 1:
                return None
            row = (
                connection.execute(select(exchanges).where(exchanges.c.id == exchange_id))
                .mappings()
                .one()
            )
        return rows.to_exchange(row)

    def finish(
        self,
        exchange_id: str,
        *,
        state: ExchangeState,
        result: str,
        presentation: str,
        now: datetime,
    ) -> None:
        """Record the answer of an active exchange (NOT_FOUND if it is not active)."""
        statement = (
            update(exchanges)
            .where(
                exchanges.c.id == exchange_id,
                exchanges.c.state == ExchangeState.ACTIVE.value,
            )
            .values(
                state=state.value, result=result, presentation=presentation, completed_at=utc(now)
            )
            .execution_options(preserve_rowcount=True)
        )
        self._update_or_not_found(statement, f"no active exchange {exchange_id!r}")

    def purge_expired(self, before: datetime) -> int:
        """Delete every exchange that expired before ``before``; how many were deleted."""
        statement = (
            delete(exchanges)
            .where(exchanges.c.expires_at < utc(before))
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            return int(connection.execute(statement).rowcount)


def _pending_at(now: datetime) -> ColumnElement[bool]:
    """Pending and unexpired at ``now``: open for an answer."""
    return and_(exchanges.c.state == ExchangeState.PENDING.value, exchanges.c.expires_at > utc(now))
