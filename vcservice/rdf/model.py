"""An immutable RDF term/quad model, canonical N-Quads serialisation and a strict N-Quads parser.

Terms are validated on construction so that every term serialises to exactly one
well-formed N-Quads token: an IRI holding ``>`` or a space, a language tag holding
a space, or a lone surrogate could otherwise make two different datasets
serialise (and so be signed) identically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from vcservice.errors import ParsingError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_:"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_LABEL = f"[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_LANGTAG = "[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_LABEL_RE = re.compile(_LABEL)
_LANGTAG_RE = re.compile(_LANGTAG)
_ABSOLUTE_IRI_RE = re.compile(r'[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>"{}|^`\\\ud800-\udfff]*')
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

# Canonical N-Quads (RDFC-1.0 appendix A): seven characters as ECHAR, the other
# C0 controls and DEL as upper-case UCHAR, everything else verbatim.
_ECHARS = {"\b": "b", "\t": "t", "\n": "n", "\f": "f", "\r": "r", '"': '"', "\\": "\\"}
_LITERAL_ESCAPES = {
    code: "\\" + _ECHARS[chr(code)] if chr(code) in _ECHARS else f"\\u{code:04X}"
    for code in [*range(0x20), 0x22, 0x5C, 0x7F]
}


@dataclass(frozen=True, slots=True)
class Term:
    """An IRI, a blank node (``value`` without ``_:``) or a literal.

    For literals ``datatype=None`` means xsd:string, and a set ``language`` implies
    rdf:langString; both explicit forms are normalised to ``None`` on construction.
    """

    kind: Literal["iri", "blank", "literal"]
    value: str
    datatype: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "literal":
            self._normalise_literal()
        elif self.datatype is not None or self.language is not None:
            raise ValueError(f"a {self.kind} term has no datatype or language")
        elif self.kind == "iri":
            _check_iri(self.value)
        elif self.kind == "blank":
            if not _LABEL_RE.fullmatch(self.value):
                raise ValueError(f"invalid blank node identifier {self.value!r}")
        else:
            raise ValueError(f"unknown term kind {self.kind!r}")

    def _normalise_literal(self) -> None:
        if _SURROGATE_RE.search(self.value):
            raise ValueError("literal contains a lone surrogate")
        datatype = self.datatype
        if self.language is not None:
            if not _LANGTAG_RE.fullmatch(self.language):
                raise ValueError(f"invalid language tag {self.language!r}")
            if datatype not in (None, RDF_LANGSTRING):
                raise ValueError("a language-tagged literal must have datatype rdf:langString")
            datatype = None
        elif datatype == RDF_LANGSTRING:
            raise ValueError("an rdf:langString literal needs a language tag")
        elif datatype == XSD_STRING:
            datatype = None
        elif datatype is not None:
            _check_iri(datatype)
        object.__setattr__(self, "datatype", datatype)

    @classmethod
    def iri(cls, value: str) -> Term:
        """An absolute IRI."""
        return cls("iri", value)

    @classmethod
    def blank(cls, value: str) -> Term:
        """A blank node; ``value`` is the identifier without the ``_:`` prefix."""
        return cls("blank", value)

    @classmethod
    def literal(cls, value: str, datatype: str | None = None, language: str | None = None) -> Term:
        """A literal; ``datatype`` None means xsd:string (or rdf:langString with ``language``)."""
        return cls("literal", value, datatype, language)


class Quad(NamedTuple):
    """One RDF quad; ``graph`` None is the default graph."""

    subject: Term
    predicate: Term
    object: Term
    graph: Term | None


def _check_iri(value: str) -> None:
    if not _ABSOLUTE_IRI_RE.fullmatch(value):
        raise ValueError(f"not an absolute IRI usable in N-Quads: {value!r}")


def term_nquad(term: Term) -> str:
    """Serialise one term in canonical N-Quads form."""
    if term.kind == "iri":
        return f"<{term.value}>"
    if term.kind == "blank":
        return f"_:{term.value}"
    text = '"' + term.value.translate(_LITERAL_ESCAPES) + '"'
    if term.language is not None:
        return f"{text}@{term.language}"
    if term.datatype is not None:
        return f"{text}^^<{term.datatype}>"
    return text


def nquad_line(quad: Quad) -> str:
    """Serialise one quad as a canonical N-Quads line, ending with a newline."""
    return " ".join(term_nquad(term) for term in quad if term is not None) + " .\n"


# --- parsing -----------------------------------------------------------------

_IRI_RE = re.compile(f'<((?:[^\\x00-\\x20<>"{{}}|^`\\\\]|{_UCHAR})*)>')
_BLANK_RE = re.compile(f"_:({_LABEL})")
_STRING_RE = re.compile(f'"((?:[^"\\\\\\n\\r]|\\\\[tbnrf"\'\\\\]|{_UCHAR})*)"')
_DATATYPE_MARK_RE = re.compile(r"\^\^")
_LANG_SUFFIX_RE = re.compile(f"@({_LANGTAG})")
_END_RE = re.compile(r"\.[ \t]*(?:#.*)?")
_SKIP_RE = re.compile(r"[ \t]*(?:#.*)?")
_ESCAPE_RE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_LINE_SPLIT_RE = re.compile(r"\r\n|\r|\n")


def _unescape(match: re.Match[str]) -> str:
    short, long, echar = match.groups()
    if echar is not None:
        return {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f"}.get(echar, echar)
    code = int(short or long, 16)
    if code > 0x10FFFF:
        raise ValueError(f"escape \\U{long} is beyond Unicode")
    return chr(code)


class _LineParser:
    """Parses the terms of a single N-Quads statement, left to right."""

    def __init__(self, line: str) -> None:
        self.line = line
        self.pos = 0

    def _take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        while self.line.startswith((" ", "\t"), self.pos):
            self.pos += 1
        match = pattern.match(self.line, self.pos)
        if match is not None:
            self.pos = match.end()
        return match

    def _iri(self) -> Term | None:
        match = self._take(_IRI_RE)
        return None if match is None else Term.iri(_ESCAPE_RE.sub(_unescape, match[1]))

    def _blank(self) -> Term | None:
        match = self._take(_BLANK_RE)
        return None if match is None else Term.blank(match[1])

    def _literal(self) -> Term | None:
        match = self._take(_STRING_RE)
        if match is None:
            return None
        value = _ESCAPE_RE.sub(_unescape, match[1])
        if self._take(_DATATYPE_MARK_RE) is not None:
            datatype = self._expect(self._iri(), "a datatype IRI after '^^'")
            return Term.literal(value, datatype=datatype.value)
        language = self._take(_LANG_SUFFIX_RE)
        return Term.literal(value, language=None if language is None else language[1])

    def _expect(self, term: Term | None, what: str) -> Term:
        if term is None:
            raise ValueError(f"expected {what} at column {self.pos + 1}")
        return term

    def quad(self) -> Quad:
        subject = self._expect(self._iri() or self._blank(), "an IRI or blank node subject")
        predicate = self._expect(self._iri(), "an IRI predicate")
        obj = self._expect(self._iri() or self._blank() or self._literal(), "an object")
        graph = self._iri() or self._blank()
        if self._take(_END_RE) is None or self.pos != len(self.line):
            raise ValueError(f"expected '.' ending the statement at column {self.pos + 1}")
        return Quad(subject, predicate, obj, graph)


def parse_nquads(text: str) -> list[Quad]:
    """Parse an N-Quads document strictly; raise ``ParsingError`` naming the bad line."""
    quads = []
    for number, line in enumerate(_LINE_SPLIT_RE.split(text), start=1):
        if _SKIP_RE.fullmatch(line):
            continue
        try:
            quads.append(_LineParser(line).quad())
        except ValueError as exc:
            raise ParsingError(f"invalid N-Quads: {exc}", field=f"line {number}") from None
    return quads


# --- pyld --------------------------------------------------------------------


def _pyld_term(node: dict[str, Any]) -> Term:
    kind, value = node["type"], node["value"]
    if kind == "IRI":
        return Term.iri(value)
    if kind == "blank node":
        return Term.blank(value.removeprefix("_:"))
    if kind == "literal":
        return Term.literal(value, node.get("datatype"), node.get("language"))
    raise ValueError(f"unknown pyld term type {kind!r}")


def _pyld_graph(name: str) -> Term | None:
    if name == "@default":
        return None
    return Term.blank(name.removeprefix("_:")) if name.startswith("_:") else Term.iri(name)


def from_pyld_dataset(dataset: dict[str, Any]) -> list[Quad]:
    """Convert pyld's ``to_rdf`` output (graph name → triples) into quads."""
    quads = []
    try:
        for name, triples in dataset.items():
            graph = _pyld_graph(name)
            for triple in triples:
                quads.append(
                    Quad(
                        _pyld_term(triple["subject"]),
                        _pyld_term(triple["predicate"]),
                        _pyld_term(triple["object"]),
                        graph,
                    )
                )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ParsingError(
            f"unusable RDF from JSON-LD: {exc}", code="MALFORMED_VALUE_ERROR"
        ) from None
    return quads
