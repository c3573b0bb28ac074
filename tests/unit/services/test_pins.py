"""A core built before a pin changed answers by the new pins at its next verification: what
it kept from the old ones (contexts, canonical hashes, schema answers) is forgotten."""

from __future__ import annotations

import json
import threading
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
from vcservice.certificates.pinned_schemas import SchemaRefusedError
from vcservice.clock import FixedClock
from vcservice.errors import ParsingError, StorageError
from vcservice.jsonld.overlay import Overlay
from vcservice.jsonld.review import ContextRefusedError
from vcservice.services import pinning as pinning_module
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


def test_a_document_nested_too_deeply_to_parse_is_refused_not_a_crash(
    stores: tuple[Path, Path], database: SqlStore
) -> None:
    pinning = _pinning(build_core(CoreConfig(store_dir=stores[0])), database)
    deep = b"[" * 100_000 + b"]" * 100_000
    for add in (pinning.add_context, pinning.add_schema):
        with pytest.raises(ParsingError) as refused:
            add(CONTEXT_URL, deep)
        assert refused.value.field == "document"
        assert refused.value.message == "the document nests too deeply to read"


def test_a_context_whose_reference_was_removed_during_its_review_is_refused(
    stores: tuple[Path, Path], database: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    pinning = _pinning(build_core(CoreConfig(store_dir=stores[0])), database)
    pinning.add_context(CONTEXT_URL, CONTEXT_BYTES)
    elsewhere = _pinning(build_core(CoreConfig(store_dir=stores[0])), database)
    reviewed = pinning_module.review_context

    def removed_meanwhile(*args: Any, **kwargs: Any) -> Any:
        review = reviewed(*args, **kwargs)  # C was pinned when the review ran...
        elsewhere.remove_context(CONTEXT_URL)  # ...and is removed before the lock is taken
        return review

    monkeypatch.setattr(pinning_module, "review_context", removed_meanwhile)
    extension = "https://partner.example/contexts/shipping-extra/v1"
    including = {"@context": [CONTEXT_URL, {"pallets": "https://partner.example/vocab#pallets"}]}
    with pytest.raises(ContextRefusedError) as refused:
        pinning.add_context(extension, json.dumps(including).encode())
    assert (refused.value.code, refused.value.field) == ("CONTEXT_REFUSED", "@context")
    assert refused.value.message == (
        f"{extension} refers to {CONTEXT_URL}, which is no longer pinned (it was removed "
        "during the review): pin it first"
    )
    assert Overlay(stores[0]).read().entries == ()
    assert sorted(path.name for path in stores[0].glob("*.jsonld")) == sorted(
        path.name for path in stores[1].glob("*.jsonld")
    )  # no document of the refused context left behind
    assert [entry.action for entry in database.audit.latest(10)] == [
        "context.added",
        "context.removed",
    ]


def test_a_schema_whose_ref_was_removed_during_its_review_is_refused(
    stores: tuple[Path, Path], database: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    pinning = _pinning(build_core(CoreConfig(store_dir=stores[0])), database)
    pinning.add_schema(SCHEMA_URL, SCHEMA_BYTES)
    elsewhere = _pinning(build_core(CoreConfig(store_dir=stores[0])), database)
    reviewed = pinning_module.review_schema

    def removed_meanwhile(*args: Any, **kwargs: Any) -> Any:
        review = reviewed(*args, **kwargs)
        elsewhere.remove_schema(SCHEMA_URL)
        return review

    monkeypatch.setattr(pinning_module, "review_schema", removed_meanwhile)
    other = "https://partner.example/schemas/other-v1.json"
    referring = {"$id": other, "properties": {"shipment": {"$ref": SCHEMA_URL}}}
    with pytest.raises(SchemaRefusedError) as refused:
        pinning.add_schema(other, json.dumps(referring).encode())
    assert (refused.value.code, refused.value.field) == ("SCHEMA_REFUSED", "$ref")
    assert Overlay(stores[0]).read().entries == ()


def test_no_thread_sees_no_change_before_what_was_kept_is_forgotten(
    stores: tuple[Path, Path], database: SqlStore
) -> None:
    core = build_core(CoreConfig(store_dir=stores[0]))
    forgetting, release = threading.Event(), threading.Event()
    forgotten: list[bool] = []

    def slow_forget() -> None:
        forgetting.set()
        release.wait(timeout=30)
        forgotten.append(True)

    core.pins.on_change(slow_forget)
    _pinning(build_core(CoreConfig(store_dir=stores[0])), database).add_context(
        CONTEXT_URL, CONTEXT_BYTES
    )
    noticing = threading.Thread(target=core.pins.refresh)
    noticing.start()
    assert forgetting.wait(timeout=30)
    answers: list[tuple[bool, list[bool]]] = []
    other = threading.Thread(target=lambda: answers.append((core.pins.refresh(), [*forgotten])))
    other.start()
    other.join(timeout=0.5)  # it may not answer "no change" while the first still forgets
    release.set()
    noticing.join(timeout=30)
    other.join(timeout=30)
    assert answers == [(False, [True])]
    assert not core.pins.refresh()
