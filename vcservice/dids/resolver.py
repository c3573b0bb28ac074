"""DID resolution: the resolver role, per-method plug-ins, and verification method lookup."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from vcservice.dids.document import DidDocument, VerificationMethod
from vcservice.dids.syntax import parse_did, split_fragment
from vcservice.errors import DidError
from vcservice.net import TtlCache

__all__ = [
    "DidLookup",
    "DidMethod",
    "DidResolver",
    "LocalFirstResolver",
    "UniversalResolver",
    "dereference_verification_method",
    "static_documents",
]


class DidResolver(Protocol):
    """Resolves a DID to its document, or raises DidError."""

    def resolve(self, did: str) -> DidDocument: ...


class DidMethod(Protocol):
    """A resolver for one DID method, named by ``method_name`` (``key`` in ``did:key:…``)."""

    @property
    def method_name(self) -> str: ...

    def resolve(self, did: str) -> DidDocument: ...

    def forget(self, did: str) -> None:
        """Drop whatever was kept of ``did``'s document (nothing, for methods without I/O)."""
        ...


class UniversalResolver:
    """Dispatches to the :class:`DidMethod` named in the DID, caching documents if given a cache."""

    def __init__(
        self,
        methods: Iterable[DidMethod],
        *,
        cache: TtlCache[str, DidDocument] | None = None,
    ) -> None:
        self._methods: dict[str, DidMethod] = {}
        for method in methods:
            if method.method_name in self._methods:
                raise ValueError(f"DID method {method.method_name!r} registered twice")
            self._methods[method.method_name] = method
        self._cache = cache

    def resolve(self, did: str) -> DidDocument:
        """Resolve ``did``; unsupported methods and malformed DIDs raise INVALID_DID."""
        method_name = parse_did(did).method
        method = self._methods.get(method_name)
        if method is None:
            raise DidError(
                f"cannot resolve {did}: DID method {method_name!r} is not supported "
                f"(supported: {', '.join(sorted(self._methods)) or 'none'})",
                code="INVALID_DID",
            )
        if self._cache is not None and (cached := self._cache.get(did)) is not None:
            return cached
        document = method.resolve(did)
        if self._cache is not None:
            self._cache.put(did, document)
        return document

    def forget(self, did: str) -> None:
        """Drop the kept document of ``did``: the next ``resolve`` fetches it again."""
        if self._cache is not None:
            self._cache.drop(did)
        method = self._methods.get(parse_did(did).method)
        if method is not None:
            method.forget(did)


DidLookup = Callable[[str], DidDocument | None]


def static_documents(documents: Iterable[DidDocument]) -> DidLookup:
    """A lookup over a fixed set of documents (e.g. given on the command line)."""
    by_id = {document.id: document for document in documents}
    return by_id.get


class LocalFirstResolver:
    """Answers from documents held locally (given, or the service's own), else delegates.

    This is how a verifier works offline with an authority's DID document in hand, and
    how the service resolves its own DIDs without a network round trip.
    """

    def __init__(self, lookup: DidLookup, fallback: UniversalResolver) -> None:
        self._lookup = lookup
        self._fallback = fallback

    def resolve(self, did: str) -> DidDocument:
        """The local document for ``did`` if there is one, else the fallback's answer."""
        local = self._lookup(did)
        return local if local is not None else self._fallback.resolve(did)

    def forget(self, did: str) -> None:
        """Resolve ``did`` afresh next time (a rotated key must be seen at once)."""
        self._fallback.forget(did)


def dereference_verification_method(
    resolver: DidResolver, vm_id: str
) -> tuple[DidDocument, VerificationMethod]:
    """Resolve the DID of ``vm_id`` (``did:…#fragment``) and return its document and method."""
    did, _ = split_fragment(vm_id)
    document = resolver.resolve(did)
    if document.id != did:
        raise DidError(
            f"resolving {did} returned the document of {document.id}",
            code="DID_RESOLUTION_ERROR",
        )
    return document, document.verification_method(vm_id)
