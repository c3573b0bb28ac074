"""The JSON Schema documents of every version: well-formed, published at their $id, in step
with the code, and tolerant of proofs and Bitstring Status List entries.  Version 2's code
lists and conditional rules are in ``test_schemas_v2``."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.unit.certificates.support import (
    KINDS,
    PROOF,
    SLUGS,
    STATUS,
    VERSIONS,
    certificate_type,
    fields,
    sample,
)
from vcservice.certificates import rfc as rfc_module
from vcservice.certificates import type_of, values
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
from vcservice.certificates.v1 import ctpat
from vcservice.certificates.v1.ctpat import ImporterOfRecordType, Tier, TradeSector
from vcservice.certificates.v1.immex import ImmexModality
from vcservice.certificates.v1.oea import OeaModality
from vcservice.trust.list_schema import SCHEMA_FILE

TRUST_LIST = SCHEMA_FILE.name


def document(slug: str, version: str = "v1") -> dict[str, Any]:
    return json.loads((SCHEMAS_DIR / f"{slug}-{version}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_schema_is_draft_2020_12_at_its_published_url(slug: str, version: str) -> None:
    schema = document(slug, version)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == certificate_type(slug, version).schema_url
    assert schema["additionalProperties"] is False
    assert schema["properties"]["credentialSchema"]["properties"]["id"]["const"] == schema["$id"]
    context = schema["properties"]["@context"]["prefixItems"]
    assert [item["const"] for item in context] == list(certificate_type(slug, version).contexts)


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_sample_passes_the_plain_schema_with_any_validator(slug: str, version: str) -> None:
    """No vcservice extension is needed to read the published schema."""
    Draft202012Validator(document(slug, version)).validate(sample(slug, version))


def test_schema_directory_holds_exactly_the_registered_schemas() -> None:
    """Each certificate type's in each version, and the trust lists' (``vcservice.trust``)."""
    assert sorted(path.name for path in SCHEMAS_DIR.iterdir()) == sorted(
        [*(f"{slug}-{version}.json" for slug in SLUGS for version in VERSIONS), TRUST_LIST]
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_schema_document_is_a_copy(version: str) -> None:
    first = schema_document("oea", version)
    first["$defs"].clear()
    assert schema_document("oea", version) == document("oea", version)
    assert schema_document("oea") == document("oea", "v2")  # the issued version by default
    with pytest.raises(KeyError):
        schema_document("aeo", version)


@pytest.mark.parametrize("version", VERSIONS)
def test_definitions_with_the_same_name_are_identical_in_every_schema(version: str) -> None:
    seen: dict[str, tuple[str, Any]] = {}
    for slug in SLUGS:
        for name, definition in document(slug, version)["$defs"].items():
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


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_every_nested_object_requires_its_type_and_refuses_unknown_members(
    slug: str, version: str
) -> None:
    for node in walk(document(slug, version)["$defs"]):
        properties = node.get("properties", {})
        type_rule = properties.get("type")
        if isinstance(type_rule, dict) and isinstance(type_rule.get("const"), list):
            assert "type" in node["required"], (slug, node.get("description"))
            assert node["additionalProperties"] is False


def test_v1_code_lists_and_patterns_match_the_python_ones() -> None:
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


@pytest.mark.parametrize(("slug", "version"), KINDS)
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
def test_proof_and_status_entries_are_tolerated(
    slug: str, version: str, extra: dict[str, Any]
) -> None:
    credential = sample(slug, version) | copy.deepcopy(extra)
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


Changes = Callable[[dict[str, Any]], dict[str, Any]]
ENVELOPE_CASES: list[tuple[str, Changes, str]] = [
    ("only credentials/v2", lambda c: {"@context": c["@context"][:1]}, "@context"),
    ("no version context", lambda c: {"@context": c["@context"][:-1]}, "@context"),
    ("VCDM 1.1 context", lambda c: {"@context": [V1_1, *c["@context"][1:]]}, "@context[0]"),
    ("no id", lambda c: {"id": None}, "id"),
    ("id not an IRI", lambda c: {"id": "56fed605-b68d-4fbd-b368-02a44d0e7421"}, "id"),
    ("type repeated", lambda c: {"type": [*c["type"], c["type"][1]]}, "type"),
    ("issuer a string", lambda c: {"issuer": c["issuer"]["id"]}, "issuer"),
    ("issuer unnamed", lambda c: {"issuer": without(c["issuer"], "name")}, "issuer.name"),
    ("issuer not a DID", lambda c: {"issuer": {**c["issuer"], "id": "https://x.example"}},
     "issuer.id"),
    ("no validFrom", lambda c: {"validFrom": None}, "validFrom"),
    ("validUntil a date", lambda c: {"validUntil": "2027-05-31"}, "validUntil"),
    ("validFrom without zone", lambda c: {"validFrom": "2026-06-01T00:00:00"}, "validFrom"),
    ("validFrom no date", lambda c: {"validFrom": "2026-02-30T00:00:00Z"}, "validFrom"),
    ("validUntil at validFrom", lambda c: {"validUntil": c["validFrom"]}, "validUntil"),
    ("validUntil before", lambda c: {"validUntil": "2025-06-01T00:00:00-06:00"}, "validUntil"),
    ("other schema", lambda c: {"credentialSchema": {"id": "https://example.org/other.json",
                                                     "type": "JsonSchema"}},
     "credentialSchema.id"),
    ("schema type", lambda c: {"credentialSchema": {"id": type_of(c).schema_url,
                                                    "type": "JsonSchemaCredential"}},
     "credentialSchema.type"),
    ("evidence", lambda c: {"evidence": [{"type": ["Evidence"]}]}, "evidence"),
    ("name of two lines", lambda c: {"name": "Constancia\nIMMEX"}, "name"),
    ("subject listed", lambda c: {"credentialSubject": [c["credentialSubject"]]},
     "credentialSubject"),
]  # fmt: skip
V1_1 = "https://www.w3.org/2018/credentials/v1"


def without(document: dict[str, Any], member: str) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != member}


def mutated(slug: str, version: str = "v2", **members: Any) -> dict[str, Any]:
    """The sample ``slug`` with ``members`` replaced (``None``: removed)."""
    credential = sample(slug, version)
    for key, value in members.items():
        if value is None:
            del credential[key]
        else:
            credential[key] = value
    return credential


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("changes", "field"),
    [pytest.param(changes, field, id=name) for name, changes, field in ENVELOPE_CASES],
)
def test_envelope_problems_name_their_field(version: str, changes: Changes, field: str) -> None:
    credential = sample("immex", version)
    assert fields(validate_credential(mutated("immex", version, **changes(credential)))) == {field}


@pytest.mark.parametrize(("slug", "version"), KINDS)
def test_extra_pinned_contexts_may_follow_ours(slug: str, version: str) -> None:
    credential = sample(slug, version)
    credential["@context"].append("https://w3id.org/security/data-integrity/v2")
    assert validate_credential(credential) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_validity_dates_may_use_any_offset_and_fractions(version: str) -> None:
    credential = mutated(
        "oea",
        version,
        validFrom="2026-05-03T18:00:00.123456789-06:00",
        validUntil="2027-04-21T23:59:59Z",
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
