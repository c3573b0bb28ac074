"""``StatusReason`` is exactly the vocabulary's status reasons, each labelled en/es."""

from __future__ import annotations

import json
from typing import Any

from vcservice.jsonld.manifest import default_contexts_dir
from vcservice.model.records import TRADE_VOCABULARY, StatusReason
from vcservice.printing.labels import VOCABULARY_FILE, label

CONTEXT_V2_FILE = "trade-certificates-v2.jsonld"


def _bundled(name: str) -> dict[str, Any]:
    """A bundled context file, read as ``vcservice.printing.labels`` reads the vocabulary."""
    document: dict[str, Any] = json.loads(
        (default_contexts_dir() / name).read_text(encoding="utf-8")
    )
    return document


def test_the_enum_is_every_status_reason_of_the_vocabulary() -> None:
    individuals = {
        node["id"]
        for node in _bundled(VOCABULARY_FILE)["@graph"]
        if node.get("type") == TRADE_VOCABULARY + "StatusReason"
    }
    assert individuals == {reason.iri for reason in StatusReason}
    assert len(individuals) == 10


def test_every_reason_has_an_english_and_a_spanish_label() -> None:
    for reason in StatusReason:
        text = label(reason.iri)
        assert text.en and text.es and text.en != text.es, reason
    assert label(StatusReason.SECURITY_INCIDENT.iri).es == "Incidente de seguridad"


def test_each_value_is_the_v2_context_term_for_its_iri() -> None:
    context = _bundled(CONTEXT_V2_FILE)["@context"]
    for reason in StatusReason:
        assert context[reason.value] == reason.iri
        assert reason.value.startswith("StatusReason")
