"""``vcservice audit verify|show``: an intact log exits 0; a log edited, cut or reordered with
SQL exits 1 naming the broken entry, in-process and as a process, on each backend."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.audit_events import event
from tests.postgres import NO_POSTGRES, POSTGRES_URL, fresh_postgres_database
from vcservice.cli.main import main
from vcservice.model.records import Scope
from vcservice.services.container import build_services
from vcservice.settings import Settings
from vcservice.storage.sql import open_store

ENTRIES = 5
SWAP_2_AND_3 = (
    "UPDATE audit_log SET sequence = -2 WHERE sequence = 2",
    "UPDATE audit_log SET sequence = 2 WHERE sequence = 3",
    "UPDATE audit_log SET sequence = 3 WHERE sequence = -2",
)
# What is done to a log of five entries, and the first problem `audit verify` must name.
DAMAGE = {
    "edit an actor": (
        ["UPDATE audit_log SET actor = 'someone-else' WHERE sequence = 3"],
        "AUDIT_ENTRY_ALTERED",
        "entry 3",
    ),
    "edit details": (
        ["""UPDATE audit_log SET details = '{"format": "vc+jwt"}' WHERE sequence = 4"""],
        "AUDIT_ENTRY_ALTERED",
        "entry 4",
    ),
    "delete an entry": (
        ["DELETE FROM audit_log WHERE sequence = 3"],
        "AUDIT_ENTRY_MISSING",
        "entry 3",
    ),
    "delete and renumber": (
        [
            "DELETE FROM audit_log WHERE sequence = 3",
            "UPDATE audit_log SET sequence = sequence - 1 WHERE sequence > 3",
        ],
        "AUDIT_ENTRY_ALTERED",
        "entry 3",
    ),
    "delete the last entry": (
        ["DELETE FROM audit_log WHERE sequence = 5"],
        "AUDIT_ENTRY_MISSING",
        "entry 5",
    ),
    "delete the head": (["DELETE FROM audit_head"], "AUDIT_HEAD_MISMATCH", "head"),
    "reorder two entries": (list(SWAP_2_AND_3), "AUDIT_ENTRY_OUT_OF_ORDER", "entry 2"),
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with an intact log of ``ENTRIES`` entries, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        _fill(url)
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with fresh_postgres_database(POSTGRES_URL, prefix="vcservice_audit_cli") as url:
        _fill(url)
        yield url


def _fill(url: str) -> None:
    with open_store(url) as store:
        for number in range(1, ENTRIES + 1):
            store.audit.append(event(number))


def _damage(url: str, statements: list[str]) -> None:
    with open_store(url, migrate=False) as store, store.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["audit", "verify", *args])
    return code, json.loads(capsys.readouterr().out)


def test_an_intact_log_verifies(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _verify(capsys, "--database-url", database_url)
    assert code == 0, report
    assert report["intact"] is True and report["firstProblem"] is None
    assert report["entriesChecked"] == ENTRIES and report["head"]["sequence"] == ENTRIES


@pytest.mark.parametrize("damage", DAMAGE)
def test_damage_done_with_sql_is_found_and_named(
    damage: str, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    statements, code, field = DAMAGE[damage]
    _damage(database_url, statements)
    exit_code, report = _verify(capsys, "--database-url", database_url)
    assert exit_code == 1, report
    assert report["intact"] is False and report["problemCount"] >= 1
    first = report["firstProblem"]
    assert (first["code"], first["field"]) == (code, field), first
    assert first["detail"] and first["i18n"]["es"]["title"]


def test_a_reordered_log_fails_the_command_run_as_a_process(database_url: str) -> None:
    _damage(database_url, list(SWAP_2_AND_3))
    finished = subprocess.run(
        [sys.executable, "-m", "vcservice", "audit", "verify", "--database-url", database_url],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert finished.returncode == 1, finished.stderr
    first = json.loads(finished.stdout)["firstProblem"]
    assert (first["code"], first["field"]) == ("AUDIT_ENTRY_OUT_OF_ORDER", "entry 2")
    assert (
        first["detail"] == "the entry at sequence 2 was written as entry 3: the log was reordered"
    )


def test_the_service_data_directory_is_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VCSERVICE_DATABASE_URL", raising=False)
    services = build_services(Settings(data_dir=tmp_path, public_url="http://localhost:8080"))
    try:
        services.authorities.create(
            name="sat", display_name="SAT", credential_types=["IMMEXCertificate"]
        )
        client, _ = services.clients.create("sat", {Scope.ISSUE})
    finally:
        services.close()

    assert main(["audit", "show", "--limit", "1", "--data", str(tmp_path)]) == 0
    [shown] = json.loads(capsys.readouterr().out)
    assert (shown["sequence"], shown["action"], shown["subject"]) == (
        2,
        "client.created",
        client.client_id,
    )
    assert (shown["actor"], shown["authority"], shown["requestId"]) == ("system", "sat", None)
    assert shown["details"] == {"scopes": ["issue:credentials"]}
    code, report = _verify(capsys, "--data", str(tmp_path))
    assert code == 0 and report["entriesChecked"] == 2


def test_a_missing_database_is_an_error_not_a_new_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", "--data", str(tmp_path / "nowhere")]) == 2
    assert "NOT_FOUND" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()
