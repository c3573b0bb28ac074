"""The hand-written migrations build exactly the schema the models declare."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.sql.elements import UnaryExpression

from tests.contract.builders import (
    NOW,
    allocation,
    authority,
    credential,
    credential_id,
    key,
    subscription,
)
from vcservice.audit.chain import GENESIS_HASH
from vcservice.errors import StorageError
from vcservice.model.records import (
    AuditHead,
    Challenge,
    KeyStatus,
    RecognitionPolicy,
    StatusChange,
    StatusPurpose,
    StatusReason,
    Workflow,
)
from vcservice.storage.engine import Database
from vcservice.storage.migrations import alembic_config
from vcservice.storage.schema import metadata
from vcservice.storage.sql import SqlStore, open_store

HEAD = "0015"
# Rows as revision 0007 stores them (before callers and public workflows).
WORKFLOW_0007 = {
    "id": "w-1",
    "name": "W",
    "accepted_types": ["OEACertificate"],
    "domain": None,
    "exchange_ttl_seconds": 600,
    "created_at": NOW,
}
CHALLENGE_0007 = {"challenge": "c-1", "domain": None, "created_at": NOW, "expires_at": NOW}
# A status change as revision 0009 stores it (before coded reasons).
STATUS_CHANGE_0009 = {
    "credential_id": credential_id(1),
    "purpose": "suspension",
    "old_status": 0,
    "new_status": 1,
    "reason": "security incident",
    "actor": "cbp-client",
    "changed_at": NOW,
}
# A workflow as revision 0010 stores it (before accepted recognitions).
WORKFLOW_0010 = WORKFLOW_0007 | {
    "id": "w-2",
    "accepted_types": ["CTPATCertificate"],
    "public": True,
}
OEA_AT_CBP = RecognitionPolicy(
    "OEACertificate", "AuthorityCBP", "MraRoleManufacturerExporter", "MraUsMx2014"
)
SUBSCRIPTION = subscription()
VERIFIER_TABLES = {"accreditations", "workflows", "exchanges", "retired_holder_dids"}
AUDIT_TABLES = {"audit_log", "audit_head"}
RATE_TABLES = {"rate_buckets"}
OPENID4VCI_TABLES = {"credential_offers", "credential_offer_issuances", "issuance_nonces"}
OPENID4VP_TABLES = {"openid4vp_requests"}
GENERATION_TABLES = {"change_generation"}
TRUST_LIST_TABLES = {
    "trust_list_entries",
    "trust_list_versions",
    "trust_list_subscriptions",
    "trust_list_snapshots",
}
# The tables of revision 0014, and of 0011: what the downgrades below compare with.
TABLES_0014 = set(metadata.tables) - TRUST_LIST_TABLES
TABLES_0011 = TABLES_0014 - OPENID4VCI_TABLES - OPENID4VP_TABLES - GENERATION_TABLES


def _revisions(store: SqlStore) -> tuple[str | None, str | None]:
    """The database's current revision and the newest one the package ships."""
    with store.engine.connect() as connection:
        head = ScriptDirectory.from_config(alembic_config(connection)).get_current_head()
        return MigrationContext.configure(connection).get_current_revision(), head


def test_migrations_create_exactly_the_declared_schema(store: SqlStore) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
        tables = set(inspect(connection).get_table_names())
    assert differences == []
    assert tables == set(metadata.tables) | {"alembic_version"}
    assert _revisions(store) == (HEAD, HEAD)


def _declared_indexes() -> dict[str, list[tuple[str, bool]]]:
    """Each declared index: its columns, and whether each is descending."""
    indexes = {}
    for table in metadata.tables.values():
        for index in table.indexes:
            columns = []
            for expression in index.expressions:
                descending = isinstance(expression, UnaryExpression)
                column = (
                    expression.element if isinstance(expression, UnaryExpression) else expression
                )
                columns.append((str(column.name), descending))
            indexes[str(index.name)] = columns
    return indexes


def _present_indexes(connection: Connection) -> dict[str, list[tuple[str, bool]]]:
    """Each index in the database (not those behind constraints), as ``_declared_indexes``."""
    indexes = {}
    inspector = inspect(connection)
    for table in metadata.tables:
        for index in inspector.get_indexes(table):
            if index.get("duplicates_constraint"):
                continue  # PostgreSQL lists the index behind each unique constraint
            name = str(index["name"])
            if connection.dialect.name == "sqlite":  # column order is not reflected there
                rows = connection.exec_driver_sql(f"PRAGMA index_xinfo('{name}')").mappings()
                indexes[name] = [(row["name"], bool(row["desc"])) for row in rows if row["key"]]
            else:
                sorting = index.get("column_sorting", {})
                indexes[name] = [
                    (str(column), "desc" in sorting.get(str(column), ()))
                    for column in index["column_names"]
                ]
    return indexes


def test_migrations_create_the_declared_indexes_in_their_order(store: SqlStore) -> None:
    with store.engine.connect() as connection:
        assert _present_indexes(connection) == _declared_indexes()


def test_opening_a_migrated_database_again_changes_nothing(database_url: str) -> None:
    with open_store(database_url) as first:
        first.authorities.add(authority("sat"))
        first.credentials.add(credential(1))
    with open_store(database_url) as second:
        assert _revisions(second) == (HEAD, HEAD)
        assert second.authorities.list() == [authority("sat")]
        assert second.credentials.get(credential(1).id) == credential(1)
    with open_store(database_url, migrate=False) as third:
        assert third.credentials.get(credential(1).id) == credential(1)


def test_migrate_false_leaves_an_empty_database_alone(database_url: str) -> None:
    with open_store(database_url, migrate=False) as store, store.engine.connect() as connection:
        assert inspect(connection).get_table_names() == []


def test_downgrade_removes_every_table(store: SqlStore) -> None:
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "base")
    with store.engine.connect() as connection:
        assert inspect(connection).get_table_names() == ["alembic_version"]


def test_upgrading_a_0001_database_keeps_its_records(database_url: str) -> None:
    with open_store(database_url, migrate=False) as old:
        with Database(old.engine).write() as connection:
            command.upgrade(alembic_config(connection), "0001")
        old.authorities.add(authority("sat"))
        old.credentials.add(credential(1))
        assert _revisions(old) == ("0001", HEAD)
    with open_store(database_url) as upgraded:
        assert _revisions(upgraded) == (HEAD, HEAD)
        assert upgraded.credentials.get(credential(1).id) == credential(1)
        entry = upgraded.statuses.allocate(**allocation(1))
        assert upgraded.statuses.entries_for(credential(1).id) == [entry]


def test_downgrading_to_0001_removes_the_status_and_challenge_tables(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    store.credentials.add(credential(1))
    store.statuses.allocate(**allocation(1))
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "0001")
    with store.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert tables == {
        "alembic_version",
        "authorities",
        "keys",
        "clients",
        "credentials",
        "credential_subjects",
    }
    assert store.credentials.get(credential(1).id) == credential(1)
    with pytest.raises(StorageError) as excinfo:
        store.statuses.get_list("sat", StatusPurpose.REVOCATION, 1)
    assert excinfo.value.code == "STORAGE_ERROR"


def test_downgrading_to_0004_removes_only_the_verifier_tables(store: SqlStore) -> None:
    store.challenges.issue("c-1", domain=None, expires_at=NOW, created_at=NOW)
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "0004")
    with store.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert tables == TABLES_0011 - VERIFIER_TABLES - AUDIT_TABLES - RATE_TABLES | {
        "alembic_version"
    }
    assert _challenges_kept(store) == ["c-1"]


def test_downgrading_to_0003_removes_only_the_holders(store: SqlStore) -> None:
    store.challenges.issue("c-1", domain=None, expires_at=NOW, created_at=NOW)
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "0003")
    with store.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    later = {"holders", "held_credentials"} | VERIFIER_TABLES | AUDIT_TABLES | RATE_TABLES
    assert tables == TABLES_0011 - later | {"alembic_version"}
    assert _challenges_kept(store) == ["c-1"]


def test_downgrading_to_0002_removes_only_the_challenges(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    store.credentials.add(credential(1))
    store.challenges.issue("c-1", domain=None, expires_at=NOW, created_at=NOW)
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "0002")
    with store.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    later = (
        {"challenges", "holders", "held_credentials"} | VERIFIER_TABLES | AUDIT_TABLES | RATE_TABLES
    )
    assert tables == TABLES_0011 - later | {"alembic_version"}
    assert store.credentials.get(credential(1).id) == credential(1)


def test_downgrading_to_0005_removes_only_the_audit_log(store: SqlStore) -> None:
    store.challenges.issue("c-1", domain=None, expires_at=NOW, created_at=NOW)
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "0005")
    with store.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert tables == TABLES_0011 - AUDIT_TABLES - RATE_TABLES | {"alembic_version"}
    assert _challenges_kept(store) == ["c-1"]


def _challenges_kept(store: SqlStore) -> list[str]:
    """The challenges stored, read through the columns every revision since 0002 has."""
    with store.engine.connect() as connection:
        query = sa.select(sa.column("challenge")).select_from(sa.table("challenges"))
        return list(connection.scalars(query))


def test_downgrading_to_0007_removes_callers_and_public_workflows(store: SqlStore) -> None:
    store.challenges.issue("c-1", domain=None, expires_at=NOW, created_at=NOW, caller="client:x")
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "0007")
    with store.engine.connect() as connection:
        inspector = inspect(connection)
        columns = {
            name: {c["name"] for c in inspector.get_columns(name)}
            for name in ("challenges", "exchanges", "workflows")
        }
        indexes = {i["name"] for name in columns for i in inspector.get_indexes(name)}
    assert not {"caller", "public"} & set().union(*columns.values())
    assert not {"ix_challenges_caller_expires_at", "ix_exchanges_caller_expires_at"} & indexes
    assert _challenges_kept(store) == ["c-1"]


def test_downgrading_to_0008_removes_only_the_rate_buckets(store: SqlStore) -> None:
    store.rate_buckets.lease("verify:a", want=1, rate=1.0, burst=10.0, now=0.0)
    store.challenges.issue("c-1", domain=None, expires_at=NOW, created_at=NOW)
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "0008")
    with store.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert tables == TABLES_0011 - RATE_TABLES | {"alembic_version"}
    assert _challenges_kept(store) == ["c-1"]


def test_upgrading_a_0007_database_keeps_its_workflows_private(database_url: str) -> None:
    with open_store(database_url, migrate=False) as old, Database(old.engine).write() as connection:
        command.upgrade(alembic_config(connection), "0007")
        for name, row in (("workflows", WORKFLOW_0007), ("challenges", CHALLENGE_0007)):
            columns = [sa.column(key, metadata.tables[name].c[key].type) for key in row]
            connection.execute(sa.insert(sa.table(name, *columns)), [row])
    with open_store(database_url) as upgraded:
        workflow = upgraded.workflows.get("w-1")
        assert workflow is not None and workflow.public is False
        assert upgraded.challenges.get("c-1") == Challenge("c-1", None, NOW, NOW, None, None)


def test_upgrading_a_0005_database_starts_an_empty_log_at_the_genesis(database_url: str) -> None:
    with open_store(database_url, migrate=False) as old:
        with Database(old.engine).write() as connection:
            command.upgrade(alembic_config(connection), "0005")
        old.authorities.add(authority("sat"))
    with open_store(database_url) as upgraded:
        assert upgraded.audit.snapshot() == (AuditHead(0, GENESIS_HASH), [])
        assert upgraded.authorities.list() == [authority("sat")]


def test_upgrading_a_0009_database_keeps_its_status_changes_without_a_coded_reason(
    database_url: str,
) -> None:
    with open_store(database_url, migrate=False) as old, Database(old.engine).write() as connection:
        command.upgrade(alembic_config(connection), "0009")
        row = STATUS_CHANGE_0009
        columns = [sa.column(key, metadata.tables["status_changes"].c[key].type) for key in row]
        connection.execute(sa.insert(sa.table("status_changes", *columns)), [row])
    with open_store(database_url) as upgraded:
        assert _revisions(upgraded) == (HEAD, HEAD)
        kept = StatusChange(
            credential_id=credential_id(1),
            purpose=StatusPurpose.SUSPENSION,
            old_status=0,
            new_status=1,
            reason="security incident",
            actor="cbp-client",
            changed_at=NOW,
            reason_code=None,
        )
        assert upgraded.statuses.history(credential_id(1)) == [kept]
        upgraded.authorities.add(authority("sat"))
        upgraded.statuses.allocate(**allocation(1, purpose=StatusPurpose.SUSPENSION))
        lifted = upgraded.statuses.change(
            credential_id=credential_id(1),
            purpose=StatusPurpose.SUSPENSION,
            new_status=0,
            reason="cleared",
            actor="cbp-client",
            now=NOW,
            reason_code=StatusReason.REINSTATED,
        )
        assert upgraded.statuses.history(credential_id(1)) == [kept, lifted]


def test_downgrading_to_0009_removes_only_the_reason_codes(store: SqlStore) -> None:
    store.authorities.add(authority("sat"))
    store.statuses.allocate(**allocation(1, purpose=StatusPurpose.SUSPENSION))
    store.statuses.change(
        credential_id=credential_id(1),
        purpose=StatusPurpose.SUSPENSION,
        new_status=1,
        reason="incident",
        actor="cbp-client",
        now=NOW,
        reason_code=StatusReason.SECURITY_INCIDENT,
    )
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "0009")
    with store.engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("status_changes")}
        query = sa.select(sa.column("reason", sa.Text)).select_from(sa.table("status_changes"))
        reasons = list(connection.scalars(query))
        tables = set(inspect(connection).get_table_names())
    assert columns == set(metadata.tables["status_changes"].c.keys()) - {"reason_code"}
    assert reasons == ["incident"]
    assert tables == TABLES_0011 | {"alembic_version"}


def test_upgrading_a_0010_database_keeps_its_workflows_without_recognitions(
    database_url: str,
) -> None:
    with open_store(database_url, migrate=False) as old, Database(old.engine).write() as connection:
        command.upgrade(alembic_config(connection), "0010")
        row = WORKFLOW_0010
        columns = [sa.column(key, metadata.tables["workflows"].c[key].type) for key in row]
        connection.execute(sa.insert(sa.table("workflows", *columns)), [row])
    with open_store(database_url) as upgraded:
        assert _revisions(upgraded) == (HEAD, HEAD)
        kept = upgraded.workflows.get("w-2")
        assert kept == Workflow(
            id="w-2",
            name="W",
            accepted_types=("CTPATCertificate",),
            domain=None,
            exchange_ttl_seconds=600,
            created_at=NOW,
            public=True,
            accepted_recognitions=(),
        )
        # A workflow stored now keeps its recognitions, in order, the arrangement optional.
        either = RecognitionPolicy("OEACertificate", "AuthorityCBP", "MraRoleImporter")
        recognizing = Workflow(
            id="w-3",
            name="C-TPAT, or an OEA that CBP recognizes",
            accepted_types=("CTPATCertificate",),
            domain="aduana-nuevo-laredo.example",
            exchange_ttl_seconds=300,
            created_at=NOW,
            accepted_recognitions=(OEA_AT_CBP, either),
        )
        upgraded.workflows.add(recognizing)
        assert upgraded.workflows.get("w-3") == recognizing
        assert upgraded.workflows.list() == [kept, recognizing]


def test_downgrading_to_0010_removes_only_the_recognitions(store: SqlStore) -> None:
    workflow = Workflow(
        id="w-1",
        name="W",
        accepted_types=("CTPATCertificate",),
        domain=None,
        exchange_ttl_seconds=600,
        created_at=NOW,
        accepted_recognitions=(OEA_AT_CBP,),
    )
    store.workflows.add(workflow)
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "0010")
    with store.engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("workflows")}
        query = sa.select(sa.column("id", sa.String)).select_from(sa.table("workflows"))
        kept = list(connection.scalars(query))
    assert columns == set(metadata.tables["workflows"].c.keys()) - {"accepted_recognitions"}
    assert kept == ["w-1"]


@pytest.mark.parametrize(
    ("revision", "kept"),
    [("0011", set()), ("0012", OPENID4VCI_TABLES)],
    ids=["openid4vci-and-vp-tables-go", "openid4vp-requests-go"],
)
def test_downgrading_past_the_openid4vc_revisions_removes_only_their_tables(
    store: SqlStore, revision: str, kept: set[str]
) -> None:
    store.challenges.issue("c-1", domain=None, expires_at=NOW, created_at=NOW)
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), revision)
    with store.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert tables == TABLES_0011 | kept | {"alembic_version"}
    assert _challenges_kept(store) == ["c-1"]


def test_downgrading_to_0013_removes_only_the_change_counter_and_its_triggers(
    store: SqlStore,
) -> None:
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "0013")
    with store.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
    assert tables == TABLES_0014 - GENERATION_TABLES | {"alembic_version"}
    store.authorities.add(authority("sat"))  # no trigger is left to touch the counter
    assert store.authorities.list() == [authority("sat")]


def _generation(store: SqlStore) -> int:
    with store.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT value FROM change_generation").scalar_one())


def test_downgrading_to_0014_removes_only_the_trust_lists_and_their_triggers(
    store: SqlStore,
) -> None:
    store.authorities.add(authority("sat"))
    store.subscriptions.add(SUBSCRIPTION)
    with Database(store.engine).write() as connection:
        command.downgrade(alembic_config(connection), "0014")
    with store.engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        triggers = _trust_list_triggers(connection)
    assert tables == TABLES_0014 | {"alembic_version"}
    assert triggers == []
    before = _generation(store)
    store.keys.add(key("sat", "key-2"))  # revision 0014's triggers still count
    assert _generation(store) > before
    assert [stored.key_id for stored in store.keys.for_authority("sat")] == ["key-2"]


def _trust_list_triggers(connection: Connection) -> list[str]:
    """The names of the triggers on the trust list tables, sorted."""
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE :names"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE tgname LIKE :names"
    return sorted(connection.execute(sa.text(query), {"names": "trust_list%"}).scalars())


def test_upgrading_a_0014_database_keeps_its_keys_and_adds_the_trust_lists(
    database_url: str,
) -> None:
    with open_store(database_url, migrate=False) as old:
        with Database(old.engine).write() as connection:
            command.upgrade(alembic_config(connection), "0014")
        old.authorities.add(authority("sat"))
        old.keys.add(key("sat", "key-1"))
    with open_store(database_url) as upgraded:
        assert _revisions(upgraded) == (HEAD, HEAD)
        assert upgraded.keys.for_authority("sat") == [key("sat", "key-1")]
        upgraded.keys.add(key("sat", "key-2", status=KeyStatus.PENDING))
        assert upgraded.keys.promote("sat", "key-2", retiring=["key-1"])
        statuses = [stored.status for stored in upgraded.keys.for_authority("sat")]
        assert statuses == [KeyStatus.RETIRED, KeyStatus.ACTIVE]
        upgraded.subscriptions.add(SUBSCRIPTION)
        assert upgraded.subscriptions.list() == [SUBSCRIPTION]
        with upgraded.engine.connect() as connection:
            assert _trust_list_triggers(connection) == [
                "trust_list_snapshots_delete_generation",
                "trust_list_snapshots_insert_generation",
                "trust_list_subscriptions_delete_generation",
                "trust_list_subscriptions_insert_generation",
                "trust_list_subscriptions_update_generation",
            ]
