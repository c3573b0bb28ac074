"""The compact-form rule: a credential is read only in the one JSON spelling its contexts define.

A proof covers the RDF graph; the checks (validity, status, schema, trust, what a page
shows) read JSON members. JSON-LD lets one graph be written many ways — a member under its
full IRI or a compact IRI, ``@type`` beside ``type``, a value object instead of a plain
value, an ``@graph`` or ``@nest`` wrapper, a node split over two objects — and a reader of
``credentialStatus`` sees none of those. So before anything reads a member, the whole
document (every node, every embedded credential and proof) must be in compact form:

- ``@context`` first names the VC Data Model's base context (a string); a ``@context``
  appears only at the top of the document or of a graph it embeds (a credential in a
  presentation, a proof);
- every other key is a term: no keyword (``@type``, ``@id``, ``@graph``, ``@nest``,
  ``@included``, ``@value``…; ``id`` and ``type`` are the data model's aliases), no
  absolute or compact IRI, no term aliasing a keyword other than ``id``/``type``; the terms
  the checks read (``credentialStatus``, ``validUntil``, ``proof``…) are spelled as the data
  model names them and mean what it defines; no two keys of a node expand to one IRI;
- values: no ``null`` (JSON-LD drops it), no array inside an array; a string, number or
  boolean where the term is typed to a datatype must be a string; IRIs in ``id`` and
  ``@id``-typed values are written out in full (no term or prefix standing for them);
  ``type`` values and ``@vocab``-typed values are terms, or absolute IRIs no term defines;
  value objects only as language-tagged strings (``@value``, ``@language``, ``@direction``)
  of untyped terms;
- ``id`` values are IRIs, not blank node labels, and a node is described (given anything
  but its ``id``) in one JSON object per graph.

The safe-mode processor then refuses what is undefined; together they make the JSON a
faithful reading of the signed graph. This module answers for every document — it never
declines — and names the offending member (``CompactFormError``, COMPACT_FORM_ERROR).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from vcservice.errors import CompactFormError, ParsingError
from vcservice.jsonld.contexts import Context, ContextWalker, DeclinedError, TermRules, remember

__all__ = ["DATA_MODEL_TERMS", "CompactForm"]

_CREDENTIALS = "https://www.w3.org/2018/credentials#"
_SECURITY = "https://w3id.org/security#"
_STATUS = "https://www.w3.org/ns/credentials/status#"

DATA_MODEL_TERMS: Mapping[str, str] = {
    **{
        f"{_CREDENTIALS}{term}": term
        for term in (
            "credentialStatus",
            "credentialSchema",
            "credentialSubject",
            "issuer",
            "holder",
            "validFrom",
            "validUntil",
            "issuanceDate",
            "expirationDate",
            "verifiableCredential",
            "evidence",
            "termsOfUse",
            "refreshService",
        )
    },
    **{
        f"{_SECURITY}{term}": term
        for term in (
            "proof",
            "verificationMethod",
            "proofPurpose",
            "proofValue",
            "cryptosuite",
            "challenge",
            "domain",
            "previousProof",
            "nonce",
        )
    },
    f"{_SECURITY}expiration": "expires",
    "http://purl.org/dc/terms/created": "created",
    **{
        f"{_STATUS}{term}": term
        for term in (
            "statusPurpose",
            "statusListIndex",
            "statusListCredential",
            "statusSize",
            "statusMessage",
            "statusReference",
            "encodedList",
            "ttl",
        )
    },
}
"""The IRIs the checks read, and the one term that may stand for each."""

_IRI_OF_TERM = {term: iri for iri, term in DATA_MODEL_TERMS.items()}
# A term typed to one of these takes a JSON number or boolean (JSON-LD would give the string
# "2" and the number 2 the same literal; the number is the form the specifications write).
# The VC Data Model 2.0 context spells the XML Schema namespace with https (statusSize).
_JSON_TYPED = {
    **{
        f"{namespace}{name}": int
        for namespace in ("http://www.w3.org/2001/XMLSchema#", "https://www.w3.org/2001/XMLSchema#")
        for name in (
            "integer",
            "nonNegativeInteger",
            "positiveInteger",
            "nonPositiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
        )
    },
    "http://www.w3.org/2001/XMLSchema#boolean": bool,
    "https://www.w3.org/2001/XMLSchema#boolean": bool,
}
_KEYWORD_ALIASES = {"@id": "id", "@type": "type"}
_VALUE_OBJECT_KEYS = frozenset({"@value", "@language", "@direction"})
_MAP_CONTAINERS = frozenset({"@index", "@id", "@type"})
MAX_NESTING_DEPTH = 48  # as the safe-mode processor's


class _Role(Enum):
    """How the rule reads a key's values."""

    ID = "id"
    TYPE = "type"
    VALUES = "values"  # node objects or scalars, one by one
    GRAPHS = "graphs"  # node objects, each a graph of its own (credentials, proofs)
    LANGUAGE_MAP = "language map"
    JSON = "json"  # a JSON literal: its inside is data, not JSON-LD
    UNDEFINED = "undefined"  # the safe-mode processor refuses it


@dataclass(frozen=True, slots=True)
class _Key:
    """What one key means in one active context, for this rule (memoised)."""

    role: _Role
    rules: TermRules | None = None
    value_context: Context = None
    value_aliases: frozenset[str] = frozenset()  # terms of value_context aliasing @value
    problem: str | None = None
    plain: type | None = None  # a lone value of this type needs no further look (a string)

    @property
    def iri(self) -> str | None:
        """What the key expands to (a keyword for ``id``/``type``)."""
        return self.rules.iri if self.rules is not None else None

    @property
    def coercion(self) -> str | None:
        """The term's ``@type`` (``@id``, ``@vocab``, a datatype…), if any."""
        return self.rules.coercion if self.rules is not None else None


class CompactForm:
    """Checks that a document is in the compact form its contexts define (module docstring).

    ``base_contexts`` are the URLs one of which must come first in every document's
    ``@context`` (the VC Data Model's). Safe to share between threads, like ``contexts``.
    """

    def __init__(self, contexts: ContextWalker, *, base_contexts: Iterable[str]) -> None:
        self._contexts = contexts
        self._base_contexts = tuple(base_contexts)
        self._keys: dict[tuple[int, str], tuple[Context, _Key]] = {}

    def check(self, document: Any, *, top_level_only: bool = False) -> None:
        """Return when ``document`` is in compact form; else raise ``CompactFormError``.

        ``top_level_only`` checks the document's own members and not the objects they
        hold. pyld's errors on the contexts themselves (``JsonLdError``) pass through, and
        a document nested deeper than MAX_NESTING_DEPTH is a ``ParsingError``.
        """
        if not isinstance(document, dict):
            raise CompactFormError("the document must be a JSON object")
        self._check_base_context(document.get("@context"))
        walk = _Walk(self, max_depth=0 if top_level_only else MAX_NESTING_DEPTH)
        walk.node(self._contexts.initial, None, document, "", graph_root=True)

    def memos(self) -> list[dict[Any, Any]]:
        """The rule's own memos (for tests of their bounds)."""
        return [self._keys]

    def _check_base_context(self, context: Any) -> None:
        first = context[0] if isinstance(context, list) and context else context
        if not isinstance(first, str) or first not in self._base_contexts:
            allowed = " or ".join(self._base_contexts)
            raise CompactFormError(
                f"@context must be {allowed}, or a list that begins with it", field="@context"
            )

    def key(self, ctx: Context, key: str) -> _Key:
        """What ``key`` means in ``ctx``, and what is wrong with it, if anything."""
        memo_key = (id(ctx), key)
        entry = self._keys.get(memo_key)
        if entry is not None and entry[0] is ctx:
            return entry[1]
        meaning = self._key(ctx, key)
        remember(self._keys, memo_key, (ctx, meaning))
        return meaning

    def _key(self, ctx: Context, key: str) -> _Key:
        try:
            _refuse_non_terms(key)
            rules = self._contexts.term(ctx, key)
        except DeclinedError as declined:
            return _refused(str(declined))
        if rules.iri is None:
            return _Key(_Role.UNDEFINED, rules)
        problem = _misnamed(key, rules.iri)
        if problem is not None:
            return _refused(problem)
        if rules.iri.startswith("@"):
            return _Key(_Role.ID if rules.iri == "@id" else _Role.TYPE, rules)
        return self._value_role(ctx, key, rules)

    def _value_role(self, ctx: Context, key: str, rules: TermRules) -> _Key:
        if rules.coercion == "@json":
            return _Key(_Role.JSON, rules)
        container = rules.container - {"@set"}
        if container & _MAP_CONTAINERS:
            return _refused(f"{key} is an index, id or type map")
        if "@list" in container:
            return _refused(f"{key} is an ordered list, which credentials do not use")
        value_context = self._contexts.value_context(ctx, rules)
        if "@language" in container:
            return _Key(_Role.LANGUAGE_MAP, rules, value_context)
        if "@graph" in container:
            return _Key(_Role.GRAPHS, rules, value_context)
        aliases = frozenset(
            term
            for term, mapping in value_context["mappings"].items()
            if mapping and mapping.get("@id") == "@value"
        )
        return _Key(_Role.VALUES, rules, value_context, aliases, plain=_plain_type(rules.coercion))

    def expand_iri(self, ctx: Context, value: str, *, vocab: bool) -> Any:
        """``value`` expanded as an IRI, as pyld does."""
        return self._contexts.expand_iri(ctx, value, vocab=vocab)

    def terms_by_iri(self, ctx: Context) -> dict[str, str]:
        """The terms ``ctx`` defines, by IRI."""
        return self._contexts.terms_by_iri(ctx)

    def node_context(self, ctx: Context, active_property: str | None, element: Any) -> Context:
        """The context ``element``'s keys start from (inline contexts processed)."""
        return self._contexts.node_context(ctx, active_property, element, inline_contexts=True)

    def type_scoped(self, ctx: Context, types: list[str]) -> Context:
        """``ctx`` with the type-scoped contexts of ``types``."""
        return self._contexts.type_scoped(ctx, types)


class _Walk:
    """One document's walk: the rule's memos, and the nodes each graph describes."""

    def __init__(self, form: CompactForm, *, max_depth: int) -> None:
        self._form = form
        self._max_depth = max_depth  # objects deeper are not walked (beyond the limit: refused)
        self._described: set[tuple[int, str]] = set()
        self._graphs = 0

    def node(
        self,
        ctx: Context,
        active_property: str | None,
        element: dict[str, Any],
        path: str,
        *,
        graph_root: bool = False,
        graph: int = 0,
        depth: int = 0,
    ) -> None:
        if depth > self._max_depth:
            if depth > MAX_NESTING_DEPTH:
                raise ParsingError(f"document nests deeper than {MAX_NESTING_DEPTH} levels")
            return
        if "@context" in element and not graph_root:
            raise CompactFormError(
                "@context may only begin a credential, a presentation or a proof",
                field=_join(path, "@context"),
            )
        form = self._form
        try:
            ctx = form.node_context(ctx, active_property, element)
        except DeclinedError as declined:
            raise CompactFormError(str(declined), field=path or None) from None
        types = element.get("type")
        if types is not None:
            names = self._type_names(ctx, types, _join(path, "type"))
            ctx = form.type_scoped(ctx, names)
        self._members(ctx, element, path, graph=graph, depth=depth)
        identifier = element.get("id")
        if isinstance(identifier, str) and len(element) > 1:
            if (graph, identifier) in self._described:
                raise CompactFormError(
                    f"{identifier} is described in more than one object", field=path or None
                )
            self._described.add((graph, identifier))

    def _members(
        self, ctx: Context, element: dict[str, Any], path: str, *, graph: int, depth: int
    ) -> None:
        seen: set[str] = set()
        for key, value in element.items():
            if key == "@context":
                continue
            meaning = self._form.key(ctx, key)
            if meaning.problem is not None:
                raise CompactFormError(meaning.problem, field=_join(path, key))
            iri = meaning.iri
            if iri is not None:
                if iri in seen:
                    raise CompactFormError(
                        f"two members of this object stand for {iri}", field=_join(path, key)
                    )
                seen.add(iri)
            role = meaning.role
            if role is _Role.VALUES:
                if type(value) is not meaning.plain:  # most values: a plain string, done
                    self._values(meaning, key, value, path, graph=graph, depth=depth)
            elif role is _Role.ID:
                self._check_iri(ctx, value, path, key)
            elif role is _Role.GRAPHS or role is _Role.LANGUAGE_MAP:
                self._values(meaning, key, value, path, graph=graph, depth=depth)

    # --- values ---------------------------------------------------------------------------

    def _values(
        self, meaning: _Key, key: str, value: Any, path: str, *, graph: int, depth: int
    ) -> None:
        if meaning.role is _Role.LANGUAGE_MAP:
            _check_language_map(value, _join(path, key))
            return
        many = isinstance(value, list)
        for position, item in enumerate(value if many else (value,)):
            if isinstance(item, dict):
                where = _item_path(path, key, many, position)
                if meaning.role is _Role.GRAPHS:
                    self._graphs += 1
                    self.node(
                        meaning.value_context, key, item, where,
                        graph_root=True, graph=self._graphs, depth=depth + 1,
                    )  # fmt: skip
                elif "@value" in item or not meaning.value_aliases.isdisjoint(item):
                    _check_value_object(meaning, item, where)
                else:
                    self.node(meaning.value_context, key, item, where, graph=graph, depth=depth + 1)
            elif meaning.role is _Role.GRAPHS:
                raise CompactFormError(
                    f"{key} must hold objects", field=_item_path(path, key, many, position)
                )
            elif item is None or isinstance(item, list) or meaning.coercion is not None:
                self._scalar(meaning, key, item, _item_path(path, key, many, position))

    def _scalar(self, meaning: _Key, key: str, item: Any, where: str) -> None:
        """A value that is not an object: null and nested arrays refused, typed ones read."""
        if item is None:
            raise CompactFormError(f"{key} is null, which JSON-LD drops", field=where)
        if isinstance(item, list):
            raise CompactFormError(f"{key} holds an array inside an array", field=where)
        coercion = meaning.coercion
        if coercion == "@id":
            self._check_iri(meaning.value_context, item, where, None)
        elif coercion == "@vocab":
            self._check_vocab_name(meaning.value_context, item, where)
        elif coercion is not None:
            _check_typed(key, coercion, item, where)

    # --- names ----------------------------------------------------------------------------

    def _type_names(self, ctx: Context, types: Any, where: str) -> list[str]:
        names = types if isinstance(types, list) else [types]
        for name in names:
            self._check_vocab_name(ctx, name, where)
        return sorted(names)

    def _check_vocab_name(self, ctx: Context, value: Any, where: str) -> None:
        """A type name: a term (or a name under ``@vocab``), or an IRI no term stands for."""
        if not isinstance(value, str):
            raise CompactFormError("a type must be a string", field=where)
        if ":" not in value:
            return  # a term; one no context defines is the safe-mode processor's to refuse
        term = self._form.terms_by_iri(ctx).get(value)
        if term is not None:
            raise CompactFormError(f"{value} is defined as the term {term}; write it", field=where)
        self._check_iri(ctx, value, where, None)

    def _check_iri(self, ctx: Context, value: Any, path: str, key: str | None) -> None:
        """An IRI written out in full: it expands to itself (no term or prefix in it)."""
        if not isinstance(value, str):
            raise CompactFormError("an identifier must be a string", field=_at(path, key))
        colon = value.find(":")
        if colon < 0:
            return  # relative: the safe-mode processor refuses it
        prefix = value[:colon]
        if prefix == "_":
            raise CompactFormError(
                f"{value} is a blank node label, not an IRI", field=_at(path, key)
            )
        if prefix not in ctx["mappings"]:
            return  # no term can take part in it: it expands to itself
        expanded = self._form.expand_iri(ctx, value, vocab=False)
        if expanded != value:
            raise CompactFormError(
                f"{value} is a compact IRI standing for {expanded}; write the IRI",
                field=_at(path, key),
            )


def _refuse_non_terms(key: str) -> None:
    """Refuse a key that is a keyword or an IRI: compact form uses terms only."""
    if key.startswith("@"):
        alias = _KEYWORD_ALIASES.get(key)
        hint = f"; write {alias}" if alias else ""
        raise DeclinedError(f"the keyword {key} is not allowed here{hint}")
    if ":" in key:
        raise DeclinedError(f"{key} is an IRI, not a term of the credential's contexts")


def _misnamed(key: str, iri: str) -> str | None:
    """Why ``key`` may not stand for ``iri``: a keyword or data-model IRI under another name."""
    if iri.startswith("@"):
        return None if _KEYWORD_ALIASES.get(iri) == key else f"{key} stands for the keyword {iri}"
    expected_term = DATA_MODEL_TERMS.get(iri)
    if expected_term is not None and expected_term != key:
        return f"{key} stands for {iri}; write {expected_term}"
    expected_iri = _IRI_OF_TERM.get(key)
    if expected_iri is not None and iri != expected_iri:
        return f"{key} must mean {expected_iri}, but the contexts make it {iri}"
    return None


def _refused(problem: str) -> _Key:
    return _Key(_Role.UNDEFINED, problem=problem)


def _check_value_object(meaning: _Key, item: dict[str, Any], where: str) -> None:
    """Only a language-tagged string (or one with a direction) is written as an object: it
    has no plain form, where every other value object stands for a plain value."""
    tagged = set(item) & {"@language", "@direction"}
    if not set(item) <= _VALUE_OBJECT_KEYS or "@value" not in item or not tagged:
        raise CompactFormError(
            "only a language-tagged string may be a value object; write the plain value",
            field=where,
        )
    tags_by_default = meaning.rules is not None and meaning.rules.tags_strings
    if not isinstance(item["@value"], str) or meaning.coercion is not None or tags_by_default:
        raise CompactFormError(
            "a value object here would change the value's type; write the plain value",
            field=where,
        )


def _plain_type(coercion: str | None) -> type | None:
    """The JSON type a lone value of a term with this ``@type`` takes (None: IRIs, to look at)."""
    if coercion is None:
        return str
    if coercion.startswith("@"):
        return None
    return _JSON_TYPED.get(coercion, str)


def _check_typed(key: str, datatype: str, item: Any, where: str) -> None:
    """A value of a term typed to ``datatype``: a JSON integer or boolean for those types,
    else a string (a number or boolean would make a literal of another spelling)."""
    expected = _JSON_TYPED.get(datatype, str)
    if type(item) is not expected:
        kind = {int: "an integer", bool: "true or false", str: "a string"}[expected]
        raise CompactFormError(f"{key} must be {kind}", field=where)


def _check_language_map(value: Any, where: str) -> None:
    if not isinstance(value, dict):
        raise CompactFormError("a language map must be an object", field=where)
    for language, text in value.items():
        texts = text if isinstance(text, list) else [text]
        if language.startswith("@") or not all(isinstance(t, str) for t in texts):
            raise CompactFormError("a language map holds strings by language", field=where)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _at(path: str, key: str | None) -> str | None:
    return (_join(path, key) if key is not None else path) or None


def _item_path(path: str, key: str, many: bool, position: int) -> str:
    where = _join(path, key)
    return f"{where}[{position}]" if many else where
