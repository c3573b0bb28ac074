"""IMMEX, version 2: the programme authorized by the Secretaría de Economía, with its annual report.

The Secretaría de Economía authorizes a company (persona moral, 12-character RFC) to
import temporarily for manufacturing or services (Decreto IMMEX); the sites
registered in the programme are in Mexico.  The holder files an annual report by the
last business day of May for the previous year; a programme whose report is missing
is suspended.  The credential carries the last year reported and the next due date,
which the issuer computes (weekends are not business days; public holidays are not
considered) and a verifier can recompute.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator
from pydantic.config import JsonDict

from vcservice.certificates.base import CONTEXTS_V2, CertificateType
from vcservice.certificates.models import (
    CertificateModel,
    IsoDate,
    Location,
    Omittable,
    RegistrationNumber,
    exactly,
    fail_at,
    type_list,
)
from vcservice.certificates.v2.checks import (
    Validity,
    not_after_valid_from,
    parsed_subject,
    rfc_findings,
    subject_rules,
)
from vcservice.certificates.v2.company import (
    EXAMPLE_COMPANY,
    CompanyData,
    Organization,
    company_node,
    member_keys,
)
from vcservice.certificates.v2.requirements import mexican_company_errors
from vcservice.errors import Problem

NAME = "IMMEXCertificate"
SUBJECT_TYPE = "IMMEXAuthorization"
ANNUAL_REPORT_OVERDUE = "IMMEX_ANNUAL_REPORT_OVERDUE"
"""Finding: the annual report due before the day of issuance is not recorded as filed."""
_REPORT_MONTH = 5


class ImmexModality(StrEnum):
    """The IMMEX modalities (IRIs in the project vocabulary; labels there)."""

    HOLDING = "ImmexHolding"
    INDUSTRIAL = "ImmexIndustrial"
    SERVICES = "ImmexServices"
    SHELTER = "ImmexShelter"
    SUBCONTRACTING = "ImmexSubcontracting"


def annual_report_due(authorized: date, last_reported_year: int | None) -> date:
    """When the next annual report is due: the last business day of May after the year it covers.

    The next report covers the year after the last one filed, or the year of
    authorization when none has been filed.
    """
    covered = authorized.year if last_reported_year is None else last_reported_year + 1
    day = date(covered + 1, _REPORT_MONTH + 1, 1) - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


ProgramNumber = Annotated[
    RegistrationNumber,
    Field(
        description="IMMEX programme number assigned by the Secretaría de Economía. "
        "/ Número de Programa IMMEX.",
        examples=["4521-2007"],
    ),
]
Modality = Annotated[
    ImmexModality,
    Field(
        description="IMMEX modality: ImmexHolding, ImmexIndustrial, ImmexServices, "
        "ImmexShelter or ImmexSubcontracting. / Modalidad del Programa IMMEX.",
        examples=["ImmexIndustrial"],
    ),
]
AuthorizationDate = Annotated[
    IsoDate,
    Field(
        description="Date the programme was authorized (YYYY-MM-DD); not after validFrom. "
        "/ Fecha de autorización del programa.",
        examples=["2007-03-15"],
    ),
]
YEAR_PATTERN = "^[0-9]{4}$"
LastReportYear = Annotated[
    Omittable[Annotated[str, StringConstraints(pattern=YEAR_PATTERN)]],
    Field(
        description="The last year whose annual report (reporte anual de operaciones) was "
        "filed; not before the year of authorization, before the year of validFrom. / Último "
        "ejercicio reportado.",
        examples=["2025"],
    ),
]
ReportDueDate = Annotated[
    IsoDate,
    Field(
        description="When the next annual report is due: the last business day of May after "
        "the year it covers (computed by the issuer). / Fecha límite del próximo reporte anual.",
        examples=["2027-05-31"],
    ),
]
_MEMBER_TEXT = "The company that holds the programme. / La empresa titular del programa."

_EXAMPLE: JsonDict = {
    "member": EXAMPLE_COMPANY,
    "immexProgramNumber": "4521-2007",
    "immexModality": "ImmexIndustrial",
    "authorizationDate": "2007-03-15",
    "lastAnnualReportYear": "2025",
}


def _report_errors(authorized: date, last_year: str | None) -> list[tuple[Location, str]]:
    if last_year is not None and int(last_year) < authorized.year:
        detail = "the last report cannot cover a year before the authorization"
        return [(("lastAnnualReportYear",), detail)]
    return []


class _IMMEXFields(CertificateModel):
    immex_program_number: ProgramNumber
    immex_modality: Modality
    authorization_date: AuthorizationDate
    last_annual_report_year: LastReportYear = None


class IMMEXRequest(_IMMEXFields):
    """Data for an IMMEX certificate. / Datos para una constancia de Programa IMMEX."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    member: Annotated[CompanyData, Field(description=_MEMBER_TEXT)]

    @model_validator(mode="after")
    def _programme_rules(self) -> Self:
        errors = mexican_company_errors(self.member, natural_person=False, all_sites=True)
        errors += _report_errors(self.authorization_date, self.last_annual_report_year)
        fail_at(type(self), errors)
        return self

    def report_due(self) -> date:
        """When the next annual report is due."""
        return annual_report_due(self.authorization_date, _year(self.last_annual_report_year))


class _SubjectHead(CertificateModel):
    type: Annotated[list[str], exactly(SUBJECT_TYPE), type_list(SUBJECT_TYPE)]
    member: Annotated[Organization, Field(description=_MEMBER_TEXT)]


class IMMEXAuthorization(_IMMEXFields, _SubjectHead):
    """The credentialSubject of an IMMEXCertificate (version 2)."""

    annual_report_due_date: ReportDueDate

    @model_validator(mode="after")
    def _programme_rules(self) -> Self:
        errors = mexican_company_errors(self.member, natural_person=False, all_sites=True)
        errors += _report_errors(self.authorization_date, self.last_annual_report_year)
        due = annual_report_due(self.authorization_date, _year(self.last_annual_report_year))
        if not errors and self.annual_report_due_date != due:
            detail = f"the next annual report is due {due.isoformat()}"
            errors.append((("annualReportDueDate",), detail))
        fail_at(type(self), errors)
        return self


def _year(value: str | None) -> int | None:
    return None if value is None else int(value)


def _subject(data: IMMEXRequest) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "type": [SUBJECT_TYPE],
        "member": company_node(data.member, "Organization"),
        **data.model_dump(mode="json", exclude_none=True, exclude={"member"}),
        "annualReportDueDate": data.report_due().isoformat(),
    }
    return subject


def _envelope(subject: IMMEXAuthorization, validity: Validity) -> list[Problem]:
    problems = not_after_valid_from(validity, [("authorizationDate", subject.authorization_date)])
    year = _year(subject.last_annual_report_year)
    if validity.valid_from is not None and year is not None and year >= validity.valid_from.year:
        detail = "the last report must cover a year before the year of validFrom"
        problems.append(
            Problem("MALFORMED_VALUE_ERROR", detail, "credentialSubject.lastAnnualReportYear")
        )
    return problems


def _findings(credential: Any, today: date) -> list[Problem]:
    findings = rfc_findings(credential)
    subject = parsed_subject(IMMEXAuthorization, credential)
    if subject is not None and subject.annual_report_due_date < today:
        detail = (
            f"the annual report due {subject.annual_report_due_date.isoformat()} is not "
            "recorded as filed: the programme may be suspended (Decreto IMMEX art. 25, 27)"
        )
        findings.append(
            Problem(ANNUAL_REPORT_OVERDUE, detail, "credentialSubject.lastAnnualReportYear")
        )
    return findings


def _identifiers(subject: Mapping[str, Any]) -> tuple[str, ...]:
    return member_keys(subject, "immexProgramNumber")


IMMEX = CertificateType(
    name=NAME,
    slug="immex",
    version="v2",
    contexts=CONTEXTS_V2,
    subject_type=SUBJECT_TYPE,
    request_model=IMMEXRequest,
    subject_model=IMMEXAuthorization,
    default_name="Constancia de Programa IMMEX",
    description=(
        "Constancia de que la empresa cuenta con un Programa IMMEX vigente en la "
        "modalidad indicada."
    ),
    subject_of=_subject,
    identifiers_of=_identifiers,
    issuer_type="Organization",
    subject_rules=subject_rules(IMMEXAuthorization, _envelope),
    advisories=_findings,
)
