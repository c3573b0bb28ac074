"""The RDF term/quad model: construction, canonical N-Quads, parsing and pyld conversion."""

from __future__ import annotations

from typing import Any

import pytest

from vcservice.errors import ParsingError
from vcservice.rdf import Quad, Term, from_pyld_dataset, nquad_line, parse_nquads

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
S, P = Term.iri("urn:ex:s"), Term.iri("urn:ex:p")


def _line(obj: Term, graph: Term | None = None) -> str:
    return nquad_line(Quad(S, P, obj, graph))


def test_literal_normalises_explicit_string_datatypes() -> None:
    assert Term.literal("x", XSD + "string") == Term.literal("x")
    assert Term.literal("x", RDF_LANGSTRING, "en") == Term.literal("x", language="en")
    assert Term.literal("x", XSD + "integer").datatype == XSD + "integer"


@pytest.mark.parametrize(
    ("kind", "value", "datatype", "language"),
    [
        ("iri", "relative/path", None, None),
        ("iri", "urn:ex:a b", None, None),
        ("iri", "urn:ex:a><urn:ex:b", None, None),
        ("iri", "urn:ex:a", XSD + "string", None),
        ("iri", "urn:ex:\ud800", None, None),
        ("blank", "", None, None),
        ("blank", "b0.", None, None),
        ("blank", "b 0", None, None),
        ("literal", "x", None, "en US"),
        ("literal", "x", XSD + "integer", "en"),
        ("literal", "x", RDF_LANGSTRING, None),
        ("literal", "x", "not an iri", None),
        ("literal", "\ud800", None, None),
        ("uri", "urn:ex:a", None, None),
    ],
)
def test_invalid_terms_are_refused(
    kind: Any, value: str, datatype: str | None, language: str | None
) -> None:
    with pytest.raises(ValueError):
        Term(kind, value, datatype, language)


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (Term.iri("urn:ex:o"), "<urn:ex:o>"),
        (Term.blank("b0"), "_:b0"),
        (Term.literal("plain"), '"plain"'),
        (Term.literal("chat", language="fr-BE"), '"chat"@fr-BE'),
        (Term.literal("1", XSD + "integer"), f'"1"^^<{XSD}integer>'),
        (Term.literal('a"b\\c\nd\re'), r'"a\"b\\c\nd\re"'),
        (Term.literal("\t\b\f"), r'"\t\b\f"'),
        (Term.literal("\x00\x0b\x1f\x7f"), r'"\u0000\u000B\u001F\u007F"'),
        (Term.literal("'é∞🌃\x80\u2028"), '"\'é∞🌃\x80\u2028"'),
    ],
)
def test_canonical_serialisation(obj: Term, expected: str) -> None:
    assert _line(obj) == f"<urn:ex:s> <urn:ex:p> {expected} .\n"


def test_graph_is_serialised_after_the_object() -> None:
    assert (
        _line(Term.blank("o"), Term.iri("urn:ex:g")) == "<urn:ex:s> <urn:ex:p> _:o <urn:ex:g> .\n"
    )


@pytest.mark.parametrize(
    "obj",
    [
        Term.literal(""),
        Term.literal("".join(map(chr, range(0x80))) + "\u00a0\u2028\uffff\U0010ffff"),
        Term.literal("x", language="en-us"),
        Term.literal("x", "urn:ex:dt"),
        Term.blank("b.1-x_y"),
        Term.iri("http://example.com/~a?b=c#d"),
    ],
)
def test_parse_round_trip(obj: Term) -> None:
    for quad in (Quad(S, P, obj, None), Quad(S, P, obj, Term.blank("g")), Quad(S, P, obj, S)):
        assert parse_nquads(nquad_line(quad)) == [quad]


def test_parse_decodes_escapes_and_ignores_comments_and_blank_lines() -> None:
    text = (
        "# a comment\n"
        "\n"
        '<urn:ex:\\u0073> <urn:ex:p> "\\u0022\\U0001F303\\t\\\'" . # trailing\r\n'
        '\t_:b1<urn:ex:p>"x" ^^ <urn:ex:dt>_:g.\r'
        '<urn:ex:s> <urn:ex:p> "y" @en-GB <urn:ex:g> .'
    )
    assert parse_nquads(text) == [
        Quad(S, P, Term.literal("\"🌃\t'"), None),
        Quad(Term.blank("b1"), P, Term.literal("x", "urn:ex:dt"), Term.blank("g")),
        Quad(S, P, Term.literal("y", language="en-GB"), Term.iri("urn:ex:g")),
    ]


def test_parse_keeps_duplicates() -> None:
    line = "<urn:ex:s> <urn:ex:p> <urn:ex:o> .\n"
    assert len(parse_nquads(line * 2)) == 2


@pytest.mark.parametrize(
    "bad",
    [
        "<urn:ex:s> <urn:ex:p> <urn:ex:o>",
        "<urn:ex:s> <urn:ex:p> <urn:ex:o> . extra",
        '"lit" <urn:ex:p> <urn:ex:o> .',
        "<urn:ex:s> _:p <urn:ex:o> .",
        '<urn:ex:s> <urn:ex:p> <urn:ex:o> "graph" .',
        "<relative> <urn:ex:p> <urn:ex:o> .",
        "<urn:ex:a b> <urn:ex:p> <urn:ex:o> .",
        "<urn:ex:\\u0020> <urn:ex:p> <urn:ex:o> .",
        "<urn:ex:\\n> <urn:ex:p> <urn:ex:o> .",
        '<urn:ex:s> <urn:ex:p> "unterminated .',
        '<urn:ex:s> <urn:ex:p> "bad \\x escape" .',
        '<urn:ex:s> <urn:ex:p> "\\uD800" .',
        '<urn:ex:s> <urn:ex:p> "\\U00110000" .',
        '<urn:ex:s> <urn:ex:p> "x"@en_US .',
        '<urn:ex:s> <urn:ex:p> "x"^^"dt" .',
        "_:b. <urn:ex:p> <urn:ex:o> .",
        "<urn:ex:s> <urn:ex:p> <urn:ex:o> <urn:ex:g> <urn:ex:h> .",
    ],
)
def test_malformed_nquads_raise_with_line_number(bad: str) -> None:
    text = "<urn:ex:s> <urn:ex:p> <urn:ex:o> .\n# comment\n" + bad + "\n"
    with pytest.raises(ParsingError) as caught:
        parse_nquads(text)
    assert caught.value.field == "line 3"
    assert "line 3" in str(caught.value)


def test_from_pyld_dataset() -> None:
    dataset = {
        "@default": [
            {
                "subject": {"type": "blank node", "value": "_:b0"},
                "predicate": {"type": "IRI", "value": "urn:ex:p"},
                "object": {
                    "type": "literal",
                    "value": "hola",
                    "datatype": RDF_LANGSTRING,
                    "language": "es",
                },
            },
        ],
        "_:g1": [
            {
                "subject": {"type": "IRI", "value": "urn:ex:s"},
                "predicate": {"type": "IRI", "value": "urn:ex:p"},
                "object": {"type": "literal", "value": "v", "datatype": XSD + "string"},
            },
        ],
        "urn:ex:g": [
            {
                "subject": {"type": "IRI", "value": "urn:ex:s"},
                "predicate": {"type": "IRI", "value": "urn:ex:p"},
                "object": {"type": "blank node", "value": "_:b0"},
            },
        ],
    }
    assert from_pyld_dataset(dataset) == [
        Quad(Term.blank("b0"), P, Term.literal("hola", language="es"), None),
        Quad(S, P, Term.literal("v"), Term.blank("g1")),
        Quad(S, P, Term.blank("b0"), Term.iri("urn:ex:g")),
    ]


def test_from_pyld_dataset_matches_pyld_to_rdf() -> None:
    from pyld import jsonld

    document = {
        "@context": {"@vocab": "urn:ex:", "n": {"@id": "urn:ex:n", "@container": "@list"}},
        "@id": "urn:ex:s",
        "name": {"@value": "Zoë", "@language": "de"},
        "n": [1, 2.5, True],
        "knows": {"name": "x\ny"},
    }
    expected = jsonld.to_rdf(document, {"format": "application/n-quads"})
    quads = from_pyld_dataset(jsonld.to_rdf(document, {}))
    assert sorted(map(nquad_line, quads)) == sorted(expected.splitlines(keepends=True))


@pytest.mark.parametrize(
    "obj",
    [
        {"type": "IRI", "value": "urn:ex:a b"},
        {"type": "literal", "value": "x", "datatype": RDF_LANGSTRING, "language": "e n"},
        {"type": "triple", "value": "x"},
        {"type": "literal"},
    ],
)
def test_from_pyld_dataset_refuses_unusable_terms(obj: dict[str, Any]) -> None:
    iri = {"type": "IRI", "value": "urn:ex:s"}
    dataset = {"@default": [{"subject": iri, "predicate": iri, "object": obj}]}
    with pytest.raises(ParsingError) as caught:
        from_pyld_dataset(dataset)
    assert caught.value.code == "MALFORMED_VALUE_ERROR"
