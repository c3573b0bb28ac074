"""A fast JSON-LD → RDF path for the documents a crossing sees all day: exact, or it declines.

pyld expands a credential node by node, processes its scoped contexts and expands every
term again on every call, and builds the whole expanded document before turning it into
RDF — most of a Data Integrity check's cost. This path walks the compact document once and
emits quads directly. Contexts are still processed by pyld (same definitions, same errors),
but each (active context, local context) pair only once per processor, and each term's
expansion and rules once per active context.

It covers what credentials, presentations and proofs are made of — node objects, ``@id``
and ``@type`` and their aliases, contexts named by URL (at the top or on embedded nodes),
type- and property-scoped contexts, ``@set`` and ``@graph`` containers, coercion to
``@id``, ``@vocab`` and datatypes, strings, booleans and integers — and *declines*
everything else: inline contexts, value objects, lists, maps, ``@json``, doubles,
default languages, blank node identifiers, null, and every case the safe-mode processor
would refuse. A declined document takes the reference path, which gives the answer or
the error, so the safe-mode guarantees do not depend on this module. The differential
tests hold both paths' canonical N-Quads byte-identical
(``tests/unit/jsonld/test_fast_path.py``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pyld import jsonld

from vcservice.jsonld.contexts import (
    PYLD_CRASHES,
    Context,
    ContextWalker,
    DeclinedError,
    TermRules,
)
from vcservice.jsonld.safe_terms import ABSOLUTE_IRI, ISSUER_DEPENDENT_VOCAB
from vcservice.rdf.model import Quad, Term

__all__ = ["PYLD_CRASHES", "DeclinedError", "FastRdfPath"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
_Containers = tuple[frozenset[str], ...]
_PLAIN_CONTAINERS: _Containers = (frozenset(), frozenset({"@set"}))
_GRAPH_CONTAINERS: _Containers = (frozenset({"@graph"}), frozenset({"@graph", "@set"}))


class FastRdfPath:
    """Compact JSON-LD to RDF quads over pinned contexts; raises ``DeclinedError`` when unsure.

    ``contexts`` is the processor's context walker (shared with the compact-form rule). Safe
    to share between threads: it keeps no state of its own.
    """

    def __init__(self, contexts: ContextWalker, *, allow_undefined_terms: bool) -> None:
        self._contexts = contexts
        self._allow_undefined_terms = allow_undefined_terms

    def to_quads(self, document: Any) -> list[Quad]:
        """The RDF dataset of ``document`` (compact JSON-LD), as the reference path makes it."""
        emitter = _Emitter()
        self._walk(document, emitter)
        return emitter.quads()

    def check(self, document: Any) -> None:
        """What ``to_quads`` checks (it declines alike), without building the dataset."""
        self._walk(document, _Checker())

    def _walk(self, document: Any, out: _Emitter) -> None:
        if not isinstance(document, dict) or "@context" not in document:
            raise DeclinedError
        try:
            self._node(self._contexts.initial, None, document, None, out)
        except (jsonld.JsonLdError, RecursionError, *PYLD_CRASHES):
            raise DeclinedError from None  # the reference path names the error

    # --- nodes -------------------------------------------------------------------------

    def _node(
        self,
        ctx: Context,
        active_property: str | None,
        element: dict[str, Any],
        graph: Term | None,
        out: _Emitter,
    ) -> Term:
        """Emit a node object's quads into ``graph``; return the term naming the node."""
        if not element:
            raise DeclinedError
        ctx = self._contexts.node_context(ctx, active_property, element)
        type_key, types = self._contexts.types(ctx, element)
        type_context = ctx  # types expand against the context from before their own scopes
        if type_key is not None:
            ctx = self._contexts.type_scoped(ctx, types)
        identifier, properties = self._entries(ctx, element, type_key)
        subject = out.blank() if identifier is None else _iri(identifier)
        for type_name in types:
            type_rules = self._contexts.term(type_context, type_name)
            if not type_rules.names_property:
                raise DeclinedError
            self._check_term(type_rules)
            out.add(subject, _iri(RDF_TYPE), _iri(type_rules.iri or ""), graph)
        for key, rules, value in properties:
            self._property(ctx, key, rules, value, subject=subject, graph=graph, out=out)
        return subject

    def _entries(
        self, ctx: Context, element: dict[str, Any], type_key: str | None
    ) -> tuple[str | None, list[tuple[str, TermRules, Any]]]:
        """The node's ``@id`` (expanded) and its properties, each key checked."""
        identifier: str | None = None
        properties: list[tuple[str, TermRules, Any]] = []
        for key, value in element.items():
            if key == "@context":
                continue
            rules = self._contexts.term(ctx, key)
            iri = rules.iri
            if iri == "@id":
                if identifier is not None or not isinstance(value, str):
                    raise DeclinedError
                identifier = self._reference(ctx, value, vocab=False)
            elif iri == "@type":
                if key != type_key:
                    raise DeclinedError
            elif not rules.names_property:
                raise DeclinedError  # a keyword not handled here, or a dropped property
            else:
                self._check_term(rules)
                properties.append((key, rules, value))
        return identifier, properties

    # --- properties and values ---------------------------------------------------------

    def _property(
        self,
        ctx: Context,
        key: str,
        rules: TermRules,
        value: Any,
        *,
        subject: Term,
        graph: Term | None,
        out: _Emitter,
    ) -> None:
        term_ctx = self._contexts.value_context(ctx, rules)
        value_rules = rules if term_ctx is ctx else self._contexts.term(term_ctx, key)
        if rules.coercion == "@json" or "@list" in value_rules.container:
            raise DeclinedError
        predicate = _iri(rules.iri or "")
        for item in _flatten(value):
            if rules.container in _GRAPH_CONTAINERS:
                if not isinstance(item, dict):
                    raise DeclinedError
                named = out.blank()
                self._node(term_ctx, key, item, named, out)
                out.add(subject, predicate, named, graph)
            elif rules.container in _PLAIN_CONTAINERS:
                obj = (
                    self._node(term_ctx, key, item, graph, out)
                    if isinstance(item, dict)
                    else self._scalar(term_ctx, value_rules, item, out)
                )
                out.add(subject, predicate, obj, graph)
            else:
                raise DeclinedError

    def _scalar(self, ctx: Context, rules: TermRules, value: Any, out: _Emitter) -> Term:
        """A string, boolean or integer value as the reference path turns it into RDF."""
        coercion = rules.coercion
        if rules.tags_strings or coercion in ("@json", "@none", XSD_DOUBLE):
            raise DeclinedError
        if coercion in ("@id", "@vocab"):
            if not isinstance(value, str):
                raise DeclinedError
            return _iri(self._reference(ctx, value, vocab=coercion == "@vocab"))
        if coercion is not None:
            self._check_datatype(coercion)
        if isinstance(value, bool):
            return out.literal("true" if value else "false", coercion or XSD_BOOLEAN)
        if isinstance(value, int):
            if abs(value) >= 10**21:
                raise DeclinedError
            return out.literal(str(value), coercion or XSD_INTEGER)
        if isinstance(value, str):
            return out.literal(value, coercion)
        raise DeclinedError  # null, doubles

    def _reference(self, ctx: Context, value: str, *, vocab: bool) -> str:
        """``value`` expanded as an IRI; blank node labels, relative IRIs and (for a
        ``@vocab``-typed value) names falling to the issuer-dependent ``@vocab`` decline."""
        if vocab:
            rules = self._contexts.term(ctx, value)
            self._check_term(rules)
            expanded = rules.iri
        else:
            expanded = self._contexts.expand_reference(ctx, value)
        if not isinstance(expanded, str) or expanded.startswith("_:"):
            raise DeclinedError
        if not ABSOLUTE_IRI.match(expanded):
            raise DeclinedError
        return expanded

    def _check_term(self, rules: TermRules) -> None:
        if rules.issuer_dependent and not self._allow_undefined_terms:
            raise DeclinedError

    def _check_vocabulary(self, iri: str) -> None:
        if iri.startswith("_:") or (
            iri.startswith(ISSUER_DEPENDENT_VOCAB) and not self._allow_undefined_terms
        ):
            raise DeclinedError

    def _check_datatype(self, datatype: str) -> None:
        if datatype.startswith("@") or not ABSOLUTE_IRI.match(datatype):
            raise DeclinedError
        self._check_vocabulary(datatype)


class _Emitter:
    """Collects a document's quads (a set, as RDF datasets are) and mints blank nodes."""

    def __init__(self) -> None:
        self._quads: dict[Quad, None] = {}
        self._blank_count = 0

    def blank(self) -> Term:
        self._blank_count += 1
        return Term.blank(f"b{self._blank_count}")

    def add(self, subject: Term, predicate: Term, obj: Term, graph: Term | None) -> None:
        self._quads[Quad(subject, predicate, obj, graph)] = None

    def literal(self, text: str, datatype: str | None) -> Term:
        return Term.literal(text, datatype)

    def quads(self) -> list[Quad]:
        return list(self._quads)


class _Checker(_Emitter):
    """An emitter that keeps nothing: the walk's checks without the dataset."""

    _NOTHING = Term.blank("unused")

    def blank(self) -> Term:
        return self._NOTHING

    def add(self, subject: Term, predicate: Term, obj: Term, graph: Term | None) -> None:
        return None

    def literal(self, text: str, datatype: str | None) -> Term:
        # The checks a literal makes on construction: a lone surrogate (only in non-ASCII
        # text) and its datatype IRI (the same few datatypes all day: remembered).
        if not text.isascii():
            Term.literal(text, datatype)
        elif datatype is not None:
            _typed_literal(datatype)
        return self._NOTHING


@lru_cache(maxsize=8192)
def _iri(value: str) -> Term:
    return Term.iri(value)


@lru_cache(maxsize=1024)
def _typed_literal(datatype: str) -> Term:
    return Term.literal("", datatype)


def _flatten(value: Any) -> list[Any]:
    if not isinstance(value, list):
        return [value]
    flat: list[Any] = []
    for item in value:
        flat.extend(_flatten(item))
    return flat
