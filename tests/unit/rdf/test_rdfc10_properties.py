"""Property tests: RDFC-1.0 output depends on the dataset only, and both engines agree."""

from __future__ import annotations

import operator

from hypothesis import given, settings
from hypothesis import strategies as st

from vcservice.rdf import (
    OxigraphCanonicalizer,
    Quad,
    Rdfc10Canonicalizer,
    Term,
    nquad_line,
    parse_nquads,
)

BASE_IDS = [f"b{i}" for i in range(4)]
COPY_IDS = {base: f"c{i}" for i, base in enumerate(BASE_IDS)}
BLANK_IDS = BASE_IDS + list(COPY_IDS.values())
# Generous work limits: the doubled datasets below are symmetric, though never poison.
PYTHON = Rdfc10Canonicalizer(max_work=10**6)
OXIGRAPH = OxigraphCanonicalizer(max_work=10**6)


def _relabel(quad: Quad, names: dict[str, str]) -> Quad:
    def relabel(term: Term) -> Term:
        return Term.blank(names[term.value]) if term.kind == "blank" else term

    graph = None if quad.graph is None else relabel(quad.graph)
    return Quad(relabel(quad.subject), quad.predicate, relabel(quad.object), graph)


iris = st.sampled_from(["urn:ex:a", "urn:ex:b"]).map(Term.iri)
predicates = st.sampled_from(["urn:ex:p", "urn:ex:q"]).map(Term.iri)
literals = st.builds(
    Term.literal,
    st.sampled_from(["x", 'y"\n\x01']),
    st.sampled_from([None, "urn:ex:dt"]),
) | st.builds(Term.literal, st.just("z"), language=st.sampled_from(["en", "en-US"]))


def _quads(ids: list[str]) -> st.SearchStrategy[Quad]:
    blanks = st.sampled_from(ids).map(Term.blank)
    return st.builds(
        Quad, blanks | iris, predicates, blanks | iris | literals, st.none() | blanks | iris
    )


small_datasets = st.lists(_quads(BASE_IDS), min_size=1, max_size=8)
# A dataset plus a copy of it on fresh blank nodes: every blank node has a twin with the
# same first-degree hash, so Hash N-Degree Quads runs for all of them ...
doubled_datasets = small_datasets.map(
    lambda dataset: dataset + [_relabel(quad, COPY_IDS) for quad in dataset]
)
# ... and a few more quads break some symmetries further away, so that nodes sharing a
# first-degree hash get different N-degree hashes.
perturbed_datasets = st.builds(
    operator.add, doubled_datasets, st.lists(_quads(BLANK_IDS), min_size=1, max_size=3)
)
datasets = small_datasets | doubled_datasets | perturbed_datasets


@settings(max_examples=200, deadline=None)
@given(
    dataset=datasets,
    new_names=st.permutations([f"n{i}" for i in range(len(BLANK_IDS))]),
    data=st.data(),
)
def test_canonical_form_is_invariant_and_engines_agree(
    dataset: list[Quad], new_names: list[str], data: st.DataObject
) -> None:
    names = dict(zip(BLANK_IDS, new_names, strict=True))
    renamed = data.draw(st.permutations([_relabel(quad, names) for quad in dataset]))
    expected = PYTHON.canonicalize(dataset, hash_algorithm="sha256")
    assert PYTHON.canonicalize(renamed, hash_algorithm="sha256") == expected
    assert OXIGRAPH.canonicalize(dataset, hash_algorithm="sha256") == expected
    assert OXIGRAPH.canonicalize(renamed, hash_algorithm="sha256") == expected
    assert len(parse_nquads(expected)) == len(set(map(nquad_line, dataset)))


@settings(max_examples=100, deadline=None)
@given(dataset=datasets)
def test_engines_agree_with_sha384(dataset: list[Quad]) -> None:
    expected = PYTHON.canonicalize(dataset, hash_algorithm="sha384")
    assert OXIGRAPH.canonicalize(dataset, hash_algorithm="sha384") == expected
