"""Every repository method behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from tests.contract.builders import NOW, authority, client, credential, key
from vcservice.errors import StorageError
from vcservice.model.records import Authority, KeyStatus, Scope
from vcservice.storage.engine import normalise_url
from vcservice.storage.repository import CredentialQuery
from vcservice.storage.sql import SqlStore, open_store

MEXICO_CITY = timezone(timedelta(hours=-6))
RACERS = 8


def _code(excinfo: pytest.ExceptionInfo[StorageError]) -> str:
    return excinfo.value.code


# Authorities


def test_authority_round_trip_and_list_by_name(store: SqlStore) -> None:
    cbp, sat = authority("cbp"), authority("sat", credential_types=frozenset({"*"}))
    store.authorities.add(sat)
    store.authorities.add(cbp)
    assert store.authorities.get("sat") == sat
    assert store.authorities.list() == [cbp, sat]
    assert store.authorities.get("nobody") is None


@pytest.mark.parametrize(
    "twin",
    [authority("sat", did="did:web:other.example"), authority("anam", did="did:web:sat.example")],
    ids=["name", "did"],
)
def test_authority_with_a_taken_name_or_did_conflicts(store: SqlStore, twin: Authority) -> None:
    store.authorities.add(authority("sat"))
    with pytest.raises(StorageError) as excinfo:
        store.authorities.add(twin)
    assert _code(excinfo) == "CONFLICT"
    assert store.authorities.list() == [authority("sat")]


# Keys


def test_keys_round_trip_oldest_first(store: SqlStore, sat: str) -> None:
    newer = key(sat, "key-a", created_at=NOW + timedelta(days=1))
    older = key(sat, "key-b", key_type="P-384", encrypted_secret=b"\x00\xff\x00")
    store.keys.add(newer)
    store.keys.add(older)
    assert store.keys.for_authority(sat) == [older, newer]
    assert store.keys.for_authority("nobody") == []


def test_key_ids_are_unique_per_authority(store: SqlStore, sat: str) -> None:
    store.authorities.add(authority("cbp"))
    store.keys.add(key(sat, "key-1"))
    store.keys.add(key("cbp", "key-1"))
    with pytest.raises(StorageError) as excinfo:
        store.keys.add(key(sat, "key-1", key_type="P-256"))
    assert _code(excinfo) == "CONFLICT"
    assert [k.key_type for k in store.keys.for_authority(sat)] == ["Ed25519"]


def test_key_of_an_unknown_authority_is_not_found(store: SqlStore) -> None:
    with pytest.raises(StorageError) as excinfo:
        store.keys.add(key("nobody"))
    assert _code(excinfo) == "NOT_FOUND"


def test_retired_key_stays_listed(store: SqlStore, sat: str) -> None:
    store.keys.add(key(sat, "key-1"))
    store.keys.add(key(sat, "key-2", created_at=NOW + timedelta(seconds=1)))
    store.keys.retire(sat, "key-1")
    store.keys.retire(sat, "key-1")  # retiring twice is harmless
    assert [(k.key_id, k.status) for k in store.keys.for_authority(sat)] == [
        ("key-1", KeyStatus.RETIRED),
        ("key-2", KeyStatus.ACTIVE),
    ]
    with pytest.raises(StorageError) as excinfo:
        store.keys.retire(sat, "key-9")
    assert _code(excinfo) == "NOT_FOUND"


def test_a_pending_key_is_promoted_once_retiring_the_others(store: SqlStore, sat: str) -> None:
    store.keys.add(key(sat, "key-1"))
    later = NOW + timedelta(seconds=1)
    store.keys.add(key(sat, "key-2", status=KeyStatus.PENDING, created_at=later))
    version = store.authorities.key_version(sat, did=authority(sat).did)
    assert version is not None
    assert store.keys.promote(sat, "key-1") is False  # active, not pending: nothing changes
    assert store.authorities.key_version(sat, did=authority(sat).did) == version
    assert store.keys.promote(sat, "key-2", retiring=["key-1"]) is True
    assert [(k.key_id, k.status) for k in store.keys.for_authority(sat)] == [
        ("key-1", KeyStatus.RETIRED),
        ("key-2", KeyStatus.ACTIVE),
    ]
    assert store.authorities.key_version(sat, did=authority(sat).did) == version + 1
    assert store.keys.promote(sat, "key-2") is False  # promoted once
    assert store.keys.promote(sat, "key-9") is False


def test_racing_promotions_of_one_pending_key_leave_one_winner(store: SqlStore, sat: str) -> None:
    store.keys.add(key(sat, "key-1"))
    store.keys.add(key(sat, "key-2", status=KeyStatus.PENDING))
    start = threading.Barrier(RACERS)

    def promote(_: int) -> bool:
        start.wait(timeout=60)
        return store.keys.promote(sat, "key-2", retiring=["key-1"])

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        assert sorted(pool.map(promote, range(RACERS))) == [False] * (RACERS - 1) + [True]


# Clients


def test_client_round_trip_list_and_delete(store: SqlStore, sat: str) -> None:
    first = client("client-1", sat)
    second = client("client-2", sat, scopes=frozenset(Scope), created_at=NOW + timedelta(hours=1))
    store.clients.add(second)
    store.clients.add(first)
    assert store.clients.get("client-2") == second
    assert store.clients.for_authority(sat) == [first, second]
    assert store.clients.delete("client-1") is True
    assert store.clients.delete("client-1") is False
    assert store.clients.get("client-1") is None
    assert store.clients.for_authority(sat) == [second]


def test_a_secret_hash_is_upgraded_only_from_what_it_was(store: SqlStore, sat: str) -> None:
    store.clients.add(client("client-1", sat))
    store.clients.add(client("client-2", sat))
    legacy = "$scrypt$hash-of-client-1"
    assert store.clients.upgrade_secret_hash("client-1", current="stale", upgraded="x") is False
    assert store.clients.get("client-1") == client("client-1", sat)
    assert store.clients.upgrade_secret_hash("client-1", current=legacy, upgraded="hmac") is True
    assert store.clients.get("client-1") == client("client-1", sat, secret_hash="hmac")
    assert store.clients.get("client-2") == client("client-2", sat)
    assert store.clients.upgrade_secret_hash("nobody", current=legacy, upgraded="x") is False


def test_client_id_conflict_and_unknown_authority(store: SqlStore, sat: str) -> None:
    store.clients.add(client("client-1", sat))
    with pytest.raises(StorageError) as excinfo:
        store.clients.add(client("client-1", sat, secret_hash="other"))
    assert _code(excinfo) == "CONFLICT"
    with pytest.raises(StorageError) as excinfo:
        store.clients.add(client("client-2", "nobody"))
    assert _code(excinfo) == "NOT_FOUND"


# Credentials


def test_credential_round_trip(store: SqlStore, sat: str) -> None:
    full = credential(1, sat, status="revoked", idempotency_key="k-1", request_digest="d-1")
    bare = credential(
        2, sat, subject_id=None, subject_identifiers=(), valid_from=None, valid_until=None
    )
    assert store.credentials.add(full) == full
    assert store.credentials.add(bare) == bare
    assert store.credentials.get(full.id) == full
    assert store.credentials.get(bare.id) == bare
    assert store.credentials.get("urn:uuid:missing") is None


def test_credential_of_an_unknown_authority_is_not_found(store: SqlStore) -> None:
    with pytest.raises(StorageError) as excinfo:
        store.credentials.add(credential(1, "nobody", idempotency_key="k"))
    assert _code(excinfo) == "NOT_FOUND"


def test_credential_id_conflict(store: SqlStore, sat: str) -> None:
    store.credentials.add(credential(1, sat))
    with pytest.raises(StorageError) as excinfo:
        store.credentials.add(credential(1, sat, document="{}"))
    assert _code(excinfo) == "CONFLICT"
    assert store.credentials.get(credential(1).id) == credential(1, sat)


def test_replayed_idempotency_key_returns_the_earlier_credential(store: SqlStore, sat: str) -> None:
    first = credential(1, sat, idempotency_key="k", request_digest="d")
    assert store.credentials.add(first) == first
    retry = credential(2, sat, idempotency_key="k", request_digest="d")
    assert store.credentials.add(retry) == first
    assert store.credentials.get(retry.id) is None
    assert store.credentials.find_by_idempotency_key(sat, "k") == first
    assert store.credentials.search(CredentialQuery(authority=sat)).total == 1


def test_idempotency_key_with_another_digest_conflicts(store: SqlStore, sat: str) -> None:
    store.credentials.add(credential(1, sat, idempotency_key="k", request_digest="d"))
    with pytest.raises(StorageError) as excinfo:
        store.credentials.add(credential(2, sat, idempotency_key="k", request_digest="other"))
    assert _code(excinfo) == "CONFLICT"


def test_idempotency_keys_are_per_authority(store: SqlStore, sat: str) -> None:
    store.authorities.add(authority("cbp"))
    store.credentials.add(credential(1, sat, idempotency_key="k"))
    store.credentials.add(credential(2, "cbp", idempotency_key="k"))
    store.credentials.add(credential(3, sat))
    store.credentials.add(credential(4, sat))  # many credentials without a key
    assert store.credentials.find_by_idempotency_key("cbp", "k") == credential(
        2, "cbp", idempotency_key="k"
    )
    assert store.credentials.find_by_idempotency_key(sat, "other") is None
    assert store.credentials.search(CredentialQuery(authority=sat)).total == 3


def test_credential_status_summary_is_updated_and_searchable(store: SqlStore, sat: str) -> None:
    store.credentials.add(credential(1, sat))
    store.credentials.add(credential(2, sat))
    store.credentials.set_status(credential(1).id, "suspended")
    assert store.credentials.get(credential(1).id) == credential(1, sat, status="suspended")
    assert store.credentials.get(credential(2).id) == credential(2, sat)
    store.credentials.set_status(credential(1).id, "revoked")
    page = store.credentials.search(CredentialQuery(authority=sat, status="revoked"))
    assert [item.id for item in page.items] == [credential(1).id]
    with pytest.raises(StorageError) as excinfo:
        store.credentials.set_status("urn:uuid:missing", "revoked")
    assert _code(excinfo) == "NOT_FOUND"


# Search


@pytest.fixture
def issued(store: SqlStore, sat: str) -> list[str]:
    """Ids of six credentials of ``sat``, oldest first, and one of another authority."""
    store.authorities.add(authority("cbp"))
    store.credentials.add(credential(100, "cbp"))
    records = [
        credential(1, sat),
        credential(2, sat, credential_type="OeaCertificate"),
        credential(3, sat, status="revoked"),
        credential(4, sat, subject_id="did:web:shared.example", subject_identifiers=("RFC-X",)),
        credential(5, sat, subject_id="RFC-X", subject_identifiers=("RFC-X", "IMMEX-5")),
        credential(6, sat, credential_type="OeaCertificate", status="revoked"),
    ]
    for record in records:
        store.credentials.add(record)
    return [record.id for record in records]


def _ids(store: SqlStore, **filters: Any) -> tuple[list[str], int]:
    page = store.credentials.search(CredentialQuery(authority="sat", **filters))
    return [item.id for item in page.items], page.total


def test_search_lists_newest_first_with_total(store: SqlStore, issued: list[str]) -> None:
    assert _ids(store) == (issued[::-1], 6)
    assert store.credentials.search(CredentialQuery(authority="nobody")).total == 0


def test_search_pages(store: SqlStore, issued: list[str]) -> None:
    newest_first = issued[::-1]
    assert _ids(store, limit=4) == (newest_first[:4], 6)
    assert _ids(store, limit=4, offset=4) == (newest_first[4:], 6)
    assert _ids(store, limit=4, offset=10) == ([], 6)
    assert _ids(store, limit=0) == ([], 6)
    with pytest.raises(ValueError, match="negative"):
        _ids(store, offset=-1)


def test_search_breaks_issuance_ties_by_id(store: SqlStore, sat: str) -> None:
    same_time = [credential(n, sat, issued_at=NOW) for n in (3, 1, 2)]
    for record in same_time:
        store.credentials.add(record)
    expected = sorted((record.id for record in same_time), reverse=True)
    assert _ids(store, limit=2) + _ids(store, offset=2) == (expected[:2], 3, expected[2:], 3)


def test_search_filters(store: SqlStore, issued: list[str]) -> None:
    assert _ids(store, credential_type="OeaCertificate") == ([issued[5], issued[1]], 2)
    assert _ids(store, status="revoked") == ([issued[5], issued[2]], 2)
    assert _ids(store, status="revoked", credential_type="ImmexCertificate") == ([issued[2]], 1)
    assert _ids(store, credential_type="Unknown") == ([], 0)


def test_search_by_subject_matches_id_or_any_identifier_once(
    store: SqlStore, issued: list[str]
) -> None:
    assert _ids(store, subject="did:web:trader1.example") == ([issued[0]], 1)
    assert _ids(store, subject="IMMEX-2") == ([issued[1]], 1)
    assert _ids(store, subject="RFC-X") == ([issued[4], issued[3]], 2)
    assert _ids(store, subject="rfc-x") == ([], 0)  # exact match only
    assert _ids(store, subject="RFC-X", status="revoked") == ([], 0)
    assert _ids(store, subject="IMMEX-100") == ([], 0)  # another authority's subject


def test_search_by_issuance_time_from_inclusive_until_exclusive(
    store: SqlStore, issued: list[str]
) -> None:
    start, end = NOW + timedelta(minutes=2), NOW + timedelta(minutes=5)
    assert _ids(store, issued_from=start, issued_until=end) == (issued[3:0:-1], 3)
    assert _ids(store, issued_from=end) == (issued[:3:-1], 2)
    assert _ids(store, issued_until=start) == ([issued[0]], 1)
    # the same instants in another offset select the same credentials
    local = _ids(store, issued_from=start.astimezone(MEXICO_CITY), issued_until=end)
    assert local == (issued[3:0:-1], 3)


# Time


def test_timestamps_come_back_in_utc(store: SqlStore, sat: str) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    local = credential(
        1,
        sat,
        issued_at=datetime(2026, 11, 28, 6, 0, 0, 123456, tzinfo=MEXICO_CITY),
        valid_from=datetime(2026, 11, 28, 17, 30, tzinfo=india),
        valid_until=datetime(2027, 11, 28, 12, 0, tzinfo=UTC),
    )
    store.credentials.add(local)
    stored = store.credentials.get(local.id)
    assert stored is not None
    for value in (stored.issued_at, stored.valid_from, stored.valid_until):
        assert value is not None
        assert value.tzinfo is UTC
    assert stored.issued_at == datetime(2026, 11, 28, 12, 0, 0, 123456, tzinfo=UTC)
    assert stored.valid_from == datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    store.authorities.add(authority("cbp", created_at=NOW.astimezone(india)))
    cbp = store.authorities.get("cbp")
    assert cbp is not None
    assert cbp.created_at.tzinfo is UTC
    assert cbp.created_at == NOW


def test_naive_timestamps_are_refused(store: SqlStore, sat: str) -> None:
    naive = datetime(2026, 11, 28, 12, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.credentials.add(credential(1, sat, issued_at=naive))
    with pytest.raises(ValueError, match="timezone-aware"):
        store.credentials.search(CredentialQuery(authority=sat, issued_from=naive))
    assert store.credentials.get(credential(1).id) is None


# Errors


def test_driver_errors_surface_as_storage_errors(
    store: SqlStore, sat: str, database_url: str
) -> None:
    engine = create_engine(normalise_url(database_url), poolclass=NullPool)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE credential_subjects")
        connection.exec_driver_sql("DROP TABLE credentials")
    engine.dispose()
    with pytest.raises(StorageError) as excinfo:
        store.credentials.get("urn:uuid:1")
    assert _code(excinfo) == "STORAGE_ERROR"
    message = str(excinfo.value)
    assert "SELECT" not in message
    assert "credentials" not in message
    with pytest.raises(StorageError) as excinfo:
        store.credentials.add(credential(1, idempotency_key="k"))
    assert _code(excinfo) == "STORAGE_ERROR"
    assert "INSERT" not in str(excinfo.value)


def test_unreachable_database_is_a_storage_error(tmp_path: Path) -> None:
    """Needs no server: nothing listens on port 1."""
    with pytest.raises(StorageError) as excinfo:
        open_store("postgresql://postgres:s3cret@127.0.0.1:1/vcservice")
    assert _code(excinfo) == "STORAGE_ERROR"
    assert "s3cret" not in str(excinfo.value)
    with pytest.raises(StorageError):
        open_store(f"sqlite:///{tmp_path}/missing/directory/store.db")


@pytest.mark.parametrize("url", ["mysql://root@localhost/db", "postgresql+psycopg2://x/db", "?"])
def test_unsupported_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="URL"):
        open_store(url)


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@db/vc", "postgresql+psycopg"),
        ("postgres://u@db/vc", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db/vc", "postgresql+psycopg"),
        ("sqlite:///var/vc.db", "sqlite+pysqlite"),
        ("sqlite://", "sqlite+pysqlite"),
    ],
)
def test_urls_are_normalised_to_one_driver_per_backend(url: str, driver: str) -> None:
    assert normalise_url(url).drivername == driver


def test_in_memory_sqlite_store() -> None:
    with open_store("sqlite://") as store:
        store.authorities.add(authority("sat"))
        store.credentials.add(credential(1))
        assert store.credentials.get(credential(1).id) == credential(1)


def test_the_total_is_counted_up_to_a_limit(
    store: SqlStore, sat: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("vcservice.storage.credentials.COUNT_LIMIT", 3)
    for number in range(1, 4):
        store.credentials.add(credential(number, sat))
    exact = store.credentials.search(CredentialQuery(authority=sat, limit=2))
    assert (exact.total, exact.total_is_exact, len(exact.items)) == (3, True, 2)
    store.credentials.add(credential(4, sat))
    capped = store.credentials.search(CredentialQuery(authority=sat, limit=2, offset=2))
    assert (capped.total, capped.total_is_exact, len(capped.items)) == (3, False, 2)
