"""IMMEX: Mexico's Manufacturing, Maquila and Export Services Industry program.

The Secretaría de Economía authorizes a company (persona moral) to import goods
temporarily for manufacturing or services and export them; SAT oversees the
operations.  The certificate says that a company holds an IMMEX program, its number
and modality, when it was authorized, and the addresses in Mexico registered for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Field
from pydantic.config import JsonDict

from vcservice.certificates.base import CONTEXTS_V1, CertificateType, present
from vcservice.certificates.models import (
    CertificateModel,
    CompanyRfc,
    IsoDate,
    LegalName,
    RegistrationNumber,
    SubjectDid,
    SubjectIdFirst,
    exactly,
    type_list,
)
from vcservice.certificates.places import (
    MAX_PLACES,
    MexicanPlace,
    MexicanPlaceData,
    place_document,
)

NAME = "IMMEXCertificate"
SUBJECT_TYPE = "IMMEXAuthorization"


class ImmexModality(StrEnum):
    """The IMMEX modalities; the credential carries the Spanish name."""

    HOLDING = "Controladora de empresas"
    INDUSTRIAL = "Industrial"
    SERVICES = "Servicios"
    SHELTER = "Albergue"
    SUBCONTRACTING = "Tercerización"

    @property
    def english(self) -> str:
        """The modality's English name."""
        return _ENGLISH[self]


_ENGLISH = {
    ImmexModality.HOLDING: "Holding company",
    ImmexModality.INDUSTRIAL: "Industrial",
    ImmexModality.SERVICES: "Services",
    ImmexModality.SHELTER: "Shelter",
    ImmexModality.SUBCONTRACTING: "Subcontracting",
}

ProgramNumber = Annotated[
    RegistrationNumber,
    Field(
        description="IMMEX program number assigned by the Secretaría de Economía. "
        "/ Número de Programa IMMEX.",
        examples=["4521-2007"],
    ),
]
Modality = Annotated[
    ImmexModality,
    Field(
        description="IMMEX modality, in Spanish: Controladora de empresas (holding), "
        "Industrial, Servicios (services), Albergue (shelter), Tercerización "
        "(subcontracting). / Modalidad del Programa IMMEX.",
        examples=["Industrial"],
    ),
]
AuthorizationDate = Annotated[
    IsoDate,
    Field(
        description="Date the program was authorized (YYYY-MM-DD); not after the "
        "credential's validFrom. / Fecha de autorización del programa.",
        examples=["2007-03-15"],
    ),
]
_ADDRESSES_TEXT = (
    "The addresses in Mexico registered in the program where its operations take place; "
    "at least one. / Domicilios autorizados en el programa (al menos uno)."
)

_EXAMPLE: JsonDict = {
    "subjectId": "did:web:ensambles-bravo.example",
    "legalName": "Ensambles Electrónicos del Bravo, S.A. de C.V.",
    "rfc": "EEB030821R49",
    "immexProgramNumber": "4521-2007",
    "modality": "Industrial",
    "authorizationDate": "2007-03-15",
    "authorizedAddresses": [
        {
            "name": "Planta 1",
            "address": {
                "streetAddress": "Blvd. Independencia 9850, Parque Industrial Río Bravo",
                "addressLocality": "Ciudad Juárez",
                "addressRegion": "CHH",
                "postalCode": "32575",
                "addressCountry": "MX",
            },
        }
    ],
}


class _IMMEXFields(CertificateModel):
    """The members an IMMEX request and its credentialSubject share."""

    legal_name: LegalName
    rfc: CompanyRfc
    immex_program_number: ProgramNumber
    modality: Modality
    authorization_date: AuthorizationDate


class _SubjectHead(CertificateModel):
    """The credentialSubject's leading ``id`` and ``type`` (see ``SubjectIdFirst``)."""

    id: SubjectDid
    type: Annotated[list[str], exactly(SUBJECT_TYPE), type_list(SUBJECT_TYPE)]


class IMMEXRequest(_IMMEXFields, SubjectIdFirst):
    """Data for an IMMEX certificate. / Datos para una constancia de Programa IMMEX."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    authorized_addresses: Annotated[
        list[MexicanPlaceData],
        Field(min_length=1, max_length=MAX_PLACES, description=_ADDRESSES_TEXT),
    ]


class IMMEXAuthorization(_IMMEXFields, _SubjectHead):
    """The credentialSubject of an IMMEXCertificate."""

    authorized_addresses: Annotated[
        list[MexicanPlace],
        Field(min_length=1, max_length=MAX_PLACES, description=_ADDRESSES_TEXT),
    ]


def _subject(data: IMMEXRequest) -> dict[str, Any]:
    return {
        "id": data.subject_id,
        "type": [SUBJECT_TYPE],
        "legalName": data.legal_name,
        "rfc": data.rfc,
        "immexProgramNumber": data.immex_program_number,
        "modality": data.modality.value,
        "authorizationDate": data.authorization_date.isoformat(),
        "authorizedAddresses": [place_document(place) for place in data.authorized_addresses],
    }


def _identifiers(subject: Mapping[str, Any]) -> tuple[str, ...]:
    return present(subject.get("rfc"), subject.get("immexProgramNumber"))


IMMEX = CertificateType(
    name=NAME,
    slug="immex",
    version="v1",
    contexts=CONTEXTS_V1,
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
    date_members=("authorizationDate",),
    dates_not_after_valid_from=("authorizationDate",),
    rfc_member="rfc",
)
