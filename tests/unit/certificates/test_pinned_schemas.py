"""Schemas an operator pins: what may be pinned, and validation with resource integrity."""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import Any

import pytest
import rfc8785

from tests.partner_pins import SCHEMA, SCHEMA_BYTES, SCHEMA_SRI, SCHEMA_URL
from vcservice.certificates.pinned_schemas import (
    AddedSchemas,
    PinnedSchema,
    SchemaRefusedError,
    review_schema,
)
from vcservice.errors import VcError

BASE = "https://partner.example/schemas/base-v1.json"
BASE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": BASE,
    "$defs": {"weight": {"type": "string", "pattern": "^[0-9]+ kg$"}},
}
REFERRING = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_URL,
    "properties": {
        "credentialSubject": {"properties": {"weight": {"$ref": "base-v1.json#/$defs/weight"}}}
    },
}


def _refused(document: Any, pinned: dict[str, Any] | None = None) -> SchemaRefusedError:
    with pytest.raises(SchemaRefusedError) as refused:
        review_schema(SCHEMA_URL, document, pinned or {})
    assert refused.value.code == "SCHEMA_REFUSED"
    return refused.value


def test_a_schema_is_reviewed_with_the_schemas_it_refers_to() -> None:
    assert review_schema(SCHEMA_URL, SCHEMA, {}) == {
        "$id": SCHEMA_URL,
        "title": SCHEMA["title"],
        "refs": [],
    }
    assert review_schema(SCHEMA_URL, REFERRING, {BASE: BASE_SCHEMA})["refs"] == [BASE]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ([], "document"),
        ({**SCHEMA, "$schema": "http://json-schema.org/draft-07/schema#"}, "$schema"),
        ({**SCHEMA, "$id": "https://elsewhere.example/s.json"}, "$id"),
        ({**SCHEMA, "type": "shipment"}, "type"),
        (REFERRING, "$ref"),
    ],
    ids=["not an object", "draft-07", "another $id", "invalid", "unpinned $ref"],
)
def test_what_may_not_be_pinned_is_refused_naming_the_member(document: Any, field: str) -> None:
    assert _refused(document).field == field


def _schemas(*pinned: tuple[str, dict[str, Any], bytes]) -> AddedSchemas:
    held = {url: PinnedSchema(content, document) for url, document, content in pinned}

    def read(url: str) -> PinnedSchema:
        if url not in held:
            raise VcError(f"{url} is not pinned here", code="SCHEMA_NOT_INSTALLED")
        return held[url]

    return AddedSchemas(held, read, {})


def _credential(weight: str = "12 kg", **entry: Any) -> dict[str, Any]:
    return {
        "credentialSchema": {"id": SCHEMA_URL, "type": "JsonSchema", **entry},
        "credentialSubject": {"weight": weight},
    }


def _sri(algorithm: str, content: bytes) -> str:
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, content).digest()).decode()


def _multibase(algorithm: str, code: int, content: bytes) -> str:
    digest = hashlib.new(algorithm, content).digest()
    return "u" + base64.urlsafe_b64encode(bytes([code, len(digest)]) + digest).decode().rstrip("=")


def test_a_credential_naming_no_added_schema_cannot_be_told() -> None:
    schemas = _schemas((SCHEMA_URL, SCHEMA, SCHEMA_BYTES))
    assert schemas.problems({"credentialSubject": {}}) is None
    other = _credential()
    other["credentialSchema"]["type"] = "JsonSchemaCredential"
    assert schemas.problems(other) is None


def test_a_credential_is_validated_against_the_added_schema() -> None:
    schemas = _schemas((SCHEMA_URL, SCHEMA, SCHEMA_BYTES))
    assert schemas.problems(_credential()) == []
    [problem] = schemas.problems(_credential("heavy")) or []
    assert (problem.code, problem.field) == ("MALFORMED_VALUE_ERROR", "credentialSubject.weight")


def test_a_ref_resolves_to_the_pinned_schema_it_names() -> None:
    schemas = _schemas(
        (SCHEMA_URL, REFERRING, rfc8785.dumps(REFERRING)),
        (BASE, BASE_SCHEMA, rfc8785.dumps(BASE_SCHEMA)),
    )
    assert schemas.problems(_credential()) == []
    assert [p.field for p in schemas.problems(_credential("heavy")) or []] == [
        "credentialSubject.weight"
    ]


@pytest.mark.parametrize(
    "entry",
    [
        {"digestSRI": SCHEMA_SRI},
        {"digestSRI": f"sha256-AAAA {SCHEMA_SRI}"},  # the strongest algorithm decides
        {"digestSRI": _sri("sha256", rfc8785.dumps(SCHEMA))},
        {"digestMultibase": _multibase("sha256", 0x12, SCHEMA_BYTES)},
        {"digestMultibase": _multibase("sha3_512", 0x14, rfc8785.dumps(SCHEMA))},
    ],
    ids=["sri", "strongest sri", "sri of the canonical form", "multibase", "multibase sha3"],
)
def test_a_matching_digest_passes(entry: dict[str, str]) -> None:
    assert _schemas((SCHEMA_URL, SCHEMA, SCHEMA_BYTES)).problems(_credential(**entry)) == []


@pytest.mark.parametrize(
    "entry",
    [
        {"digestSRI": _sri("sha384", b"other")},
        {"digestSRI": "md5-AAAA"},
        {"digestMultibase": _multibase("sha256", 0x12, b"other")},
        {"digestMultibase": "z" + "1" * 40},
    ],
    ids=["other sri", "unknown algorithm", "other multibase", "base58 multibase"],
)
def test_a_digest_that_does_not_match_fails(entry: dict[str, str]) -> None:
    [member] = entry
    [problem] = _schemas((SCHEMA_URL, SCHEMA, SCHEMA_BYTES)).problems(_credential(**entry)) or []
    assert (problem.code, problem.field) == ("SCHEMA_DIGEST_MISMATCH", f"credentialSchema.{member}")


def test_a_schema_that_cannot_be_read_is_a_problem_not_an_error() -> None:
    credential = copy.deepcopy(_credential())
    credential["credentialSchema"] = [{"id": "https://x.example/a"}, credential["credentialSchema"]]

    def gone(url: str) -> PinnedSchema:
        raise VcError(f"{url} was altered", code="SCHEMA_NOT_INSTALLED")

    schemas = AddedSchemas({SCHEMA_URL}, gone, {})
    [problem] = schemas.problems(credential) or []
    assert (problem.code, problem.field) == ("SCHEMA_NOT_INSTALLED", "credentialSchema[1]")


def test_a_relative_ref_without_id_resolves_against_the_pinned_url_as_in_the_review() -> None:
    base = {key: value for key, value in BASE_SCHEMA.items() if key != "$id"}
    referring = {key: value for key, value in REFERRING.items() if key != "$id"}
    assert review_schema(BASE, base, {})["refs"] == []
    assert review_schema(SCHEMA_URL, referring, {BASE: base})["refs"] == [BASE]
    schemas = _schemas(
        (SCHEMA_URL, referring, rfc8785.dumps(referring)), (BASE, base, rfc8785.dumps(base))
    )
    assert schemas.problems(_credential()) == []
    assert [(p.code, p.field) for p in schemas.problems(_credential("heavy")) or []] == [
        ("MALFORMED_VALUE_ERROR", "credentialSubject.weight")
    ]


def test_a_schema_nested_too_deeply_is_refused_not_a_crash() -> None:
    document: dict[str, Any] = {"type": "string"}
    for _ in range(2_000):
        document = {"properties": {"weight": document}}
    refused = _refused(document)
    assert (refused.field, refused.message) == ("document", "the schema nests too deeply to check")
