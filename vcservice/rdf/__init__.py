"""The RDF layer: an immutable quad model, N-Quads I/O and RDFC-1.0 canonicalization engines."""

from vcservice.rdf.engine import Canonicalizer, OxigraphCanonicalizer, Rdfc10Canonicalizer
from vcservice.rdf.model import (
    Quad,
    Term,
    from_pyld_dataset,
    nquad_line,
    parse_nquads,
    term_nquad,
)
from vcservice.rdf.rdfc10 import (
    DEFAULT_MAX_WORK,
    CanonicalizationState,
    IdentifierIssuer,
    canonical_labels,
    canonicalize,
)

__all__ = [
    "DEFAULT_MAX_WORK",
    "CanonicalizationState",
    "Canonicalizer",
    "IdentifierIssuer",
    "OxigraphCanonicalizer",
    "Quad",
    "Rdfc10Canonicalizer",
    "Term",
    "canonical_labels",
    "canonicalize",
    "from_pyld_dataset",
    "nquad_line",
    "parse_nquads",
    "term_nquad",
]
