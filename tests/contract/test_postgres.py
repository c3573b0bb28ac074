"""What only PostgreSQL can get wrong: session time zones and dropped connections."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.contract.builders import authority, credential
from vcservice.storage.engine import normalise_url
from vcservice.storage.sql import open_store

pytestmark = pytest.mark.postgres


def test_session_time_zone_does_not_change_timestamps(postgres_url: str) -> None:
    with open_store(f"{postgres_url}?options=-c%20timezone%3DAsia/Tokyo") as tokyo:
        tokyo.authorities.add(authority("sat"))
        tokyo.credentials.add(credential(1))
        stored = tokyo.credentials.get(credential(1).id)
    assert stored is not None
    assert stored.issued_at.tzinfo is UTC
    assert stored == credential(1)


def test_store_reconnects_after_the_server_drops_its_connections(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        store.authorities.add(authority("sat"))
        # Both pools hold a connection: the pre-pinged one (writes, snapshots) and the
        # one for single reads, which does not ping and must retry on a fresh connection.
        assert store.authorities.get("sat") == authority("sat")
        admin = create_engine(normalise_url(postgres_url), poolclass=NullPool)
        with admin.begin() as connection:
            dropped = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        admin.dispose()
        assert dropped >= 2
        assert store.authorities.get("sat") == authority("sat")
        store.ping()
        assert store.authorities.get("sat") == authority("sat")
