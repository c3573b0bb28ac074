"""The service's own DID documents and status lists, kept between verifications, are never stale.

This process verifies, so its caches hold the authority's DID document and parsed status
lists; another process (spawned, building the whole service from the same settings, as a
second server worker) suspends, reinstates, revokes, rotates keys and creates authorities.
Each change must show in the very next verification here, as must a change an operator
makes by hand in the database. A verification whose cached entries are current costs one
query (the change counter), and the caches keep no more than their bounds.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event

from tests.integration.changes import create_authority, issue, make_changes
from tests.integration.workers import PUBLIC_URL, service_settings
from vcservice.dids.document import DidDocument
from vcservice.dids.methods.web import did_web_for_url
from vcservice.services.authorities import AuthorityService
from vcservice.services.container import Services, build_services
from vcservice.services.freshness import Freshness
from vcservice.services.status import StatusService
from vcservice.services.versioned_cache import VersionedCache
from vcservice.storage.schema import accreditations
from vcservice.storage.sql import SqlStore

pytestmark = [pytest.mark.slow, pytest.mark.shared]

ANSWER_SECONDS = 180


@pytest.fixture
def services(database_url: str, tmp_path: Path, context_store_dir: Path) -> Iterator[Services]:
    """This process's service (it migrates the database)."""
    built = build_services(
        service_settings(str(tmp_path / "data"), database_url, str(context_store_dir))
    )
    try:
        yield built
    finally:
        built.close()


class OtherProcess:
    """A spawned process running :func:`make_changes` over the same data and database."""

    def __init__(self, services: Services) -> None:
        settings = services.settings
        context = multiprocessing.get_context("spawn")
        self._commands: Any = context.Queue()
        self._results: Any = context.Queue()
        arguments = (
            str(settings.data_dir),
            settings.resolved_database_url,
            str(settings.context_store),
            self._commands,
            self._results,
        )
        self.process = context.Process(target=make_changes, args=arguments)
        self.process.start()

    def __call__(self, action: str, *arguments: Any) -> Any:
        """Run ``action`` there and return its answer once it is committed."""
        self._commands.put((action, arguments))
        outcome, value = self._results.get(timeout=ANSWER_SECONDS)
        assert outcome == "ok", value
        return value

    def stop(self) -> None:
        """Let the process finish, or kill it if it does not."""
        self._commands.put(None)
        self.process.join(timeout=60)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


@pytest.fixture
def other(services: Services) -> Iterator[OtherProcess]:
    """Another process changing statuses, keys and authorities in the same database."""
    spawned = OtherProcess(services)
    try:
        yield spawned
    finally:
        spawned.stop()
    assert spawned.process.exitcode == 0


def _problems(services: Services, credential: dict[str, Any]) -> list[str]:
    return [problem.code for problem in services.verifier.verify_credential(credential).problems]


def test_status_changes_made_elsewhere_show_in_the_next_verification(
    services: Services, other: OtherProcess
) -> None:
    other("create_authority", "sat")
    credential = other("issue", "sat")
    for _ in range(2):  # the second one is answered from what the first one kept
        assert _problems(services, credential) == []

    assert other("set_status", "sat", credential["id"], "suspension", 1) == "suspended"
    assert _problems(services, credential) == ["CREDENTIAL_SUSPENDED"]
    assert other("set_status", "sat", credential["id"], "suspension", 0) == "active"
    assert _problems(services, credential) == []
    assert other("set_status", "sat", credential["id"], "revocation", 1) == "revoked"
    assert _problems(services, credential) == ["CREDENTIAL_REVOKED"]


def test_a_key_rotated_elsewhere_verifies_in_the_next_verification(
    services: Services, other: OtherProcess
) -> None:
    other("create_authority", "sat")
    before = other("issue", "sat")
    assert _problems(services, before) == []

    other("rotate_key", "sat")
    after = other("issue", "sat")
    assert after["proof"]["verificationMethod"] != before["proof"]["verificationMethod"]
    assert _problems(services, after) == []
    assert _problems(services, before) == []  # the retired key stays published


def test_an_authority_and_lists_created_elsewhere_are_found_at_once(
    services: Services, other: OtherProcess
) -> None:
    did = did_web_for_url(PUBLIC_URL, ("issuers", "cbp"))
    list_url = f"{PUBLIC_URL}/status-lists/cbp/revocation/1"
    assert services.authorities.find_did_document(did) is None
    assert services.statuses.local_document(list_url) is None

    assert other("create_authority", "cbp") == did
    credential = other("issue", "cbp")
    assert list_url in [entry["statusListCredential"] for entry in credential["credentialStatus"]]
    assert _problems(services, credential) == []


@contextmanager
def _database_use(services: Services) -> Iterator[tuple[list[str], list[object]]]:
    """The statements this process sends through SQLAlchemy inside the block, and the
    connections it takes from the pools (a raw read, such as the change counter's, takes
    one and sends nothing through SQLAlchemy)."""
    assert isinstance(services.store, SqlStore)
    sent: list[str] = []
    taken: list[object] = []

    def record(*arguments: Any) -> None:
        sent.append(arguments[2])

    def checkout(*arguments: Any) -> None:
        taken.append(arguments[0])

    for engine in services.store.engines:
        event.listen(engine, "before_cursor_execute", record)
        event.listen(engine.pool, "checkout", checkout)
    try:
        yield sent, taken
    finally:
        for engine in services.store.engines:
            event.remove(engine, "before_cursor_execute", record)
            event.remove(engine.pool, "checkout", checkout)


def test_a_verification_kept_current_costs_one_read(services: Services) -> None:
    create_authority(services, "sat")
    credential = issue(services, "sat")
    assert _problems(services, credential) == []
    with _database_use(services) as (sent, taken):  # DID document, status lists, registry
        assert _problems(services, credential) == []
    assert (sent, len(taken)) == ([], 1)  # the change counter, read raw


def test_a_withdrawn_accreditation_shows_in_the_next_verification(
    services: Services, other: OtherProcess
) -> None:
    other("create_authority", "sat")
    credential = other("issue", "sat")
    assert _problems(services, credential) == []
    other("withdraw_accreditations", "sat")
    assert _problems(services, credential) == ["ISSUER_NOT_TRUSTED"]


def test_a_change_made_by_hand_in_the_database_shows_in_the_next_verification(
    services: Services,
) -> None:
    did = create_authority(services, "sat")
    credential = issue(services, "sat")
    assert _problems(services, credential) == []
    assert isinstance(services.store, SqlStore)
    with services.store.engine.begin() as connection:  # an operator's SQL, not the service's
        connection.execute(delete(accreditations).where(accreditations.c.issuer == did))
    assert _problems(services, credential) == ["ISSUER_NOT_TRUSTED"]


def test_the_caches_keep_no_more_than_their_bounds(services: Services) -> None:
    freshness = Freshness(services.store.generation.current)
    documents: VersionedCache[str, DidDocument] = VersionedCache(max_entries=2)
    authorities = AuthorityService(
        store=services.store,
        keystore=services.keystore,
        public_url=PUBLIC_URL,
        clock=services.clock,
        freshness=freshness,
        documents=documents,
    )
    dids = [create_authority(services, name) for name in ("sat", "cbp", "anam")]
    for did in [*dids, *dids]:
        found = authorities.find_did_document(did)
        assert found is not None and found.id == did
    assert len(documents) == 2

    lists: VersionedCache[int, dict[str, Any]] = VersionedCache(max_entries=2)
    statuses = StatusService(
        store=services.store,
        authorities=authorities,
        core=services.core,
        public_url=PUBLIC_URL,
        clock=services.clock,
        freshness=freshness,
        documents=lists,
    )
    urls = [entry["statusListCredential"] for entry in issue(services, "sat")["credentialStatus"]]
    for url in [*urls, *urls]:
        found_list = statuses.local_document(url)
        assert found_list is not None and found_list["id"] == url
    assert len(lists) == 2
