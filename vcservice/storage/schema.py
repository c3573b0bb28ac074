"""The SQL schema of the store, declared once for SQLite and PostgreSQL.

``versions/0001_initial.py`` creates exactly these tables; a contract test compares
the two. Timestamps are stored in UTC (``timestamptz`` on PostgreSQL, naive UTC
text on SQLite) and always read back timezone-aware in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime, stored in UTC and returned in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert to UTC; SQLite keeps no offset, so drop it there."""
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Read naive values as UTC, convert aware ones to UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(naming_convention=NAMING_CONVENTION)

authorities = Table(
    "authorities",
    metadata,
    Column("name", String, primary_key=True),
    Column("display_name", String, nullable=False),
    Column("did", String, nullable=False, unique=True),
    Column("credential_types", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

keys = Table(
    "keys",
    metadata,
    Column("authority", String, ForeignKey("authorities.name"), nullable=False),
    Column("key_id", String, nullable=False),
    Column("key_type", String, nullable=False),
    Column("public_key_multibase", String, nullable=False),
    Column("encrypted_secret", LargeBinary, nullable=False),
    Column("status", String, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    PrimaryKeyConstraint("authority", "key_id"),
)

clients = Table(
    "clients",
    metadata,
    Column("client_id", String, primary_key=True),
    Column("authority", String, ForeignKey("authorities.name"), nullable=False, index=True),
    Column("secret_hash", String, nullable=False),
    Column("scopes", JSON, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

credentials = Table(
    "credentials",
    metadata,
    Column("id", String, primary_key=True),
    Column("authority", String, ForeignKey("authorities.name"), nullable=False),
    Column("credential_type", String, nullable=False),
    Column("securing_format", String, nullable=False),
    Column("document", Text, nullable=False),
    Column("subject_id", String),
    Column("subject_identifiers", JSON, nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("valid_from", UtcDateTime),
    Column("valid_until", UtcDateTime),
    Column("status", String, nullable=False),
    Column("idempotency_key", String),
    Column("request_digest", String),
    UniqueConstraint("authority", "idempotency_key"),
)
# Each listing index ends in the search order, so a filtered page reads no more than it shows.
Index(
    "ix_credentials_authority_issued_at",
    credentials.c.authority,
    credentials.c.issued_at.desc(),
    credentials.c.id.desc(),
)
Index(
    "ix_credentials_authority_credential_type",
    credentials.c.authority,
    credentials.c.credential_type,
    credentials.c.issued_at.desc(),
    credentials.c.id.desc(),
)
Index(
    "ix_credentials_authority_status",
    credentials.c.authority,
    credentials.c.status,
    credentials.c.issued_at.desc(),
    credentials.c.id.desc(),
)

# Every value a subject query matches exactly: the subject id and each identifier.
# ``credentials.subject_identifiers`` keeps the identifiers in order for reading back.
credential_subjects = Table(
    "credential_subjects",
    metadata,
    Column("identifier", String, nullable=False),
    Column("credential_id", String, ForeignKey("credentials.id"), nullable=False),
    PrimaryKeyConstraint("identifier", "credential_id"),
)
