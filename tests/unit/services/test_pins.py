"""A core built before a pin changed answers by the new pins at its next verification: what
it kept from the old ones (contexts, canonical hashes, schema answers) is forgotten."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import NOW, key_file
from tests.partner_pins import (
    CONTEXT_BYTES,
    CONTEXT_URL,
    SCHEMA_BYTES,
    SCHEMA_SRI,
    SCHEMA_URL,
    shipment,
    signed,
    store_copy,
)
from vcservice.clock import FixedClock
from vcservice.errors import StorageError
from vcservice.services.core import Core, CoreConfig, build_core
from vcservice.services.pinning import PinningService
from vcservice.storage.sql import SqlStore, open_store

pytestmark = pytest.mark.shared


@pytest.fixture
def database() -> Iterator[SqlStore]:
    store = open_store("sqlite://")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def stores(tmp_path: Path, context_store_dir: Path) -> tuple[Path, Path]:
    """The verifier's store and the issuer's (where the partner's pins are)."""
    return (
        store_copy(context_store_dir, tmp_path / "verifier"),
        store_copy(context_store_dir, tmp_path / "issuer"),
    )


def _pinning(core: Core, database: SqlStore) -> PinningService:
    return PinningService(core, clock=FixedClock(NOW), record=database.audit.append)


def _outcomes(core: Core, credential: dict[str, Any]) -> dict[str, str]:
    result = core.verifier.verify(credential)
    return {check.name: check.outcome.value for check in result.checks}


def test_a_removed_context_is_forgotten_though_its_hashes_were_kept(
    stores: tuple[Path, Path], database: SqlStore
) -> None:
    verifier, issuer = stores
    credential = signed(issuer, shipment(key_file()))
    core = build_core(CoreConfig(store_dir=verifier))
    elsewhere = build_core(CoreConfig(store_dir=verifier))  # another process's, say
    _pinning(elsewhere, database).add_context(CONTEXT_URL, CONTEXT_BYTES)
    for _ in range(2):  # the second answered from the hashes kept by the first
        assert core.verifier.verify(credential).verified

    _pinning(elsewhere, database).remove_context(CONTEXT_URL)
    assert [p.code for p in core.verifier.verify(credential).problems] == ["CONTEXT_NOT_PINNED"]
    assert not core.pins.refresh()  # unchanged since: one stat, nothing forgotten


def test_a_schema_answer_kept_as_unknown_is_forgotten_when_the_schema_is_added(
    stores: tuple[Path, Path], database: SqlStore
) -> None:
    verifier, issuer = stores
    entry = {"id": SCHEMA_URL, "type": "JsonSchema", "digestSRI": SCHEMA_SRI}
    credential = signed(issuer, shipment(key_file(), credentialSchema=entry))
    core = build_core(CoreConfig(store_dir=verifier))
    pinning = _pinning(build_core(CoreConfig(store_dir=verifier)), database)
    pinning.add_context(CONTEXT_URL, CONTEXT_BYTES)
    assert _outcomes(core, credential)["credentialSchema"] == "skipped"

    pinning.add_schema(SCHEMA_URL, SCHEMA_BYTES)
    assert _outcomes(core, credential)["credentialSchema"] == "passed"
    pinning.remove_schema(SCHEMA_URL)
    assert _outcomes(core, credential)["credentialSchema"] == "skipped"
    assert [entry.action for entry in database.audit.latest(10)] == [
        "context.added",
        "schema.added",
        "schema.removed",
    ]


def test_a_pin_another_refers_to_is_removed_only_after_it(
    stores: tuple[Path, Path], database: SqlStore
) -> None:
    pinning = _pinning(build_core(CoreConfig(store_dir=stores[0])), database)
    pinning.add_context(CONTEXT_URL, CONTEXT_BYTES)
    extension = "https://partner.example/contexts/shipping-extra/v1"
    including = {"@context": [CONTEXT_URL, {"pallets": "https://partner.example/vocab#pallets"}]}
    assert pinning.add_context(extension, json.dumps(including).encode()).entry.review[
        "refersTo"
    ] == [CONTEXT_URL]
    with pytest.raises(StorageError) as refused:
        pinning.remove_context(CONTEXT_URL)
    assert refused.value.code == "CONFLICT"
    assert (
        refused.value.message == f"{extension} refers to {CONTEXT_URL}: remove that context first"
    )
    pinning.remove_context(extension)
    pinning.remove_context(CONTEXT_URL)
    assert [entry.action for entry in database.audit.latest(10)] == [
        "context.added",
        "context.added",
        "context.removed",
        "context.removed",
    ]
