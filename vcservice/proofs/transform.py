"""The RDFC transformation shared by every Data Integrity suite: JSON-LD → canonical N-Quads."""

from __future__ import annotations

import hashlib
from typing import Any

from vcservice.jsonld.processor import SafeJsonLdProcessor
from vcservice.rdf.engine import Canonicalizer


class RdfCanonizer:
    """Canonizes JSON-LD documents: safe-mode expansion, then an RDFC-1.0 engine."""

    def __init__(self, processor: SafeJsonLdProcessor, engine: Canonicalizer) -> None:
        self.processor = processor
        self.engine = engine

    def canonize(self, document: dict[str, Any], *, hash_algorithm: str) -> str:
        """Return the canonical N-Quads of ``document`` (``hash_algorithm`` drives RDFC-1.0)."""
        quads = self.processor.to_quads(document)
        return self.engine.canonicalize(quads, hash_algorithm=hash_algorithm)

    def hash_data(
        self, document: dict[str, Any], proof_config: dict[str, Any], *, hash_algorithm: str
    ) -> bytes:
        """The bytes a Data Integrity proof signs: H(canonical proof config) ‖ H(canonical doc)."""
        proof_hash = _digest(
            self.canonize(proof_config, hash_algorithm=hash_algorithm), hash_algorithm
        )
        doc_hash = _digest(self.canonize(document, hash_algorithm=hash_algorithm), hash_algorithm)
        return proof_hash + doc_hash


def _digest(text: str, hash_algorithm: str) -> bytes:
    return hashlib.new(hash_algorithm, text.encode("utf-8")).digest()
