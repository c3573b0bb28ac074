"""Verifier challenges in SQL: issued within limits, consumed at most once, purged when
expired."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, delete, select, update

from vcservice.model.records import Challenge
from vcservice.storage import rows
from vcservice.storage.common import (
    SqlRepository,
    conflict,
    insert_unless_taken,
    limit_reached,
    utc,
)
from vcservice.storage.repository import ConsumedChallenge, LimitReached, OpenLimit
from vcservice.storage.schema import challenges

__all__ = ["SqlChallengeRepository"]


class SqlChallengeRepository(SqlRepository):
    """Challenges in ``challenges``; single use is the database's guarantee.

    ``consume`` is one conditional ``UPDATE … SET used_at = now WHERE challenge = …
    AND used_at IS NULL AND expires_at > now``, and the challenge counts as consumed
    only when that statement changed a row. SQLite serialises writers (``BEGIN
    IMMEDIATE``); on PostgreSQL a second UPDATE of the same row waits for the first
    to commit and then re-reads ``used_at`` (READ COMMITTED), so it changes nothing.
    A limited ``issue`` counts the caller's open challenges in its write
    (``common.limit_reached``).
    """

    def issue(
        self,
        challenge: str,
        *,
        domain: str | None,
        expires_at: datetime,
        created_at: datetime,
        caller: str | None = None,
        limit: OpenLimit | None = None,
    ) -> Challenge | LimitReached:
        """Store a new, unused challenge of ``caller`` unless that would pass ``limit``
        (open at ``created_at``); CONFLICT if that challenge exists."""
        record = Challenge(
            challenge=challenge,
            domain=domain,
            created_at=utc(created_at),
            expires_at=utc(expires_at),
            caller=caller,
        )
        with self._db.write() as connection:
            if limit is not None:
                refused = limit_reached(
                    connection, challenges, _open_at(record.created_at), caller=caller, limit=limit
                )
                if refused is not None:
                    return refused
            inserted = insert_unless_taken(
                connection, challenges, rows.challenge_row(record), ["challenge"]
            )
        if not inserted:
            raise conflict("that challenge was issued before")
        return record

    def consume(self, challenge: str, *, now: datetime) -> ConsumedChallenge | None:
        """Mark ``challenge`` used at ``now``; None if it is unknown, expired or used."""
        moment = utc(now)
        statement = (
            update(challenges)
            .where(challenges.c.challenge == challenge, _open_at(moment))
            .values(used_at=moment)
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            if connection.execute(statement).rowcount != 1:
                return None
            row = (
                connection.execute(select(challenges).where(challenges.c.challenge == challenge))
                .mappings()
                .one()
            )
        return rows.to_challenge(row)

    def get(self, challenge: str) -> Challenge | None:
        """The challenge, used or not, expired or not (until purged)."""
        query = select(challenges).where(challenges.c.challenge == challenge)
        return self._first(query, rows.to_challenge)

    def purge_expired(self, now: datetime) -> int:
        """Delete every challenge expired at ``now`` (used or not); how many went."""
        statement = (
            delete(challenges)
            .where(challenges.c.expires_at <= utc(now))
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            return int(connection.execute(statement).rowcount)


def _open_at(now: datetime) -> ColumnElement[bool]:
    """Unused and unexpired at ``now``."""
    return and_(challenges.c.used_at.is_(None), challenges.c.expires_at > utc(now))
