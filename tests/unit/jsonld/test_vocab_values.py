"""Names in values: a ``@vocab``-typed value is refused like an undefined key, or kept.

JSON-LD 1.1 expands a string value of a term typed ``"@type": "@vocab"`` as an IRI,
vocabulary-relative (Value Expansion; IRI Expansion with ``vocab`` true): a term of the
active context gives its IRI, a compact IRI of a defined prefix or an absolute IRI stays
one, and anything else is appended to the ``@vocab`` — the issuer-dependent vocabulary,
which safe mode refuses for keys, where a context sets it (traceability/v1 does; the
published credentials/v2 does not) — or, with no ``@vocab``, left relative. toRDF drops
what is not then an IRI (relative, or with white space in it). Safe mode refuses both,
naming the term whose value it is, on the reference path (pyld) and the fast path alike.
A ``@id``-typed value is expanded document-relative instead (no terms, no ``@vocab``): a
relative one is refused as it always was, and one with white space now is too, as is such
an ``id`` or type.

Each document goes through a processor on each path; the outcomes (canonical N-Quads, or
the refusal's code and message) must be identical, and ``check`` must agree. The contexts
are named by URL, so that the fast path reads them (it declines inline contexts).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.certificates.support import SLUGS, sample
from vcservice.errors import DataLossError, VcError
from vcservice.jsonld.fast import DeclinedError
from vcservice.jsonld.loader import PinnedDocumentLoader
from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
from vcservice.jsonld.processor import SafeJsonLdProcessor
from vcservice.jsonld.safe_terms import ABSOLUTE_IRI, ISSUER_DEPENDENT_VOCAB
from vcservice.jsonld.store import ContextStore
from vcservice.rdf.model import Quad
from vcservice.rdf.rdfc10 import canonicalize

pytestmark = pytest.mark.shared

V2 = "https://www.w3.org/ns/credentials/v2"  # no @vocab
V1 = "https://www.w3.org/2018/credentials/v1"  # no @vocab
TERMS = "https://vocab-values.invalid/terms"
ISSUER_VOCAB = "https://vocab-values.invalid/issuer-dependent"  # as traceability/v1 sets it
OWN_VOCAB = "https://vocab-values.invalid/own-vocab"
WITH_ISSUER_VOCAB = (V2, TERMS, ISSUER_VOCAB)
WITH_OWN_VOCAB = (V2, TERMS, OWN_VOCAB)
WITHOUT_VOCAB = (V2, TERMS)
EX = "https://example.org/ns#"
VOCAB = "https://example.org/vocab#"
CONTEXTS: dict[str, Any] = {
    TERMS: {
        "@context": {
            "@version": 1.1,
            "ex": EX,  # a prefix (its IRI ends with a gen-delim)
            "rubro": {"@id": EX + "rubro", "@type": "@vocab"},
            "link": {"@id": EX + "link", "@type": "@id"},
            "holds": {"@id": EX + "holds"},
            "Known": EX + "Known",
            "Unmapped": None,
            "Arrangement": {
                "@id": EX + "Arrangement",
                "@context": {
                    "role": {"@id": EX + "role", "@type": "@vocab"},
                    "ScopedValue": EX + "ScopedValue",
                },
            },
        }
    },
    ISSUER_VOCAB: {"@context": {"@vocab": ISSUER_DEPENDENT_VOCAB}},
    OWN_VOCAB: {"@context": {"@vocab": VOCAB}},
}
DEFINED_VALUES = {"Known": EX + "Known", "ex": EX}  # terms naming an IRI, at the top level
SCOPED_VALUES = {**DEFINED_VALUES, "ScopedValue": EX + "ScopedValue"}  # in an Arrangement


class _Loader:
    """The pinned contexts, and this module's made-up ones by URL."""

    def __init__(self, pinned: PinnedDocumentLoader) -> None:
        self._pinned = pinned

    def load(self, url: str) -> Any:
        if url in CONTEXTS:
            return copy.deepcopy(CONTEXTS[url])
        return self._pinned.load(url)


@pytest.fixture(scope="module")
def loader(context_store_dir: Path) -> _Loader:
    store = ContextStore(context_store_dir, ContextManifest.load(default_contexts_dir()))
    return _Loader(PinnedDocumentLoader(store))


@pytest.fixture(scope="module")
def paths(loader: _Loader) -> dict[str, SafeJsonLdProcessor]:
    return {path: SafeJsonLdProcessor(loader, path=path) for path in ("fast", "reference")}


@pytest.fixture(scope="module")
def lenient(loader: _Loader) -> dict[str, SafeJsonLdProcessor]:
    return {
        path: SafeJsonLdProcessor(loader, path=path, allow_undefined_terms=True)
        for path in ("fast", "reference")
    }


def credential(subject: dict[str, Any], contexts: tuple[str, ...] = WITH_ISSUER_VOCAB) -> Any:
    dated = (
        {"validFrom": "2026-01-01T00:00:00Z"}
        if V2 in contexts
        else {"issuanceDate": "2026-01-01T00:00:00Z"}
    )
    return {
        "@context": list(contexts),
        "id": "urn:uuid:8d2f1c3a-5b7e-4f60-9a1d-2c3b4d5e6f70",
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        **dated,
        "credentialSubject": {"id": "did:example:subject", **subject},
    }


def outcome(processor: SafeJsonLdProcessor, document: Any) -> tuple[str, Any]:
    """("accepted", canonical N-Quads) or ("refused", the error)."""
    try:
        quads = processor.to_quads(copy.deepcopy(document))
    except VcError as error:
        return "refused", error
    return "accepted", canonicalize(quads)


def agreed(processors: dict[str, SafeJsonLdProcessor], document: Any) -> tuple[str, Any]:
    """Both paths' outcome, identical (and ``check`` agreeing); the fast path declines what
    the reference path refuses."""
    expected = outcome(processors["reference"], document)
    actual = outcome(processors["fast"], document)
    if expected[0] == "accepted":
        assert actual == expected
    else:
        assert actual[0] == "refused"
        assert (actual[1].code, actual[1].message) == (expected[1].code, expected[1].message)
    try:
        processors["fast"].check(copy.deepcopy(document))
        checked = "accepted"
    except VcError:
        checked = "refused"
    assert checked == expected[0]
    if expected[0] == "refused":
        assert not taken(processors, document), "the fast path took what the reference refuses"
    return expected


def taken(processors: dict[str, SafeJsonLdProcessor], document: Any) -> bool:
    """Whether the fast path itself reads ``document`` (else pyld answers for it)."""
    fast_path = processors["fast"].fast_path
    assert fast_path is not None
    try:
        fast_path.to_quads(copy.deepcopy(document))
    except DeclinedError:
        return False
    return True


def objects_of(processor: SafeJsonLdProcessor, document: Any, predicate: str) -> list[Any]:
    quads: list[Quad] = processor.to_quads(copy.deepcopy(document))
    return [quad.object for quad in quads if quad.predicate.value == predicate]


def arrangement(role: Any) -> dict[str, Any]:
    return {"holds": {"type": "Arrangement", "role": role}}


# --- the rule, case by case -----------------------------------------------------------------

ACCEPTED = [
    pytest.param(WITH_ISSUER_VOCAB, "Known", EX + "Known", id="a term"),
    pytest.param(WITH_ISSUER_VOCAB, "ex", EX, id="a prefix used as a term"),
    pytest.param(WITH_ISSUER_VOCAB, "ex:Thing", EX + "Thing", id="a compact IRI"),
    pytest.param(
        WITH_ISSUER_VOCAB,
        "https://example.org/other#X",
        "https://example.org/other#X",
        id="an absolute IRI",
    ),
    pytest.param(WITH_ISSUER_VOCAB, "did:example:thing", "did:example:thing", id="a DID"),
    pytest.param(
        WITH_OWN_VOCAB, "Undefined", VOCAB + "Undefined", id="a name under a vocabulary of its own"
    ),
    pytest.param(WITHOUT_VOCAB, "Known", EX + "Known", id="a term, no @vocab"),
    pytest.param((V1, TERMS), "ex:Thing", EX + "Thing", id="a compact IRI, VCDM 1.1"),
]


@pytest.mark.parametrize(("contexts", "value", "iri"), ACCEPTED)
def test_a_vocab_typed_value_naming_an_iri_is_kept(
    paths: dict[str, SafeJsonLdProcessor], contexts: tuple[str, ...], value: str, iri: str
) -> None:
    document = credential({"rubro": value}, contexts)
    assert agreed(paths, document)[0] == "accepted"
    assert taken(paths, document)
    assert [term.value for term in objects_of(paths["fast"], document, EX + "rubro")] == [iri]


REFUSED = [
    pytest.param(WITH_ISSUER_VOCAB, "Undefined", "issuer-dependent", id="an undefined name"),
    pytest.param(
        WITH_ISSUER_VOCAB, "Importador y/o exportador", "issuer-dependent", id="a v1 string"
    ),
    pytest.param(WITH_ISSUER_VOCAB, "relative/path", "issuer-dependent", id="a relative path"),
    pytest.param(
        WITH_ISSUER_VOCAB, "ScopedValue", "issuer-dependent", id="a term out of its scope"
    ),
    pytest.param(
        WITH_ISSUER_VOCAB,
        ISSUER_DEPENDENT_VOCAB + "Undefined",
        "issuer-dependent",
        id="the issuer-dependent IRI written out",
    ),
    pytest.param(WITH_ISSUER_VOCAB, "https://example.org/a b", "would be dropped", id="a space"),
    pytest.param(
        WITH_ISSUER_VOCAB, "https://example.org/a\u00a0b", "would be dropped", id="a no-break space"
    ),
    pytest.param(WITH_ISSUER_VOCAB, "Unmapped", "would be dropped", id="a term mapped to null"),
    pytest.param(WITH_ISSUER_VOCAB, "@foo", "would be dropped", id="a keyword-like name"),
    pytest.param(WITH_ISSUER_VOCAB, "id", "would be dropped", id="a keyword alias"),
    pytest.param(
        WITH_OWN_VOCAB,
        "Importador y/o exportador",
        "would be dropped",
        id="a v1 string under a vocabulary of its own",
    ),
    pytest.param(WITHOUT_VOCAB, "Undefined", "would be dropped", id="no @vocab: relative"),
    pytest.param(
        WITHOUT_VOCAB, "Importador y/o exportador", "would be dropped", id="no @vocab: a v1 string"
    ),
    pytest.param((V1, TERMS), "Undefined", "would be dropped", id="VCDM 1.1: relative"),
]


@pytest.mark.parametrize(("contexts", "value", "why"), REFUSED)
def test_a_vocab_typed_value_naming_nothing_is_refused(
    paths: dict[str, SafeJsonLdProcessor], contexts: tuple[str, ...], value: str, why: str
) -> None:
    document = credential({"rubro": value}, contexts)
    result, error = agreed(paths, document)
    assert result == "refused"
    assert isinstance(error, DataLossError)
    assert error.code == "DATA_LOSS_DETECTION_ERROR"
    assert error.field == "rubro"
    assert f"value '{value}' of rubro" in error.message and why in error.message


def test_every_value_of_a_set_is_read(paths: dict[str, SafeJsonLdProcessor]) -> None:
    accepted = credential({"rubro": ["Known", "ex:Thing"]})
    assert agreed(paths, accepted)[0] == "accepted"
    refused = credential({"rubro": ["Known", "Undefined"]})
    result, error = agreed(paths, refused)
    assert result == "refused" and error.field == "rubro"


@pytest.mark.parametrize(
    ("value", "iri"),
    [("ScopedValue", EX + "ScopedValue"), ("Known", EX + "Known"), ("Undefined", None)],
)
def test_a_value_of_a_type_scoped_term_reads_the_scope(
    paths: dict[str, SafeJsonLdProcessor], value: str, iri: str | None
) -> None:
    document = credential(arrangement(value))
    result, error = agreed(paths, document)
    if iri is None:
        assert result == "refused" and error.field == "role"
        assert "issuer-dependent" in error.message
    else:
        assert result == "accepted" and taken(paths, document)
        assert [term.value for term in objects_of(paths["fast"], document, EX + "role")] == [iri]


def test_undefined_values_can_be_allowed_explicitly_but_not_dropped_ones(
    lenient: dict[str, SafeJsonLdProcessor],
) -> None:
    undefined = credential({"rubro": "Undefined"})
    assert agreed(lenient, undefined)[0] == "accepted"
    assert [t.value for t in objects_of(lenient["fast"], undefined, EX + "rubro")] == [
        ISSUER_DEPENDENT_VOCAB + "Undefined"
    ]
    result, error = agreed(lenient, credential({"rubro": "Importador y/o exportador"}))
    assert result == "refused" and error.field == "rubro" and "would be dropped" in error.message


# --- @id-typed values, identifiers and types --------------------------------------------------


@pytest.mark.parametrize(
    ("value", "iri"),
    [
        ("https://example.org/x", "https://example.org/x"),
        ("ex:Thing", EX + "Thing"),  # a compact IRI expands for @id too
        ("Known", None),  # document-relative: a term is not read, and there is no base
        ("https://example.org/a b", None),
        ("https://example.org/a\u00a0b", None),
    ],
)
def test_an_id_typed_value_is_an_iri_or_refused(
    paths: dict[str, SafeJsonLdProcessor], value: str, iri: str | None
) -> None:
    document = credential({"link": value})
    result, error = agreed(paths, document)
    if iri is None:
        assert result == "refused" and isinstance(error, DataLossError)
        assert error.field == value and "would be dropped" in error.message
    else:
        assert result == "accepted" and taken(paths, document)
        assert [term.value for term in objects_of(paths["fast"], document, EX + "link")] == [iri]


@pytest.mark.parametrize("space", [" ", "\t", "\u00a0", "\u2003"])
def test_an_identifier_or_type_with_white_space_is_refused_not_dropped(
    paths: dict[str, SafeJsonLdProcessor], space: str
) -> None:
    """pyld's toRDF drops a node whose ``@id`` has white space (every quad of it), and such
    a type; before, a no-break space was also kept by the fast path and dropped by pyld."""
    identifier = f"https://example.org/company{space}42"
    subject = credential({})
    subject["credentialSubject"]["id"] = identifier
    result, error = agreed(paths, subject)
    assert result == "refused" and error.field == identifier
    typed = credential({"holds": {"type": f"https://example.org/A{space}Type", "rubro": "Known"}})
    result, error = agreed(paths, typed)
    assert result == "refused" and "would be dropped" in error.message


# --- the certificates' own @vocab-typed terms ----------------------------------------------

VOCAB_TYPED_KEYS = frozenset(
    {
        "siteRole",
        "immexModality",
        "oeaRubro",
        "arrangement",
        "recognizedBy",
        "counterpartProgram",
        "recognizedRole",
    }
)


def vocab_typed_members(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of the members of ``node`` that the trade-certificates v2 context types @vocab."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in VOCAB_TYPED_KEYS:
                found.append((*path, key))
            found += vocab_typed_members(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += vocab_typed_members(value, (*path, index))
    return found


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    document = copy.deepcopy(document)
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return document


@pytest.mark.parametrize("slug", SLUGS)
def test_each_vocab_typed_member_of_the_samples(
    paths: dict[str, SafeJsonLdProcessor], slug: str
) -> None:
    """The samples' values are terms (taken by the fast path); an undefined name or a v1
    string in any of their places is refused on both paths, naming the member."""
    document = sample(slug)
    members = vocab_typed_members(document)
    if not members:
        pytest.skip(f"the {slug} sample has no @vocab-typed member")
    assert agreed(paths, document)[0] == "accepted"
    assert taken(paths, document)
    for path in members:
        for value in ("Undefined", "Importador y/o exportador", "https://example.org/a b"):
            result, error = agreed(paths, replaced(document, path, value))
            assert result == "refused", (path, value)
            assert error.field == path[-1], (path, value)


# --- generated values ---------------------------------------------------------------------

ALPHABET = "abcXYZ019:/#-._@é \t\u00a0"
PREFIXES = [
    "",
    "https://example.org/",
    "ex:",
    "did:example:",
    ISSUER_DEPENDENT_VOCAB,
    "Known",
    "Scoped",
    "@",
]
_PYLD_WELL_FORMED = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")  # pyld's own test
_values = st.one_of(
    st.sampled_from(["Known", "ScopedValue", "Unmapped", "ex", "id", "type", "@id", "_:b0"]),
    st.builds(str.__add__, st.sampled_from(PREFIXES), st.text(ALPHABET, max_size=10)),
)


@pytest.mark.slow
@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    value=_values,
    scoped=st.booleans(),
    contexts=st.sampled_from([WITH_ISSUER_VOCAB, WITH_OWN_VOCAB, WITHOUT_VOCAB, (V1, TERMS)]),
)
def test_generated_vocab_typed_values(
    paths: dict[str, SafeJsonLdProcessor],
    value: str,
    scoped: bool,
    contexts: tuple[str, ...],
) -> None:
    """Both paths agree; a kept value is in the dataset as an IRI RDF keeps (never one of
    the issuer-dependent vocabulary) or a blank node; a refused one names its term."""
    term = "role" if scoped else "rubro"
    document = credential(arrangement(value) if scoped else {"rubro": value}, contexts)
    result, error = agreed(paths, document)
    if result == "refused":
        assert isinstance(error, DataLossError), error
        assert error.field == term, error
        assert value not in (SCOPED_VALUES if scoped else DEFINED_VALUES)
        return
    [obj] = objects_of(paths["reference"], document, EX + term)
    if obj.kind == "blank":
        assert value.startswith("_:")
        return
    assert ABSOLUTE_IRI.match(obj.value) and _PYLD_WELL_FORMED.match(obj.value)
    assert not obj.value.startswith(ISSUER_DEPENDENT_VOCAB)
