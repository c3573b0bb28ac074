"""English and Spanish display labels of the project's terms, read from its vocabulary.

``contexts/trade-certificates-vocab.jsonld`` gives every term of the trade-certificates
context an ``rdfs:label`` in both languages; pages and printed certificates use those,
so a term is named the same way everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from vcservice.jsonld.manifest import default_contexts_dir

__all__ = ["LANGUAGES", "Text", "label", "vocabulary_labels"]

VOCABULARY_FILE = "trade-certificates-vocab.jsonld"
LANGUAGES = ("en", "es")


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


@cache
def vocabulary_labels() -> Mapping[str, Text]:
    """Every labelled term of the vocabulary, by IRI."""
    path = default_contexts_dir() / VOCABULARY_FILE
    document = json.loads(path.read_text(encoding="utf-8"))
    return {
        node["id"]: Text(node["label"]["en"], node["label"]["es"])
        for node in document["@graph"]
        if "label" in node
    }


def label(iri: str) -> Text:
    """The label of the term ``iri`` (``KeyError`` when the vocabulary has none)."""
    return vocabulary_labels()[iri]
