"""Backends for the contract tests: a fresh SQLite file, and PostgreSQL when configured.

PostgreSQL runs when ``VCSERVICE_TEST_POSTGRES_URL`` is set (``eval "$(bash
scripts/postgres.sh)"`` sets it); each test then starts from an empty ``public`` schema.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from tests.contract import builders
from tests.postgres import NO_POSTGRES, POSTGRES_URL
from vcservice.storage.engine import normalise_url
from vcservice.storage.sql import SqlStore, open_store


def reset_postgres(url: str) -> None:
    """Drop and recreate the ``public`` schema of the database at ``url``."""
    engine = create_engine(normalise_url(url), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()


@pytest.fixture
def postgres_url() -> str:
    """The configured PostgreSQL database, emptied; the test skips when there is none."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database (no tables yet) on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    """A migrated store with no records."""
    with open_store(database_url) as opened:
        yield opened


@pytest.fixture
def sat(store: SqlStore) -> str:
    """The name of an authority present in ``store``."""
    store.authorities.add(builders.authority("sat"))
    return "sat"
