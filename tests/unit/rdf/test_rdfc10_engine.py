"""RDFC-1.0 beyond the W3C suite: work bounds, hash choice, and the engines' guard."""

from __future__ import annotations

import itertools
import time

import pytest

from vcservice.errors import CanonicalizationError
from vcservice.rdf import (
    CanonicalizationState,
    Canonicalizer,
    OxigraphCanonicalizer,
    Quad,
    Rdfc10Canonicalizer,
    Term,
    canonical_labels,
    canonicalize,
    parse_nquads,
)
from vcservice.rdf.rdfc10 import MAX_DEPTH, distinct_permutations

P = Term.iri("urn:ex:p")
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
ENGINES = [Rdfc10Canonicalizer(), OxigraphCanonicalizer()]
SYMMETRIC = parse_nquads(
    "_:x <urn:ex:p> _:y .\n_:y <urn:ex:p> _:z .\n_:z <urn:ex:p> _:x .\n"
    "_:u <urn:ex:p> _:v .\n_:v <urn:ex:p> _:w .\n_:w <urn:ex:p> _:u .\n"
)


def _clique(size: int) -> list[Quad]:
    nodes = [Term.blank(f"n{i}") for i in range(size)]
    return [Quad(a, P, b, None) for a in nodes for b in nodes]


def _identical_list(length: int) -> list[Quad]:
    """An rdf:List of ``length`` equal items: its inner nodes share a first-degree hash."""
    quads = [Quad(Term.iri("urn:ex:s"), P, Term.blank("l0"), None)]
    for i in range(length):
        rest = Term.blank(f"l{i + 1}") if i < length - 1 else Term.iri(RDF + "nil")
        quads.append(Quad(Term.blank(f"l{i}"), Term.iri(RDF + "first"), Term.literal("a"), None))
        quads.append(Quad(Term.blank(f"l{i}"), Term.iri(RDF + "rest"), rest, None))
    return quads


@pytest.mark.timeout(30)
@pytest.mark.parametrize("engine", ENGINES, ids=lambda engine: engine.name)
def test_poison_clique_is_refused_quickly(engine: Canonicalizer) -> None:
    start = time.perf_counter()
    with pytest.raises(CanonicalizationError) as caught:
        engine.canonicalize(_clique(10), hash_algorithm="sha256")
    assert caught.value.code == "CANONICALIZATION_LIMIT_EXCEEDED"
    # Refused, not ground through: unbounded, this input takes minutes. The bound is
    # generous so that a loaded CI machine does not fail it (it takes ~1 s here).
    assert time.perf_counter() - start < 10


@pytest.mark.timeout(30)
def test_work_is_charged_by_size_so_large_poison_is_refused_quickly() -> None:
    # Twin pairs each linked in 3,000 blank graph names: every Hash N-Degree Quads
    # step hashes thousands of quads, which a per-step count alone would not see.
    quads = [
        Quad(Term.blank(x), P, Term.blank(f"{x}y"), Term.blank(f"{x}g{i}"))
        for x in ("a", "b")
        for i in range(3000)
    ]
    start = time.perf_counter()
    with pytest.raises(CanonicalizationError):
        canonicalize(quads)
    assert time.perf_counter() - start < 2


def test_work_limit_is_a_parameter() -> None:
    quads = _clique(4)
    assert canonicalize(quads).count("\n") == 16
    with pytest.raises(CanonicalizationError):
        canonicalize(quads, max_work=10)
    with pytest.raises(CanonicalizationError):
        Rdfc10Canonicalizer(max_work=10).canonicalize(quads, hash_algorithm="sha256")


def test_unique_first_degree_hashes_need_no_work() -> None:
    quads = parse_nquads('_:a <urn:ex:p> "1" .\n_:b <urn:ex:p> "2" .\n_:a <urn:ex:q> _:b .\n')
    assert sorted(canonical_labels(quads, max_work=0).values()) == ["c14n0", "c14n1"]


def test_recursion_depth_is_bounded() -> None:
    assert canonicalize(_identical_list(60)).count("\n") == 121
    with pytest.raises(CanonicalizationError, match="deeper"):
        canonicalize(_identical_list(MAX_DEPTH + 20), max_work=10**9)


def test_duplicates_are_removed_and_lines_sorted() -> None:
    quads = parse_nquads("<urn:ex:b> <urn:ex:p> _:x .\n<urn:ex:a> <urn:ex:p> _:y .\n" * 2)
    assert canonicalize(quads) == (
        "<urn:ex:a> <urn:ex:p> _:c14n1 .\n<urn:ex:b> <urn:ex:p> _:c14n0 .\n"
    )


@pytest.mark.parametrize(("hash_algorithm", "hex_length"), [("sha256", 64), ("sha384", 96)])
def test_hash_algorithm_is_used_inside_the_algorithm(hash_algorithm: str, hex_length: int) -> None:
    state = CanonicalizationState(SYMMETRIC, hash_algorithm=hash_algorithm)
    assert len(state.first_degree_hash("_:x")) == hex_length
    assert sorted(state.issue_canonical_labels().values()) == [f"c14n{i}" for i in range(6)]


def test_unknown_hash_algorithm_is_refused() -> None:
    with pytest.raises(ValueError, match="md5"):
        canonicalize(SYMMETRIC, hash_algorithm="md5")


def test_blank_graph_names_are_labelled() -> None:
    quads = parse_nquads("_:a <urn:ex:p> <urn:ex:o> _:g .\n_:b <urn:ex:p> <urn:ex:o> .\n")
    labels = canonical_labels(quads)
    assert sorted(labels) == ["a", "b", "g"]
    assert sorted(labels.values()) == ["c14n0", "c14n1", "c14n2"]


def test_oxigraph_engine_hands_unique_datasets_to_pyoxigraph(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    quads = parse_nquads('_:a <urn:ex:p> "1" .\n_:b <urn:ex:p> "2" _:a .\n')
    expected = canonicalize(quads)

    def refuse(self: CanonicalizationState) -> str:
        raise AssertionError("fell back to the Python engine")

    monkeypatch.setattr(CanonicalizationState, "serialize", refuse)
    assert OxigraphCanonicalizer().canonicalize(quads, hash_algorithm="sha256") == expected


@pytest.mark.parametrize(
    "text",
    [
        '_:a <urn:ex:p> "x"@en-US .\n',  # pyoxigraph lower-cases language tags
        "_:a <urn:ex:p> <urn:ex:o> .\n_:b <urn:ex:p> <urn:ex:o> .\n",  # shared hash
        "_:a <urn:ex:p> <http://[bad> .\n",  # an IRI pyoxigraph rejects
    ],
)
def test_oxigraph_engine_falls_back_where_pyoxigraph_cannot_be_trusted(text: str) -> None:
    quads = parse_nquads(text)
    result = OxigraphCanonicalizer().canonicalize(quads, hash_algorithm="sha384")
    assert result == canonicalize(quads, hash_algorithm="sha384")


def _twin_graphs(members: int) -> list[Quad]:
    """Two blank graphs holding the same blank node, described by ``members`` quads: as
    two certificates of one company carry the same site (§4.8 lists the graph name once
    per quad, so each N-degree step sees ``members`` equal entries)."""
    quads = []
    for graph in ("g1", "g2"):
        name = Term.blank(graph)
        quads.append(Quad(Term.iri("urn:ex:presentation"), P, name, None))
        quads.append(Quad(Term.iri("urn:ex:company"), P, Term.blank(f"{graph}site"), name))
        quads.extend(
            Quad(Term.blank(f"{graph}site"), Term.iri(f"urn:ex:m{i}"), Term.literal(str(i)), name)
            for i in range(members)
        )
        quads.append(Quad(name, P, Term.literal(graph), None))  # the graphs differ
    return quads


def test_distinct_permutations_are_itertools_orderings_without_repeats() -> None:
    for items in ([], ["a"], ["a", "a"], ["b", "a", "b"], ["c", "a", "b", "a", "c"]):
        expected = list(dict.fromkeys(itertools.permutations(items)))
        assert list(distinct_permutations(items)) == expected


@pytest.mark.parametrize("engine", ENGINES, ids=lambda engine: engine.name)
def test_repeated_entries_cost_one_ordering_not_a_factorial(engine: Canonicalizer) -> None:
    # 12 equal entries: 12! orderings walked one by one would exhaust any budget.
    quads = _twin_graphs(12)
    canonical = engine.canonicalize(quads, hash_algorithm="sha256")
    assert canonical == canonicalize(quads, max_work=2_000)
    assert canonical.count("\n") == len(quads)
