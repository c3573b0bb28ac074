"""Version 2's findings (told to the issuer, not refusing), computed dates and builder checks.

A finding is a ``Problem`` with a code of its own, at the field it is about; the
credential stays valid.  The builder computes the IMMEX annual report's due date and,
when not given, the C-TPAT revalidation's, and refuses what the rules across the
envelope refuse.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.unit.certificates.support import (
    VALID_FROM,
    build,
    certificate_type,
    fields,
    request_data,
    sample,
)
from vcservice.certificates.schemas import validate_credential
from vcservice.errors import ParsingError

TODAY = VALID_FROM.date()


def codes_at(slug: str, credential: dict[str, Any], today: date = TODAY) -> set[tuple[str, str]]:
    """The findings on ``credential`` as ``(code, field)``; it must be valid."""
    assert validate_credential(credential) == []
    findings = certificate_type(slug).findings(credential, today)
    return {(finding.code, str(finding.field)) for finding in findings}


def built(slug: str, **changes: Any) -> dict[str, Any]:
    """The sample's request with ``changes`` (to the request, or to its member) built."""
    data = request_data(sample(slug))
    member = changes.pop("member", {})
    data["member"].update(member)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return build(certificate_type(slug), data)


def test_the_samples_have_no_findings() -> None:
    for slug in ("immex", "oea", "ctpat"):
        assert codes_at(slug, sample(slug)) == set()


@pytest.mark.parametrize("slug", ["immex", "oea", "ctpat"])
def test_an_rfc_with_a_doubtful_check_digit_is_issued_with_a_finding(slug: str) -> None:
    # Valid at SAT; SAT's published algorithm gives '3' as its check digit.
    credential = built(slug, member={"rfc": "ACE900319JT9"})
    assert credential["credentialSubject"]["member"]["rfc"] == "ACE900319JT9"
    assert codes_at(slug, credential) == {("RFC_CHECK_DIGIT", "credentialSubject.member.rfc")}
    [finding] = certificate_type(slug).findings(credential, TODAY)
    assert "should be '3'" in finding.detail
    neighbour = built(slug, member={"rfc": "ACE900319JT3"})
    assert codes_at(slug, neighbour) == set()


def test_a_seciit_registration_is_accepted_and_reported_without_its_immex_programme() -> None:
    credential = built("oea", oeaRubro="OeaSECIIT")
    assert codes_at("oea", credential) == {
        ("OEA_SECIIT_WITHOUT_IMMEX", "credentialSubject.immexProgramNumber")
    }
    with_programme = built("oea", oeaRubro="OeaSECIIT", immexProgramNumber="4521-2007")
    assert codes_at("oea", with_programme) == set()


@pytest.mark.parametrize(
    ("certified", "codes"),
    [
        ("2024-09-17", {("CTPAT_VALIDATION_LATE", "credentialSubject.lastValidationDate")}),
        ("2024-09-18", set()),  # validated on the anniversary: within the year
        ("2025-09-18", set()),
    ],
)
def test_a_validation_more_than_a_year_after_certification_is_reported(
    certified: str, codes: set[tuple[str, str]]
) -> None:
    credential = built("ctpat", certificationDate=certified)  # validated 2025-09-18
    assert codes_at("ctpat", credential) == codes


@pytest.mark.parametrize(
    ("today", "codes"),
    [
        (date(2027, 5, 31), set()),  # the due date itself
        (date(2027, 6, 1), {("IMMEX_ANNUAL_REPORT_OVERDUE",
                             "credentialSubject.lastAnnualReportYear")}),
    ],
)  # fmt: skip
def test_an_overdue_annual_report_is_reported_after_its_due_date(
    today: date, codes: set[tuple[str, str]]
) -> None:
    credential = sample("immex")
    assert credential["credentialSubject"]["annualReportDueDate"] == "2027-05-31"
    assert codes_at("immex", credential, today) == codes


# ---------------------------------------------------------------- computed dates


@pytest.mark.parametrize(
    ("authorized", "last_year", "due"),
    [
        ("2007-03-15", "2025", "2027-05-31"),  # a Monday
        ("2007-03-15", "2024", "2026-05-29"),  # 31 May 2026 is a Sunday
        ("2007-03-15", "2023", "2025-05-30"),  # 31 May 2025 is a Saturday
        ("2025-01-10", None, "2026-05-29"),  # no report yet: the first covers 2025
        ("2024-02-29", "2024", "2026-05-29"),
    ],
)
def test_the_annual_report_is_due_the_last_business_day_of_may(
    authorized: str, last_year: str | None, due: str
) -> None:
    credential = built("immex", authorizationDate=authorized, lastAnnualReportYear=last_year)
    assert credential["credentialSubject"]["annualReportDueDate"] == due
    assert validate_credential(credential) == []


@pytest.mark.parametrize(
    ("validated", "due"),
    [("2025-09-18", "2029-09-18"), ("2024-02-29", "2028-02-29"), ("2023-03-01", "2027-03-01")],
)
def test_the_revalidation_is_due_four_years_after_the_validation(validated: str, due: str) -> None:
    credential = built(
        "ctpat", certificationDate=None, lastValidationDate=validated, revalidationDueDate=None
    )
    assert credential["credentialSubject"]["revalidationDueDate"] == due
    assert validate_credential(credential) == []


def test_a_given_revalidation_due_date_is_kept() -> None:
    credential = built("ctpat", revalidationDueDate="2027-01-15")
    assert credential["credentialSubject"]["revalidationDueDate"] == "2027-01-15"


def test_a_certified_member_has_no_revalidation_due_date() -> None:
    credential = built("ctpat", tier="Certified", lastValidationDate=None, revalidationDueDate=None)
    assert "revalidationDueDate" not in credential["credentialSubject"]
    assert validate_credential(credential) == []


# ---------------------------------------------------------------- the builder


@pytest.mark.parametrize(
    ("slug", "envelope", "field"),
    [
        ("oea", {"valid_until": datetime(2028, 4, 22, tzinfo=UTC)}, "validUntil"),
        ("oea", {"valid_from": datetime(2026, 4, 21, tzinfo=UTC)}, "credentialSubject.termStart"),
        ("ctpat", {"valid_from": datetime(2025, 9, 17, tzinfo=UTC)},
         "credentialSubject.lastValidationDate"),
        ("immex", {"valid_from": datetime(2007, 3, 14, tzinfo=UTC)},
         "credentialSubject.authorizationDate"),
    ],
)  # fmt: skip
def test_the_builder_refuses_what_the_envelope_rules_refuse(
    slug: str, envelope: dict[str, datetime], field: str
) -> None:
    kind = certificate_type(slug)
    request = kind.request_model.model_validate(request_data(sample(slug)))
    arguments = {
        "issuer_id": "did:web:authority.example",
        "issuer_name": "Autoridad",
        "credential_id": "urn:uuid:73d6bfd3-a7d9-422f-be8c-5ec5131ffc3b",
        "valid_from": datetime(2026, 6, 1, tzinfo=UTC),
        "valid_until": datetime(2027, 4, 1, tzinfo=UTC),
    } | envelope
    if arguments["valid_until"] <= arguments["valid_from"]:
        arguments["valid_until"] = arguments["valid_from"] + timedelta(days=30)
    with pytest.raises(ParsingError) as info:
        kind.build_credential(request, **arguments)
    assert info.value.code == "MALFORMED_VALUE_ERROR"
    assert info.value.field == field


def test_the_issuer_is_an_organization() -> None:
    for slug in ("immex", "oea", "ctpat"):
        credential = built(slug)
        assert credential["issuer"]["type"] == ["Organization"]
        assert "id" not in credential["credentialSubject"]  # the holder is member.id
        untyped = {**credential, "issuer": {"id": "did:web:x.example", "name": "X"}}
        assert fields(validate_credential(untyped)) == {"issuer.type"}
