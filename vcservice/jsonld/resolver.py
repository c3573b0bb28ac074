"""A per-processor cache of resolved pinned contexts for pyld.

pyld resolves every ``@context`` on every call: it fetches each context URL again
and keys its content cache by the RFC 8785 canonical JSON of each context object,
including the large pinned documents and the scoped contexts inside them — most of
the cost of a Data Integrity check. Pinned documents cannot change (the loader
digest-checks them and serves one copy per URL), so here they are resolved once per
processor:

- a context URL the loader served is remembered by URL, as pyld's resolution of it;
- a context object that is part of such a document (a scoped context) is remembered
  by identity — the document is a private deep copy nobody else can reach or change.

Everything else — a document's own inline contexts — goes through pyld unchanged
(content-keyed). Cached URLs are still counted against pyld's per-resolution limit
and cycle checks, as a fetch would be; a pinned document that itself names other
context URLs is never cached, so those counts stay exact.
"""

from __future__ import annotations

import copy
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver


class PinnedContextCache:
    """What a processor remembers across calls: resolved pinned URLs and their objects.

    Bounded by the manifest: only documents its loader served are ever stored.
    """

    def __init__(self) -> None:
        self.by_url: dict[str, list[Any]] = {}
        # id(object) -> (object, resolved); the object is kept alive, so ids stay unique.
        self.by_object: dict[int, tuple[Any, list[Any] | None]] = {}

    def resolver(self, document_loader: Any) -> ContextResolver:
        """A pyld context resolver for one operation, backed by this cache."""
        return _CachingContextResolver(self, document_loader)


class _CachingContextResolver(ContextResolver):  # type: ignore[misc]
    def __init__(self, cache: PinnedContextCache, document_loader: Any) -> None:
        # pyld's own shared cache for everything not pinned, exactly as pyld would use it.
        super().__init__(jsonld._resolved_context_cache, document_loader)
        self._cache = cache
        self._fetched: dict[str, Any] = {}

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        if cycles is None:
            cycles = set()
        if isinstance(context, dict) and "@context" in context:
            context = context["@context"]
        contexts = context if isinstance(context, list) else [context]
        resolved: list[Any] = []
        for ctx in contexts:
            hit = self._pinned(ctx, active_ctx, cycles)
            if hit is None:
                hit = super().resolve(active_ctx, [ctx], base, cycles)
                self._remember_object(ctx, hit)
            resolved.extend(hit)
        return resolved

    def _pinned(self, ctx: Any, active_ctx: Any, cycles: set[str]) -> list[Any] | None:
        if isinstance(ctx, str):
            if self._get(ctx):
                return None  # pyld's per-operation cache answers, as it would have
            hit = self._cache.by_url.get(ctx)
            if hit is not None:
                _count_fetch(ctx, active_ctx, cycles, self.max_context_urls)
                self.per_op_cache[ctx] = hit
            return hit
        entry = self._cache.by_object.get(id(ctx))
        if entry is None or entry[0] is not ctx:
            return None
        return entry[1]

    def _remember_object(self, ctx: Any, resolved: list[Any]) -> None:
        entry = self._cache.by_object.get(id(ctx))
        if entry is not None and entry[0] is ctx and entry[1] is None:
            self._cache.by_object[id(ctx)] = (ctx, resolved)

    def _resolve_remote_context(self, active_ctx: Any, url: str, base: Any, cycles: Any) -> Any:
        before = set(cycles)
        resolved = super()._resolve_remote_context(active_ctx, url, base, cycles)
        fetched = set(cycles) - before
        if len(fetched) == 1:  # the document named no other context URL
            (absolute,) = fetched
            private = self._fetched.pop(absolute, None)
            if private is not None:
                _register_objects(private, self._cache)
                self._cache.by_url[absolute] = resolved
        return resolved

    def _fetch_context(self, active_ctx: Any, url: str, cycles: Any) -> Any:
        context, remote_doc = super()._fetch_context(active_ctx, url, cycles)
        context = copy.deepcopy(context)  # a private copy: its objects are keyed by identity
        self._fetched[url] = context["@context"]
        return context, remote_doc


def _register_objects(node: Any, cache: PinnedContextCache) -> None:
    """Mark every object inside a private pinned document as resolvable by identity."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            cache.by_object.setdefault(id(item), (item, None))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _count_fetch(url: str, active_ctx: Any, cycles: set[str], max_urls: int) -> None:
    """The checks pyld's ``_fetch_context`` makes before fetching ``url``, same errors."""
    legacy = active_ctx.get("processingMode") == "json-ld-1.0"
    if len(cycles) > max_urls:
        raise jsonld.JsonLdError(
            "Maximum number of @context URLs exceeded.",
            "jsonld.ContextUrlError",
            {"max": max_urls},
            code="loading remote context failed" if legacy else "context overflow",
        )
    if url in cycles:
        raise jsonld.JsonLdError(
            "Cyclical @context URLs detected.",
            "jsonld.ContextUrlError",
            {"url": url},
            code="recursive context inclusion" if legacy else "context overflow",
        )
    cycles.add(url)
