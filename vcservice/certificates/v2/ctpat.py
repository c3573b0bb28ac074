"""C-TPAT, version 2: the traceability ``CTPATCertificate`` with the company node and CBP's rules.

The credential is the CCG traceability vocabulary's ``CTPATCertificate`` (subject
``CTPAT`` with a ``CTPATMember``) and validates against its upstream JSON Schema
(with the pinned overlay the tests document), extended with the project's terms.
CBP's rules, by trade sector: only importers and exporters reach Tier III
("Exceeding"); each sector identifies its members as ``requirements`` says.  Dates
(6 U.S.C. 965, 969): validation follows certification within a year "to the extent
practicable" (later is reported, not refused), revalidation is due within four years
of the last validation (the issuer computes it when not given).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from vcservice.certificates.base import CONTEXTS_V2, CertificateType
from vcservice.certificates.models import (
    CertificateModel,
    IsoDate,
    Location,
    Omittable,
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
    CompanyId,
    CompanyNode,
    company_node,
    member_keys,
)
from vcservice.certificates.v2.ctpat_rules import (
    REVALIDATION_YEARS,
    Tier,
    TradeSector,
    add_years,
    date_errors,
    sector_errors,
)
from vcservice.certificates.v2.mra import (
    Authority,
    MutualRecognition,
    MutualRecognitionData,
    Program,
    Recognitions,
    direction_errors,
    recognition_document,
)
from vcservice.errors import Problem

NAME = "CTPATCertificate"
SUBJECT_TYPE = "CTPAT"
MEMBER_TYPE = "CTPATMember"
VALIDATION_LATE = "CTPAT_VALIDATION_LATE"
"""Finding: the validation came more than a year after certification (6 U.S.C. 965(a))."""
SVI_NUMBER_PATTERN = "^[A-Z0-9]{4,20}$"
ACCOUNT_NUMBER_PATTERN = "^[A-Z0-9]{1,20}$"
__all__ = ["CTPAT", "Tier", "TradeSector"]

Sector = Annotated[
    TradeSector,
    Field(
        description="C-TPAT trade sector. / Sector comercial C-TPAT.",
        examples=["Foreign Manufacturers"],
    ),
]
TierField = Annotated[
    Tier,
    Field(
        description="C-TPAT tier: Certified, Validated or Exceeding (Exceeding only for U.S. "
        "importers and exporters). / Nivel C-TPAT.",
        examples=["Validated"],
    ),
]
IssuingCountry = Annotated[
    Literal["US"],
    Field(description="Country that issued the certification: always US.", examples=["US"]),
]
SviNumber = Annotated[
    str,
    Field(
        pattern=SVI_NUMBER_PATTERN,
        description="Status Verification Interface number. / Número SVI.",
        examples=["F7K2Q9M1"],
    ),
]
AccountNumber = Annotated[
    str,
    Field(
        pattern=ACCOUNT_NUMBER_PATTERN,
        description="C-TPAT account number. / Número de cuenta C-TPAT.",
        examples=["48317"],
    ),
]


def _date(description: str, example: str) -> Any:
    return Field(description=description, examples=[example])


RecognitionsData = Annotated[
    Omittable[Recognitions[MutualRecognitionData]],
    Field(
        description="Recognition by SAT (OEA) under the U.S.–Mexico arrangement, for the roles "
        "it covers. / Reconocimiento mutuo.",
    ),
]
_MEMBER_TEXT = "The member organization. / La organización socia."

_EXAMPLE: JsonDict = {
    "member": EXAMPLE_COMPANY,
    "tradeSector": "Foreign Manufacturers",
    "tier": "Validated",
    "sviNumber": "F7K2Q9M1",
    "ctpatAccountNumber": "48317",
    "certificationDate": "2024-11-04",
    "lastValidationDate": "2025-09-18",
    "mutualRecognition": [
        {
            "arrangement": "MraUsMx2014",
            "recognizedBy": "AuthoritySAT",
            "counterpartProgram": "OeaProgram",
            "counterpartAccountNumber": "OEA-IE-2019-0456",
            "recognizedRole": ["MraRoleManufacturerExporter"],
        }
    ],
}


class _MemberHead(CompanyId):
    type: Annotated[list[str], exactly(MEMBER_TYPE), type_list(MEMBER_TYPE)]


class CTPATMember(CompanyNode, _MemberHead):
    """The member organization in a credential (``type: ["CTPATMember"]``)."""


class _CTPATFields(CertificateModel):
    trade_sector: Sector
    tier: TierField
    issuing_country: IssuingCountry
    svi_number: Omittable[SviNumber] = None
    ctpat_account_number: Omittable[AccountNumber] = None
    certification_date: Annotated[
        Omittable[IsoDate],
        _date(
            "Date CBP certified the member (Tier 1); not after validFrom. / Fecha de "
            "certificación.",
            "2024-11-04",
        ),
    ] = None
    last_validation_date: Annotated[
        Omittable[IsoDate],
        _date(
            "Date of CBP's last validation; required for the Validated and Exceeding tiers; "
            "not before certificationDate nor after validFrom. / Fecha de la última "
            "validación.",
            "2025-09-18",
        ),
    ] = None
    revalidation_due_date: Annotated[
        Omittable[IsoDate],
        _date(
            "When revalidation is due: after lastValidationDate, within four years of it "
            "(computed when not given). / Fecha límite de revalidación.",
            "2029-09-18",
        ),
    ] = None


def _membership_errors(
    fields: _CTPATFields, member: CompanyData | CompanyNode, recognitions: list[Any] | None
) -> list[tuple[Location, str]]:
    errors = sector_errors(fields.trade_sector, fields.tier, member)
    errors += date_errors(
        fields.tier,
        fields.certification_date,
        fields.last_validation_date,
        fields.revalidation_due_date,
    )
    errors += direction_errors(recognitions, Authority.SAT, Program.OEA)
    return errors


class CTPATRequest(_CTPATFields):
    """Data for a C-TPAT certificate. / Datos para un certificado C-TPAT."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    member: Annotated[CompanyData, Field(description=_MEMBER_TEXT)]
    # A request may leave issuingCountry out.
    issuing_country: IssuingCountry = "US"
    mutual_recognition: RecognitionsData = None

    @model_validator(mode="after")
    def _membership_rules(self) -> Self:
        fail_at(type(self), _membership_errors(self, self.member, self.mutual_recognition))
        return self


class _SubjectHead(CertificateModel):
    type: Annotated[list[str], exactly(SUBJECT_TYPE), type_list(SUBJECT_TYPE)]
    member: Annotated[CTPATMember, Field(description=_MEMBER_TEXT)]


class CTPATCertification(_CTPATFields, _SubjectHead):
    """The credentialSubject of a CTPATCertificate (version 2; JSON-LD type ``CTPAT``)."""

    mutual_recognition: Omittable[Recognitions[MutualRecognition]] = None

    @model_validator(mode="after")
    def _membership_rules(self) -> Self:
        fail_at(type(self), _membership_errors(self, self.member, self.mutual_recognition))
        return self


def _subject(data: CTPATRequest) -> dict[str, Any]:
    excluded = {"member", "mutual_recognition"}
    subject: dict[str, Any] = {
        "type": [SUBJECT_TYPE],
        "member": company_node(data.member, MEMBER_TYPE),
        **data.model_dump(mode="json", exclude_none=True, exclude=excluded),
    }
    if data.last_validation_date is not None and data.revalidation_due_date is None:
        due = add_years(data.last_validation_date, REVALIDATION_YEARS)
        subject["revalidationDueDate"] = due.isoformat()
    if data.mutual_recognition is not None:
        subject["mutualRecognition"] = [recognition_document(e) for e in data.mutual_recognition]
    return subject


def _envelope(subject: CTPATCertification, validity: Validity) -> list[Problem]:
    return not_after_valid_from(
        validity,
        [
            ("certificationDate", subject.certification_date),
            ("lastValidationDate", subject.last_validation_date),
        ],
    )


def _findings(credential: Mapping[str, Any], today: date) -> list[Problem]:
    findings = rfc_findings(credential)
    subject = parsed_subject(CTPATCertification, credential)
    certified = subject.certification_date if subject else None
    validated = subject.last_validation_date if subject else None
    if certified is not None and validated is not None and validated > add_years(certified, 1):
        detail = (
            "the validation came more than a year after certification (6 U.S.C. 965(a): "
            "within a year, to the extent practicable)"
        )
        findings.append(Problem(VALIDATION_LATE, detail, "credentialSubject.lastValidationDate"))
    return findings


def _identifiers(subject: Mapping[str, Any]) -> tuple[str, ...]:
    member = subject.get("member")
    scac = member.get("scac") if isinstance(member, Mapping) else None
    return member_keys(subject, "sviNumber", "ctpatAccountNumber") + (
        (scac,) if isinstance(scac, str) else ()
    )


CTPAT = CertificateType(
    name=NAME,
    slug="ctpat",
    version="v2",
    contexts=CONTEXTS_V2,
    subject_type=SUBJECT_TYPE,
    request_model=CTPATRequest,
    subject_model=CTPATCertification,
    default_name="C-TPAT Certificate",
    description=(
        "Certifies that the member participates in the Customs Trade Partnership Against "
        "Terrorism in the trade sector and tier shown."
    ),
    subject_of=_subject,
    identifiers_of=_identifiers,
    issuer_type="Organization",
    subject_rules=subject_rules(CTPATCertification, _envelope),
    advisories=_findings,
)
