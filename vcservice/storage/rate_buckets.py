"""The shared token buckets of the rate limits, in SQL (``rate_buckets``)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, select, update

from vcservice.model.rates import Lease, lease_from, refilled
from vcservice.storage.common import SqlRepository, insert_unless_taken
from vcservice.storage.schema import rate_buckets

__all__ = ["SqlRateBucketRepository"]


class SqlRateBucketRepository(SqlRepository):
    """Buckets in ``rate_buckets``: each lease or spend is one short write transaction, its
    row locked (PostgreSQL ``FOR UPDATE``; SQLite serialises writers), so concurrent
    processes never take the same token twice."""

    def lease(self, key: str, *, want: int, rate: float, burst: float, now: float) -> Lease:
        """Up to ``want`` whole tokens of ``key``'s bucket."""
        with self._db.write() as connection:
            lease = lease_from(_refilled(connection, key, rate=rate, burst=burst, now=now), want)
            _keep(connection, key, lease.left, now)
        return lease

    def spend(self, key: str, *, cost: float, rate: float, burst: float, now: float) -> None:
        """``cost`` tokens of ``key``'s bucket, into debt if need be."""
        with self._db.write() as connection:
            tokens = _refilled(connection, key, rate=rate, burst=burst, now=now)
            _keep(connection, key, tokens - cost, now)

    def level(self, key: str, *, rate: float, burst: float, now: float) -> float:
        """What ``key``'s bucket holds at ``now``, read only."""
        query = select(rate_buckets.c.tokens, rate_buckets.c.updated_at).where(
            rate_buckets.c.key == key
        )
        with self._db.read() as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            return burst
        return refilled(row.tokens, row.updated_at, now, rate=rate, burst=burst)

    def purge_idle(self, before: float) -> int:
        """Delete the buckets untouched since ``before``; how many went."""
        statement = delete(rate_buckets).where(rate_buckets.c.updated_at < before)
        with self._db.write() as connection:
            return int(connection.execute(statement).rowcount)


def _refilled(connection: Connection, key: str, *, rate: float, burst: float, now: float) -> float:
    """The bucket of ``key`` (created full), locked for this transaction and refilled."""
    insert_unless_taken(
        connection, rate_buckets, {"key": key, "tokens": burst, "updated_at": now}, ["key"]
    )
    row = connection.execute(
        select(rate_buckets.c.tokens, rate_buckets.c.updated_at)
        .where(rate_buckets.c.key == key)
        .with_for_update()
    ).one()
    return refilled(row.tokens, row.updated_at, now, rate=rate, burst=burst)


def _keep(connection: Connection, key: str, tokens: float, now: float) -> None:
    connection.execute(
        update(rate_buckets).where(rate_buckets.c.key == key).values(tokens=tokens, updated_at=now)
    )
