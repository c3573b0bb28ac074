"""Helpers for the certificate tests: samples, request data, building, both versions.

Tests that hold for every version are parametrized over ``KINDS`` (slug and version);
``certificate_type``, ``sample`` and ``REQUESTS`` default to the issued version (v2).
The hypothesis strategies are in ``strategies`` (shared), ``strategies_v1`` and
``strategies_v2``, written by hand from the rules.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from hypothesis import strategies as st

from tests.unit.certificates import strategies_v1, strategies_v2
from tests.unit.certificates.strategies import (
    VALID_FROM,
    VALID_UNTIL,
    check_digit,
    rfcs,
)
from vcservice.certificates import ALL_VERSIONS, CERTIFICATE_TYPES, CURRENT_VERSION, by_slug
from vcservice.certificates.base import CertificateType
from vcservice.certificates.models import model_problems
from vcservice.certificates.samples import SAMPLE_NAMES, VERSIONS, sample_certificate, without_types
from vcservice.errors import Problem

__all__ = [
    "KINDS",
    "PROOF",
    "REQUESTS",
    "SLUGS",
    "STATUS",
    "VALID_FROM",
    "VALID_UNTIL",
    "VERSIONS",
    "build",
    "certificate_type",
    "check_digit",
    "fields",
    "request_data",
    "requests",
    "rfcs",
    "sample",
    "string_leaves",
    "subject_problems",
]

SLUGS = tuple(SAMPLE_NAMES)
KINDS = [
    pytest.param(slug, version, id=f"{slug}-{version}") for version in VERSIONS for slug in SLUGS
]
"""``(slug, version)`` of every certificate type, for ``parametrize("slug, version", KINDS)``."""
# A status entry and a proof as credentials carry them (the schemas allow both).
STATUS = {
    "id": "https://sat.example/status/3#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://sat.example/status/3",
}
PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2026-06-01T00:00:00Z",
    "verificationMethod": "did:web:sat.example#key-1",
    "proofPurpose": "assertionMethod",
    "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PG",
}
ISSUER = {
    "immex": "did:web:economia.example",
    "ctpat": "did:web:cbp.example",
    "oea": "did:web:sat.example",
}
REQUESTS = strategies_v2.REQUESTS
"""Request data of the issued version, by slug."""
_REQUESTS = {"v1": strategies_v1.REQUESTS, "v2": strategies_v2.REQUESTS}
COMPUTED = ("annualReportDueDate",)
"""Subject members the builder computes, which a request does not give."""


def requests(slug: str, version: str = CURRENT_VERSION) -> st.SearchStrategy[dict[str, Any]]:
    """Valid request data for the type ``slug`` in ``version``."""
    return _REQUESTS[version][slug]


# ---------------------------------------------------------------- requests and credentials


def request_data(credential: dict[str, Any]) -> dict[str, Any]:
    """The request an authority would submit for ``credential``.

    A version 1 subject is the company (its ``id`` is the request's ``subjectId``); a
    version 2 subject holds the company in ``member`` and has members the builder computes.
    """
    subject = without_types(copy.deepcopy(credential["credentialSubject"]))
    if "id" in subject:
        return {"subjectId": subject.pop("id"), **subject}
    return {key: value for key, value in subject.items() if key not in COMPUTED}


def build(
    certificate_type: CertificateType,
    data: dict[str, Any],
    *,
    valid_from: datetime = VALID_FROM,
    valid_until: datetime = VALID_UNTIL,
) -> dict[str, Any]:
    """The credential built from request ``data`` with fixed envelope values."""
    request = certificate_type.request_model.model_validate(data)
    return certificate_type.build_credential(
        request,
        issuer_id=ISSUER[certificate_type.slug],
        issuer_name="Autoridad de prueba",
        credential_id="urn:uuid:0b7f6c2e-5d1a-4c39-9a57-3f1e2d4c5b6a",
        valid_from=valid_from,
        valid_until=valid_until,
    )


def subject_problems(certificate_type: CertificateType, credential: Any) -> list[Problem]:
    """The subject model's problems with ``credential``'s subject, as credential paths."""
    return model_problems(
        certificate_type.subject_model,
        credential.get("credentialSubject"),
        prefix=("credentialSubject",),
    )


def fields(problems: list[Problem]) -> set[str | None]:
    return {problem.field for problem in problems}


def string_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every string in ``value`` that is data (not ``@context`` or a ``type`` entry)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("@context", "type"):
                yield from string_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from string_leaves(item, (*path, index))
    elif isinstance(value, str):
        yield path, value


VOCABULARY = "https://w3id.org/vcservice/trade-certificates#"


def lost_values(core: Any, credential: dict[str, Any]) -> set[str]:
    """The data strings of ``credential`` in none of its quads, as themselves or, for a
    coded value (``@type: @vocab``), as its IRI in the project vocabulary."""
    quads = core.processor.to_quads(copy.deepcopy(credential))
    values = {term.value for quad in quads for term in (quad.subject, quad.object)}
    return {
        leaf
        for _path, leaf in string_leaves(credential)
        if leaf not in values and VOCABULARY + leaf not in values
    }


def sample(slug: str, version: str = CURRENT_VERSION) -> dict[str, Any]:
    return sample_certificate(slug, version)


def certificate_type(slug: str, version: str = CURRENT_VERSION) -> CertificateType:
    return by_slug(slug, version)


assert set(SLUGS) == {ct.slug for ct in CERTIFICATE_TYPES.values()}
assert {(ct.slug, ct.version) for ct in ALL_VERSIONS} == {(s, v) for s in SLUGS for v in VERSIONS}
