"""Trust lists in SQL: those authorities publish, and those the verifier subscribes to.

Every change of state that processes may race for is one conditional write, so it is the
database that picks the winner: a sequence is published by the one insert that finds its
primary key free; a due fetch is claimed by the one UPDATE that still finds it due; a new
version is held by the one UPDATE that still finds the sequence its fetcher saw. An audit
event is appended in the change's transaction, only when something changed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from vcservice.model.records import (
    AuditEvent,
    PublishedEntry,
    PublishedList,
    TrustListSnapshot,
    TrustListSubscription,
)
from vcservice.storage import rows
from vcservice.storage.audit import append_entry
from vcservice.storage.common import (
    SqlRepository,
    authority_exists,
    conflict,
    insert_unless_taken,
    not_found,
    utc,
)
from vcservice.storage.schema import (
    trust_list_entries,
    trust_list_snapshots,
    trust_list_subscriptions,
    trust_list_versions,
)

__all__ = ["SqlPublishedListRepository", "SqlTrustListSubscriptionRepository"]

_SNAPSHOT = "snapshot_"  # the prefix of the snapshot's columns in ``held``'s join
_SUBSCRIPTIONS = select(trust_list_subscriptions).order_by(
    trust_list_subscriptions.c.created_at, trust_list_subscriptions.c.id
)


class SqlPublishedListRepository(SqlRepository):
    """Authorities' trust list entries in ``trust_list_entries`` and their signed versions
    in ``trust_list_versions``."""

    def entries(self, authority: str) -> list[PublishedEntry]:
        """Every entry of the authority's list, oldest first."""
        query = (
            select(trust_list_entries)
            .where(trust_list_entries.c.authority == authority)
            .order_by(trust_list_entries.c.created_at, trust_list_entries.c.id)
        )
        return self._all(query, rows.to_published_entry)

    def add_entry(self, entry: PublishedEntry, *, audit: AuditEvent | None = None) -> None:
        """Store a new entry, audited with it (CONFLICT if its id exists, NOT_FOUND if no
        authority)."""
        row = rows.published_entry_row(entry)
        taken = f"a trust list entry {entry.id!r} exists"
        self._add_for_authority(trust_list_entries, row, entry.authority, taken, audit=audit)

    def delete_entry(
        self, authority: str, entry_id: str, *, audit: AuditEvent | None = None
    ) -> bool:
        """Remove the authority's entry, audited with it; False if there was none."""
        statement = delete(trust_list_entries).where(
            trust_list_entries.c.authority == authority, trust_list_entries.c.id == entry_id
        )
        with self._db.write() as connection:
            removed = connection.execute(statement).rowcount > 0
            if removed and audit is not None:
                append_entry(connection, audit)
        return removed

    def latest(self, authority: str) -> PublishedList | None:
        """The authority's version with the highest sequence, if it published any."""
        query = (
            select(trust_list_versions)
            .where(trust_list_versions.c.authority == authority)
            .order_by(trust_list_versions.c.sequence.desc())
            .limit(1)
        )
        return self._first(query, rows.to_published_list)

    def version(self, authority: str, sequence: int) -> PublishedList | None:
        """One published version of the authority's list, if there is one."""
        query = select(trust_list_versions).where(
            trust_list_versions.c.authority == authority,
            trust_list_versions.c.sequence == sequence,
        )
        return self._first(query, rows.to_published_list)

    def publish(self, version: PublishedList, *, audit: AuditEvent | None = None) -> bool:
        """Store a new version, audited with it; False (nothing written) when its sequence
        exists. NOT_FOUND if no authority."""
        row = rows.published_list_row(version)
        try:
            with self._db.write() as connection:
                stored = insert_unless_taken(
                    connection, trust_list_versions, row, ["authority", "sequence"]
                )
                if stored and audit is not None:
                    append_entry(connection, audit)
        except IntegrityError:
            with self._db.read() as connection:
                if not authority_exists(connection, version.authority):
                    raise not_found(f"no authority named {version.authority!r}") from None
            raise conflict(f"version {version.sequence} of {version.authority!r}") from None
        return stored


class SqlTrustListSubscriptionRepository(SqlRepository):
    """Subscriptions in ``trust_list_subscriptions``, the versions accepted in
    ``trust_list_snapshots``."""

    def add(self, subscription: TrustListSubscription, *, audit: AuditEvent | None = None) -> None:
        """Store a new subscription, audited with it (CONFLICT if its id or URL exists)."""
        row = rows.subscription_row(subscription)
        try:
            with self._db.write() as connection:
                connection.execute(insert(trust_list_subscriptions), row)
                if audit is not None:
                    append_entry(connection, audit)
        except IntegrityError:
            raise conflict(f"a subscription to {subscription.url!r} exists") from None

    def get(self, subscription_id: str) -> TrustListSubscription | None:
        """The subscription with ``subscription_id``."""
        query = select(trust_list_subscriptions).where(_subscription(subscription_id))
        return self._first(query, rows.to_subscription)

    def delete(self, subscription_id: str, *, audit: AuditEvent | None = None) -> bool:
        """Remove the subscription and its snapshots, audited with it; False if there was
        none (nothing is written)."""
        # The row is locked first (PostgreSQL; SQLite's writes are serialised already):
        # an accept of this subscription, which updates the row before it adds a snapshot,
        # then waits, and finds the row gone.
        locked = select(trust_list_subscriptions.c.id).where(_subscription(subscription_id))
        with self._db.write() as connection:
            if connection.scalar(locked.with_for_update()) is None:
                return False
            connection.execute(
                delete(trust_list_snapshots).where(
                    trust_list_snapshots.c.subscription_id == subscription_id
                )
            )
            connection.execute(
                delete(trust_list_subscriptions).where(_subscription(subscription_id))
            )
            if audit is not None:
                append_entry(connection, audit)
        return True

    def held(self) -> list[tuple[TrustListSubscription, TrustListSnapshot | None]]:
        """Every subscription, oldest first, with the snapshot it holds, in one query."""
        snapshot_columns = [
            column.label(f"{_SNAPSHOT}{column.name}") for column in trust_list_snapshots.c
        ]
        query = _SUBSCRIPTIONS.add_columns(*snapshot_columns).outerjoin(
            trust_list_snapshots,
            (trust_list_snapshots.c.subscription_id == trust_list_subscriptions.c.id)
            & (trust_list_snapshots.c.sequence == trust_list_subscriptions.c.sequence),
        )
        return self._all(query, _subscription_and_snapshot)

    def snapshots(self, subscription_id: str) -> list[TrustListSnapshot]:
        """Every accepted version of the subscription's list, lowest sequence first."""
        query = (
            select(trust_list_snapshots)
            .where(trust_list_snapshots.c.subscription_id == subscription_id)
            .order_by(trust_list_snapshots.c.sequence)
        )
        return self._all(query, rows.to_snapshot)

    def claim_due(self, now: datetime, *, until: datetime) -> list[TrustListSubscription]:
        """Move ``next_fetch_at`` of each subscription due at ``now`` to ``until``, one
        conditional UPDATE per row; the subscriptions this call won, oldest first.

        A row another process claimed in between is no longer due (its ``next_fetch_at``
        is ``until``, after ``now``), so its UPDATE here changes nothing; on PostgreSQL an
        UPDATE waits for a concurrent claim of the row to commit, then checks it again.
        """
        if until <= now:
            raise ValueError("a claim lasts until after now")
        due = _due(now)
        with self._db.read() as connection:
            candidates = list(connection.scalars(select(trust_list_subscriptions.c.id).where(due)))
        won = []
        for subscription_id in candidates:
            claim = (
                update(trust_list_subscriptions)
                .where(_subscription(subscription_id), due)
                .values(next_fetch_at=utc(until))
                .execution_options(preserve_rowcount=True)
            )
            with self._db.write() as connection:
                if connection.execute(claim).rowcount == 1:
                    won.append(subscription_id)
        if not won:
            return []
        query = _SUBSCRIPTIONS.where(trust_list_subscriptions.c.id.in_(won))
        return self._all(query, rows.to_subscription)

    def accept(
        self,
        subscription_id: str,
        snapshot: TrustListSnapshot,
        *,
        previous_sequence: int | None,
        etag: str | None,
        next_fetch_at: datetime,
        audit: AuditEvent | None = None,
    ) -> bool:
        """Hold ``snapshot`` if the subscription still holds ``previous_sequence``, its
        snapshot stored, the subscription updated and ``audit`` appended in one transaction;
        False (nothing written) when the subscription holds another sequence (or is gone).

        The UPDATE comes first: it is the compare-and-set, and on PostgreSQL its row lock
        makes a concurrent accept of the same subscription wait and then find the sequence
        moved. A stored snapshot of that sequence is kept if its digest is the same, else
        CONFLICT (and nothing is written).
        """
        if snapshot.subscription_id != subscription_id:
            raise ValueError("the snapshot is of another subscription")
        held = trust_list_subscriptions.c.sequence
        still = held.is_(None) if previous_sequence is None else held == previous_sequence
        statement = (
            update(trust_list_subscriptions)
            .where(_subscription(subscription_id), still)
            .values(
                sequence=snapshot.sequence,
                confirmed_at=utc(snapshot.accepted_at),
                etag=etag,
                next_fetch_at=utc(next_fetch_at),
                failures=0,
                last_error_code=None,
                last_error_at=None,
            )
            .execution_options(preserve_rowcount=True)
        )
        with self._db.write() as connection:
            if connection.execute(statement).rowcount != 1:
                return False
            _store_snapshot(connection, snapshot)
            if audit is not None:
                append_entry(connection, audit)
        return True

    def confirm(
        self,
        subscription_id: str,
        *,
        sequence: int,
        confirmed_at: datetime,
        etag: str | None,
        next_fetch_at: datetime,
    ) -> None:
        """Record the held list (``sequence``) served again (the last error forgotten);
        nothing if the subscription holds another sequence by now."""
        statement = (
            update(trust_list_subscriptions)
            .where(
                _subscription(subscription_id),
                trust_list_subscriptions.c.sequence == sequence,
            )
            .values(
                confirmed_at=utc(confirmed_at),
                etag=etag,
                next_fetch_at=utc(next_fetch_at),
                failures=0,
                last_error_code=None,
                last_error_at=None,
            )
        )
        with self._db.write() as connection:
            connection.execute(statement)

    def record_failure(
        self,
        subscription_id: str,
        *,
        code: str,
        at: datetime,
        next_fetch_at: datetime,
        audit: AuditEvent | None = None,
    ) -> int:
        """Count one more failed fetch and schedule the next, audited with it; the failures
        counted since the last success (NOT_FOUND if no such subscription)."""
        statement = (
            update(trust_list_subscriptions)
            .where(_subscription(subscription_id))
            .values(
                failures=trust_list_subscriptions.c.failures + 1,
                last_error_code=code,
                last_error_at=utc(at),
                next_fetch_at=utc(next_fetch_at),
            )
            .execution_options(preserve_rowcount=True)
        )
        failures = select(trust_list_subscriptions.c.failures).where(_subscription(subscription_id))
        with self._db.write() as connection:
            if connection.execute(statement).rowcount != 1:
                raise not_found(f"no trust list subscription {subscription_id!r}")
            counted = int(connection.execute(failures).scalar_one())
            if audit is not None:
                append_entry(connection, audit)
        return counted

    def list(self) -> list[TrustListSubscription]:
        """Every subscription, oldest first."""
        return self._all(_SUBSCRIPTIONS, rows.to_subscription)


def _subscription(subscription_id: str) -> ColumnElement[bool]:
    return trust_list_subscriptions.c.id == subscription_id


def _due(now: datetime) -> ColumnElement[bool]:
    """Never fetched, or scheduled no later than ``now``."""
    next_fetch_at = trust_list_subscriptions.c.next_fetch_at
    return or_(next_fetch_at.is_(None), next_fetch_at <= utc(now))


def _store_snapshot(connection: Connection, snapshot: TrustListSnapshot) -> None:
    """Insert ``snapshot`` unless that version is stored with the same digest (CONFLICT
    with another digest)."""
    key = ["subscription_id", "sequence"]
    if insert_unless_taken(connection, trust_list_snapshots, rows.snapshot_row(snapshot), key):
        return
    stored = connection.scalar(
        select(trust_list_snapshots.c.digest).where(
            trust_list_snapshots.c.subscription_id == snapshot.subscription_id,
            trust_list_snapshots.c.sequence == snapshot.sequence,
        )
    )
    if stored != snapshot.digest:
        raise conflict(
            f"version {snapshot.sequence} of subscription {snapshot.subscription_id!r} is "
            "stored with another digest"
        )


def _subscription_and_snapshot(
    row: Any,
) -> tuple[TrustListSubscription, TrustListSnapshot | None]:
    """A subscription and, when the join found one, its held snapshot."""
    subscription = rows.to_subscription(row)
    if row[f"{_SNAPSHOT}subscription_id"] is None:
        return subscription, None
    snapshot = {
        name.removeprefix(_SNAPSHOT): value
        for name, value in row.items()
        if name.startswith(_SNAPSHOT)
    }
    return subscription, rows.to_snapshot(snapshot)
