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

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyld import jsonld

from vcservice.jsonld.resolver import PinnedContextCache
from vcservice.jsonld.safe_terms import ABSOLUTE_IRI, ISSUER_DEPENDENT_VOCAB
from vcservice.rdf.model import Quad, Term

__all__ = ["PYLD_CRASHES", "DeclinedError", "FastRdfPath"]

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
MEMO_LIMIT = 65_536  # entries per memo; documents choose their keys, so memos are capped
_Containers = tuple[frozenset[str], ...]
_PLAIN_CONTAINERS: _Containers = (frozenset(), frozenset({"@set"}))
_GRAPH_CONTAINERS: _Containers = (frozenset({"@graph"}), frozenset({"@graph", "@set"}))

Context = Any  # a processed (frozen) pyld active context
# What pyld (or a term this module builds) raises on input it does not expect.
PYLD_CRASHES = (ValueError, TypeError, KeyError, AttributeError)


class DeclinedError(Exception):
    """The fast path does not handle this document exactly; the reference path must."""


@dataclass(frozen=True, slots=True)
class _TermRules:
    """What one key means in one active context."""

    iri: str | None  # its expansion as a property (vocabulary-relative)
    container: frozenset[str]
    coercion: str | None  # the term's @type: @id, @vocab, a datatype IRI…
    scoped_context: Any  # its @context (property- or type-scoped), or None
    tags_strings: bool  # a default @language or @direction applies to its strings


class FastRdfPath:
    """Compact JSON-LD to RDF quads over pinned contexts; raises ``DeclinedError`` when unsure.

    ``load_context`` is the pyld-style loader of the processor this path belongs to and
    ``contexts`` its cache of resolved pinned contexts. Safe to share between threads:
    memos only ever gain entries that hold their own keys alive.
    """

    def __init__(
        self,
        load_context: Callable[..., Any],
        contexts: PinnedContextCache,
        *,
        allow_undefined_terms: bool,
    ) -> None:
        self._load_context = load_context
        self._contexts = contexts
        self._allow_undefined_terms = allow_undefined_terms
        self._pyld = jsonld.JsonLdProcessor()
        self._options = {
            "documentLoader": load_context,
            "base": None,
            "isFrame": False,
            "keepFreeFloatingNodes": False,
            "extractAllScripts": False,
            "processingMode": "json-ld-1.1",
        }
        self._initial = self._pyld._get_initial_context(self._options)
        self._embedded_contexts: dict[tuple[int, tuple[str, ...]], tuple[Context, Context]] = {}
        self._processed: dict[tuple[int, int, bool, bool], tuple[Context, Any, Context]] = {}
        self._rules: dict[tuple[int, str], tuple[Context, _TermRules]] = {}

    def to_quads(self, document: Any) -> list[Quad]:
        """The RDF dataset of ``document`` (compact JSON-LD), as the reference path makes it."""
        if not isinstance(document, dict) or "@context" not in document:
            raise DeclinedError
        emitter = _Emitter()
        try:
            self._node(self._initial, None, document, None, emitter)
        except (jsonld.JsonLdError, RecursionError, *PYLD_CRASHES):
            raise DeclinedError from None  # the reference path names the error
        return emitter.quads()

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
        ctx = self._node_context(ctx, active_property, element)
        type_key, types = self._types(ctx, element)
        type_context = ctx  # types expand against the context from before their own scopes
        if type_key is not None:
            ctx = self._type_scoped(ctx, types)
        identifier, properties = self._entries(ctx, element, type_key)
        subject = out.blank() if identifier is None else _iri(identifier)
        for type_name in types:
            type_iri = self._reference(type_context, type_name, vocab=True)
            self._check_vocabulary(type_iri)
            out.add(subject, _iri(RDF_TYPE), _iri(type_iri), graph)
        for key, rules, value in properties:
            self._property(ctx, key, rules, value, subject=subject, graph=graph, out=out)
        return subject

    def _entries(
        self, ctx: Context, element: dict[str, Any], type_key: str | None
    ) -> tuple[str | None, list[tuple[str, _TermRules, Any]]]:
        """The node's ``@id`` (expanded) and its properties, each key checked."""
        identifier: str | None = None
        properties: list[tuple[str, _TermRules, Any]] = []
        for key, value in element.items():
            if key == "@context":
                continue
            rules = self._term(ctx, key)
            iri = rules.iri
            if iri == "@id":
                if identifier is not None or not isinstance(value, str):
                    raise DeclinedError
                identifier = self._reference(ctx, value, vocab=False)
            elif iri == "@type":
                if key != type_key:
                    raise DeclinedError
            elif iri is None or iri.startswith("@") or not ABSOLUTE_IRI.match(iri):
                raise DeclinedError  # a keyword not handled here, or a dropped property
            else:
                self._check_vocabulary(iri)
                properties.append((key, rules, value))
        return identifier, properties

    def _node_context(
        self, ctx: Context, active_property: str | None, element: dict[str, Any]
    ) -> Context:
        """The context a node object's keys start from (revert, property-scoped, own)."""
        scoped = None if active_property is None else self._term(ctx, active_property)
        if ctx.get("previousContext") is not None and not self._is_reference(ctx, element):
            ctx = ctx["previousContext"]
        if scoped is not None and scoped.scoped_context is not None:
            ctx = self._process(ctx, scoped.scoped_context, override_protected=True)
        if "@context" in element:
            ctx = self._embedded(ctx, element["@context"])
        return ctx

    def _is_reference(self, ctx: Context, element: dict[str, Any]) -> bool:
        """True for ``{"@id": …}`` alone, which keeps a type-scoped context (no revert)."""
        if len(element) > 2 or "@context" in element:
            return False
        for key in sorted(element):
            expanded = self._term(ctx, key).iri
            if expanded == "@value":
                raise DeclinedError
            if expanded == "@id" and len(element) == 1:
                return True
        return False

    def _types(self, ctx: Context, element: dict[str, Any]) -> tuple[str | None, list[str]]:
        """The one key expanding to ``@type`` (if any) and its values, sorted."""
        keys = [key for key in element if self._term(ctx, key).iri == "@type"]
        if not keys:
            return None, []
        if len(keys) > 1:
            raise DeclinedError
        value = element[keys[0]]
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in values):
            raise DeclinedError
        return keys[0], sorted(values)

    def _type_scoped(self, ctx: Context, types: list[str]) -> Context:
        """Apply the type-scoped contexts of ``types`` (in order) without propagation."""
        type_context = ctx
        for type_name in types:
            scoped = self._term(type_context, type_name).scoped_context
            if scoped is not None and scoped is not False:
                ctx = self._process(ctx, scoped, propagate=False)
        return ctx

    # --- properties and values ---------------------------------------------------------

    def _property(
        self,
        ctx: Context,
        key: str,
        rules: _TermRules,
        value: Any,
        *,
        subject: Term,
        graph: Term | None,
        out: _Emitter,
    ) -> None:
        term_ctx = ctx
        if rules.scoped_context is not None:
            term_ctx = self._process(ctx, rules.scoped_context, override_protected=True)
        value_rules = rules if term_ctx is ctx else self._term(term_ctx, key)
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
                    else self._scalar(term_ctx, value_rules, item)
                )
                out.add(subject, predicate, obj, graph)
            else:
                raise DeclinedError

    def _scalar(self, ctx: Context, rules: _TermRules, value: Any) -> Term:
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
            return Term.literal("true" if value else "false", coercion or XSD_BOOLEAN)
        if isinstance(value, int):
            if abs(value) >= 10**21:
                raise DeclinedError
            return Term.literal(str(value), coercion or XSD_INTEGER)
        if isinstance(value, str):
            return Term.literal(value, coercion)
        raise DeclinedError  # null, doubles

    def _reference(self, ctx: Context, value: str, *, vocab: bool) -> str:
        """``value`` expanded as an IRI; blank node labels and relative IRIs decline."""
        expanded = self._pyld._expand_iri(ctx, value, base=None, vocab=vocab)
        if not isinstance(expanded, str) or expanded.startswith("_:"):
            raise DeclinedError
        if not ABSOLUTE_IRI.match(expanded):
            raise DeclinedError
        return expanded

    def _check_vocabulary(self, iri: str) -> None:
        if iri.startswith("_:") or (
            iri.startswith(ISSUER_DEPENDENT_VOCAB) and not self._allow_undefined_terms
        ):
            raise DeclinedError

    def _check_datatype(self, datatype: str) -> None:
        if datatype.startswith("@") or not ABSOLUTE_IRI.match(datatype):
            raise DeclinedError
        self._check_vocabulary(datatype)

    # --- memoised context work ---------------------------------------------------------

    def _embedded(self, ctx: Context, local: Any) -> Context:
        """``ctx`` with a document's own ``@context``: context URLs only (inline ones decline)."""
        urls = tuple(local) if isinstance(local, list) else (local,)
        if not urls or not all(isinstance(url, str) for url in urls):
            raise DeclinedError
        key = (id(ctx), urls)
        entry = self._embedded_contexts.get(key)
        if entry is not None and entry[0] is ctx:
            return entry[1]
        processed = self._pyld._process_context(ctx, list(urls), self._with_resolver())
        _remember(self._embedded_contexts, key, (ctx, processed))
        return processed

    def _process(
        self, ctx: Context, local: Any, *, override_protected: bool = False, propagate: bool = True
    ) -> Context:
        key = (id(ctx), id(local), override_protected, propagate)
        entry = self._processed.get(key)
        if entry is not None and entry[0] is ctx and entry[1] is local:
            return entry[2]
        processed = self._pyld._process_context(
            ctx,
            local,
            self._with_resolver(),
            override_protected=override_protected,
            propagate=propagate,
        )
        _remember(self._processed, key, (ctx, local, processed))
        return processed

    def _term(self, ctx: Context, key: str) -> _TermRules:
        memo_key = (id(ctx), key)
        entry = self._rules.get(memo_key)
        if entry is not None and entry[0] is ctx:
            return entry[1]
        get = jsonld.JsonLdProcessor.get_context_value
        container = get(ctx, key, "@container")
        rules = _TermRules(
            iri=self._pyld._expand_iri(ctx, key, vocab=True),
            container=frozenset(container if isinstance(container, list) else [container]) - {None},
            coercion=get(ctx, key, "@type"),
            scoped_context=get(ctx, key, "@context"),
            tags_strings=get(ctx, key, "@language") is not None
            or get(ctx, key, "@direction") is not None,
        )
        mapping = ctx["mappings"].get(key)
        if mapping is not None and mapping.get("reverse"):
            raise DeclinedError
        _remember(self._rules, memo_key, (ctx, rules))
        return rules

    def _with_resolver(self) -> dict[str, Any]:
        return {
            **self._options,
            "contextResolver": self._contexts.resolver(self._load_context),
        }


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

    def quads(self) -> list[Quad]:
        return list(self._quads)


@lru_cache(maxsize=8192)
def _iri(value: str) -> Term:
    return Term.iri(value)


def _flatten(value: Any) -> list[Any]:
    if not isinstance(value, list):
        return [value]
    flat: list[Any] = []
    for item in value:
        flat.extend(_flatten(item))
    return flat


def _remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value
