"""Alembic migrations of the store, run programmatically by ``upgrade_to_head``.

A schema change is a hand-written ``versions/NNNN_name.py`` (portable between SQLite
and PostgreSQL) plus the matching change in ``storage/schema.py``; the contract tests
check that the two agree.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from vcservice.storage.engine import Database

SCRIPT_LOCATION = "vcservice.storage:migrations"
# Any fixed 64-bit number: PostgreSQL serialises concurrent migrations on it.
_PG_MIGRATION_LOCK = 0x7663_7365_7276_6963


def alembic_config(connection: Connection) -> Config:
    """An Alembic configuration that runs on ``connection`` (no alembic.ini needed)."""
    config = Config(attributes={"connection": connection})
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def upgrade_to_head(database: Database) -> None:
    """Apply every pending migration in one transaction, one process at a time.

    SQLite serialises through ``BEGIN IMMEDIATE`` (see ``storage.engine``), PostgreSQL
    through a transaction-scoped advisory lock; a process that waited finds the
    schema already at head and does nothing.
    """
    with database.write() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        command.upgrade(alembic_config(connection), "head")
