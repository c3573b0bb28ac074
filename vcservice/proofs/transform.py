"""The RDFC transformation shared by every Data Integrity suite: JSON-LD → canonical N-Quads.

What a proof signs is the hash of two canonical forms, the proof configuration's and the
document's, each a pure function of that JSON (the contexts are pinned by digest). At a
crossing the same certificate is verified again and again, and a presentation of it differs
from the last only in its proof configuration (a new challenge): so the hashes of the last
``hashes_kept`` JSON objects are kept under the SHA-256 of their exact JSON. An object that
differs in any member, value or order is read afresh, and a kept one passed the
compact-form rule and safe mode when it was first read. The signature over the hashes is
checked every time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from vcservice.jsonld.processor import SafeJsonLdProcessor
from vcservice.model.values import exact_json_digest
from vcservice.net import TtlCache
from vcservice.rdf.engine import Canonicalizer
from vcservice.rdf.model import Quad

HASHES_KEPT = 4096  # JSON objects (documents, proof configurations) whose hashes are kept
_KEPT_SECONDS = 24 * 3600.0  # a bound on memory's age, not on correctness


@dataclass(slots=True)
class Part:
    """One JSON object that passed the compact-form rule and safe mode: its hashes by
    algorithm (kept from an earlier read of the same JSON, or made when asked), and its
    RDF, made when first needed."""

    json: dict[str, Any]
    key: bytes
    hashes: dict[str, bytes] = field(default_factory=dict)
    quads: Sequence[Quad] | None = None
    kept_in: TtlCache[bytes, dict[str, bytes]] | None = None  # where its hashes are kept


@dataclass(frozen=True, slots=True)
class Transformed:
    """A document and its proof configuration, read."""

    proof_config: Part
    document: Part


class RdfCanonizer:
    """Canonizes JSON-LD documents: safe-mode expansion, then an RDFC-1.0 engine."""

    def __init__(
        self,
        processor: SafeJsonLdProcessor,
        engine: Canonicalizer,
        *,
        hashes_kept: int = HASHES_KEPT,
    ) -> None:
        self.processor = processor
        self.engine = engine
        self._hashes_kept = hashes_kept
        self.forget()

    def forget(self) -> None:
        """Drop the kept hashes: the pins changed, and a kept one may rest on a context
        that is gone. A read running meanwhile keeps its hashes in the dropped store."""
        self._hashes: TtlCache[bytes, dict[str, bytes]] | None = (
            TtlCache(max_entries=self._hashes_kept, max_ttl_seconds=_KEPT_SECONDS)
            if self._hashes_kept
            else None
        )

    def canonize(self, document: dict[str, Any], *, hash_algorithm: str) -> str:
        """Return the canonical N-Quads of ``document`` (``hash_algorithm`` drives RDFC-1.0)."""
        quads = self.processor.to_quads(document)
        return self.engine.canonicalize(quads, hash_algorithm=hash_algorithm)

    def transform(self, document: dict[str, Any], proof_config: dict[str, Any]) -> Transformed:
        """Both read as RDF (the compact-form rule and safe mode), no canonicalization yet
        (cheap); nothing to read for an object whose hashes are kept."""
        document_part = self._read(document)  # the document first: its refusal is named first
        return Transformed(proof_config=self._read(proof_config), document=document_part)

    def hash_transformed(self, transformed: Transformed, *, hash_algorithm: str) -> bytes:
        """The bytes a Data Integrity proof signs: H(canonical proof config) ‖ H(canonical doc)."""
        return b"".join(
            self._hash(part, hash_algorithm)
            for part in (transformed.proof_config, transformed.document)
        )

    def _read(self, json_object: dict[str, Any]) -> Part:
        key = exact_json_digest(json_object)
        store = self._hashes
        kept = None if store is None else store.get(key)
        if kept is not None:
            return Part(json_object, key, hashes=kept, kept_in=store)
        return Part(json_object, key, quads=self.processor.to_quads(json_object), kept_in=store)

    def _hash(self, part: Part, hash_algorithm: str) -> bytes:
        hashed = part.hashes.get(hash_algorithm)
        if hashed is not None:
            return hashed
        if part.quads is None:  # kept under another algorithm only
            part.quads = self.processor.to_quads(part.json)
        canonical = self.engine.canonicalize(part.quads, hash_algorithm=hash_algorithm)
        hashed = part.hashes[hash_algorithm] = _digest(canonical, hash_algorithm)
        if part.kept_in is not None:
            part.kept_in.put(part.key, part.hashes)
        return hashed

    def hash_data(
        self, document: dict[str, Any], proof_config: dict[str, Any], *, hash_algorithm: str
    ) -> bytes:
        """``transform`` then ``hash_transformed``."""
        transformed = self.transform(document, proof_config)
        return self.hash_transformed(transformed, hash_algorithm=hash_algorithm)


def _digest(text: str, hash_algorithm: str) -> bytes:
    return hashlib.new(hash_algorithm, text.encode("utf-8")).digest()
