"""Issued credentials in SQL, with their subject values indexed for search."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from vcservice.model.records import AuditEvent, IssuedCredential
from vcservice.storage import rows
from vcservice.storage.audit import append_entry
from vcservice.storage.common import SqlRepository, authority_exists, conflict, not_found
from vcservice.storage.repository import COUNT_LIMIT, CredentialQuery, Page
from vcservice.storage.schema import credential_subjects, credentials

__all__ = ["SqlCredentialRepository"]


class SqlCredentialRepository(SqlRepository):
    """Issued credentials in ``credentials``, with subject values in ``credential_subjects``."""

    def add(
        self, credential: IssuedCredential, *, audit: AuditEvent | None = None
    ) -> IssuedCredential:
        """Record ``credential`` (and append ``audit`` with it), or return the one stored
        under its idempotency key (appending nothing).

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
                if audit is not None:
                    append_entry(connection, audit)
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
            known_authority = authority_exists(connection, credential.authority)
        if earlier is not None:
            if earlier.request_digest != credential.request_digest:
                raise conflict(
                    f"idempotency key {credential.idempotency_key!r} was used for another request"
                )
            return earlier
        if not known_authority:
            raise not_found(f"no authority named {credential.authority!r}")
        raise conflict(f"a credential {credential.id!r} exists")

    def get(self, credential_id: str) -> IssuedCredential | None:
        """The credential with ``credential_id``."""
        return self._first(
            select(credentials).where(credentials.c.id == credential_id), rows.to_credential
        )

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
        self._update_or_not_found(statement, f"no credential {credential_id!r}")

    def search(self, query: CredentialQuery) -> Page:
        """Credentials matching ``query``, newest first (ties by id, descending).

        ``issued_from`` is inclusive and ``issued_until`` exclusive; ``subject`` must
        equal the subject id or one identifier exactly; ``total`` counts the matches
        (up to ``COUNT_LIMIT``), ignoring ``limit`` and ``offset``.
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
        matches = select(credentials.c.id).where(*conditions).limit(COUNT_LIMIT + 1).subquery()
        count = select(func.count()).select_from(matches)
        with self._db.read() as connection:
            total = connection.scalar(count) or 0
            found = connection.execute(page).mappings().all() if query.limit else []
        return Page(
            items=[rows.to_credential(row) for row in found],
            total=min(total, COUNT_LIMIT),
            total_is_exact=total <= COUNT_LIMIT,
        )
