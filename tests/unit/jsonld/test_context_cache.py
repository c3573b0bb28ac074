"""The per-processor context cache changes no canonical byte and no refusal.

Every document here is canonized twice on the reference (pyld) path, by a processor that
caches pinned contexts and by one that resolves them afresh on every call as plain pyld
does, and the canonical N-Quads must be equal byte for byte. (The fast path, which also
works over the cache, has its own differential tests in ``test_fast_path.py``; the
RDFC-1.0 suite has no JSON-LD inputs, only N-Quads, so it does not apply here.)
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import UPSTREAM_DIR
from tests.unit.certificates.support import REQUESTS, SLUGS, build, certificate_type, sample
from vcservice.errors import ContextError, DataLossError, VcError
from vcservice.jsonld.loader import PinnedDocumentLoader
from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
from vcservice.jsonld.processor import SafeJsonLdProcessor
from vcservice.jsonld.store import ContextStore
from vcservice.proofs.transform import RdfCanonizer
from vcservice.rdf.engine import Rdfc10Canonicalizer

pytestmark = pytest.mark.shared

V2 = "https://www.w3.org/ns/credentials/v2"
PROJECT = "https://w3id.org/vcservice/trade-certificates/v2"  # as the samples (data v2)
PROOF_OPTIONS = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2026-06-01T00:00:00Z",
    "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    "proofPurpose": "assertionMethod",
}


def _canonizer(store_dir: Path, *, cache_contexts: bool) -> RdfCanonizer:
    store = ContextStore(store_dir, ContextManifest.load(default_contexts_dir()))
    processor = SafeJsonLdProcessor(
        PinnedDocumentLoader(store),
        cache_contexts=cache_contexts,
        path="reference",
    )
    return RdfCanonizer(processor, Rdfc10Canonicalizer())


@pytest.fixture(scope="module")
def cached(context_store_dir: Path) -> RdfCanonizer:
    return _canonizer(context_store_dir, cache_contexts=True)


@pytest.fixture(scope="module")
def plain(context_store_dir: Path) -> RdfCanonizer:
    return _canonizer(context_store_dir, cache_contexts=False)


def _outcome(canonizer: RdfCanonizer, document: Any, hash_algorithm: str) -> str:
    """The canonical N-Quads, or the refusal's code and message."""
    try:
        return canonizer.canonize(copy.deepcopy(document), hash_algorithm=hash_algorithm)
    except VcError as error:
        return f"refused {error.code}: {error.message}"


def assert_same(
    cached: RdfCanonizer, plain: RdfCanonizer, document: Any, hash_algorithm: str = "sha256"
) -> str:
    # Twice through the cached path: a cold and a warm cache must agree too.
    first = _outcome(cached, document, hash_algorithm)
    assert _outcome(plain, document, hash_algorithm) == first
    assert _outcome(cached, document, hash_algorithm) == first
    return first


def _vector_documents() -> list[Path]:
    """The vectors' JSON-LD documents; none when ../shared is absent (collection must not
    skip the whole module: the other tests here need only the context store's skip)."""
    root = UPSTREAM_DIR / "vectors"
    if not root.exists():
        return []
    return sorted(path for path in root.rglob("*.json") if "@context" in path.read_text())


@pytest.mark.parametrize("path", _vector_documents(), ids=lambda path: path.stem)
def test_w3c_vector_documents(cached: RdfCanonizer, plain: RdfCanonizer, path: Path) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    for hash_algorithm in ("sha256", "sha384"):
        assert not assert_same(cached, plain, document, hash_algorithm).startswith("refused")


@pytest.mark.parametrize("slug", SLUGS)
def test_certificate_samples_and_their_proof_configs(
    cached: RdfCanonizer, plain: RdfCanonizer, slug: str
) -> None:
    credential = sample(slug)
    assert_same(cached, plain, credential)
    assert_same(cached, plain, {**PROOF_OPTIONS, "@context": credential["@context"]})


def test_refusals_are_unchanged_on_a_warm_cache(cached: RdfCanonizer, plain: RdfCanonizer) -> None:
    credential = sample("ctpat")
    assert_same(cached, plain, credential)  # warm every pinned context the sample uses
    undefined = {**credential, "madeUpTerm": "x"}
    relative = {**credential, "id": "credential-42"}
    unpinned = {**credential, "@context": [V2, "https://example.com/not-pinned/v1"]}
    for document, error in (
        (undefined, DataLossError),
        (relative, DataLossError),
        (unpinned, ContextError),
    ):
        with pytest.raises(error):
            cached.processor.to_quads(copy.deepcopy(document))
        assert assert_same(cached, plain, document).startswith("refused")


def test_inline_context_changed_in_place_is_read_again(
    cached: RdfCanonizer, plain: RdfCanonizer
) -> None:
    """Only pinned documents are remembered by identity; a document's own context is not."""
    inline = {"note": "https://example.com/vocab#note"}
    document = {
        "@context": [V2, inline],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:subject", "note": "hola"},
    }
    before = cached.canonize(document, hash_algorithm="sha256")
    inline["note"] = "https://example.com/other#note"
    after = cached.canonize(document, hash_algorithm="sha256")
    assert "vocab#note" in before and "other#note" in after
    assert after == plain.canonize(document, hash_algorithm="sha256")


def test_the_same_pinned_url_twice_and_a_project_context_first(
    cached: RdfCanonizer, plain: RdfCanonizer
) -> None:
    credential = sample("immex")
    contexts = credential["@context"]
    for arranged in ([*contexts, contexts[-1]], [PROJECT, *contexts]):
        assert not assert_same(cached, plain, {**credential, "@context": arranged}).startswith(
            "refused"
        )


@pytest.mark.slow
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_generated_certificates(cached: RdfCanonizer, plain: RdfCanonizer, data: Any) -> None:
    slug = data.draw(st.sampled_from(SLUGS))
    credential = build(certificate_type(slug), data.draw(REQUESTS[slug]))
    assert not assert_same(cached, plain, credential).startswith("refused")
