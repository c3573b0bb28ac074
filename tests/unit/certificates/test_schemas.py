"""The JSON Schema documents: well-formed, published at their $id, in step with the code,
and tolerant of proofs and Bitstring Status List entries."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.unit.certificates.support import PROOF, SLUGS, STATUS, certificate_type, fields, sample
from vcservice.certificates import values
from vcservice.certificates.v1 import ctpat
from vcservice.certificates import rfc as rfc_module
from vcservice.certificates.v1.ctpat import ImporterOfRecordType, Tier, TradeSector
from vcservice.certificates.v1.immex import ImmexModality
from vcservice.certificates.v1.oea import OeaModality
from vcservice.certificates.places import (
    COUNTRY_CODES,
    MEXICAN_POSTAL_CODE_PATTERN,
    MEXICAN_STATES,
    POSTAL_CODE_PATTERN,
    REGION_PATTERN,
    US_POSTAL_CODE_PATTERN,
    US_STATES,
)
from vcservice.certificates.schema_files import SCHEMAS_DIR
from vcservice.certificates.schemas import schema_document, validate_credential


def document(slug: str) -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / f"{slug}-v1.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("slug", SLUGS)
def test_schema_is_draft_2020_12_at_its_published_url(slug: str) -> None:
    schema = document(slug)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == certificate_type(slug).schema_url
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("slug", SLUGS)
def test_sample_passes_the_plain_schema_with_any_validator(slug: str) -> None:
    """No vcservice extension is needed to read the published schema."""
    Draft202012Validator(document(slug)).validate(sample(slug))


def test_schema_directory_holds_exactly_the_registered_schemas() -> None:
    assert sorted(path.name for path in SCHEMAS_DIR.iterdir()) == sorted(
        f"{slug}-v1.json" for slug in SLUGS
    )


def test_schema_document_is_a_copy() -> None:
    first = schema_document("oea")
    first["$defs"].clear()
    assert schema_document("oea") == document("oea")
    with pytest.raises(KeyError):
        schema_document("aeo")


def test_definitions_with_the_same_name_are_identical_in_every_schema() -> None:
    seen: dict[str, tuple[str, Any]] = {}
    for slug in SLUGS:
        for name, definition in document(slug)["$defs"].items():
            if name in seen:
                assert definition == seen[name][1], f"$defs/{name}: {slug} != {seen[name][0]}"
            else:
                seen[name] = (slug, definition)


def walk(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_every_nested_object_requires_its_type_and_refuses_unknown_members() -> None:
    for slug in SLUGS:
        for node in walk(document(slug)["$defs"]):
            properties = node.get("properties", {})
            type_rule = properties.get("type")
            if isinstance(type_rule, dict) and isinstance(type_rule.get("const"), list):
                assert "type" in node["required"], (slug, node.get("description"))
                assert node["additionalProperties"] is False


def test_code_lists_and_patterns_match_the_python_ones() -> None:
    defs = {name: d for slug in SLUGS for name, d in document(slug)["$defs"].items()}
    assert set(defs["countryCode"]["enum"]) == COUNTRY_CODES
    assert len(COUNTRY_CODES) == 249
    assert defs["mexicanPostalAddress"]["properties"]["addressRegion"]["enum"] == list(
        MEXICAN_STATES
    )
    assert len(MEXICAN_STATES) == 32
    mx_rule, us_rule = defs["postalAddress"]["allOf"]
    assert mx_rule["then"]["properties"]["addressRegion"]["enum"] == list(MEXICAN_STATES)
    assert set(us_rule["then"]["properties"]["addressRegion"]["enum"]) == US_STATES
    assert mx_rule["then"]["properties"]["postalCode"]["pattern"] == MEXICAN_POSTAL_CODE_PATTERN
    assert us_rule["then"]["properties"]["postalCode"]["pattern"] == US_POSTAL_CODE_PATTERN
    address = defs["postalAddress"]["properties"]
    assert address["addressRegion"]["pattern"] == REGION_PATTERN
    assert address["postalCode"]["pattern"] == POSTAL_CODE_PATTERN
    assert defs["text"]["pattern"] == values.TEXT_PATTERN
    assert defs["text"]["maxLength"] == values.TEXT_MAX_LENGTH
    assert defs["did"]["pattern"] == values.DID_PATTERN
    assert defs["iri"]["pattern"] == values.IRI_PATTERN
    assert defs["isoDate"]["pattern"] == values.ISO_DATE_PATTERN
    assert defs["dateTime"]["pattern"] == values.DATE_TIME_PATTERN
    assert defs["registrationNumber"]["pattern"] == values.REGISTRATION_NUMBER_PATTERN
    assert defs["rfc"]["pattern"] == rfc_module.RFC_PATTERN
    assert defs["companyRfc"]["pattern"] == rfc_module.COMPANY_RFC_PATTERN
    subject = {
        "immex": defs["IMMEXAuthorization"]["properties"],
        "oea": defs["OEAAuthorization"]["properties"],
        "ctpat": defs["CTPAT"]["properties"],
    }
    assert subject["immex"]["modality"]["enum"] == [m.value for m in ImmexModality]
    assert subject["oea"]["modality"]["enum"] == [m.value for m in OeaModality]
    assert subject["ctpat"]["tradeSector"]["enum"] == [s.value for s in TradeSector]
    assert subject["ctpat"]["tier"]["enum"] == [t.value for t in Tier]
    assert defs["CBPImporterOfRecord"]["properties"]["identifierType"]["enum"] == [
        t.value for t in ImporterOfRecordType
    ]
    member = defs["CTPATMember"]["properties"]
    assert member["scac"]["pattern"] == ctpat.SCAC_PATTERN
    assert member["iataCarrierCode"]["pattern"] == ctpat.IATA_CARRIER_CODE_PATTERN
    assert member["duns"]["pattern"] == ctpat.DUNS_PATTERN
    assert subject["ctpat"]["sviNumber"]["pattern"] == ctpat.SVI_NUMBER_PATTERN
    assert subject["ctpat"]["ctpatAccountNumber"]["pattern"] == ctpat.ACCOUNT_NUMBER_PATTERN


def test_the_13_ctpat_trade_sectors_and_3_tiers_are_the_traceability_ones() -> None:
    from tests.conftest import upstream_path

    path = upstream_path("traceability", "bundled", "CTPATCertificate.schema.json")
    upstream = json.loads(path.read_text(encoding="utf-8"))
    subject = upstream["properties"]["credentialSubject"]["properties"]
    assert [s.value for s in TradeSector] == subject["tradeSector"]["enum"]
    assert [t.value for t in Tier] == subject["tier"]["enum"]
    assert len(TradeSector) == 13


# ---------------------------------------------------------------- proof and credentialStatus


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize(
    "extra",
    [
        {"proof": PROOF},
        {"proof": [PROOF, PROOF]},
        {"credentialStatus": STATUS},
        {"credentialStatus": [STATUS, {**STATUS, "statusPurpose": "suspension"}]},
        {"credentialStatus": {k: v for k, v in STATUS.items() if k != "id"}},
    ],
)
def test_proof_and_status_entries_are_tolerated(slug: str, extra: dict[str, Any]) -> None:
    credential = sample(slug) | copy.deepcopy(extra)
    assert validate_credential(credential) == []


@pytest.mark.parametrize(
    ("status", "field"),
    [
        ({**STATUS, "type": "StatusList2021Entry"}, "credentialStatus.type"),
        ({**STATUS, "statusListIndex": 94567}, "credentialStatus.statusListIndex"),
        ({**STATUS, "statusListIndex": "007"}, "credentialStatus.statusListIndex"),
        ({**STATUS, "statusPurpose": "revoked"}, "credentialStatus.statusPurpose"),
        ({**STATUS, "statusListCredential": "not a url"}, "credentialStatus.statusListCredential"),
        ({**STATUS, "revocationListIndex": "1"}, "credentialStatus.revocationListIndex"),
        ([{**STATUS, "type": "RevocationList2020Status"}], "credentialStatus[0].type"),
        ({k: v for k, v in STATUS.items() if k != "statusListIndex"},
         "credentialStatus.statusListIndex"),
        ([], "credentialStatus"),
        ("https://sat.example/status/3#1", "credentialStatus"),
    ],
)  # fmt: skip
def test_malformed_status_entries_are_refused(status: Any, field: str) -> None:
    credential = sample("immex") | {"credentialStatus": status}
    assert fields(validate_credential(credential)) == {field}


@pytest.mark.parametrize("proof", [{"proofValue": "z1"}, [], "z1", [{"type": "X"}, 5]])
def test_a_proof_must_be_objects_with_a_type(proof: Any) -> None:
    assert validate_credential(sample("oea") | {"proof": proof})


# ---------------------------------------------------------------- the envelope


def mutated(slug: str, **members: Any) -> dict[str, Any]:
    credential = sample(slug)
    for key, value in members.items():
        if value is None:
            del credential[key.replace("_at_", "@")]
        else:
            credential[key.replace("_at_", "@")] = value
    return credential


@pytest.mark.parametrize(
    ("members", "field"),
    [
        ({"_at_context": ["https://www.w3.org/ns/credentials/v2"]}, "@context"),
        ({"_at_context": ["https://www.w3.org/ns/credentials/v2",
                          "https://w3id.org/traceability/v1"]}, "@context[1]"),
        ({"_at_context": ["https://www.w3.org/2018/credentials/v1",
                          "https://w3id.org/vcservice/trade-certificates/v1"]}, "@context[0]"),
        ({"id": None}, "id"),
        ({"id": "56fed605-b68d-4fbd-b368-02a44d0e7421"}, "id"),
        ({"type": ["VerifiableCredential", "IMMEXCertificate", "IMMEXCertificate"]}, "type"),
        ({"issuer": "did:web:economia.example"}, "issuer"),
        ({"issuer": {"id": "did:web:economia.example"}}, "issuer.name"),
        ({"issuer": {"id": "https://economia.example", "name": "SE"}}, "issuer.id"),
        ({"validFrom": None}, "validFrom"),
        ({"validUntil": "2027-05-31"}, "validUntil"),
        ({"validFrom": "2026-06-01T00:00:00"}, "validFrom"),
        ({"validFrom": "2026-02-30T00:00:00Z"}, "validFrom"),
        ({"validUntil": "2026-06-01T00:00:00Z"}, "validUntil"),
        ({"validUntil": "2025-06-01T00:00:00-06:00"}, "validUntil"),
        ({"credentialSchema": {"id": "https://example.org/other.json", "type": "JsonSchema"}},
         "credentialSchema.id"),
        ({"credentialSchema": {"id": "https://w3id.org/vcservice/trade-certificates/schemas/"
                                     "immex-v1.json", "type": "JsonSchemaCredential"}},
         "credentialSchema.type"),
        ({"evidence": [{"type": ["Evidence"]}]}, "evidence"),
        ({"name": "Constancia\nIMMEX"}, "name"),
        ({"credentialSubject": [sample("immex")["credentialSubject"]]}, "credentialSubject"),
    ],
)  # fmt: skip
def test_envelope_problems_name_their_field(members: dict[str, Any], field: str) -> None:
    assert fields(validate_credential(mutated("immex", **members))) == {field}


def test_extra_pinned_contexts_may_follow_ours() -> None:
    credential = sample("ctpat")
    credential["@context"].append("https://w3id.org/security/data-integrity/v2")
    assert validate_credential(credential) == []


def test_validity_dates_may_use_any_offset_and_fractions() -> None:
    credential = mutated(
        "oea", validFrom="2026-05-03T18:00:00.123456789-06:00", validUntil="2027-04-21T23:59:59Z"
    )
    assert validate_credential(credential) == []


@pytest.mark.parametrize("document_", [[], "credential", 5, None])
def test_only_a_json_object_is_a_credential(document_: Any) -> None:
    assert fields(validate_credential(document_)) == {None}


@pytest.mark.parametrize(
    "types", [["VerifiableCredential"], ["VerifiableCredential", "USMCACertificationOfOrigin"]]
)
def test_a_credential_of_no_known_certificate_type_is_refused(types: list[str]) -> None:
    problems = validate_credential(mutated("immex", type=types))
    assert fields(problems) == {"type"}
    assert "IMMEXCertificate" in problems[0].detail
    assert {problem.code for problem in problems} == {"MALFORMED_VALUE_ERROR"}
