"""The reference credentials of every version: schema, subject model and safe-mode JSON-LD
all accept them, and each type's builder reproduces its sample from the plain request data."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from tests.unit.certificates.support import (
    KINDS,
    build,
    certificate_type,
    lost_values,
    request_data,
    sample,
)
from vcservice.certificates.schemas import validate_credential

COMPANY = ("did:web:ensambles-bravo.example", "EEB030821R49", "MXENSELE9850CIU", "812345670")
LEI = "5493001KJTIIGC8Y1R12"


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_sample_passes_its_schema(slug: str, version: str) -> None:
    assert validate_credential(sample(slug, version)) == []


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_sample_subject_parses_under_the_subject_model(slug: str, version: str) -> None:
    credential = sample(slug, version)
    kind = certificate_type(slug, version)
    subject = kind.subject_model.model_validate(credential["credentialSubject"])
    assert subject.model_dump(mode="json", exclude_none=True) == credential["credentialSubject"]


@pytest.mark.shared
@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_sample_expands_with_nothing_undefined_or_lost(slug: str, version: str, core: Any) -> None:
    assert lost_values(core, sample(slug, version)) == set()


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_builder_reproduces_the_sample_from_its_request(slug: str, version: str) -> None:
    expected = sample(slug, version)
    kind = certificate_type(slug, version)
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


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_built_credential_passes_schema_and_subject_model(slug: str, version: str) -> None:
    kind = certificate_type(slug, version)
    built = build(kind, request_data(sample(slug, version)))
    assert validate_credential(built) == []
    kind.subject_model.model_validate(built["credentialSubject"])
    assert built["credentialSchema"]["id"].endswith(f"/schemas/{slug}-{version}.json")


@pytest.mark.shared
@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_built_credential_expands_with_nothing_lost(slug: str, version: str, core: Any) -> None:
    built = build(certificate_type(slug, version), request_data(sample(slug, version)))
    assert lost_values(core, built) == set()


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_request_model_documents_itself_for_openapi(slug: str, version: str) -> None:
    model = certificate_type(slug, version).request_model
    schema = model.model_json_schema()
    text = json.dumps(schema)
    assert '"null"' not in text  # optional members are omitted, never null
    assert schema["additionalProperties"] is False
    assert all(member.get("description") for member in schema["properties"].values())
    for example in schema["examples"]:
        model.model_validate(example)


@pytest.mark.parametrize(
    ("slug", "version", "identifiers"),
    [
        ("immex", "v1", ("EEB030821R49", "4521-2007")),
        ("oea", "v1", ("AFN981002HT9", "OEA-ATT-2019-0456")),
        ("ctpat", "v1", ("F7K2Q9M1", "48317", "078412559", "GFTJ")),
        # Version 2: the company's keys first, from the same path in every type.
        ("immex", "v2", (*COMPANY, LEI, "4521-2007")),
        ("oea", "v2", (*COMPANY, LEI, "OEA-IE-2019-0456")),
        ("ctpat", "v2", (*COMPANY, LEI, "F7K2Q9M1", "48317")),
    ],
)
def test_subject_identifiers(slug: str, version: str, identifiers: tuple[str, ...]) -> None:
    kind = certificate_type(slug, version)
    assert kind.subject_identifiers(sample(slug, version)) == identifiers


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_subject_identifiers_include_the_importer_of_record_and_tolerate_junk(
    version: str,
) -> None:
    credential = sample("ctpat", version)
    credential["credentialSubject"]["member"]["importerOfRecord"] = {
        "type": ["CBPImporterOfRecord"],
        "number": "74-1234567AB",
        "identifierType": "IRS",
    }
    ctpat, immex = certificate_type("ctpat", version), certificate_type("immex", version)
    assert "74-1234567AB" in ctpat.subject_identifiers(credential)
    assert ctpat.subject_identifiers({"credentialSubject": "junk"}) == ()
    assert immex.subject_identifiers({"credentialSubject": [{"rfc": 5, "member": 5}]}) == ()
