"""The reference credentials: schema, subject model and safe-mode JSON-LD all accept them,
and each type's builder reproduces its sample from the plain request data."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tests.unit.certificates.support import (
    SLUGS,
    build,
    certificate_type,
    request_data,
    sample,
    string_leaves,
)
from vcservice.certificates.schemas import validate_credential


def quad_values(core: Any, credential: dict[str, Any]) -> set[str]:
    quads = core.processor.to_quads(credential)
    return {term.value for quad in quads for term in (quad.subject, quad.object)}


@pytest.mark.parametrize("slug", SLUGS)
def test_sample_passes_its_schema(slug: str) -> None:
    assert validate_credential(sample(slug)) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_sample_subject_parses_under_the_subject_model(slug: str) -> None:
    credential = sample(slug)
    subject = certificate_type(slug).subject_model.model_validate(credential["credentialSubject"])
    assert subject.model_dump(mode="json", exclude_none=True) == credential["credentialSubject"]


@pytest.mark.shared
@pytest.mark.parametrize("slug", SLUGS)
def test_sample_expands_with_nothing_undefined_or_lost(slug: str, core: Any) -> None:
    credential = sample(slug)
    values = quad_values(core, credential)
    assert {value for _path, value in string_leaves(credential)} <= values


@pytest.mark.parametrize("slug", SLUGS)
def test_builder_reproduces_the_sample_from_its_request(slug: str) -> None:
    expected = sample(slug)
    kind = certificate_type(slug)
    request = kind.request_model.model_validate(request_data(expected))
    built = kind.build_credential(
        request,
        issuer_id=expected["issuer"]["id"],
        issuer_name=expected["issuer"]["name"],
        credential_id=expected["id"],
        valid_from=datetime.fromisoformat(expected["validFrom"]),
        valid_until=datetime.fromisoformat(expected["validUntil"]),
    )
    expected["credentialSchema"] = {"id": kind.schema_url, "type": "JsonSchema"}
    assert built == expected
    # The same key order too, so the issued JSON reads like the reference.
    assert json.dumps(built) == json.dumps(expected)


@pytest.mark.parametrize("slug", SLUGS)
def test_built_credential_passes_schema_and_subject_model(slug: str) -> None:
    built = build(certificate_type(slug), request_data(sample(slug)))
    assert validate_credential(built) == []
    certificate_type(slug).subject_model.model_validate(built["credentialSubject"])
    assert built["credentialSchema"]["id"].endswith(f"/schemas/{slug}-v1.json")


@pytest.mark.shared
@pytest.mark.parametrize("slug", SLUGS)
def test_built_credential_expands_with_nothing_lost(slug: str, core: Any) -> None:
    built = build(certificate_type(slug), request_data(sample(slug)))
    assert {value for _path, value in string_leaves(built)} <= quad_values(core, built)


@pytest.mark.parametrize("slug", SLUGS)
def test_request_model_documents_itself_for_openapi(slug: str) -> None:
    model = certificate_type(slug).request_model
    schema = model.model_json_schema()
    text = json.dumps(schema)
    assert '"null"' not in text  # optional members are omitted, never null
    assert schema["additionalProperties"] is False
    assert all(member.get("description") for member in schema["properties"].values())
    for example in schema["examples"]:
        model.model_validate(example)


@pytest.mark.parametrize(
    ("slug", "identifiers"),
    [
        ("immex", ("EEB030821R49", "4521-2007")),
        ("oea", ("AFN981002HT9", "OEA-ATT-2019-0456")),
        ("ctpat", ("F7K2Q9M1", "48317", "078412559", "GFTJ")),
    ],
)
def test_subject_identifiers(slug: str, identifiers: tuple[str, ...]) -> None:
    assert certificate_type(slug).subject_identifiers(sample(slug)) == identifiers


def test_subject_identifiers_include_the_importer_of_record_and_tolerate_junk() -> None:
    credential = sample("ctpat")
    credential["credentialSubject"]["member"]["importerOfRecord"] = {
        "type": ["CBPImporterOfRecord"],
        "number": "74-1234567AB",
        "identifierType": "IRS",
    }
    assert "74-1234567AB" in certificate_type("ctpat").subject_identifiers(credential)
    assert certificate_type("ctpat").subject_identifiers({"credentialSubject": "junk"}) == ()
    assert certificate_type("immex").subject_identifiers({"credentialSubject": [{"rfc": 5}]}) == ()
