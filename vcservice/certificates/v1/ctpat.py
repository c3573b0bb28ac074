"""C-TPAT: the Customs Trade Partnership Against Terrorism of U.S. Customs and Border Protection.

The credential follows the W3C CCG traceability vocabulary's ``CTPATCertificate``
(``credentialSubject`` of type ``CTPAT`` with a ``CTPATMember``), restricted to the
terms the project context defines: the member's names, locations (at least one),
importer-of-record number, SCAC, IATA code and DUNS; the trade sector (one of the
13 C-TPAT sectors), the tier, the SVI and account numbers and the date of the last
validation, which a Validated or Exceeding member must have.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from vcservice.certificates.base import CONTEXTS_V1, CertificateType, present
from vcservice.certificates.models import (
    CertificateModel,
    IsoDate,
    LegalName,
    Location,
    Omittable,
    SubjectDid,
    SubjectIdFirst,
    Text,
    exactly,
    fail_at,
    type_list,
)
from vcservice.certificates.places import MAX_PLACES, Place, PlaceData, place_document
from vcservice.certificates.values import REGISTRATION_NUMBER_PATTERN

NAME = "CTPATCertificate"
SUBJECT_TYPE = "CTPAT"
MEMBER_TYPE = "CTPATMember"
IMPORTER_OF_RECORD_TYPE = "CBPImporterOfRecord"
SCAC_PATTERN = "^[A-Z]{2,4}$"
IATA_CARRIER_CODE_PATTERN = "^[A-Z0-9]{2,3}$"
DUNS_PATTERN = "^[0-9]{9}$"
SVI_NUMBER_PATTERN = "^[A-Z0-9]{4,20}$"
ACCOUNT_NUMBER_PATTERN = "^[A-Z0-9]{1,20}$"


class TradeSector(StrEnum):
    """The 13 C-TPAT trade sectors, as the traceability vocabulary spells them."""

    US_IMPORTERS = "U.S. Importers"
    HIGHWAY_CARRIERS = "Highway Carriers"
    FOREIGN_MANUFACTURERS = "Foreign Manufacturers"
    CONSOLIDATORS = "Consolidators"
    US_CUSTOMS_BROKERS = "Licensed U.S. Customs Brokers"
    MEXICAN_LONG_HAUL_HIGHWAY_CARRIERS = "Mexican Long Haul Highway Carriers"
    US_EXPORTERS = "U.S. Exporters"
    THIRD_PARTY_LOGISTICS_PROVIDERS = "Third Party Logistics Providers"
    SEA_CARRIER = "Sea Carrier"
    MARINE_PORT_AUTHORITY_AND_TERMINAL_OPERATORS = "Marine Port Authority and Terminal Operators"
    FOREIGN_BASED_MARINE_PORT_TERMINAL_OPERATORS = "Foreign Based Marine Port Terminal Operators"
    AIR_CARRIERS = "Air Carriers"
    RAIL_CARRIERS = "Rail Carriers"

    @property
    def spanish(self) -> str:
        """The sector's Spanish name."""
        return _SECTORS_ES[self]


_SECTORS_ES = {
    TradeSector.US_IMPORTERS: "Importadores de EE. UU.",
    TradeSector.HIGHWAY_CARRIERS: "Autotransportistas",
    TradeSector.FOREIGN_MANUFACTURERS: "Fabricantes extranjeros",
    TradeSector.CONSOLIDATORS: "Consolidadores",
    TradeSector.US_CUSTOMS_BROKERS: "Agentes aduanales con licencia de EE. UU.",
    TradeSector.MEXICAN_LONG_HAUL_HIGHWAY_CARRIERS: (
        "Autotransportistas mexicanos de largo recorrido"
    ),
    TradeSector.US_EXPORTERS: "Exportadores de EE. UU.",
    TradeSector.THIRD_PARTY_LOGISTICS_PROVIDERS: "Proveedores de logística (3PL)",
    TradeSector.SEA_CARRIER: "Transportistas marítimos",
    TradeSector.MARINE_PORT_AUTHORITY_AND_TERMINAL_OPERATORS: (
        "Autoridades portuarias y operadores de terminales"
    ),
    TradeSector.FOREIGN_BASED_MARINE_PORT_TERMINAL_OPERATORS: (
        "Operadores de terminales portuarias en el extranjero"
    ),
    TradeSector.AIR_CARRIERS: "Transportistas aéreos",
    TradeSector.RAIL_CARRIERS: "Transportistas ferroviarios",
}


class Tier(StrEnum):
    """The C-TPAT tiers: certified (tier 1), validated (tier 2), exceeding (tier 3)."""

    CERTIFIED = "Certified"
    VALIDATED = "Validated"
    EXCEEDING = "Exceeding"

    @property
    def spanish(self) -> str:
        """The tier's Spanish name."""
        return _TIERS_ES[self]


_TIERS_ES = {
    Tier.CERTIFIED: "Certificado",
    Tier.VALIDATED: "Validado",
    Tier.EXCEEDING: "Superior a los requisitos mínimos",
}
VALIDATED_TIERS = frozenset({Tier.VALIDATED, Tier.EXCEEDING})


class ImporterOfRecordType(StrEnum):
    """What kind of number identifies a CBP importer of record."""

    IRS = "IRS"
    SSN = "SSN"
    CBP = "CBP"


def coded(
    pattern: str,
    description: str,
    example: str,
    *,
    min_length: int | None = None,
    max_length: int | None = None,
) -> Any:
    """The ``Field`` of a code string: its pattern (and length limits), text and example."""
    return Field(
        pattern=pattern,
        min_length=min_length,
        max_length=max_length,
        description=description,
        examples=[example],
    )


Scac = Annotated[str, coded(SCAC_PATTERN, "Standard Carrier Alpha Code (2–4 letters).", "GFTJ")]
IataCarrierCode = Annotated[
    str, coded(IATA_CARRIER_CODE_PATTERN, "IATA airline code of the carrier.", "QXJ")
]
Duns = Annotated[str, coded(DUNS_PATTERN, "Nine-digit Dun & Bradstreet DUNS number.", "078412559")]
SviNumber = Annotated[
    str,
    coded(SVI_NUMBER_PATTERN, "Status Verification Interface number. / Número SVI.", "F7K2Q9M1"),
]
AccountNumber = Annotated[
    str, coded(ACCOUNT_NUMBER_PATTERN, "C-TPAT account number. / Número de cuenta C-TPAT.", "48317")
]
ImporterNumber = Annotated[
    str,
    coded(
        REGISTRATION_NUMBER_PATTERN,
        "Importer of record number on file with CBP (capitals and digits in hyphenated "
        "groups). / Número de importador registrado ante CBP.",
        "74-1234567AB",
        min_length=8,
        max_length=16,
    ),
]
MemberName = Annotated[
    Omittable[Text],
    Field(description="Trade name. / Nombre comercial.", examples=["Gateway Frontera Transport"]),
]
Sector = Annotated[
    TradeSector,
    Field(
        description="C-TPAT trade sector. / Sector comercial C-TPAT.",
        examples=["Highway Carriers"],
    ),
]
TierField = Annotated[
    Tier,
    Field(
        description="C-TPAT tier: Certified, Validated or Exceeding. / Nivel C-TPAT.",
        examples=["Validated"],
    ),
]
IssuingCountry = Annotated[
    Literal["US"],
    Field(description="Country that issued the certification: always US.", examples=["US"]),
]
LastValidation = Annotated[
    Omittable[IsoDate],
    Field(
        description="Date of CBP's last validation (YYYY-MM-DD); required for the Validated "
        "and Exceeding tiers; not after validFrom. / Fecha de la última validación.",
        examples=["2025-09-18"],
    ),
]
_MEMBER_TEXT = "The organization that holds the membership. / La organización socia."
_LOCATION_TEXT = "Sites where the member operates; at least one. / Ubicaciones (al menos una)."


def _validation_errors(tier: Tier, last_validation: date | None) -> list[tuple[Location, str]]:
    if tier in VALIDATED_TIERS and last_validation is None:
        detail = f"a {tier.value} member needs its dateOfLastValidation"
        return [(("dateOfLastValidation",), detail)]
    return []


class ImporterOfRecordData(CertificateModel):
    """The member's CBP importer of record number. / Número de importador registrado."""

    number: ImporterNumber
    identifier_type: Annotated[
        ImporterOfRecordType,
        Field(description="What the number is: IRS, SSN or CBP-assigned. / Tipo de número."),
    ]


class CBPImporterOfRecord(ImporterOfRecordData):
    """The importer of record in a credential (``type: ["CBPImporterOfRecord"]``)."""

    type: Annotated[list[str], exactly(IMPORTER_OF_RECORD_TYPE), type_list(IMPORTER_OF_RECORD_TYPE)]


class _MemberFields(CertificateModel):
    """The members a C-TPAT member organization has in a request and in a credential."""

    name: MemberName = None
    legal_name: LegalName
    scac: Omittable[Scac] = None
    iata_carrier_code: Omittable[IataCarrierCode] = None
    duns: Omittable[Duns] = None


class _MemberHead(CertificateModel):
    """The credential member organization's leading ``type`` (see ``SubjectIdFirst``)."""

    type: Annotated[list[str], exactly(MEMBER_TYPE), type_list(MEMBER_TYPE)]


class CTPATMemberData(_MemberFields):
    """The member organization. / La organización socia."""

    importer_of_record: Annotated[
        Omittable[ImporterOfRecordData],
        Field(description="CBP importer of record, if the member imports. / Importador."),
    ] = None
    location: Annotated[
        list[PlaceData], Field(min_length=1, max_length=MAX_PLACES, description=_LOCATION_TEXT)
    ]


class CTPATMember(_MemberFields, _MemberHead):
    """The member organization in a credential (``type: ["CTPATMember"]``)."""

    importer_of_record: Omittable[CBPImporterOfRecord] = None
    location: Annotated[
        list[Place], Field(min_length=1, max_length=MAX_PLACES, description=_LOCATION_TEXT)
    ]


_EXAMPLE: JsonDict = {
    "subjectId": "did:web:gateway-frontera.example",
    "member": {
        "name": "Gateway Frontera Transport",
        "legalName": "Gateway Frontera Transport LLC",
        "scac": "GFTJ",
        "duns": "078412559",
        "location": [
            {
                "name": "Laredo terminal",
                "address": {
                    "streetAddress": "15210 Mines Rd",
                    "addressLocality": "Laredo",
                    "addressRegion": "TX",
                    "postalCode": "78045",
                    "addressCountry": "US",
                },
            }
        ],
    },
    "tradeSector": "Highway Carriers",
    "tier": "Validated",
    "sviNumber": "F7K2Q9M1",
    "ctpatAccountNumber": "48317",
    "dateOfLastValidation": "2025-09-18",
}


class _CTPATFields(CertificateModel):
    """The members a C-TPAT request and its credentialSubject share, and their rule."""

    trade_sector: Sector
    tier: TierField
    issuing_country: IssuingCountry
    svi_number: Omittable[SviNumber] = None
    ctpat_account_number: Omittable[AccountNumber] = None
    date_of_last_validation: LastValidation = None

    @model_validator(mode="after")
    def _validated_tiers_have_a_date(self) -> Self:
        fail_at(type(self), _validation_errors(self.tier, self.date_of_last_validation))
        return self


class _RequestHead(SubjectIdFirst):
    """A request's leading ``subjectId`` and ``member`` (see ``SubjectIdFirst``)."""

    member: Annotated[CTPATMemberData, Field(description=_MEMBER_TEXT)]


class _SubjectHead(CertificateModel):
    """The credentialSubject's leading ``id``, ``type`` and ``member``."""

    id: SubjectDid
    type: Annotated[list[str], exactly(SUBJECT_TYPE), type_list(SUBJECT_TYPE)]
    member: Annotated[CTPATMember, Field(description=_MEMBER_TEXT)]


class CTPATRequest(_CTPATFields, _RequestHead):
    """Data for a C-TPAT certificate. / Datos para un certificado C-TPAT."""

    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    # A request may leave issuingCountry out; the member keeps its place in the order.
    issuing_country: IssuingCountry = "US"


class CTPATCertification(_CTPATFields, _SubjectHead):
    """The credentialSubject of a CTPATCertificate (JSON-LD type ``CTPAT``)."""


def _member(member: CTPATMemberData) -> dict[str, Any]:
    document: dict[str, Any] = {"type": [MEMBER_TYPE]}
    if member.name is not None:
        document["name"] = member.name
    document["legalName"] = member.legal_name
    for key, value in (
        ("scac", member.scac),
        ("iataCarrierCode", member.iata_carrier_code),
        ("duns", member.duns),
    ):
        if value is not None:
            document[key] = value
    if member.importer_of_record is not None:
        document["importerOfRecord"] = {
            "type": [IMPORTER_OF_RECORD_TYPE],
            "number": member.importer_of_record.number,
            "identifierType": member.importer_of_record.identifier_type.value,
        }
    document["location"] = [place_document(place) for place in member.location]
    return document


def _subject(data: CTPATRequest) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "id": data.subject_id,
        "type": [SUBJECT_TYPE],
        "member": _member(data.member),
        "tradeSector": data.trade_sector.value,
        "tier": data.tier.value,
        "issuingCountry": data.issuing_country,
    }
    if data.svi_number is not None:
        subject["sviNumber"] = data.svi_number
    if data.ctpat_account_number is not None:
        subject["ctpatAccountNumber"] = data.ctpat_account_number
    if data.date_of_last_validation is not None:
        subject["dateOfLastValidation"] = data.date_of_last_validation.isoformat()
    return subject


def _identifiers(subject: Mapping[str, Any]) -> tuple[str, ...]:
    member = subject.get("member")
    member = member if isinstance(member, Mapping) else {}
    importer = member.get("importerOfRecord")
    importer = importer if isinstance(importer, Mapping) else {}
    return present(
        subject.get("sviNumber"),
        subject.get("ctpatAccountNumber"),
        importer.get("number"),
        member.get("duns"),
        member.get("scac"),
        member.get("iataCarrierCode"),
    )


CTPAT = CertificateType(
    name=NAME,
    slug="ctpat",
    version="v1",
    contexts=CONTEXTS_V1,
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
    date_members=("dateOfLastValidation",),
    dates_not_after_valid_from=("dateOfLastValidation",),
)
