"""The W3C RDFC-1.0 test suite (../shared/upstream/rdfc10), run against both engines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import UPSTREAM_DIR, upstream_path
from vcservice.errors import CanonicalizationError
from vcservice.rdf import (
    Canonicalizer,
    OxigraphCanonicalizer,
    Quad,
    Rdfc10Canonicalizer,
    Term,
    canonical_labels,
    nquad_line,
    parse_nquads,
)

pytestmark = pytest.mark.shared

ENGINES: list[Canonicalizer] = [Rdfc10Canonicalizer(), OxigraphCanonicalizer()]


def _entries() -> list[Any]:
    manifest = UPSTREAM_DIR / "rdfc10" / "manifest.jsonld"
    if not manifest.exists():
        return [pytest.param(None, id="suite-unavailable")]
    entries = json.loads(manifest.read_text(encoding="utf-8"))["entries"]
    return [pytest.param(entry, id=entry["id"].lstrip("#")) for entry in entries]


def _read(suite: Path, name: str) -> str:
    return (suite / name).read_bytes().decode("utf-8")  # no newline translation


def _relabel(quad: Quad, labels: dict[str, str]) -> Quad:
    def relabel(term: Term) -> Term:
        return Term.blank(labels[term.value]) if term.kind == "blank" else term

    graph = None if quad.graph is None else relabel(quad.graph)
    return Quad(relabel(quad.subject), quad.predicate, relabel(quad.object), graph)


def _hash_algorithm(entry: dict[str, Any]) -> str:
    return {"SHA256": "sha256", "SHA384": "sha384"}[entry.get("hashAlgorithm", "SHA256")]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("engine", ENGINES, ids=lambda engine: engine.name)
@pytest.mark.parametrize("entry", _entries())
def test_rdfc10_suite(entry: dict[str, Any] | None, engine: Canonicalizer) -> None:
    suite = upstream_path("rdfc10")
    assert entry is not None
    quads = parse_nquads(_read(suite, entry["action"]))
    hash_algorithm = _hash_algorithm(entry)
    kind = entry["type"]
    if kind == "rdfc:RDFC10EvalTest":
        result = engine.canonicalize(quads, hash_algorithm=hash_algorithm)
        assert result.encode("utf-8") == (suite / entry["result"]).read_bytes()
    elif kind == "rdfc:RDFC10MapTest":
        expected = json.loads(_read(suite, entry["result"]))
        # The engine's document must be the input relabelled by the expected map.
        relabelled = "".join(sorted({nquad_line(_relabel(quad, expected)) for quad in quads}))
        assert engine.canonicalize(quads, hash_algorithm=hash_algorithm) == relabelled
        if isinstance(engine, Rdfc10Canonicalizer):
            assert canonical_labels(quads, hash_algorithm=hash_algorithm) == expected
    elif kind == "rdfc:RDFC10NegativeEvalTest":
        with pytest.raises(CanonicalizationError) as caught:
            engine.canonicalize(quads, hash_algorithm=hash_algorithm)
        assert caught.value.code == "CANONICALIZATION_LIMIT_EXCEEDED"
    else:
        pytest.fail(f"unknown test type {kind}")
