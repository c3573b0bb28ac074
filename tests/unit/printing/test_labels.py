"""Labels from the vocabulary: ``rdfs:label`` in both languages, and the short labels
(``skos:altLabel``) that a sentence naming several terms, or a repeated label, uses instead."""

from __future__ import annotations

import json

import pytest

from vcservice.jsonld.manifest import default_contexts_dir
from vcservice.printing.labels import (
    Text,
    individual_label,
    label,
    notation_label,
    short_label,
)

TC = "https://w3id.org/vcservice/trade-certificates#"
SHORT = {
    TC + "AuthorityCBP": Text.same("CBP"),
    TC + "AuthoritySAT": Text.same("SAT"),
    TC + "CtpatProgram": Text.same("C-TPAT"),
    TC + "OeaProgram": Text.same("OEA"),
    TC + "MraUsMx2014": Text("U.S.–Mexico MRA (2014)", "ARM México–EE. UU. (2014)"),
    TC + "MraRoleManufacturerExporter": Text("manufacturer/exporter", "fabricante/exportador"),
    TC + "MraRoleImporter": Text("importer", "importador"),
    TC + "MraRoleHighwayCarrier": Text("highway carrier", "autotransportista"),
    TC + "MraRoleCustomsBroker": Text("customs broker", "agente aduanal"),
    "https://w3id.org/traceability#manufacturerId": Text.same("MID"),
}
# Every individual a mutual recognition names has a short label.
RECOGNITION_CLASSES = (
    "CustomsAuthority",
    "TrustedTraderProgram",
    "MutualRecognitionArrangement",
    "MraRole",
)


@pytest.mark.parametrize("iri", sorted(SHORT))
def test_short_labels(iri: str) -> None:
    assert short_label(iri) == SHORT[iri]
    assert label(iri) != SHORT[iri]  # the full label stays the label


def test_a_term_without_a_short_label_reads_by_its_label() -> None:
    rfc = TC + "rfc"
    assert (
        short_label(rfc)
        == label(rfc)
        == Text("RFC (Mexican tax ID)", "Registro Federal de Contribuyentes (RFC)")
    )
    with pytest.raises(KeyError):
        short_label(TC + "notATerm")


def test_individuals_and_notations_by_their_short_label_when_asked() -> None:
    cbp, authority = TC + "AuthorityCBP", TC + "CustomsAuthority"
    assert individual_label(cbp, authority) == label(cbp)
    assert individual_label(cbp, authority, short=True) == Text.same("CBP")
    assert individual_label(cbp, TC + "MraRole", short=True) is None  # not of that class
    tier = TC + "CtpatTier"
    assert notation_label("Validated", tier) == Text("Validated (Tier 2)", "Validado")
    assert notation_label("Validated", tier, short=True) == Text("Validated (Tier 2)", "Validado")
    assert notation_label("Unknown", tier, short=True) is None


def test_the_vocabulary_gives_short_labels_in_both_languages() -> None:
    document = json.loads(
        (default_contexts_dir() / "trade-certificates-vocab.jsonld").read_text("utf-8")
    )
    assert document["@context"]["altLabel"] == {
        "@id": "skos:altLabel",
        "@container": "@language",
    }
    nodes = {node["id"]: node for node in document["@graph"]}
    with_short = {iri for iri, node in nodes.items() if "altLabel" in node}
    assert with_short == set(SHORT)
    for iri in with_short:
        assert set(nodes[iri]["altLabel"]) == {"en", "es"}, iri
    for node in nodes.values():
        types = node["type"] if isinstance(node["type"], list) else [node["type"]]
        if any(TC + name in types for name in RECOGNITION_CLASSES):
            assert node["id"] in SHORT, node["id"]
