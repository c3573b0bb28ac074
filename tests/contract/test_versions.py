"""The versions other processes' caches rely on: every committed change moves one on.

An authority's ``key_version`` grows with each key added or retired; a status list's
``version`` with each status that changes. Reading a list reads its own columns, not the
published copy.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command

from tests.contract.builders import NOW, allocation, authority, credential_id, key
from vcservice.errors import StorageError
from vcservice.model.records import StatusPurpose
from vcservice.storage.engine import Database
from vcservice.storage.migrations import alembic_config
from vcservice.storage.sql import SqlStore, open_store

SAT_DID = authority("sat").did


def test_a_new_authority_is_at_key_version_0(store: SqlStore, sat: str) -> None:
    assert store.authorities.key_version(sat, did=SAT_DID) == 0


def test_no_key_version_for_an_unknown_name_or_another_did(store: SqlStore, sat: str) -> None:
    assert store.authorities.key_version("nobody", did=SAT_DID) is None
    assert store.authorities.key_version(sat, did="did:web:other.example") is None


def test_every_key_added_or_retired_moves_the_key_version_on(store: SqlStore, sat: str) -> None:
    store.authorities.add(authority("cbp"))
    store.keys.add(key(sat, "key-1"))
    assert store.authorities.key_version(sat, did=SAT_DID) == 1
    store.keys.add(key(sat, "key-2", created_at=NOW + timedelta(seconds=1)))
    store.keys.retire(sat, "key-1")
    assert store.authorities.key_version(sat, did=SAT_DID) == 3
    assert store.authorities.key_version("cbp", did=authority("cbp").did) == 0


def test_a_refused_key_write_leaves_the_key_version_alone(store: SqlStore, sat: str) -> None:
    store.keys.add(key(sat, "key-1"))
    with pytest.raises(StorageError):
        store.keys.add(key(sat, "key-1"))  # CONFLICT
    with pytest.raises(StorageError):
        store.keys.retire(sat, "key-9")  # NOT_FOUND
    assert store.authorities.key_version(sat, did=SAT_DID) == 1


def test_a_status_change_moves_its_list_version_on(store: SqlStore, sat: str) -> None:
    entry = store.statuses.allocate(**allocation(1, purpose=StatusPurpose.SUSPENSION))
    opened = store.statuses.get_list(sat, StatusPurpose.SUSPENSION, 1)
    assert opened is not None and opened.id == entry.list_id and opened.version == 0
    for status in (1, 1, 0):
        store.statuses.change(
            credential_id=credential_id(1),
            purpose=StatusPurpose.SUSPENSION,
            new_status=status,
            reason="test",
            actor="tester",
            now=NOW,
        )
    changed = store.statuses.get_list(sat, StatusPurpose.SUSPENSION, 1)
    assert changed is not None and changed.version == 2  # setting the same value is no change


def test_reading_a_list_leaves_its_published_copy_out(store: SqlStore, sat: str) -> None:
    entry = store.statuses.allocate(**allocation(1))
    store.statuses.publish(entry.list_id, 0, '{"signed": true}')
    status_list = store.statuses.get_list(sat, StatusPurpose.REVOCATION, 1)
    assert status_list is not None
    assert store.statuses.list_by_id(entry.list_id) == status_list
    assert store.statuses.lists_of(sat) == [status_list]
    assert store.statuses.published(entry.list_id) == (0, '{"signed": true}')


def test_upgrading_a_0006_database_puts_its_authorities_at_key_version_0(
    database_url: str,
) -> None:
    with open_store(database_url, migrate=False) as old:
        with Database(old.engine).write() as connection:
            command.upgrade(alembic_config(connection), "0006")
        old.authorities.add(authority("sat"))
    with open_store(database_url) as upgraded:
        assert upgraded.authorities.key_version("sat", did=SAT_DID) == 0
        upgraded.keys.add(key("sat"))
        assert upgraded.authorities.key_version("sat", did=SAT_DID) == 1
