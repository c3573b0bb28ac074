"""``vcservice contexts add|list|remove`` and ``schemas add|remove``: a partner's credential,
refused until its context is pinned, verified offline once it is, refused again once removed;
every change audited in the service's database."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from tests.factories import key_file
from tests.partner_pins import (
    CONTEXT_BYTES,
    CONTEXT_URL,
    CREDENTIALS_V2,
    REDEFINING,
    SCHEMA_BYTES,
    SCHEMA_SRI,
    SCHEMA_URL,
    shipment,
    signed,
    store_copy,
)
from vcservice.cli.main import main

pytestmark = pytest.mark.shared


@pytest.fixture
def run(
    tmp_path: Path,
    context_store_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Any:
    """The CLI in-process over a store of its own and a data directory, network refused;
    returns (exit code, the JSON printed on stdout or stderr)."""
    store = store_copy(context_store_dir, tmp_path / "store")

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)

    def invoke(*args: str | Path) -> tuple[int, Any]:
        code = main(["--context-store", str(store), *map(str, args)])
        out, err = capsys.readouterr()
        return code, json.loads(out or err)

    return invoke


def _file(tmp_path: Path, name: str, content: bytes | Any) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def _codes(result: dict[str, Any]) -> list[str]:
    return [problem["code"] for problem in result["problemDetails"]]


def test_a_partner_context_verifies_once_added_and_fails_once_removed(
    run: Any, tmp_path: Path, context_store_dir: Path
) -> None:
    credential = signed(store_copy(context_store_dir, tmp_path / "issuer"), shipment(key_file()))
    document = _file(tmp_path, "shipment.json", credential)
    data = tmp_path / "data"
    code, result = run("verify", document)
    assert code == 1 and _codes(result) == ["CONTEXT_NOT_PINNED"]

    context = _file(tmp_path, "partner.jsonld", CONTEXT_BYTES)
    code, added = run("contexts", "add", CONTEXT_URL, "--file", context, "--data", data)
    assert code == 0 and added["changed"] is True
    assert [term["term"] for term in added["review"]["terms"]] == [
        "ShipmentCredential",
        "Shipment",
        "carrier",
    ]
    assert added["auditLog"]["database"].endswith(f"{data}/vcservice.db")
    code, result = run("verify", document)
    assert code == 0 and result["verified"] is True, result

    code, listed = run("contexts", "list")
    sources = {row["url"]: row["source"] for row in listed}
    assert sources[CONTEXT_URL] == "added" and sources[CREDENTIALS_V2] == "built-in"
    assert all(row["installed"] for row in listed)

    code, removed = run("contexts", "remove", CONTEXT_URL, "--data", data)
    assert code == 0 and removed["auditLog"]["sequence"] == added["auditLog"]["sequence"] + 1
    code, result = run("verify", document)
    assert code == 1 and _codes(result) == ["CONTEXT_NOT_PINNED"]

    code, log = run("audit", "show", "--data", data)
    assert [(entry["action"], entry["subject"]) for entry in log] == [
        ("context.added", CONTEXT_URL),
        ("context.removed", CONTEXT_URL),
    ]


def test_safe_mode_still_refuses_an_undefined_term_under_an_added_context(
    run: Any, tmp_path: Path, context_store_dir: Path
) -> None:
    credential = signed(store_copy(context_store_dir, tmp_path / "issuer"), shipment(key_file()))
    credential["credentialSubject"]["colour"] = "red"  # defined by no context
    context = _file(tmp_path, "partner.jsonld", CONTEXT_BYTES)
    assert run("contexts", "add", CONTEXT_URL, "--file", context, "--data", tmp_path)[0] == 0
    code, result = run("verify", _file(tmp_path, "shipment.json", credential))
    assert code == 1 and "DATA_LOSS_DETECTION_ERROR" in _codes(result)


def test_a_context_redefining_a_protected_term_is_refused_and_nothing_changes(
    run: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    code, refused = run(
        "contexts", "add", CONTEXT_URL, "--file", _file(tmp_path, "r.jsonld", REDEFINING),
        "--data", data,
    )  # fmt: skip
    [problem] = refused
    assert code == 2 and problem["code"] == "CONTEXT_REFUSED" and problem["field"] == "issuer"
    assert problem["detail"].startswith(
        f"'issuer' is protected by {CREDENTIALS_V2}; this context maps it to "
    )
    _, listed = run("contexts", "list")
    assert CONTEXT_URL not in [row["url"] for row in listed]
    assert run("audit", "show", "--data", data)[1] == []


def test_scoped_contexts_nested_300_deep_are_refused_not_a_traceback(
    run: Any, tmp_path: Path
) -> None:
    deep: dict[str, Any] = {"weight": "https://partner.example/vocab#weight"}
    for level in reversed(range(300)):
        deep = {f"Level{level}": {"@id": f"https://partner.example/v#L{level}", "@context": deep}}
    path = _file(tmp_path, "deep.jsonld", {"@context": deep})
    code, refused = run("contexts", "add", CONTEXT_URL, "--file", path, "--data", tmp_path / "d")
    [problem] = refused
    assert code == 2 and problem["code"] == "CONTEXT_REFUSED" and problem["field"] == "Level32"


def test_built_in_contexts_stay_and_another_digest_needs_a_removal_first(
    run: Any, tmp_path: Path
) -> None:
    code, refused = run("contexts", "remove", CREDENTIALS_V2, "--data", tmp_path)
    assert code == 2 and refused[0]["code"] == "CONFLICT" and "built in" in refused[0]["detail"]
    context = _file(tmp_path, "partner.jsonld", CONTEXT_BYTES)
    assert run("contexts", "add", CONTEXT_URL, "--file", context, "--data", tmp_path)[0] == 0
    code, again = run("contexts", "add", CONTEXT_URL, "--file", context, "--data", tmp_path)
    assert code == 0 and again["changed"] is False and again["auditLog"] is None
    other = _file(tmp_path, "other.jsonld", {"@context": {"carrier": "https://p.example/c"}})
    code, refused = run("contexts", "add", CONTEXT_URL, "--file", other, "--data", tmp_path)
    assert (
        code == 2 and refused[0]["code"] == "CONFLICT" and "remove it first" in refused[0]["detail"]
    )


def test_an_added_schema_validates_credentials_that_name_it(
    run: Any, tmp_path: Path, context_store_dir: Path
) -> None:
    issuer = store_copy(context_store_dir, tmp_path / "issuer")
    entry = {"id": SCHEMA_URL, "type": "JsonSchema", "digestSRI": SCHEMA_SRI}
    valid = signed(issuer, shipment(key_file(), credentialSchema=entry))
    invalid = signed(issuer, shipment(key_file(), weight="heavy", credentialSchema=entry))
    altered = {**entry, "digestSRI": SCHEMA_SRI[:-8] + "AAAAAAA="}
    mismatched = signed(issuer, shipment(key_file(), credentialSchema=altered))
    paths = [_file(tmp_path, f"{n}.json", c) for n, c in enumerate((valid, invalid, mismatched))]
    context = _file(tmp_path, "partner.jsonld", CONTEXT_BYTES)
    assert run("contexts", "add", CONTEXT_URL, "--file", context, "--data", tmp_path)[0] == 0
    # A schema not pinned here: the verifier cannot tell.
    assert _schema_check(run, paths[0]) == ("skipped", [])

    schema = _file(tmp_path, "shipment.schema.json", SCHEMA_BYTES)
    code, added = run("schemas", "add", SCHEMA_URL, "--file", schema, "--data", tmp_path)
    assert code == 0 and added["review"]["$id"] == SCHEMA_URL and added["review"]["refs"] == []
    assert _schema_check(run, paths[0]) == ("passed", [])
    assert _schema_check(run, paths[1]) == (
        "failed",
        [("MALFORMED_VALUE_ERROR", "credentialSubject.weight")],
    )
    assert _schema_check(run, paths[2]) == (
        "failed",
        [("SCHEMA_DIGEST_MISMATCH", "credentialSchema.digestSRI")],
    )
    code, listed = run("schemas", "list")
    assert {row["url"]: row["source"] for row in listed}[SCHEMA_URL] == "added"
    assert run("schemas", "remove", SCHEMA_URL, "--data", tmp_path)[0] == 0
    assert _schema_check(run, paths[0]) == ("skipped", [])


def _schema_check(run: Any, path: Path) -> tuple[str, list[tuple[str, str]]]:
    """The outcome of the credentialSchema check, and the problems of the result."""
    _, result = run("verify", path)
    [outcome] = [c["outcome"] for c in result["checks"] if c["check"] == "credentialSchema"]
    return outcome, [(p["code"], p["field"]) for p in result["problemDetails"]]
