"""Pinning over HTTP (admin token): a partner's context and schema added to a running
service, audited, used by it and by another process at their next verification, removed."""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import LiveService, assert_problem, serve
from tests.factories import did_of, key_file
from tests.partner_pins import (
    CONTEXT_BYTES,
    CONTEXT_URL,
    CREDENTIALS_V2,
    REDEFINING,
    SCHEMA,
    SCHEMA_BYTES,
    SCHEMA_URL,
    shipment,
    signed,
    store_copy,
    verify_on_command,
)

pytestmark = pytest.mark.shared
ANSWER_SECONDS = 120


@pytest.fixture(scope="module")
def service(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """A service over a context store of its own (pins change it)."""
    root = tmp_path_factory.mktemp("pinning")
    with serve(root, None, store_copy(context_store_dir, root / "store")) as live:
        yield live


class OtherVerifier:
    """Another process verifying over the same context store (``verify_on_command``)."""

    def __init__(self, store: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self._commands: Any = context.Queue()
        self._results: Any = context.Queue()
        arguments = (str(store), self._commands, self._results)
        self.process = context.Process(target=verify_on_command, args=arguments)
        self.process.start()

    def __call__(self, credential: dict[str, Any]) -> list[str]:
        self._commands.put(credential)
        codes: list[str] = self._results.get(timeout=ANSWER_SECONDS)
        return codes

    def stop(self) -> None:
        self._commands.put(None)
        self.process.join(timeout=60)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


@pytest.fixture
def other(service: LiveService) -> Iterator[OtherVerifier]:
    spawned = OtherVerifier(service.settings.context_store)
    try:
        yield spawned
    finally:
        spawned.stop()
    assert spawned.process.exitcode == 0


def _add(
    service: LiveService, kind: str, url: str, content: bytes, **params: Any
) -> httpx.Response:
    return service.http.post(
        f"/admin/{kind}",
        params={"url": url, **params},
        content=content,
        headers=service.admin | {"Content-Type": "application/json"},
    )


def _audited(service: LiveService, after: int) -> list[tuple[str, str, str]]:
    response = service.http.get("/admin/audit", headers=service.admin, params={"after": after})
    assert response.status_code == 200, response.text
    return [(e["action"], e["subject"], e["actor"]) for e in response.json()["entries"]]


def _verified(service: LiveService, credential: dict[str, Any]) -> list[str]:
    response = service.http.post("/credentials/verify", json={"verifiableCredential": credential})
    if response.status_code == 200:
        return []
    assert response.status_code == 422, response.text
    return [problem["code"] for problem in response.json()["problemDetails"]]


def test_an_added_context_is_audited_and_used_at_the_next_verification_everywhere(
    service: LiveService, other: OtherVerifier, tmp_path: Path
) -> None:
    store = store_copy(service.settings.context_store, tmp_path / "issuer")
    key = key_file(seed=7)
    credential = signed(store, shipment(key), key)
    service.accredit(did_of(key), ["ShipmentCredential"], name="Partner Customs")
    assert _verified(service, credential) == ["CONTEXT_NOT_PINNED"]
    assert other(credential) == ["CONTEXT_NOT_PINNED"]

    added = _add(service, "contexts", CONTEXT_URL, CONTEXT_BYTES)
    assert added.status_code == 201, added.text
    sequence = added.json()["auditSequence"]
    assert _audited(service, sequence - 1) == [("context.added", CONTEXT_URL, "admin")]
    assert _verified(service, credential) == []
    assert other(credential) == []
    again = _add(service, "contexts", CONTEXT_URL, CONTEXT_BYTES)
    assert again.status_code == 200 and again.json()["changed"] is False

    listed = service.http.get("/admin/contexts", headers=service.admin).json()["pinned"]
    sources = {row["url"]: row["source"] for row in listed}
    assert sources[CONTEXT_URL] == "added" and sources[CREDENTIALS_V2] == "built-in"

    removed = service.http.delete(
        "/admin/contexts", params={"url": CONTEXT_URL}, headers=service.admin
    )
    assert removed.status_code == 204, removed.text
    assert _audited(service, sequence) == [("context.removed", CONTEXT_URL, "admin")]
    assert _verified(service, credential) == ["CONTEXT_NOT_PINNED"]
    assert other(credential) == ["CONTEXT_NOT_PINNED"]


def test_a_context_that_may_not_be_pinned_is_a_problem_naming_the_field(
    service: LiveService,
) -> None:
    refused = _add(service, "contexts", CONTEXT_URL, json_bytes(REDEFINING))
    problem = assert_problem(refused, 422, "CONTEXT_REFUSED", "issuer")
    assert problem["detail"].startswith(f"'issuer' is protected by {CREDENTIALS_V2};")
    deep: dict[str, Any] = {"weight": "https://partner.example/vocab#weight"}
    for level in reversed(range(100)):  # within the body's 256 levels of JSON
        deep = {
            f"Level{level}": {"@id": f"https://partner.example/vocab#L{level}", "@context": deep}
        }
    too_deep = _add(service, "contexts", CONTEXT_URL, json_bytes({"@context": deep}))
    assert "nest too deeply" in assert_problem(too_deep, 422, "CONTEXT_REFUSED")["detail"]
    unpinned = _add(service, "contexts", CONTEXT_URL, CONTEXT_BYTES, after="https://x.example/c")
    assert_problem(unpinned, 422, "CONTEXT_NOT_PINNED")
    assert_problem(_add(service, "contexts", "not a url", CONTEXT_BYTES), 422, field="url")
    gone = service.http.delete(
        "/admin/contexts", params={"url": CONTEXT_URL}, headers=service.admin
    )
    assert_problem(gone, 404, "NOT_FOUND", "url")
    built_in = service.http.delete(
        "/admin/contexts", params={"url": CREDENTIALS_V2}, headers=service.admin
    )
    assert_problem(built_in, 409, "CONFLICT", "url")


def test_schemas_are_added_listed_and_removed(service: LiveService) -> None:
    unpinned_ref = {**SCHEMA, "$ref": "https://partner.example/schemas/base.json"}
    assert_problem(
        _add(service, "schemas", SCHEMA_URL, json_bytes(unpinned_ref)),
        422,
        "SCHEMA_REFUSED",
        "$ref",
    )
    added = _add(service, "schemas", SCHEMA_URL, SCHEMA_BYTES)
    assert added.status_code == 201, added.text
    listed = service.http.get("/admin/schemas", headers=service.admin).json()["pinned"]
    assert {row["url"]: row["source"] for row in listed}[SCHEMA_URL] == "added"
    removed = service.http.delete(
        "/admin/schemas", params={"url": SCHEMA_URL}, headers=service.admin
    )
    assert removed.status_code == 204
    assert _audited(service, added.json()["auditSequence"] - 1) == [
        ("schema.added", SCHEMA_URL, "admin"),
        ("schema.removed", SCHEMA_URL, "admin"),
    ]


@pytest.mark.parametrize(
    ("method", "kind"), [(m, k) for m in ("GET", "POST", "DELETE") for k in ("contexts", "schemas")]
)
def test_the_admin_token_is_required(service: LiveService, method: str, kind: str) -> None:
    response = service.http.request(
        method, f"/admin/{kind}", params={"url": CONTEXT_URL}, content=CONTEXT_BYTES
    )
    assert_problem(response, 401, "UNAUTHORIZED")


def json_bytes(document: Any) -> bytes:
    return json.dumps(document).encode()
