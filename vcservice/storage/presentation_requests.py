"""The verifier's OpenID4VP authorization requests in SQL (``openid4vp_requests``).

``start`` is one conditional ``UPDATE … SET status = 'active' WHERE request_id = … AND
state = … AND status = 'pending' AND expires_at > now``: of any number of concurrent
answers, across processes, exactly one changes the row (as ``SqlExchangeRepository.start``).
A limited ``add`` counts the caller's pending requests in its write
(``common.limit_reached``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, RowMapping, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from vcservice.model.presentation_requests import PresentationRequest
from vcservice.model.records import ExchangeState
from vcservice.storage.common import SqlRepository, conflict, limit_reached, utc
from vcservice.storage.repository import LimitReached, OpenLimit
from vcservice.storage.rows import Row
from vcservice.storage.schema import openid4vp_requests

__all__ = ["SqlPresentationRequestRepository"]

_TABLE = openid4vp_requests


class SqlPresentationRequestRepository(SqlRepository):
    """OpenID4VP authorization requests in ``openid4vp_requests`` (each method as
    ``repository.PresentationRequestRepository`` documents it)."""

    def add(
        self, request: PresentationRequest, *, limit: OpenLimit | None = None
    ) -> LimitReached | None:
        try:
            with self._db.write() as connection:
                if limit is not None:
                    refused = limit_reached(
                        connection,
                        _TABLE,
                        _pending_at(request.created_at),
                        caller=request.caller,
                        limit=limit,
                    )
                    if refused is not None:
                        return refused
                connection.execute(insert(_TABLE), _row(request))
        except IntegrityError:
            raise conflict("that authorization request exists") from None
        return None

    def get(self, request_id: str) -> PresentationRequest | None:
        return self._first(select(_TABLE).where(_TABLE.c.id == request_id), _record)

    def by_public_id(self, public_id: str) -> PresentationRequest | None:
        return self._first(select(_TABLE).where(_TABLE.c.request_id == public_id), _record)

    def start(self, public_id: str, *, state: str, now: datetime) -> PresentationRequest | None:
        which = and_(_TABLE.c.request_id == public_id, _TABLE.c.state == state)
        statement = (
            update(_TABLE)
            .where(which, _pending_at(now))
            .values(status=ExchangeState.ACTIVE.value)
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            if connection.execute(statement).rowcount != 1:
                return None
            row = connection.execute(select(_TABLE).where(which)).mappings().one()
        return _record(row)

    def finish(
        self,
        request_id: str,
        *,
        status: ExchangeState,
        result: str,
        presentation: str | None,
        error: str | None,
        now: datetime,
    ) -> None:
        statement = (
            update(_TABLE)
            .where(_TABLE.c.id == request_id, _TABLE.c.status == ExchangeState.ACTIVE.value)
            .values(
                status=status.value,
                result=result,
                presentation=presentation,
                error=error,
                completed_at=utc(now),
            )
            .execution_options(preserve_rowcount=True)
        )
        self._update_or_not_found(statement, f"no active authorization request {request_id!r}")

    def purge_expired(self, before: datetime) -> int:
        statement = (
            delete(_TABLE)
            .where(_TABLE.c.expires_at < utc(before))
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            return int(connection.execute(statement).rowcount)


def _pending_at(now: datetime) -> ColumnElement[bool]:
    """Pending and unexpired at ``now``: open for an answer."""
    return and_(_TABLE.c.status == ExchangeState.PENDING.value, _TABLE.c.expires_at > utc(now))


def _row(request: PresentationRequest) -> Row:
    return {column.name: getattr(request, column.name) for column in _TABLE.columns} | {
        "status": request.status.value
    }


def _record(row: RowMapping) -> PresentationRequest:
    values = {column.name: row[column.name] for column in _TABLE.columns}
    return PresentationRequest(**values | {"status": ExchangeState(row["status"])})
