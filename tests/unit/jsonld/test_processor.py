"""Safe-mode JSON-LD: every term expands to an IRI, or processing stops with the term named."""

from __future__ import annotations

import copy
import socket
from pathlib import Path
from typing import Any

import pytest

from vcservice.errors import ContextError, DataLossError, ParsingError
from vcservice.jsonld.loader import PinnedDocumentLoader
from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
from vcservice.jsonld.processor import MAX_NESTING_DEPTH, SafeJsonLdProcessor
from vcservice.jsonld.store import ContextStore

pytestmark = pytest.mark.shared

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
TRACEABILITY = "https://w3id.org/traceability/v1"  # has the issuer-dependent @vocab

CREDENTIAL: dict[str, Any] = {
    "@context": [V2],
    "type": ["VerifiableCredential"],
    "issuer": "did:example:issuer",
    "validFrom": "2026-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:subject", "name": "Maquiladora del Norte"},
}


@pytest.fixture
def processor(context_store_dir: Path) -> SafeJsonLdProcessor:
    store = ContextStore(context_store_dir, ContextManifest.load(default_contexts_dir()))
    return SafeJsonLdProcessor(PinnedDocumentLoader(store))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record (and refuse) any attempt to resolve or connect."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network access attempted during JSON-LD processing")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_defined_terms_become_quads(processor: SafeJsonLdProcessor) -> None:
    quads = processor.to_quads(copy.deepcopy(CREDENTIAL))
    predicates = {quad.predicate.value for quad in quads}
    assert "https://schema.org/name" in predicates
    assert "https://www.w3.org/2018/credentials#credentialSubject" in predicates


def test_undefined_term_is_refused_instead_of_dropped(processor: SafeJsonLdProcessor) -> None:
    document = copy.deepcopy(CREDENTIAL)
    document["credentialSubject"]["immexNumber"] = "IMMEX-2024-001"
    with pytest.raises(DataLossError) as raised:
        processor.to_quads(document)
    assert raised.value.code == "DATA_LOSS_DETECTION_ERROR"
    assert raised.value.field == "immexNumber"


def test_term_falling_to_issuer_dependent_vocab_is_refused(
    processor: SafeJsonLdProcessor,
) -> None:
    document = copy.deepcopy(CREDENTIAL)
    document["@context"] = [V2, TRACEABILITY]
    document["credentialSubject"]["immexNumber"] = "IMMEX-2024-001"
    with pytest.raises(DataLossError, match="issuer-dependent") as raised:
        processor.to_quads(document)
    assert raised.value.field == "immexNumber"


@pytest.mark.parametrize(
    ("contexts", "value", "why"),
    [
        ([V2, TRACEABILITY], "OeaFoo", "issuer-dependent"),
        ([V2, TRACEABILITY], "Importador y/o exportador", "issuer-dependent"),
        ([V2], "Importador y/o exportador", "would be dropped"),  # no @vocab: relative
        ([V2, TRACEABILITY], "https://example.com/a b", "would be dropped"),
    ],
)
def test_vocab_typed_value_naming_nothing_is_refused(
    processor: SafeJsonLdProcessor, contexts: list[Any], value: str, why: str
) -> None:
    """A value of an ``"@type": "@vocab"`` term is a name, checked as a key is."""
    document = copy.deepcopy(CREDENTIAL)
    rubro = {"rubro": {"@id": "https://example.com/rubro", "@type": "@vocab"}}
    document["@context"] = [*contexts, rubro]
    document["credentialSubject"]["rubro"] = value
    with pytest.raises(DataLossError, match=why) as raised:
        processor.to_quads(document)
    assert raised.value.field == "rubro"


def test_vocab_typed_value_naming_an_iri_is_kept(processor: SafeJsonLdProcessor) -> None:
    document = copy.deepcopy(CREDENTIAL)
    document["@context"] = [
        V2,
        TRACEABILITY,
        {
            "rubro": {"@id": "https://example.com/rubro", "@type": "@vocab", "@container": "@set"},
            "Holding": "https://example.com/Holding",
        },
    ]
    document["credentialSubject"]["rubro"] = ["Holding", "https://example.com/Other"]
    objects = {
        quad.object.value
        for quad in processor.to_quads(document)
        if quad.predicate.value == "https://example.com/rubro"
    }
    assert objects == {"https://example.com/Holding", "https://example.com/Other"}


def test_undefined_type_is_refused(processor: SafeJsonLdProcessor) -> None:
    document = copy.deepcopy(CREDENTIAL)
    document["type"] = ["VerifiableCredential", "MadeUpCertificate"]
    with pytest.raises(DataLossError, match="MadeUpCertificate"):
        processor.to_quads(document)


def test_term_dropped_without_vocab_is_refused(processor: SafeJsonLdProcessor) -> None:
    document = {
        "@context": [V1],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "rfc": "MDN840101AB1"},
    }
    with pytest.raises(DataLossError, match="rfc"):
        processor.to_quads(document)


def test_relative_identifier_is_refused(processor: SafeJsonLdProcessor) -> None:
    document = copy.deepcopy(CREDENTIAL)
    document["credentialSubject"]["id"] = "company-42"
    with pytest.raises(DataLossError, match="company-42"):
        processor.to_quads(document)


@pytest.mark.parametrize("space", [" ", "\u00a0"])
def test_identifier_with_white_space_is_refused(processor: SafeJsonLdProcessor, space: str) -> None:
    """toRDF drops a node whose IRI has white space in it, with every statement about it."""
    document = copy.deepcopy(CREDENTIAL)
    document["credentialSubject"]["id"] = f"https://example.com/company{space}42"
    with pytest.raises(DataLossError, match="would be dropped"):
        processor.to_quads(document)


def test_undefined_terms_can_be_allowed_explicitly(context_store_dir: Path) -> None:
    store = ContextStore(context_store_dir, ContextManifest.load(default_contexts_dir()))
    lenient = SafeJsonLdProcessor(PinnedDocumentLoader(store), allow_undefined_terms=True)
    document = copy.deepcopy(CREDENTIAL)
    document["@context"] = [V2, TRACEABILITY]
    document["credentialSubject"]["immexNumber"] = "IMMEX-2024-001"
    predicates = {quad.predicate.value for quad in lenient.to_quads(document)}
    assert "https://www.w3.org/ns/credentials/issuer-dependent#immexNumber" in predicates


def test_explicit_vocab_context_is_accepted(processor: SafeJsonLdProcessor) -> None:
    document = copy.deepcopy(CREDENTIAL)
    document["@context"] = [V2, EXAMPLES_V2]
    document["credentialSubject"]["alumniOf"] = "The School of Examples"
    predicates = {quad.predicate.value for quad in processor.to_quads(document)}
    assert "https://www.w3.org/ns/credentials/examples#alumniOf" in predicates


def test_unpinned_context_fails_without_network(
    processor: SafeJsonLdProcessor, no_network: list[Any]
) -> None:
    document = copy.deepcopy(CREDENTIAL)
    document["@context"] = [V2, "https://evil.example/context.jsonld"]
    with pytest.raises(ContextError) as raised:
        processor.to_quads(document)
    assert raised.value.code == "CONTEXT_NOT_PINNED"
    assert "https://evil.example/context.jsonld" in raised.value.message
    assert no_network == []


def test_protected_term_redefinition_is_refused(processor: SafeJsonLdProcessor) -> None:
    document = copy.deepcopy(CREDENTIAL)
    document["@context"] = [V2, {"name": "https://attacker.example/name"}]
    with pytest.raises(ParsingError, match="protected term redefinition"):
        processor.to_quads(document)


def test_excessive_nesting_is_refused_before_expansion(processor: SafeJsonLdProcessor) -> None:
    document = copy.deepcopy(CREDENTIAL)
    nested: dict[str, Any] = {"name": "leaf"}
    for _ in range(MAX_NESTING_DEPTH + 5):
        nested = {"name": "level", "description": nested}
    document["credentialSubject"] = nested
    with pytest.raises(ParsingError, match="nests deeper"):
        processor.to_quads(document)
