"""Swappable RDFC-1.0 engines: the bounded pure-Python one and a guarded pyoxigraph one."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import pyoxigraph as ox

from vcservice.rdf.model import Quad, Term, nquad_line
from vcservice.rdf.rdfc10 import DEFAULT_MAX_WORK, CanonicalizationState

_OXIGRAPH_ALGORITHMS = {
    "sha256": ox.CanonicalizationAlgorithm.RDFC_1_0,
    "sha384": ox.CanonicalizationAlgorithm.RDFC_1_0_SHA_384,
}


class Canonicalizer(Protocol):
    """An RDFC-1.0 implementation: quads in, canonical N-Quads document out."""

    name: str

    def canonicalize(self, quads: Sequence[Quad], *, hash_algorithm: str) -> str:
        """Return the canonical N-Quads of ``quads``; ``hash_algorithm`` is sha256 or sha384."""
        ...


class Rdfc10Canonicalizer:
    """The pure-Python engine of ``vcservice.rdf.rdfc10``, bounded by ``max_work``."""

    name: str = "rdfc10"

    def __init__(self, *, max_work: int = DEFAULT_MAX_WORK) -> None:
        self.max_work = max_work

    def canonicalize(self, quads: Sequence[Quad], *, hash_algorithm: str = "sha256") -> str:
        """Return the canonical N-Quads of ``quads``; raises ``CanonicalizationError``."""
        state = CanonicalizationState(quads, hash_algorithm=hash_algorithm, max_work=self.max_work)
        return state.serialize()


class OxigraphCanonicalizer:
    """pyoxigraph's RDFC-1.0, used only where it cannot run unbounded.

    pyoxigraph has no work limit, so it only gets datasets in which every blank node
    has a unique first-degree hash (no Hash N-Degree Quads step can run) and whose
    terms it represents unchanged; anything else goes to the bounded Python engine,
    reusing the first-degree hashes already computed for the check.
    """

    name: str = "oxigraph"

    def __init__(self, *, max_work: int = DEFAULT_MAX_WORK) -> None:
        self.max_work = max_work

    def canonicalize(self, quads: Sequence[Quad], *, hash_algorithm: str = "sha256") -> str:
        """Return the canonical N-Quads of ``quads``; raises ``CanonicalizationError``."""
        state = CanonicalizationState(quads, hash_algorithm=hash_algorithm, max_work=self.max_work)
        if not state.first_degree_unique():
            return state.serialize()
        try:
            dataset = ox.Dataset([_to_oxigraph(quad) for quad in quads])
        except (ValueError, TypeError):  # a term pyoxigraph rejects, or would alter
            return state.serialize()
        dataset.canonicalize(_OXIGRAPH_ALGORITHMS[hash_algorithm])
        return "".join(sorted({nquad_line(_from_oxigraph(quad)) for quad in dataset}))


# Predicates, types and canonical blank labels recur across credentials; the caches are
# bounded because literals mostly do not.
@lru_cache(maxsize=4096)
def _to_oxigraph_term(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if term.kind == "iri":
        return ox.NamedNode(term.value)
    if term.kind == "blank":
        return ox.BlankNode(term.value)
    if term.language is not None:
        if term.language != term.language.lower():
            raise ValueError("pyoxigraph would lower-case this language tag")
        return ox.Literal(term.value, language=term.language)
    if term.datatype is not None:
        return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype))
    return ox.Literal(term.value)


def _to_oxigraph(quad: Quad) -> ox.Quad:
    """Convert a quad; ``ValueError``/``TypeError`` if pyoxigraph would reject or alter it."""
    subject, predicate, obj = map(_to_oxigraph_term, quad[:3])
    if quad.graph is None:
        return ox.Quad(subject, predicate, obj)  # type: ignore[arg-type]
    return ox.Quad(subject, predicate, obj, _to_oxigraph_term(quad.graph))  # type: ignore[arg-type]


@lru_cache(maxsize=4096)
def _from_oxigraph_term(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return Term.iri(term.value)
    if isinstance(term, ox.BlankNode):
        return Term.blank(term.value)
    if isinstance(term, ox.Literal):
        return Term.literal(term.value, term.datatype.value, term.language)
    raise TypeError(f"unexpected pyoxigraph term {term!r}")


def _from_oxigraph(quad: ox.Quad) -> Quad:
    graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name
    return Quad(
        _from_oxigraph_term(quad.subject),
        _from_oxigraph_term(quad.predicate),
        _from_oxigraph_term(quad.object),
        None if graph is None else _from_oxigraph_term(graph),
    )
