"""Validate a certificate credential against its type's JSON Schema and rules; serve the schemas.

``validate_credential`` picks the schema from the credential's ``type`` and the version
its ``@context`` names, and returns problems (``MALFORMED_VALUE_ERROR``), each naming a
field as a path such as ``credentialSubject.member.location[0].address.postalCode``.  A
``proof`` and a ``credentialStatus`` (``BitstringStatusListEntry`` objects) may be
present.  ``schema_document`` returns a schema of either version for publishing at its
``$id``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from vcservice.certificates import CERTIFICATE_TYPES, CURRENT_VERSION, by_slug, type_of
from vcservice.certificates.base import VERSION_CONTEXTS
from vcservice.certificates.schema_files import SCHEMA_BASE_URL, SCHEMAS_DIR, load_schema
from vcservice.errors import Problem

__all__ = [
    "SCHEMAS_DIR",
    "SCHEMA_BASE_URL",
    "pinned_schema_problems",
    "schema_document",
    "validate_credential",
]


def validate_credential(credential: Any) -> list[Problem]:
    """Every way ``credential`` breaks its certificate type's schema and rules (empty if none)."""
    if not isinstance(credential, Mapping):
        return [Problem("MALFORMED_VALUE_ERROR", "a credential must be a JSON object", None)]
    certificate_type = type_of(credential)
    if certificate_type is not None:
        return certificate_type.problems(credential)
    types = credential.get("type")
    listed = types if isinstance(types, list) else [types]
    named = [name for name in listed if isinstance(name, str) and name in CERTIFICATE_TYPES]
    if len(named) == 1:
        versions = " or ".join(VERSION_CONTEXTS.values())
        detail = f"a {named[0]} names the version of its data: one context of {versions}"
        return [Problem("MALFORMED_VALUE_ERROR", detail, "@context")]
    names = ", ".join(CERTIFICATE_TYPES)
    detail = f"type must name exactly one certificate type ({names})"
    return [Problem("MALFORMED_VALUE_ERROR", detail, "type")]


def pinned_schema_problems(credential: Mapping[str, Any]) -> list[Problem] | None:
    """Problems against the pinned schemas ``credentialSchema`` names; None if none is ours.

    A named schema must be the one of the credential's certificate type; schemas that are
    not published by this project are not fetched (None: the verifier cannot tell).
    """
    declared = credential.get("credentialSchema")
    entries = declared if isinstance(declared, list) else [declared]
    ours = {
        entry.get("id")
        for entry in entries
        if isinstance(entry, Mapping) and str(entry.get("id", "")).startswith(SCHEMA_BASE_URL)
    }
    if not ours:
        return None
    certificate_type = type_of(credential)
    expected = certificate_type.schema_url if certificate_type is not None else None
    wrong = sorted(str(url) for url in ours if url != expected)
    if wrong:
        detail = f"credentialSchema {wrong[0]} is not the schema of the credential's type"
        return [Problem("MALFORMED_VALUE_ERROR", detail, "credentialSchema")]
    return validate_credential(credential)


def schema_document(slug: str, version: str = CURRENT_VERSION) -> dict[str, Any]:
    """A copy of the JSON Schema of the type ``slug`` in ``version`` (``KeyError`` if none)."""
    document = load_schema(by_slug(slug, version).schema_path).document
    return copy.deepcopy(dict(document))
