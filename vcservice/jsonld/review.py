"""The review of a JSON-LD context an operator is about to pin: what it defines, and whether it may.

pyld processes every context here, over the pinned loader (nothing is fetched), under
JSON-LD 1.1's protected-term rule (``vcservice.jsonld.protection``). Refused, naming the
term and the earlier context:

- a definition that differs from a term an earlier context protects, at its top level or in
  one of its type-scoped contexts (``issuer`` in credentials/v2's ``VerifiableCredential``:
  every credential node applies it, so a second meaning of ``issuer`` would only mislead);
- the same in the context's own type-scoped contexts, replayed as a document would apply
  them; its property-scoped contexts may override, and those overrides are reported;
- ``"@context": null`` at the top level or as a type-scoped context, alone or as an item of
  an array (``[null, {...}]``);
- scoped contexts nested more than ``MAX_SCOPED_DEPTH`` deep (refused before they are walked);
- ``@vocab`` (safe mode refuses undefined terms; a vocabulary would define every one),
  unless it is the VC Data Model's issuer-dependent one, which safe mode treats as undefined;
- ``@import`` or a context URL that is not pinned, and ``@version`` other than 1.1.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.jsonld.loader import DocumentLoader
from vcservice.jsonld.protection import (
    Context,
    ContextReader,
    ContextRefusedError,
    ScopedOverride,
    differs,
    require_safe_vocab,
    scope_kind,
    vocab_refusal,
)
from vcservice.jsonld.safe_terms import ISSUER_DEPENDENT_VOCAB

__all__ = ["DEFAULT_AFTER", "ContextRefusedError", "ContextReview", "review_context"]

DEFAULT_AFTER = ("https://www.w3.org/ns/credentials/v2",)
MAX_SCOPED_DEPTH = 32  # scoped contexts within scoped contexts: deeper is refused, unwalked


@dataclass(frozen=True, slots=True)
class TermReview:
    """One term the context defines: its IRI, whether protected, what it replaces."""

    term: str
    iri: str | None
    protected: bool
    overrides: str | None = None  # the earlier context whose other definition it replaces
    scoped: str | None = None  # "type" or "property": it has a scoped context

    def to_json(self) -> dict[str, Any]:
        """The term as the review shows it."""
        shown = {"term": self.term, "iri": self.iri, "protected": self.protected}
        extra = {"overrides": self.overrides, "scopedContext": self.scoped}
        return shown | {key: value for key, value in extra.items() if value is not None}


@dataclass(frozen=True, slots=True)
class ContextReview:
    """What a context defines over the contexts it comes after."""

    url: str
    after: tuple[str, ...]
    refers_to: tuple[str, ...]  # the pinned contexts it names (included, imported, scoped)
    terms: tuple[TermReview, ...]
    scoped_overrides: tuple[ScopedOverride, ...]

    def to_json(self) -> dict[str, Any]:
        """The review as printed and kept in the overlay."""
        return {
            "after": list(self.after),
            "refersTo": list(self.refers_to),
            "terms": [term.to_json() for term in self.terms],
            "scopedOverrides": [override.to_json() for override in self.scoped_overrides],
        }


def review_context(
    url: str,
    document: Any,
    *,
    after: Sequence[str] = DEFAULT_AFTER,
    loader: DocumentLoader,
    pinned: Collection[str],
) -> ContextReview:
    """Review ``document`` as the context at ``url``, used after the pinned contexts
    ``after``; ``ContextRefusedError`` naming what may not be pinned."""
    try:
        return _review(url, document, after, loader, pinned)
    except RecursionError:  # a last resort: _check_entries bounds the nesting it walks
        raise ContextRefusedError(
            "the context nests too deeply to review", field="@context"
        ) from None


def _review(
    url: str,
    document: Any,
    after: Sequence[str],
    loader: DocumentLoader,
    pinned: Collection[str],
) -> ContextReview:
    # The entries are checked (the nesting bounded) before anything recurses through them.
    refers_to = _check_entries(_local_context(document), pinned)
    local = copy.deepcopy(_local_context(document))
    reader = ContextReader(loader)
    earlier, sources = reader.after(after)
    guards = reader.guards(earlier, sources)
    active, own = reader.apply(url, local, earlier, guards)
    require_safe_vocab(earlier, active, "an included or imported context", "@vocab")
    overrides = reader.replay(active, own, guards)
    reader.confirm(earlier, local)
    terms = tuple(_term_review(term, mapping, earlier, sources) for term, mapping in own.items())
    return ContextReview(url, tuple(after), refers_to, terms, tuple(overrides))


def _local_context(document: Any) -> Any:
    if not isinstance(document, dict) or "@context" not in document:
        raise ContextRefusedError(
            "a context file must be a JSON object with @context", field="@context"
        )
    return document["@context"]


def _check_entries(local: Any, pinned: Collection[str]) -> tuple[str, ...]:
    """Refuse ``@vocab``, ``@version`` other than 1.1, and an ``@import`` or context URL
    not pinned, anywhere in the context (its scoped contexts included); the URLs it names."""
    named: set[str] = set()
    for path, value in _contexts(local, "@context"):
        if isinstance(value, str) and value not in pinned:
            raise ContextRefusedError(
                f"{path} names {value}, which is not pinned: pin it first", field="@context"
            )
        if isinstance(value, str):
            named.add(value)
        if not isinstance(value, dict):
            continue
        if value.get("@vocab", ISSUER_DEPENDENT_VOCAB) not in (None, ISSUER_DEPENDENT_VOCAB):
            raise vocab_refusal(path, "@vocab")
        if "@version" in value and value["@version"] != 1.1:
            raise ContextRefusedError(
                f"{path}: @version must be 1.1, not {value['@version']!r}", field="@version"
            )
        imported = value.get("@import")
        if "@import" in value and (not isinstance(imported, str) or imported not in pinned):
            raise ContextRefusedError(
                f"{path}: @import of {imported!r}, which is not pinned: pin it first",
                field="@import",
            )
        if isinstance(imported, str):
            named.add(imported)
    return tuple(sorted(named))


def _contexts(local: Any, path: str, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """Every context in ``local`` (items of lists, scoped contexts), with where it is;
    ``ContextRefusedError`` for scoped contexts nested more than ``MAX_SCOPED_DEPTH`` deep."""
    for index, item in enumerate(local if isinstance(local, list) else [local]):
        where = f"{path}[{index}]" if isinstance(local, list) else path
        yield where, item
        if isinstance(item, dict):
            for term, definition in item.items():
                if not isinstance(definition, dict) or "@context" not in definition:
                    continue
                if depth >= MAX_SCOPED_DEPTH:
                    raise ContextRefusedError(
                        "the scoped contexts nest too deeply to review: at most "
                        f"{MAX_SCOPED_DEPTH} levels of scoped contexts within scoped contexts "
                        "are accepted",
                        field=term,
                    )
                scoped = definition["@context"]
                yield from _contexts(scoped, f"{where}.{term}.@context", depth + 1)


def _term_review(term: str, mapping: Any, earlier: Context, sources: dict[str, str]) -> TermReview:
    previous = earlier["mappings"].get(term)
    overrides = sources.get(term) if previous and differs(mapping, previous) else None
    scoped = scope_kind(term, mapping) if mapping and "@context" in mapping else None
    return TermReview(
        term=term,
        iri=mapping.get("@id") if mapping else None,
        protected=bool(mapping and mapping.get("protected")),
        overrides=overrides,
        scoped=scoped,
    )
