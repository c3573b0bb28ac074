"""Issue 4 acceptance: eight processes issuing at once share no status index, lose no record.

Every process builds the whole service from the same ``Settings`` (one data directory with
the key-encryption key, one database) and issues through ``IssuerService.issue``, as the
workers of a production deployment do. The parent then reads the registry and the status
tables back and checks them against what every process was given.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.integration.workers import PUBLIC_URL, issue_credentials, service_settings
from vcservice.model.records import StatusPurpose
from vcservice.services.container import Services, build_services
from vcservice.services.status import STATUS_LISTS_PATH, STATUS_SIZES
from vcservice.storage.repository import CredentialQuery
from vcservice.storage.schema import status_entries, status_lists

pytestmark = [pytest.mark.slow, pytest.mark.shared]

PROCESSES = 8
PER_PROCESS = 15
AUTHORITY = "sat"
LIST_PREFIX = f"{PUBLIC_URL}/{STATUS_LISTS_PATH}/"


@pytest.fixture
def services(database_url: str, tmp_path: Path, context_store_dir: Path) -> Iterator[Services]:
    """The parent's service: it migrates the database and creates the one authority."""
    built = build_services(
        service_settings(str(tmp_path / "data"), database_url, str(context_store_dir))
    )
    try:
        built.authorities.create(
            name=AUTHORITY, display_name="Secretaría de Economía", credential_types=["*"]
        )
        yield built
    finally:
        built.close()


def _issue_in_processes(services: Services) -> list[list[str]]:
    """Run the issuing workers, one spawned process each; the ids each one issued."""
    settings = services.settings
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    arguments = (
        str(settings.data_dir),
        settings.resolved_database_url,
        str(settings.context_store),
        AUTHORITY,
        PER_PROCESS,
        start,
        results,
    )
    processes = [
        context.Process(target=issue_credentials, args=arguments) for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    try:
        reports = [results.get(timeout=180) for _ in processes]
        for process in processes:
            process.join(timeout=60)
            assert process.exitcode == 0
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()
    failures = [payload for status, payload in reports if status != "ok"]
    assert not failures, "\n".join(failures)
    return [payload for _, payload in reports]


def _list_coordinates(url: str) -> tuple[str, StatusPurpose, int]:
    """``(authority, purpose, sequence)`` of one of this service's status list URLs."""
    assert url.startswith(LIST_PREFIX), url
    authority, purpose, sequence = url.removeprefix(LIST_PREFIX).split("/")
    return authority, StatusPurpose(purpose), int(sequence)


def test_processes_issuing_at_once_share_no_index_and_lose_no_credential(
    services: Services,
) -> None:
    reported = _issue_in_processes(services)
    store = services.store
    issued = [credential_id for ids in reported for credential_id in ids]
    assert [len(ids) for ids in reported] == [PER_PROCESS] * PROCESSES
    assert len(set(issued)) == len(issued) == PROCESSES * PER_PROCESS

    # No issued credential is missing from the registry, and the registry holds no other.
    page = store.credentials.search(CredentialQuery(authority=AUTHORITY, limit=len(issued) + 1))
    assert page.total == len(issued)
    assert {record.id for record in page.items} == set(issued)

    list_ids: dict[tuple[str, StatusPurpose, int], int] = {}
    taken: list[tuple[int, int]] = []
    for credential_id in issued:
        record = store.credentials.get(credential_id)
        assert record is not None, f"{credential_id} is missing from the registry"
        assert (record.authority, record.status) == (AUTHORITY, "active")

        # One entry per purpose, each at status 0.
        entries = store.statuses.entries_for(credential_id)
        assert sorted(entry.purpose for entry in entries) == sorted(STATUS_SIZES)
        assert all(entry.status == 0 for entry in entries)
        taken += [(entry.list_id, entry.index) for entry in entries]

        # The signed credential carries exactly the entries the registry allocated.
        document: dict[str, Any] = json.loads(record.document)
        assert document["id"] == credential_id
        embedded = {}
        for status in document["credentialStatus"]:
            coordinates = _list_coordinates(status["statusListCredential"])
            if coordinates not in list_ids:
                status_list = store.statuses.get_list(*coordinates)
                assert status_list is not None, status["statusListCredential"]
                list_ids[coordinates] = status_list.id
            assert coordinates[0] == AUTHORITY
            assert status["statusPurpose"] == coordinates[1].value
            assert status["id"] == f"{status['statusListCredential']}#{status['statusListIndex']}"
            embedded[coordinates[1]] = (list_ids[coordinates], int(status["statusListIndex"]))
        assert len(document["credentialStatus"]) == len(STATUS_SIZES)
        assert embedded == {entry.purpose: (entry.list_id, entry.index) for entry in entries}

    # No (list, index) pair was given twice, across every process and purpose.
    repeated = [pair for pair, times in Counter(taken).items() if times > 1]
    assert not repeated, f"status indices assigned more than once: {repeated}"

    with store.engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(status_entries)).scalar()
        lists = connection.execute(
            select(status_lists.c.purpose, status_lists.c.size, status_lists.c.status_size)
        ).all()
    assert rows == len(taken) == len(STATUS_SIZES) * len(issued)  # no orphaned allocation
    assert sorted(lists) == sorted(
        (purpose.value, 131_072, size) for purpose, size in STATUS_SIZES.items()
    )

    # A credential from the concurrent run verifies, status included, in this process.
    result = services.core.verifier.verify(json.loads(page.items[0].document))
    assert result.verified, result
