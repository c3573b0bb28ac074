"""English and Spanish display labels of the project's terms, read from its vocabulary.

``contexts/trade-certificates-vocab.jsonld`` gives every term of the trade-certificates
context an ``rdfs:label`` in both languages; pages and printed certificates use those,
so a term is named the same way everywhere. Coded values are individuals of a class
there: version 2's compact IRIs (``ImmexIndustrial``, an ``ImmexModality``) by their IRI,
the upstream strings of traceability (a C-TPAT tier ``Validated``) by ``skos:notation``.
Some terms also have a short label (``skos:altLabel``: ``CBP``, ``U.S.–Mexico MRA (2014)``),
used where a sentence names several of them or a long label repeats; ``short=True`` asks
for it, falling back to the ``rdfs:label``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from vcservice.jsonld.manifest import default_contexts_dir

__all__ = [
    "LANGUAGES",
    "Text",
    "individual_label",
    "label",
    "notation_label",
    "short_label",
    "vocabulary_labels",
]

VOCABULARY_FILE = "trade-certificates-vocab.jsonld"
LANGUAGES = ("en", "es")
_NOTATION = "skos:notation"
_ALT_LABEL = "altLabel"  # skos:altLabel, by the vocabulary's own context


@dataclass(frozen=True, slots=True)
class Text:
    """A text in English and Spanish (the same string twice when it is not translated)."""

    en: str
    es: str

    @classmethod
    def same(cls, text: str) -> Text:
        """A text that reads the same in both languages (a name, a number)."""
        return cls(text, text)

    def in_language(self, language: str) -> str:
        """The text in ``language`` (``es``; anything else is English)."""
        return self.es if language == "es" else self.en


@dataclass(frozen=True, slots=True)
class _Node:
    label: Text
    classes: frozenset[str]
    notation: str | None
    short: Text | None = None  # the skos:altLabel, in both languages

    def text(self, *, short: bool) -> Text:
        """The short label if asked for and given, else the label."""
        return self.short if short and self.short is not None else self.label


@cache
def _nodes() -> Mapping[str, _Node]:
    """Every labelled node of the vocabulary, by IRI: its label, classes and notation."""
    path = default_contexts_dir() / VOCABULARY_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        node["id"]: _Node(
            Text(node["label"]["en"], node["label"]["es"]),
            frozenset(_strings(node.get("type"))),
            node.get(_NOTATION) if isinstance(node.get(_NOTATION), str) else None,
            _text(node.get(_ALT_LABEL)),
        )
        for node in document["@graph"]
        if "label" in node
    }


@cache
def vocabulary_labels() -> Mapping[str, Text]:
    """Every labelled term of the vocabulary, by IRI."""
    return {iri: node.label for iri, node in _nodes().items()}


def label(iri: str) -> Text:
    """The label of the term ``iri`` (``KeyError`` when the vocabulary has none)."""
    return vocabulary_labels()[iri]


def short_label(iri: str) -> Text:
    """The short label of the term ``iri``, else its label (``KeyError`` without either)."""
    return _nodes()[iri].text(short=True)


def individual_label(iri: str, of_class: str, *, short: bool = False) -> Text | None:
    """The label (or short label) of ``iri`` if the vocabulary declares it an individual of
    ``of_class``."""
    node = _nodes().get(iri)
    return node.text(short=short) if node is not None and of_class in node.classes else None


def notation_label(notation: str, of_class: str, *, short: bool = False) -> Text | None:
    """The label (or short label) of the individual of ``of_class`` whose ``skos:notation`` is
    ``notation``."""
    node = _by_notation().get((of_class, notation))
    return None if node is None else node.text(short=short)


@cache
def _by_notation() -> Mapping[tuple[str, str], _Node]:
    return {
        (of_class, node.notation): node
        for node in _nodes().values()
        if node.notation is not None
        for of_class in node.classes
    }


def _text(value: Any) -> Text | None:
    """A language map with English and Spanish as a ``Text``; anything else as None."""
    if not isinstance(value, Mapping):
        return None
    en, es = value.get("en"), value.get("es")
    return Text(en, es) if isinstance(en, str) and isinstance(es, str) else None


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [item for item in values if isinstance(item, str)]
