"""JSON-LD 1.1's protected terms, checked on a context before it is pinned, with pyld.

JSON-LD 1.1 (Create Term Definition, step 27) forbids redefining a protected term unless the
new definition is the same apart from ``@protected`` — ``"@protected": false`` on the new
one does not exempt it — and forbids ``"@context": null`` while protected terms are active.
Both hold at the top level and in type-scoped contexts (applied with override false); only
a property-scoped context may override. ``ContextReader`` applies a context as pyld does,
over the pinned loader, with override true, and compares each definition that changed with
the protected one it replaces (pyld's own test), so a refusal names the term and the context
that protects it.

The protected terms of the earlier contexts include those of their type-scoped contexts
(``issuer`` in credentials/v2's ``VerifiableCredential``): every credential node applies
them, so a second meaning of ``issuer`` would hold only where that scope does not. A type
is told from a property by its definition (``@type``, ``@container``… make a property) or,
failing that, by the convention that type names begin with a capital letter.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver

from vcservice.errors import VcError
from vcservice.jsonld.loader import DocumentLoader
from vcservice.jsonld.safe_terms import ISSUER_DEPENDENT_VOCAB

__all__ = [
    "Context",
    "ContextReader",
    "ContextRefusedError",
    "ScopedOverride",
    "differs",
    "require_safe_vocab",
    "scope_kind",
    "vocab_refusal",
]

MAX_REPLAYS = 256  # scoped contexts replayed for one review: nesting is bounded
_PROPERTY_KEYS = ("@type", "@container", "@language", "@direction", "@nest", "@index")
_SHOWN_KEYS = {"_prefix": "@prefix", "reverse": "@reverse"}
Context = Any  # a processed pyld active context


class ContextRefusedError(VcError):
    """A context that may not be pinned: the message says why, ``field`` names the term."""

    code = "CONTEXT_REFUSED"


@dataclass(frozen=True, slots=True)
class ScopedOverride:
    """A property-scoped context redefining, within its values, a protected term."""

    term: str
    redefines: str
    protected_by: str

    def to_json(self) -> dict[str, Any]:
        """The override as the review shows it."""
        return {"term": self.term, "redefines": self.redefines, "protectedBy": self.protected_by}


@dataclass(frozen=True, slots=True)
class _Guard:
    """A protected definition, and the context that protects it."""

    mapping: Any
    source: str


class ContextReader:
    """pyld's context processing over the pinned loader, on private copies of documents."""

    def __init__(self, loader: DocumentLoader) -> None:
        def load(url: str, options: Any = None) -> dict[str, Any]:
            document = copy.deepcopy(loader.load(url))  # pyld's @import edits what it loads
            return {"contextUrl": None, "documentUrl": url, "document": document}

        self._pyld = jsonld.JsonLdProcessor()
        self._options = {
            "documentLoader": load,
            "base": None,
            "processingMode": "json-ld-1.1",
            "contextResolver": ContextResolver({}, load),
        }
        self._replays = 0

    def process(
        self, ctx: Context, local: Any, *, override: bool = False, propagate: bool = True
    ) -> Context:
        """``ctx`` with ``local`` applied, as pyld applies it."""
        try:
            return self._pyld._process_context(
                ctx, local, self._options, override_protected=override, propagate=propagate
            )
        except jsonld.JsonLdError as error:
            raise _pyld_refusal(error) from error

    def after(self, urls: Sequence[str]) -> tuple[Context, dict[str, str]]:
        """The active context after ``urls``, and the URL that defined each term."""
        ctx = self._pyld._get_initial_context(self._options)
        sources: dict[str, str] = {}
        for url in urls:
            if not isinstance(url, str):
                raise ContextRefusedError(f"{url!r} is not a context URL", field="after")
            processed = self.process(ctx, url)
            sources.update(dict.fromkeys(_changed(ctx, processed), url))
            ctx = processed
        return ctx, sources

    def guards(self, ctx: Context, sources: dict[str, str]) -> dict[str, _Guard]:
        """The protected terms of ``ctx`` and of its type-scoped contexts."""
        mappings = ctx["mappings"]
        guards = {
            term: _Guard(mapping, sources[term])
            for term, mapping in mappings.items()
            if mapping and mapping.get("protected")
        }
        for term, mapping in mappings.items():
            if mapping and "@context" in mapping and scope_kind(term, mapping) == "type":
                scoped = self.process(ctx, mapping["@context"], override=True, propagate=False)
                for name in _changed(ctx, scoped):
                    inner = scoped["mappings"][name]
                    if inner and inner.get("protected") and name not in guards:
                        guards[name] = _Guard(inner, sources[term])
        return guards

    def apply(
        self, url: str, local: Any, earlier: Context, guards: dict[str, _Guard]
    ) -> tuple[Context, dict[str, Any]]:
        """``earlier`` with the context's own ``@context`` applied, item by item: the active
        context, and the terms its own objects define."""
        ctx, own = earlier, {}
        for item in local if isinstance(local, list) else [local]:
            if item is None:
                raise _nullification(
                    "this context nullifies the active context", guards, "@context"
                )
            processed = self.process(ctx, item, override=True)
            source = item if isinstance(item, str) else url
            for term in _changed(ctx, processed):
                mapping = processed["mappings"][term]
                _require_unprotected(term, mapping, guards, None)
                if mapping and mapping.get("protected") and term not in guards:
                    guards[term] = _Guard(mapping, source)
                if not isinstance(item, str):
                    own[term] = mapping
            ctx = processed
        return ctx, own

    def replay(
        self, active: Context, terms: dict[str, Any], guards: dict[str, _Guard]
    ) -> list[ScopedOverride]:
        """Apply each scoped context of ``terms`` as a document would; a type-scoped one
        that redefines a protected term is refused, a property-scoped one reported."""
        overrides: list[ScopedOverride] = []
        for term, mapping in terms.items():
            if not mapping or "@context" not in mapping:
                continue
            self._replays += 1
            if self._replays > MAX_REPLAYS:
                raise ContextRefusedError(
                    "the context's scoped contexts are too many or nest too deeply to review",
                    field=term,
                )
            kind, scoped = scope_kind(term, mapping), mapping["@context"]
            if _is_null(scoped):
                if kind == "type":
                    where = f"the type-scoped context of '{term}' is null"
                    raise _nullification(where, guards, term)
                continue
            if kind == "type" and isinstance(scoped, list) and any(_is_null(i) for i in scoped):
                where = f"the type-scoped context of '{term}' nullifies the active context"
                raise _nullification(where, guards, term)
            processed = self.process(active, scoped, override=True, propagate=kind != "type")
            require_safe_vocab(active, processed, f"the scoped context of '{term}'", term)
            changed = _changed(active, processed)
            for name in changed:
                guard = guards.get(name)
                if guard is None or not differs(processed["mappings"][name], guard.mapping):
                    continue
                if kind == "type":
                    _require_unprotected(name, processed["mappings"][name], guards, term)
                overrides.append(ScopedOverride(term, name, guard.source))
            inner = {name: processed["mappings"][name] for name in changed}
            overrides.extend(self.replay(processed, inner, guards))
        return overrides

    def confirm(self, earlier: Context, local: Any) -> None:
        """pyld's own verdict on the context after ``earlier`` (override false)."""
        self.process(earlier, local)


def _is_null(local: Any) -> bool:
    """Whether ``local`` is a null context (pyld keeps a scoped one as False)."""
    return local is None or local is False


def _changed(before: Context, after: Context) -> list[str]:
    """The terms ``after`` defines otherwise than ``before``."""
    previous = before["mappings"]
    return [term for term, mapping in after["mappings"].items() if previous.get(term) != mapping]


def differs(new: Any, old: Any) -> bool:
    """JSON-LD 1.1's test: definitions differ other than in ``protected``."""
    if not new or not old:
        return bool(new) != bool(old)
    return {**new, "protected": True} != {**old, "protected": True}


def scope_kind(term: str, mapping: Any) -> str:
    """``property`` for a term its definition (or a lower-case name) makes one, else ``type``."""
    if any(key in mapping for key in _PROPERTY_KEYS) or mapping.get("reverse"):
        return "property"
    return "type" if term[:1].isupper() else "property"


def _require_unprotected(
    term: str, mapping: Any, guards: dict[str, _Guard], scope: str | None
) -> None:
    """Refuse a definition of ``term`` other than the protected one, naming both."""
    guard = guards.get(term)
    if guard is None or not differs(mapping, guard.mapping):
        return
    where = "this context" if scope is None else f"the type-scoped context of '{scope}'"
    old_iri, new_iri = guard.mapping.get("@id"), mapping.get("@id") if mapping else None
    if not mapping:
        change = "removes it"
    elif new_iri != old_iri:
        change = f"maps it to {new_iri}"
    else:
        keys = sorted(
            _SHOWN_KEYS.get(key, key)
            for key in {*mapping, *guard.mapping} - {"protected", "_term_has_colon"}
            if mapping.get(key) != guard.mapping.get(key)
        )
        change = f"changes its {', '.join(keys)}"
    raise ContextRefusedError(
        f"'{term}' is protected by {guard.source}; {where} {change} (JSON-LD 1.1 forbids "
        'redefining a protected term, even with "@protected": false)',
        field=term,
    )


def _nullification(what: str, guards: dict[str, _Guard], field: str) -> ContextRefusedError:
    sources = sorted({guard.source for guard in guards.values()})
    return ContextRefusedError(
        f'{what} ("@context": null), which would drop the protected terms of '
        f"{', '.join(sources) or 'the earlier contexts'}",
        field=field,
    )


def require_safe_vocab(before: Context, after: Context, where: str, field: str) -> None:
    vocab = after.get("@vocab")
    if vocab != before.get("@vocab") and vocab not in (None, ISSUER_DEPENDENT_VOCAB):
        raise vocab_refusal(where, field)


def vocab_refusal(where: str, field: str) -> ContextRefusedError:
    return ContextRefusedError(
        f"{where} sets @vocab: every undefined term would fall to it, and safe mode must "
        "refuse undefined terms",
        field=field,
    )


def _pyld_refusal(error: jsonld.JsonLdError) -> VcError:
    """Our own error from inside pyld's (the loader's: not pinned), else pyld's, named."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, VcError):
            return cause
        cause = cause.__cause__
    innermost = error
    while isinstance(innermost.__cause__, jsonld.JsonLdError):
        innermost = innermost.__cause__
    code = getattr(innermost, "code", None) or "invalid context"
    return ContextRefusedError(
        f"not a valid JSON-LD 1.1 context ({code}): {innermost.args[0]}", field="@context"
    )
