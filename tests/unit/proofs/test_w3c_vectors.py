"""The W3C Data Integrity test vectors reproduce exactly: N-Quads, hashes, signatures, proofs."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import upstream_path
from vcservice.keys import KeyFile, load_key_file
from vcservice.model.datetimes import parse_datetime
from vcservice.proofs.purposes import ProofPurpose
from vcservice.services.core import Core

pytestmark = pytest.mark.shared
NOW = datetime.fromisoformat("2026-11-28T00:00:00+00:00")


@dataclass(frozen=True)
class Vector:
    """One vector set: a suite folder (or its ``employ/`` subfolder) and how to read it."""

    folder: str
    employ: bool
    suffix: str
    key_file: str
    cryptosuite: str
    hash_algorithm: str

    @property
    def id(self) -> str:
        return f"{self.folder}{'-employ' if self.employ else ''}"

    def path(self, stem: str, extension: str) -> Path:
        parts = [self.folder, "employ"] if self.employ else [self.folder]
        return upstream_path("vectors", *parts, f"{stem}{self.suffix}.{extension}")

    def text(self, stem: str, extension: str = "txt") -> str:
        return self.path(stem, extension).read_text(encoding="utf-8")

    def json(self, stem: str) -> Any:
        return json.loads(self.text(stem, "json"))

    def unsigned(self) -> Any:
        name = "employmentAuth.json" if self.employ else "unsigned.json"
        return json.loads(upstream_path("vectors", "common", name).read_text(encoding="utf-8"))

    def key(self) -> KeyFile:
        return load_key_file(upstream_path("vectors", self.folder, self.key_file))


SUITES = [
    ("eddsa-rdfc-2022", "DataInt", "keyPair.json", "eddsa-rdfc-2022", "sha256"),
    ("ecdsa-rdfc-2019-p256", "ECDSAP256", "p256KeyPair.json", "ecdsa-rdfc-2019", "sha256"),
    ("ecdsa-rdfc-2019-p384", "ECDSAP384", "p384KeyPair.json", "ecdsa-rdfc-2019", "sha384"),
]
VECTORS = [
    Vector(folder, employ, suffix, key, suite, algorithm)
    for folder, suffix, key, suite, algorithm in SUITES
    for employ in (False, True)
]


@pytest.fixture(params=VECTORS, ids=lambda vector: vector.id)
def vector(request: pytest.FixtureRequest) -> Vector:
    return request.param  # type: ignore[no-any-return]


def test_canonical_document_and_proof_config(core: Core, vector: Vector) -> None:
    canonize = core.canonizer.canonize
    canonical_doc = canonize(vector.unsigned(), hash_algorithm=vector.hash_algorithm)
    canonical_proof = canonize(vector.json("proofConfig"), hash_algorithm=vector.hash_algorithm)
    assert canonical_doc == vector.text("canonDoc", "nq")
    assert canonical_proof == vector.text("proofCanon", "nq")


def test_hashes_and_combined_hash(core: Core, vector: Vector) -> None:
    combined = core.canonizer.hash_data(
        vector.unsigned(), vector.json("proofConfig"), hash_algorithm=vector.hash_algorithm
    )
    size = hashlib.new(vector.hash_algorithm).digest_size
    assert combined[:size].hex() == vector.text("proofHash").strip()
    assert combined[size:].hex() == vector.text("docHash").strip()
    assert combined.hex() == vector.text("combinedHash").strip()


def test_signing_reproduces_the_signed_credential(core: Core, vector: Vector) -> None:
    config = vector.json("proofConfig")
    secured = core.data_integrity.add_proof(
        vector.unsigned(),
        signer=vector.key().signer(),
        cryptosuite=vector.cryptosuite,
        created=parse_datetime(config["created"], field="created"),
    )
    assert secured["proof"]["proofValue"] == vector.text("sigBTC58").strip()
    assert secured == vector.json("signed")


def test_signed_vector_verifies(core: Core, vector: Vector) -> None:
    results = core.data_integrity.verify(vector.json("signed"), purpose=ProofPurpose(), now=NOW)
    assert [result.problems for result in results] == [()]
    assert results[0].controller == vector.key().verification_method.split("#")[0]


def test_tampered_signed_vector_fails(core: Core, vector: Vector) -> None:
    signed = vector.json("signed")
    signed["validFrom"] = "2019-12-03T00:00:01Z"
    results = core.data_integrity.verify(signed, purpose=ProofPurpose(), now=NOW)
    assert [p.code for p in results[0].problems] == ["PROOF_VERIFICATION_ERROR"]
