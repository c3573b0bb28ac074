"""The RDFC transformation shared by every Data Integrity suite: JSON-LD → canonical N-Quads."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from vcservice.jsonld.processor import SafeJsonLdProcessor
from vcservice.rdf.engine import Canonicalizer
from vcservice.rdf.model import Quad


@dataclass(frozen=True, slots=True)
class Transformed:
    """A document and its proof configuration as RDF, before canonicalization."""

    document: Sequence[Quad]
    proof_config: Sequence[Quad]


class RdfCanonizer:
    """Canonizes JSON-LD documents: safe-mode expansion, then an RDFC-1.0 engine."""

    def __init__(self, processor: SafeJsonLdProcessor, engine: Canonicalizer) -> None:
        self.processor = processor
        self.engine = engine

    def canonize(self, document: dict[str, Any], *, hash_algorithm: str) -> str:
        """Return the canonical N-Quads of ``document`` (``hash_algorithm`` drives RDFC-1.0)."""
        quads = self.processor.to_quads(document)
        return self.engine.canonicalize(quads, hash_algorithm=hash_algorithm)

    def transform(self, document: dict[str, Any], proof_config: dict[str, Any]) -> Transformed:
        """Both as RDF: the compact-form rule and safe mode, no canonicalization yet (cheap)."""
        return Transformed(
            document=self.processor.to_quads(document),
            proof_config=self.processor.to_quads(proof_config),
        )

    def hash_transformed(self, transformed: Transformed, *, hash_algorithm: str) -> bytes:
        """The bytes a Data Integrity proof signs: H(canonical proof config) ‖ H(canonical doc)."""
        return b"".join(
            _digest(self.engine.canonicalize(quads, hash_algorithm=hash_algorithm), hash_algorithm)
            for quads in (transformed.proof_config, transformed.document)
        )

    def hash_data(
        self, document: dict[str, Any], proof_config: dict[str, Any], *, hash_algorithm: str
    ) -> bytes:
        """``transform`` then ``hash_transformed``."""
        transformed = self.transform(document, proof_config)
        return self.hash_transformed(transformed, hash_algorithm=hash_algorithm)


def _digest(text: str, hash_algorithm: str) -> bytes:
    return hashlib.new(hash_algorithm, text.encode("utf-8")).digest()
