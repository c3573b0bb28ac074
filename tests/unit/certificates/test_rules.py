"""Version 1: broken documents, which the subject model and the schema refuse naming the same field.

Each case breaks one rule in a reference credential.  Rules a JSON Schema can state
are caught by the schema itself; the others (RFC check digit and date, calendar
dates, date order) by the rules ``validate_credential`` adds, which the models share.
Then the same rules at the request level, and the builder's own checks.  Version 1
credentials are no longer issued but keep verifying, so their rules keep their tests;
version 2's are in ``test_rules_v2``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from tests.unit.certificates import support
from tests.unit.certificates.support import (
    VALID_FROM,
    build,
    check_digit,
    fields,
    request_data,
    subject_problems,
)
from vcservice.certificates.base import CertificateType
from vcservice.certificates.models import problems_from
from vcservice.certificates.schema_files import schema_problems
from vcservice.certificates.schemas import validate_credential
from vcservice.errors import ParsingError

Path = tuple[str | int, ...]
DELETE = object()


def certificate_type(slug: str) -> CertificateType:
    return support.certificate_type(slug, "v1")


def sample(slug: str) -> dict[str, Any]:
    return support.sample(slug, "v1")


def at(document: dict[str, Any], path: Path) -> tuple[Any, str | int]:
    node: Any = document
    for part in path[:-1]:
        node = node[part]
    return node, path[-1]


def mutate(document: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    parent, key = at(document, path)
    if value is DELETE:
        del parent[key]
    else:
        parent[key] = value
    return document


def subject_field(path: Path) -> str:
    text = "credentialSubject"
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


AA, ADDRESS = "authorizedAddresses", ("authorizedAddresses", 0, "address")
LOCATION = ("member", "location", 0, "address")
BAD_DATE_RFC = "EEB031321R4" + check_digit("EEB031321R4")

# (sample, path in credentialSubject, new value, JSON Schema alone catches it)
CASES: list[tuple[str, Path, Any, bool]] = [
    ("immex", ("rfc",), "EEB030821R4", True),
    ("immex", ("rfc",), "eeb030821r49", True),
    ("immex", ("rfc",), "EEB030821R49\n", True),
    ("immex", ("rfc",), "EEBA030821R4" + check_digit("EEBA030821R4"), True),  # a person's
    ("immex", ("rfc",), "EEB030821R48", False),  # check digit
    ("immex", ("rfc",), BAD_DATE_RFC, False),  # month 13
    ("immex", ("rfc",), DELETE, True),
    ("immex", ("modality",), "Maquiladora", True),
    ("immex", ("modality",), "industrial", True),
    ("immex", ("immexProgramNumber",), "4521 2007", True),
    ("immex", ("authorizationDate",), "2007-02-30", False),
    ("immex", ("authorizationDate",), "15/03/2007", True),
    ("immex", ("authorizationDate",), "2007-03-15T00:00:00Z", True),
    ("immex", (AA,), [], True),
    ("immex", (AA,), DELETE, True),
    ("immex", (AA, 0, "type"), "Place", True),
    ("immex", (AA, 1, "name"), None, True),
    ("immex", (AA, 0, "extra"), "x", True),
    ("immex", (*ADDRESS, "addressCountry"), "US", True),
    ("immex", (*ADDRESS, "addressRegion"), "Chihuahua", True),
    ("immex", (*ADDRESS, "addressRegion"), DELETE, True),
    ("immex", (*ADDRESS, "postalCode"), "3257", True),
    ("immex", (*ADDRESS, "type"), DELETE, True),
    ("immex", ("legalName",), " Ensambles", True),
    ("immex", ("legalName",), "", True),
    ("immex", ("legalName",), 42, True),
    ("immex", ("warehouseAreaM2",), "12000", True),
    ("immex", ("id",), "https://ensambles-bravo.example", True),
    ("immex", ("id",), DELETE, True),
    ("immex", ("type",), ["IMMEXAuthorization", "Organization"], True),
    ("oea", ("renewalDate",), "2019-04-22", False),  # same day as the authorization
    ("oea", ("renewalDate",), "2018-01-01", False),
    ("oea", ("renewalDate",), None, True),
    ("oea", ("modality",), "Maquiladora", True),
    ("oea", ("oeaRegistrationNumber",), "oea-att-2019-0456", True),
    ("oea", ("mutualRecognition",), [], True),
    ("oea", ("mutualRecognition",), ["C-TPAT", "C-TPAT"], True),
    ("oea", ("mutualRecognition",), "C-TPAT", True),
    ("oea", ("rfc",), "AFN981002HT8", False),
    ("oea", ("immexProgramNumber",), "4521-2007", True),
    ("ctpat", ("tradeSector",), "Importers", True),
    ("ctpat", ("tier",), "Gold", True),
    ("ctpat", ("dateOfLastValidation",), DELETE, True),  # required for Validated
    ("ctpat", ("dateOfLastValidation",), "2025-09-31", False),
    ("ctpat", ("issuingCountry",), "MX", True),
    ("ctpat", ("sviNumber",), "f7k2q9m1", True),
    ("ctpat", ("member",), DELETE, True),
    ("ctpat", ("member", "type"), ["Organization"], True),
    ("ctpat", ("member", "location"), [], True),
    ("ctpat", ("member", "location"), DELETE, True),
    ("ctpat", ("member", "legalName"), DELETE, True),
    ("ctpat", ("member", "duns"), "07841255", True),
    ("ctpat", ("member", "scac"), "gftj", True),
    ("ctpat", ("member", "fmcNumber"), "025202", True),  # traceability term not in our context
    ("ctpat", (*LOCATION, "addressCountry"), "XX", True),
    ("ctpat", (*LOCATION, "addressCountry"), "MX", True),  # TX is not a Mexican state
    ("ctpat", (*LOCATION, "addressRegion"), "CHH", True),  # not a U.S. state
    ("ctpat", (*LOCATION, "postalCode"), DELETE, True),
    ("ctpat", (*LOCATION, "postalCode"), "7804", True),
    ("ctpat", (*LOCATION, "streetAddress"), "15210 Mines Rd\n", True),
]
# Where the field at fault is not the one changed.
EXPECTED_FIELD = {
    "ctpat:member.location.0.address.addressCountry='MX'": subject_field(
        (*LOCATION, "addressRegion")
    ),
}


def case_id(case: tuple[str, Path, Any, bool]) -> str:
    slug, path, value, _ = case
    shown = "DELETE" if value is DELETE else repr(value)[:24]
    return f"{slug}:{'.'.join(map(str, path))}={shown}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_model_and_schema_refuse_the_same_field(case: tuple[str, Path, Any, bool]) -> None:
    slug, path, value, schema_alone = case
    kind = certificate_type(slug)
    credential = sample(slug)
    mutate(credential["credentialSubject"], path, value)
    expected = {EXPECTED_FIELD.get(case_id(case), subject_field(path))}
    assert fields(subject_problems(kind, credential)) == expected
    assert fields(validate_credential(credential)) == expected
    plain_schema = fields(schema_problems(kind.schema_path, credential))
    assert plain_schema == (expected if schema_alone else set())


def test_a_generic_address_abroad_needs_no_region_or_postal_code() -> None:
    credential = sample("ctpat")
    credential["credentialSubject"]["member"]["location"].append(
        {
            "type": ["Place"],
            "address": {
                "type": ["PostalAddress"],
                "streetAddress": "1 Front St W",
                "addressLocality": "Toronto",
                "addressCountry": "CA",
            },
        }
    )
    assert validate_credential(credential) == []
    assert subject_problems(certificate_type("ctpat"), credential) == []


def test_a_person_rfc_is_accepted_for_oea() -> None:
    credential = sample("oea")
    credential["credentialSubject"]["rfc"] = "GODE561231GR8"
    credential["credentialSubject"]["modality"] = "Agente aduanal"
    assert validate_credential(credential) == []
    assert subject_problems(certificate_type("oea"), credential) == []


def test_a_certified_member_needs_no_validation_date() -> None:
    credential = sample("ctpat")
    subject = credential["credentialSubject"]
    subject["tier"] = "Certified"
    del subject["dateOfLastValidation"]
    assert validate_credential(credential) == []
    assert subject_problems(certificate_type("ctpat"), credential) == []


# ---------------------------------------------------------------- rules across the envelope


@pytest.mark.parametrize(
    ("slug", "member"),
    [
        ("immex", "authorizationDate"),
        ("oea", "authorizationDate"),
        ("oea", "renewalDate"),
        ("ctpat", "dateOfLastValidation"),
    ],
)
def test_a_subject_date_may_not_be_after_valid_from(slug: str, member: str) -> None:
    credential = sample(slug)
    valid_from = datetime.fromisoformat(credential["validFrom"]).date()
    credential["credentialSubject"][member] = (valid_from + timedelta(days=1)).isoformat()
    if member == "authorizationDate" and slug == "oea":
        credential["credentialSubject"]["renewalDate"] = (
            valid_from + timedelta(days=2)
        ).isoformat()
    problems = validate_credential(credential)
    assert f"credentialSubject.{member}" in fields(problems)
    assert any("later than validFrom" in problem.detail for problem in problems)
    credential["credentialSubject"][member] = valid_from.isoformat()  # the same day is fine
    if slug == "oea":
        credential["credentialSubject"]["authorizationDate"] = "2019-04-22"
        credential["credentialSubject"]["renewalDate"] = valid_from.isoformat()
    assert validate_credential(credential) == []


# ---------------------------------------------------------------- the request models

REQUEST_CASES: list[tuple[str, Path, Any, str]] = [
    ("immex", ("rfc",), "EEB030821R48", "rfc"),
    ("immex", ("rfc",), "EEB030821R4", "rfc"),
    ("immex", ("modality",), "Maquiladora", "modality"),
    ("immex", ("authorizedAddresses",), [], "authorizedAddresses"),
    ("immex", ("authorizedAddresses",), DELETE, "authorizedAddresses"),
    ("immex", ("authorizedAddresses", 0, "address", "postalCode"), "ABCDE",
     "authorizedAddresses[0].address.postalCode"),
    ("immex", ("authorizedAddresses", 0, "type"), ["Place"], "authorizedAddresses[0].type"),
    ("immex", ("legal_name",), "Ensambles", "legal_name"),
    ("immex", ("subjectId",), DELETE, "subjectId"),
    ("immex", ("subjectId",), "ensambles-bravo.example", "subjectId"),
    ("oea", ("renewalDate",), "2019-04-21", "renewalDate"),
    ("oea", ("modality",), "Importer/exporter", "modality"),
    ("oea", ("renewalDate",), None, "renewalDate"),
    ("oea", ("id",), "did:web:frontera-norte.example", "id"),
    ("ctpat", ("member",), DELETE, "member"),
    ("ctpat", ("member", "location"), DELETE, "member.location"),
    ("ctpat", ("member", "location"), [], "member.location"),
    ("ctpat", ("dateOfLastValidation",), DELETE, "dateOfLastValidation"),
    ("ctpat", ("tier",), "Tier 2", "tier"),
    ("ctpat", ("tradeSector",), "Trucking", "tradeSector"),
    ("ctpat", ("issuingCountry",), "MX", "issuingCountry"),
    ("ctpat", ("member", "importerOfRecord"), {"number": "74-1234567AB"},
     "member.importerOfRecord.identifierType"),
    ("ctpat", ("unexpected",), True, "unexpected"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("slug", "path", "value", "field"),
    REQUEST_CASES,
    ids=[f"{c[0]}:{'.'.join(map(str, c[1]))}" for c in REQUEST_CASES],
)
def test_request_model_names_the_field(slug: str, path: Path, value: Any, field: str) -> None:
    data = mutate(request_data(sample(slug)), path, value)
    with pytest.raises(ValidationError) as info:
        certificate_type(slug).request_model.model_validate(data)
    found = fields(problems_from(info.value))
    if path == ("legal_name",):  # a snake_case name is unknown, and legalName is still needed
        found.discard("legalName")
    assert found == {field}


def test_request_errors_keep_their_location_for_the_api() -> None:
    data = request_data(sample("ctpat"))
    del data["dateOfLastValidation"]
    data["member"]["location"][0]["address"]["addressRegion"] = "CHH"
    with pytest.raises(ValidationError) as info:
        certificate_type("ctpat").request_model.model_validate(data)
    assert [error["loc"] for error in info.value.errors()] == [
        ("member", "location", 0, "address", "addressRegion")
    ]  # the tier rule waits until the member is valid, as pydantic's model validators do


# ---------------------------------------------------------------- the builder


def kind_and_request(slug: str) -> tuple[CertificateType, Any]:
    kind = certificate_type(slug)
    return kind, kind.request_model.model_validate(request_data(sample(slug)))


def build_with(slug: str, **overrides: Any) -> dict[str, Any]:
    kind, request = kind_and_request(slug)
    arguments: dict[str, Any] = {
        "issuer_id": "did:web:sat.example",
        "issuer_name": "Servicio de Administración Tributaria",
        "credential_id": "urn:uuid:73d6bfd3-a7d9-422f-be8c-5ec5131ffc3b",
        "valid_from": VALID_FROM,
        "valid_until": VALID_FROM + timedelta(days=365),
    } | overrides
    return kind.build_credential(request, **arguments)


@pytest.mark.parametrize(
    ("slug", "overrides", "field"),
    [
        ("immex", {"valid_from": datetime(2006, 1, 1, tzinfo=UTC)},
         "credentialSubject.authorizationDate"),
        ("oea", {"valid_from": datetime(2024, 1, 1, tzinfo=UTC)}, "credentialSubject.renewalDate"),
        ("ctpat", {"valid_from": datetime(2025, 9, 17, 23, 0, tzinfo=UTC)},
         "credentialSubject.dateOfLastValidation"),
        ("oea", {"valid_until": VALID_FROM}, "validUntil"),
        ("oea", {"valid_until": VALID_FROM - timedelta(seconds=1)}, "validUntil"),
        ("oea", {"valid_from": datetime(2026, 6, 1)}, "validFrom"),
        ("oea", {"valid_until": datetime(2027, 6, 1)}, "validUntil"),
        ("oea", {"issuer_id": "https://sat.example"}, "issuer.id"),
        ("oea", {"issuer_name": ""}, "issuer.name"),
        ("oea", {"credential_id": "73d6bfd3-a7d9-422f-be8c-5ec5131ffc3b"}, "id"),
    ],
)  # fmt: skip
def test_builder_refuses_what_would_not_be_valid(
    slug: str, overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(ParsingError) as info:
        build_with(slug, **overrides)
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    assert info.value.field == field


def test_builder_writes_validity_in_utc_to_the_second() -> None:
    offset = datetime(2026, 6, 1, 9, 30, 15, 999, tzinfo=UTC).astimezone(
        datetime.now(UTC).astimezone().tzinfo
    )
    credential = build_with("oea", valid_from=offset)
    assert credential["validFrom"] == "2026-06-01T09:30:15Z"


def test_builder_takes_only_its_own_request_model() -> None:
    _, oea_request = kind_and_request("oea")
    with pytest.raises(TypeError, match="IMMEXRequest"):
        certificate_type("immex").build_credential(
            oea_request,
            issuer_id="did:web:economia.example",
            issuer_name="Secretaría de Economía",
            credential_id="urn:uuid:56fed605-b68d-4fbd-b368-02a44d0e7421",
            valid_from=VALID_FROM,
            valid_until=VALID_FROM + timedelta(days=1),
        )


def test_built_credentials_are_independent_copies() -> None:
    kind = certificate_type("immex")
    data = request_data(sample("immex"))
    first, second = build(kind, data), build(kind, data)
    first["credentialSubject"]["authorizedAddresses"][0]["address"]["postalCode"] = "00000"
    assert second["credentialSubject"]["authorizedAddresses"][0]["address"]["postalCode"] == "32575"
