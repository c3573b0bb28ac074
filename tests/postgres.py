"""A throwaway PostgreSQL database for one test module or test (on the server CI starts)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url
from sqlalchemy.pool import NullPool

from vcservice.storage.engine import normalise_url

POSTGRES_URL = os.environ.get("VCSERVICE_TEST_POSTGRES_URL")
NO_POSTGRES = 'VCSERVICE_TEST_POSTGRES_URL is not set; run eval "$(bash scripts/postgres.sh)" first'


@contextmanager
def fresh_postgres_database(server_url: str, *, prefix: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``; dropped afterwards."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(
        normalise_url(server_url), poolclass=NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()
