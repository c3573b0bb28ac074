"""OEA: Mexico's Authorized Economic Operator (Operador Económico Autorizado).

SAT registers companies in the Esquema de Certificación de Empresas, modality OEA,
by sector (*rubro*): importers and exporters, carriers, customs brokers, bonded
warehouses and so on; customs (ANAM) grants the benefits.  The certificate says a
company holds that registration, in which sector, since when and when it was last
renewed, and which foreign programs recognize it under mutual recognition.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from vcservice.certificates.base import CONTEXTS_V1, CertificateType, present
from vcservice.certificates.models import (
    CertificateModel,
    IsoDate,
    LegalName,
    Omittable,
    RegistrationNumber,
    Rfc,
    SubjectDid,
    SubjectIdFirst,
    Text,
    exactly,
    fail_at,
    type_list,
    unique_texts,
)
from vcservice.certificates.values import order_problem

NAME = "OEACertificate"
SUBJECT_TYPE = "OEAAuthorization"
MAX_MUTUAL_RECOGNITIONS = 30


class OeaModality(StrEnum):
    """The sectors (rubros) of an OEA registration; the credential carries the Spanish name."""

    IMPORTER_EXPORTER = "Importador y/o exportador"
    HOLDING = "Controladora"
    LAND_CARRIER = "Autotransportista terrestre"
    RAIL_CARRIER = "Transportista ferroviario"
    CUSTOMS_BROKER = "Agente aduanal"
    CUSTOMS_AGENCY = "Agencia aduanal"
    INDUSTRIAL_PARK = "Parque industrial"
    BONDED_WAREHOUSE = "Recinto fiscalizado"
    STRATEGIC_BONDED_ZONE = "Recinto fiscalizado estratégico"
    GENERAL_DEPOSIT_WAREHOUSE = "Almacén general de depósito"
    COURIER = "Mensajería y paquetería"

    @property
    def english(self) -> str:
        """The sector's English name."""
        return _ENGLISH[self]


_ENGLISH = {
    OeaModality.IMPORTER_EXPORTER: "Importer and/or exporter",
    OeaModality.HOLDING: "Holding company",
    OeaModality.LAND_CARRIER: "Land (road) carrier",
    OeaModality.RAIL_CARRIER: "Rail carrier",
    OeaModality.CUSTOMS_BROKER: "Customs broker (individual)",
    OeaModality.CUSTOMS_AGENCY: "Customs agency (company)",
    OeaModality.INDUSTRIAL_PARK: "Industrial park",
    OeaModality.BONDED_WAREHOUSE: "Bonded warehouse",
    OeaModality.STRATEGIC_BONDED_ZONE: "Strategic bonded zone",
    OeaModality.GENERAL_DEPOSIT_WAREHOUSE: "General deposit warehouse",
    OeaModality.COURIER: "Courier and parcel service",
}


def _no_repeats(values: list[str] | None) -> list[str] | None:
    return None if values is None else unique_texts(values)


OeaRfc = Annotated[Rfc, Field(examples=["AFN981002HT9"])]
OeaNumber = Annotated[
    RegistrationNumber,
    Field(
        description="Number of the OEA registration. / Número de registro OEA.",
        examples=["OEA-ATT-2019-0456"],
    ),
]
Modality = Annotated[
    OeaModality,
    Field(
        description="Sector (rubro) of the registration, in Spanish, e.g. Importador y/o "
        "exportador, Autotransportista terrestre, Agente aduanal. / Rubro del registro OEA.",
        examples=["Autotransportista terrestre"],
    ),
]
AuthorizationDate = Annotated[
    IsoDate,
    Field(
        description="Date the registration was first granted (YYYY-MM-DD); not after the "
        "credential's validFrom. / Fecha en que se otorgó el registro.",
        examples=["2019-04-22"],
    ),
]
RenewalDate = Annotated[
    Omittable[IsoDate],
    Field(
        description="Date of the latest renewal (YYYY-MM-DD): after authorizationDate, not "
        "after validFrom. / Fecha de la renovación más reciente.",
        examples=["2025-04-10"],
    ),
]
MutualRecognition = Annotated[
    Omittable[list[Text]],
    Field(
        min_length=1,
        max_length=MAX_MUTUAL_RECOGNITIONS,
        description="Foreign programs that recognize the registration under a mutual "
        "recognition arrangement, one entry each, no repeats. / Programas extranjeros con "
        "reconocimiento mutuo.",
        examples=[["C-TPAT (U.S. Customs and Border Protection)"]],
    ),
    AfterValidator(_no_repeats),
]

_EXAMPLE: JsonDict = {
    "subjectId": "did:web:frontera-norte.example",
    "legalName": "Autotransportes Frontera Norte, S.A. de C.V.",
    "rfc": "AFN981002HT9",
    "oeaRegistrationNumber": "OEA-ATT-2019-0456",
    "modality": "Autotransportista terrestre",
    "authorizationDate": "2019-04-22",
    "renewalDate": "2025-04-10",
    "mutualRecognition": ["C-TPAT (U.S. Customs and Border Protection)"],
}


def _renewal_errors(authorized: date, renewed: date | None) -> list[tuple[tuple[str], str]]:
    if renewed is None:
        return []
    detail = order_problem("authorizationDate", authorized, "renewalDate", renewed)
    return [] if detail is None else [(("renewalDate",), detail)]


class _OEAFields(CertificateModel):
    """The members an OEA request and its credentialSubject share, and their rule."""

    legal_name: LegalName
    rfc: OeaRfc
    oea_registration_number: OeaNumber
    modality: Modality
    authorization_date: AuthorizationDate
    renewal_date: RenewalDate = None
    mutual_recognition: MutualRecognition = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        fail_at(type(self), _renewal_errors(self.authorization_date, self.renewal_date))
        return self


class _SubjectHead(CertificateModel):
    """The credentialSubject's leading ``id`` and ``type`` (see ``SubjectIdFirst``)."""

    id: SubjectDid
    type: Annotated[list[str], exactly(SUBJECT_TYPE), type_list(SUBJECT_TYPE)]


class OEARequest(_OEAFields, SubjectIdFirst):
    """Data for an OEA certificate. / Datos para una constancia de registro OEA."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})


class OEAAuthorization(_OEAFields, _SubjectHead):
    """The credentialSubject of an OEACertificate."""


def _subject(data: OEARequest) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "id": data.subject_id,
        "type": [SUBJECT_TYPE],
        "legalName": data.legal_name,
        "rfc": data.rfc,
        "oeaRegistrationNumber": data.oea_registration_number,
        "modality": data.modality.value,
        "authorizationDate": data.authorization_date.isoformat(),
    }
    if data.renewal_date is not None:
        subject["renewalDate"] = data.renewal_date.isoformat()
    if data.mutual_recognition is not None:
        subject["mutualRecognition"] = list(data.mutual_recognition)
    return subject


def _identifiers(subject: Mapping[str, Any]) -> tuple[str, ...]:
    return present(subject.get("rfc"), subject.get("oeaRegistrationNumber"))


OEA = CertificateType(
    name=NAME,
    slug="oea",
    version="v1",
    contexts=CONTEXTS_V1,
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
    date_members=("authorizationDate", "renewalDate"),
    ordered_dates=(("authorizationDate", "renewalDate"),),
    dates_not_after_valid_from=("authorizationDate", "renewalDate"),
    rfc_member="rfc",
)
