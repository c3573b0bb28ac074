"""OEA, version 2: the Authorized Economic Operator registration of SAT, by rubro, with its term.

SAT registers companies in the Esquema Integral de Certificación, modality OEA, by
sector (*rubro*); the rubro says what the company is (importer/exporter, carrier,
customs broker, SECIIT …), the type says the modality.  Only customs brokers are
individuals (13-character RFC, with their patente); every other rubro is a company.
A SECIIT registration presupposes an IMMEX programme, so one without its number is
reported.  The registration runs for a term (``termStart``–``termEnd``); the term's
length and the renewal window are SAT's to set, so the credential states the dates and
the service checks only their order, and that the credential does not outlive the term.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import ConfigDict, Field, model_validator
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
    CompanyNode,
    Organization,
    company_node,
    member_keys,
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
from vcservice.certificates.v2.requirements import mexican_company_errors
from vcservice.certificates.values import order_problem
from vcservice.errors import Problem

NAME = "OEACertificate"
SUBJECT_TYPE = "OEAAuthorization"
SECIIT_WITHOUT_IMMEX = "OEA_SECIIT_WITHOUT_IMMEX"
"""Finding: a SECIIT registration that does not name the company's IMMEX programme."""


class OeaRubro(StrEnum):
    """The sectors (rubros) of an OEA registration (IRIs in the project vocabulary)."""

    IMPORTER_EXPORTER = "OeaImporterExporter"
    HOLDING = "OeaHolding"
    SECIIT = "OeaSECIIT"
    LAND_CARRIER = "OeaLandCarrier"
    RAIL_CARRIER = "OeaRailCarrier"
    CUSTOMS_BROKER = "OeaCustomsBroker"
    CUSTOMS_AGENCY = "OeaCustomsAgency"
    INDUSTRIAL_PARK = "OeaIndustrialPark"
    BONDED_WAREHOUSE = "OeaBondedWarehouse"
    STRATEGIC_BONDED_ZONE = "OeaStrategicBondedZone"
    GENERAL_DEPOSIT_WAREHOUSE = "OeaGeneralDepositWarehouse"
    COURIER = "OeaCourier"


def _date(description: str, example: str) -> Any:
    return Field(description=description, examples=[example])


OeaNumber = Annotated[
    RegistrationNumber,
    Field(
        description="Number of the OEA registration. / Número de registro OEA.",
        examples=["OEA-IE-2019-0456"],
    ),
]
Rubro = Annotated[
    OeaRubro,
    Field(
        description="Sector (rubro) of the registration, e.g. OeaImporterExporter, OeaSECIIT, "
        "OeaLandCarrier, OeaCustomsBroker. / Rubro del registro OEA.",
        examples=["OeaImporterExporter"],
    ),
]
ImmexNumber = Annotated[
    Omittable[RegistrationNumber],
    Field(
        description="The company's IMMEX programme number (expected for the SECIIT rubro). "
        "/ Número de Programa IMMEX.",
        examples=["4521-2007"],
    ),
]
RecognitionsData = Annotated[
    Omittable[Recognitions[MutualRecognitionData]],
    Field(
        description="Recognition by CBP (C-TPAT) under the U.S.–Mexico arrangement, for the "
        "roles it covers. / Reconocimiento mutuo.",
    ),
]
_MEMBER_TEXT = "The registered company or customs broker. / La empresa o agente registrado."

_EXAMPLE: JsonDict = {
    "member": EXAMPLE_COMPANY,
    "oeaRegistrationNumber": "OEA-IE-2019-0456",
    "oeaRubro": "OeaImporterExporter",
    "authorizationDate": "2019-04-22",
    "lastRenewalDate": "2026-04-10",
    "termStart": "2026-04-22",
    "termEnd": "2028-04-21",
    "mutualRecognition": [
        {
            "arrangement": "MraUsMx2014",
            "recognizedBy": "AuthorityCBP",
            "counterpartProgram": "CtpatProgram",
            "recognizedRole": ["MraRoleManufacturerExporter"],
        }
    ],
}


class _OEAFields(CertificateModel):
    oea_registration_number: OeaNumber
    oea_rubro: Rubro
    immex_program_number: ImmexNumber = None
    authorization_date: Annotated[
        IsoDate,
        _date(
            "Date the registration was first granted; not after validFrom. / Fecha de "
            "otorgamiento.",
            "2019-04-22",
        ),
    ]
    last_renewal_date: Annotated[
        Omittable[IsoDate],
        _date(
            "Date of the latest renewal: after authorizationDate, not after validFrom. / "
            "Fecha de la renovación más reciente.",
            "2026-04-10",
        ),
    ] = None
    term_start: Annotated[
        IsoDate, _date("First day of the current term. / Inicio de la vigencia.", "2026-04-22")
    ]
    term_end: Annotated[
        IsoDate,
        _date(
            "Last day of the current term; the credential is not valid after it. / Fin de la "
            "vigencia.",
            "2028-04-21",
        ),
    ]


def _registration_errors(
    fields: _OEAFields, member: CompanyData | CompanyNode, recognitions: list[Any] | None
) -> list[tuple[Location, str]]:
    broker = fields.oea_rubro is OeaRubro.CUSTOMS_BROKER
    errors = mexican_company_errors(member, natural_person=broker, all_sites=False)
    if broker and member.patente_aduanal is None:
        errors.append((("member", "patenteAduanal"), "a customs broker gives its patente aduanal"))
    authorized = fields.authorization_date
    for earlier, first, later, second in (
        ("authorizationDate", authorized, "lastRenewalDate", fields.last_renewal_date),
        ("termStart", fields.term_start, "termEnd", fields.term_end),
    ):
        detail = None if second is None else order_problem(earlier, first, later, second)
        if detail is not None:
            errors.append(((later,), detail))
    if fields.term_start < authorized:  # the first term may start the day it is granted
        detail = f"termStart must not be before authorizationDate ({authorized.isoformat()})"
        errors.append((("termStart",), detail))
    errors += direction_errors(recognitions, Authority.CBP, Program.CTPAT)
    return errors


class OEARequest(_OEAFields):
    """Data for an OEA certificate. / Datos para una constancia de registro OEA."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    member: Annotated[CompanyData, Field(description=_MEMBER_TEXT)]
    mutual_recognition: RecognitionsData = None

    @model_validator(mode="after")
    def _registration_rules(self) -> Self:
        fail_at(type(self), _registration_errors(self, self.member, self.mutual_recognition))
        return self


class _SubjectHead(CertificateModel):
    type: Annotated[list[str], exactly(SUBJECT_TYPE), type_list(SUBJECT_TYPE)]
    member: Annotated[Organization, Field(description=_MEMBER_TEXT)]


class OEAAuthorization(_OEAFields, _SubjectHead):
    """The credentialSubject of an OEACertificate (version 2)."""

    mutual_recognition: Omittable[Recognitions[MutualRecognition]] = None

    @model_validator(mode="after")
    def _registration_rules(self) -> Self:
        fail_at(type(self), _registration_errors(self, self.member, self.mutual_recognition))
        return self


def _subject(data: OEARequest) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "type": [SUBJECT_TYPE],
        "member": company_node(data.member, "Organization"),
        **data.model_dump(mode="json", exclude_none=True, exclude={"member", "mutual_recognition"}),
    }
    if data.mutual_recognition is not None:
        subject["mutualRecognition"] = [recognition_document(e) for e in data.mutual_recognition]
    return subject


def _envelope(subject: OEAAuthorization, validity: Validity) -> list[Problem]:
    problems = not_after_valid_from(
        validity,
        [
            ("authorizationDate", subject.authorization_date),
            ("lastRenewalDate", subject.last_renewal_date),
            ("termStart", subject.term_start),
        ],
    )
    if validity.valid_until is not None and validity.valid_until.date() > subject.term_end:
        detail = f"the credential cannot be valid after the term ends ({subject.term_end})"
        problems.append(Problem("MALFORMED_VALUE_ERROR", detail, "validUntil"))
    return problems


def _findings(credential: Mapping[str, Any], today: date) -> list[Problem]:
    findings = rfc_findings(credential)
    subject = parsed_subject(OEAAuthorization, credential)
    if (
        subject is not None
        and subject.oea_rubro is OeaRubro.SECIIT
        and subject.immex_program_number is None
    ):
        detail = "a SECIIT registration is for IMMEX companies: give immexProgramNumber"
        findings.append(
            Problem(SECIIT_WITHOUT_IMMEX, detail, "credentialSubject.immexProgramNumber")
        )
    return findings


def _identifiers(subject: Mapping[str, Any]) -> tuple[str, ...]:
    return member_keys(subject, "oeaRegistrationNumber", "immexProgramNumber")


OEA = CertificateType(
    name=NAME,
    slug="oea",
    version="v2",
    contexts=CONTEXTS_V2,
    subject_type=SUBJECT_TYPE,
    request_model=OEARequest,
    subject_model=OEAAuthorization,
    default_name="Certificación como Operador Económico Autorizado (OEA)",
    description=(
        "Constancia de que la empresa está inscrita en el Esquema de Certificación de "
        "Empresas, modalidad Operador Económico Autorizado."
    ),
    subject_of=_subject,
    identifiers_of=_identifiers,
    issuer_type="Organization",
    subject_rules=subject_rules(OEAAuthorization, _envelope),
    advisories=_findings,
)
