"""Active contexts while walking a compact document: processed by pyld, each only once.

Both readers of compact JSON-LD here — the fast RDF path (``fast.py``) and the compact-form
rule (``compact_form.py``) — walk a document node by node and need, at every node, the
active context JSON-LD 1.1 gives it: reverted at a node that is not a bare reference
(type-scoped contexts do not propagate), then the active property's scoped context, then
the node's own ``@context``, then its types' scoped contexts. This module computes that
context exactly as pyld does (pyld processes every context), remembering each
(active context, local context) pair once per processor and each term's rules once per
active context, so the walks cost dictionary look-ups.

What a walk cannot read with certainty raises ``DeclinedError``: the fast path then hands
the document to pyld, and the compact-form rule refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyld import jsonld

from vcservice.jsonld.resolver import PinnedContextCache
from vcservice.jsonld.safe_terms import ABSOLUTE_IRI, ISSUER_DEPENDENT_VOCAB

__all__ = [
    "PYLD_CRASHES",
    "Context",
    "ContextWalker",
    "DeclinedError",
    "TermRules",
    "remember",
]

MEMO_LIMIT = 65_536  # entries per memo; documents choose their keys, so memos are capped

Context = Any  # a processed (frozen) pyld active context
# What pyld (or a term this module builds) raises on input it does not expect.
PYLD_CRASHES = (ValueError, TypeError, KeyError, AttributeError)


class DeclinedError(Exception):
    """A construct this walk does not read with certainty (the message says which)."""


@dataclass(frozen=True, slots=True)
class TermRules:
    """What one key means in one active context."""

    iri: str | None  # its expansion as a property (vocabulary-relative), or a keyword
    container: frozenset[str]
    coercion: str | None  # the term's @type: @id, @vocab, @json, a datatype IRI…
    scoped_context: Any  # its @context (property- or type-scoped), or None
    tags_strings: bool  # a default @language or @direction applies to its strings
    defined: bool  # the active context defines the key (else it expands through @vocab)
    names_property: bool  # iri is an absolute IRI (not a keyword, blank node or relative)
    issuer_dependent: bool  # iri fell to the VC Data Model's issuer-dependent @vocab


class ContextWalker:
    """The active contexts of a compact document's nodes, from pinned contexts, memoised.

    ``load_context`` is the pyld-style loader of the processor this belongs to and
    ``contexts`` its cache of resolved pinned contexts. Safe to share between threads:
    memos only ever gain entries that hold their own keys alive.
    """

    def __init__(self, load_context: Callable[..., Any], contexts: PinnedContextCache) -> None:
        self._load_context = load_context
        self._contexts = contexts
        self._pyld = jsonld.JsonLdProcessor()
        self._options = {
            "documentLoader": load_context,
            "base": None,
            "isFrame": False,
            "keepFreeFloatingNodes": False,
            "extractAllScripts": False,
            "processingMode": "json-ld-1.1",
        }
        self.initial: Context = self._pyld._get_initial_context(self._options)
        self._embedded_contexts: dict[tuple[int, tuple[str, ...]], tuple[Context, Context]] = {}
        self._processed: dict[tuple[int, int, bool, bool], tuple[Context, Any, Context]] = {}
        self._rules: dict[tuple[int, str], tuple[Context, TermRules]] = {}
        self._terms_by_iri: dict[int, tuple[Context, dict[str, str]]] = {}
        self._type_keys: dict[int, tuple[Context, frozenset[str]]] = {}

    def memos(self) -> list[dict[Any, Any]]:
        """The memos (for tests of their bounds)."""
        return [
            self._embedded_contexts,
            self._processed,
            self._rules,
            self._terms_by_iri,
            self._type_keys,
        ]

    # --- a node's context -----------------------------------------------------------------

    def node_context(
        self,
        ctx: Context,
        active_property: str | None,
        element: dict[str, Any],
        *,
        inline_contexts: bool = False,
    ) -> Context:
        """The context a node object's keys start from (revert, property-scoped, own).

        A node's own ``@context`` may name URLs; objects (inline contexts) are processed
        only with ``inline_contexts``, else they decline.
        """
        scoped = None if active_property is None else self.term(ctx, active_property)
        if ctx.get("previousContext") is not None and not self._is_reference(ctx, element):
            ctx = ctx["previousContext"]
        if scoped is not None and scoped.scoped_context is not None:
            ctx = self.process(ctx, scoped.scoped_context, override_protected=True)
        if "@context" in element:
            ctx = self.embedded(ctx, element["@context"], inline_contexts=inline_contexts)
        return ctx

    def _is_reference(self, ctx: Context, element: dict[str, Any]) -> bool:
        """True for ``{"@id": …}`` alone, which keeps a type-scoped context (no revert)."""
        if len(element) > 2 or "@context" in element:
            return False
        for key in sorted(element):
            expanded = self.term(ctx, key).iri
            if expanded == "@value":
                raise DeclinedError("a value object where a node was expected")
            if expanded == "@id" and len(element) == 1:
                return True
        return False

    def types(self, ctx: Context, element: dict[str, Any]) -> tuple[str | None, list[str]]:
        """The one key expanding to ``@type`` (if any) and its values, sorted."""
        type_keys = self._keys_for_type(ctx)
        keys = [key for key in element if key in type_keys]
        if not keys:
            return None, []
        if len(keys) > 1:
            raise DeclinedError(f"the node's type is given twice ({', '.join(keys)})")
        value = element[keys[0]]
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in values):
            raise DeclinedError(f"{keys[0]} must be a string or a list of strings")
        return keys[0], sorted(values)

    def _keys_for_type(self, ctx: Context) -> frozenset[str]:
        """``@type`` and the terms of ``ctx`` aliasing it."""
        entry = self._type_keys.get(id(ctx))
        if entry is not None and entry[0] is ctx:
            return entry[1]
        keys = frozenset(
            {"@type"}
            | {
                term
                for term, mapping in ctx["mappings"].items()
                if mapping and mapping.get("@id") == "@type"
            }
        )
        remember(self._type_keys, id(ctx), (ctx, keys))
        return keys

    def type_scoped(self, ctx: Context, types: list[str]) -> Context:
        """Apply the type-scoped contexts of ``types`` (in order) without propagation."""
        type_context = ctx
        for type_name in types:
            scoped = self.term(type_context, type_name).scoped_context
            if scoped is not None and scoped is not False:
                ctx = self.process(ctx, scoped, propagate=False)
        return ctx

    def value_context(self, ctx: Context, rules: TermRules) -> Context:
        """The context a property's values are read in (its property-scoped context)."""
        if rules.scoped_context is None:
            return ctx
        return self.process(ctx, rules.scoped_context, override_protected=True)

    # --- names ----------------------------------------------------------------------------

    def expand_iri(self, ctx: Context, value: str, *, vocab: bool) -> Any:
        """``value`` expanded as an IRI (vocabulary- or document-relative), as pyld does."""
        return self._pyld._expand_iri(ctx, value, base=None, vocab=vocab)

    def expand_reference(self, ctx: Context, value: str) -> Any:
        """``value`` expanded as a document-relative IRI with no base, as pyld does.

        Only a keyword-like value or a compact IRI whose prefix the context defines can
        change (pyld's ``_expand_iri``); anything else is itself, without asking pyld.
        """
        colon = value.find(":")
        if value.startswith("@") or (colon > 0 and value[:colon] in ctx["mappings"]):
            return self.expand_iri(ctx, value, vocab=False)
        return value

    def term(self, ctx: Context, key: str) -> TermRules:
        """What ``key`` means in ``ctx`` (reverse properties decline)."""
        memo_key = (id(ctx), key)
        entry = self._rules.get(memo_key)
        if entry is not None and entry[0] is ctx:
            return entry[1]
        get = jsonld.JsonLdProcessor.get_context_value
        container = get(ctx, key, "@container")
        mapping = ctx["mappings"].get(key)
        iri = self.expand_iri(ctx, key, vocab=True)
        named = isinstance(iri, str) and not iri.startswith(("@", "_:"))
        rules = TermRules(
            iri=iri,
            container=frozenset(container if isinstance(container, list) else [container]) - {None},
            coercion=get(ctx, key, "@type"),
            scoped_context=get(ctx, key, "@context"),
            tags_strings=get(ctx, key, "@language") is not None
            or get(ctx, key, "@direction") is not None,
            defined=mapping is not None,
            names_property=named and ABSOLUTE_IRI.match(iri) is not None,
            issuer_dependent=named and iri.startswith(ISSUER_DEPENDENT_VOCAB),
        )
        if mapping is not None and mapping.get("reverse"):
            raise DeclinedError(f"{key} is a reverse property")
        remember(self._rules, memo_key, (ctx, rules))
        return rules

    def terms_by_iri(self, ctx: Context) -> dict[str, str]:
        """The terms ``ctx`` defines, by the IRI each expands to (the first, by name)."""
        entry = self._terms_by_iri.get(id(ctx))
        if entry is not None and entry[0] is ctx:
            return entry[1]
        terms: dict[str, str] = {}
        for term in sorted(ctx["mappings"]):
            mapping = ctx["mappings"][term]
            iri = mapping.get("@id") if mapping else None
            if isinstance(iri, str) and not iri.startswith("@"):
                terms.setdefault(iri, term)
        remember(self._terms_by_iri, id(ctx), (ctx, terms))
        return terms

    # --- memoised context processing ------------------------------------------------------

    def embedded(self, ctx: Context, local: Any, *, inline_contexts: bool = False) -> Context:
        """``ctx`` with a document's own ``@context``; context URLs are remembered."""
        urls = tuple(local) if isinstance(local, list) else (local,)
        if not urls:
            raise DeclinedError("an empty @context")
        if not all(isinstance(url, str) for url in urls):
            if not inline_contexts:
                raise DeclinedError("an inline context")
            # A document's own objects: processed each time (pyld keeps them by content).
            return self._pyld._process_context(ctx, list(urls), self._with_resolver())
        key = (id(ctx), urls)
        entry = self._embedded_contexts.get(key)
        if entry is not None and entry[0] is ctx:
            return entry[1]
        processed = self._pyld._process_context(ctx, list(urls), self._with_resolver())
        remember(self._embedded_contexts, key, (ctx, processed))
        return processed

    def process(
        self, ctx: Context, local: Any, *, override_protected: bool = False, propagate: bool = True
    ) -> Context:
        """``ctx`` with a scoped context of a pinned document applied, remembered."""
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
        remember(self._processed, key, (ctx, local, processed))
        return processed

    def _with_resolver(self) -> dict[str, Any]:
        return {
            **self._options,
            "contextResolver": self._contexts.resolver(self._load_context),
        }


def _aliases(mapping: Any, keyword: str) -> bool:
    return bool(mapping) and mapping.get("@id") == keyword


def remember(memo: dict[Any, Any], key: Any, value: Any) -> None:
    """Store ``value`` in a memo, emptying it first when it holds MEMO_LIMIT entries."""
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value
