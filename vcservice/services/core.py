"""Assemble the credential core (contexts, canonicalization, DIDs, proofs, verifier) once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from vcservice.clock import CLOCK_SKEW, Clock, SystemClock
from vcservice.dids.document import DidDocument
from vcservice.dids.methods.jwk import DidJwkMethod
from vcservice.dids.methods.key import DidKeyMethod
from vcservice.dids.methods.web import DidWebMethod
from vcservice.dids.resolver import (
    DidLookup,
    LocalFirstResolver,
    UniversalResolver,
    static_documents,
)
from vcservice.jsonld.loader import PinnedDocumentLoader
from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
from vcservice.jsonld.processor import JsonLdPath, SafeJsonLdProcessor
from vcservice.jsonld.store import ContextStore
from vcservice.model import credential as vcdm
from vcservice.net import TtlCache
from vcservice.net.guarded_client import FetchPolicy, GuardedHttpClient
from vcservice.proofs.data_integrity import DataIntegrity
from vcservice.proofs.transform import HASHES_KEPT, RdfCanonizer
from vcservice.rdf.engine import Canonicalizer, OxigraphCanonicalizer, Rdfc10Canonicalizer
from vcservice.services.pins import Pins
from vcservice.status.bitstring import MAX_DECODED_BYTES
from vcservice.status.checker import BitstringStatusChecker
from vcservice.status.sources import (
    FetchObserver,
    HttpStatusListSource,
    LocalFirstStatusListSource,
    StatusListLookup,
    StatusListSource,
)
from vcservice.trust.registry import TrustRegistry
from vcservice.verification.verifier import Verifier

V = TypeVar("V")
_WARM_UP_PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2026-01-01T00:00:00Z",
    "verificationMethod": "did:web:issuer.example#key-1",
    "proofPurpose": "assertionMethod",
}
CANONICALIZERS: dict[str, type[Rdfc10Canonicalizer] | type[OxigraphCanonicalizer]] = {
    Rdfc10Canonicalizer.name: Rdfc10Canonicalizer,
    OxigraphCanonicalizer.name: OxigraphCanonicalizer,
}


@dataclass(frozen=True)
class CoreConfig:
    """Where the pinned contexts live, how to fetch, and which RDFC engine to use."""

    store_dir: Path
    contexts_dir: Path = field(default_factory=default_contexts_dir)
    fetch_policy: FetchPolicy = field(default_factory=FetchPolicy)
    canonicalizer: str = Rdfc10Canonicalizer.name
    jsonld_path: JsonLdPath = "fast"
    allow_undefined_terms: bool = False
    clock_skew: timedelta = CLOCK_SKEW
    max_status_list_bytes: int = MAX_DECODED_BYTES  # a status list's bits, decoded
    canonical_hashes_kept: int = HASHES_KEPT  # JSON objects whose canonical hashes are kept


@dataclass(frozen=True)
class Core:
    """The wired credential core; nothing here knows HTTP serving or databases."""

    store: ContextStore
    processor: SafeJsonLdProcessor
    canonizer: RdfCanonizer
    http: GuardedHttpClient
    resolver: LocalFirstResolver
    data_integrity: DataIntegrity
    verifier: Verifier
    pins: Pins

    def warm_up(self, credentials: Iterable[Mapping[str, Any]]) -> None:
        """Do now what the first verification of such credentials would do first: process
        their contexts (the credential's and a proof's) and compile their schemas."""
        for credential in credentials:
            self.processor.to_quads(dict(credential))
            self.processor.to_quads({**_WARM_UP_PROOF, "@context": credential["@context"]})
            self.pins.schema_problems(credential)


def build_core(
    config: CoreConfig,
    *,
    clock: Clock | None = None,
    local_dids: DidLookup | None = None,
    local_status_lists: StatusListLookup | None = None,
    status_source: StatusListSource | None = None,
    trust_registry: TrustRegistry | None = None,
    on_status_fetch: FetchObserver | None = None,
    snapshot: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> Core:
    """Build the core from ``config``.

    DIDs that ``local_dids`` knows, and status lists that ``local_status_lists`` knows,
    resolve without the network; everything else goes through the guarded HTTP client.
    A ``status_source`` replaces both for status lists (e.g. snapshots from a bundle).
    With a ``trust_registry`` the verifier also checks that issuers are accredited.
    ``on_status_fetch`` is told where each status list came from (``local``, ``cache``,
    ``network``). ``snapshot`` is entered around each verification (the services hold
    their database's change counter for it: ``services.freshness``), after the operator's
    pinned contexts and schemas are read again if they changed (``services.pins``).
    """
    store = ContextStore(config.store_dir, ContextManifest.load(config.contexts_dir))
    loader = PinnedDocumentLoader(store)
    processor = SafeJsonLdProcessor(
        loader,
        allow_undefined_terms=config.allow_undefined_terms,
        path=config.jsonld_path,
        base_contexts=(vcdm.CREDENTIALS_V2, vcdm.CREDENTIALS_V1),
    )
    canonizer = RdfCanonizer(
        processor,
        _canonicalizer(config.canonicalizer),
        hashes_kept=config.canonical_hashes_kept,
    )
    http = GuardedHttpClient(config.fetch_policy)
    resolver = LocalFirstResolver(
        local_dids or static_documents(()),
        UniversalResolver(
            [DidKeyMethod(), DidJwkMethod(), DidWebMethod(http)],
            cache=_remote_cache(config, _document_size),
        ),
    )
    data_integrity = DataIntegrity(canonizer, resolver, clock_skew=config.clock_skew)
    clock = clock or SystemClock()
    pins = Pins(store)
    if status_source is None:
        status_source = LocalFirstStatusListSource(
            local_status_lists or _nothing_local,
            clock=clock,
            fallback=HttpStatusListSource(
                http,
                cache=_remote_cache(config, lambda fetched: fetched.size),
                clock=clock,
                on_fetch=on_status_fetch,
            ),
            on_fetch=on_status_fetch,
        )
    status_checker = BitstringStatusChecker(
        source=status_source,
        data_integrity=data_integrity,
        clock=clock,
        verified_lists=_remote_cache(config, lambda expanded: len(expanded.bits)),
        max_decoded_bytes=config.max_status_list_bytes,
    )
    verifier = Verifier(
        data_integrity=data_integrity,
        processor=processor,
        resolver=resolver,
        clock=clock,
        status_checker=status_checker,
        trust_registry=trust_registry,
        schema_validator=pins.schema_problems,
        clock_skew=config.clock_skew,
        fetch_budget=(
            config.fetch_policy.verification_seconds,
            config.fetch_policy.verification_fetches,
        ),
        snapshot=pins.around(snapshot),
    )
    for forget in (loader.forget, processor.forget, canonizer.forget, verifier.forget):
        pins.on_change(forget)
    return Core(
        store=store,
        processor=processor,
        canonizer=canonizer,
        http=http,
        resolver=resolver,
        data_integrity=data_integrity,
        verifier=verifier,
        pins=pins,
    )


def _remote_cache(config: CoreConfig, weigh: Callable[[V], int]) -> TtlCache[str, V]:
    """A cache of what was made of fetched documents (DID documents, status lists): five
    minutes at most, or less if the fetch policy says so, and its byte budget."""
    policy = config.fetch_policy
    return TtlCache(
        max_entries=policy.cache_max_entries,
        max_ttl_seconds=min(300.0, policy.cache_max_ttl_seconds),
        max_bytes=policy.cache_max_bytes,
        weigh=weigh,
    )


def _document_size(document: DidDocument) -> int:
    return len(json.dumps(document.data, separators=(",", ":")))


def _nothing_local(urls: Sequence[str]) -> dict[str, Any]:
    return {}


def _canonicalizer(name: str) -> Canonicalizer:
    try:
        return CANONICALIZERS[name]()
    except KeyError:
        raise ValueError(
            f"unknown canonicalizer {name!r} (choose from {', '.join(CANONICALIZERS)})"
        ) from None
