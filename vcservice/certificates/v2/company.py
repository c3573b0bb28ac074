"""The company node: one shape, at ``credentialSubject.member``, in all three certificate types.

The traceability vocabulary puts the certified organization of a ``CTPAT`` membership
at ``member``; version 2 of the IMMEX and OEA certificates does the same, so one
company's credentials join on the same path (``company_keys``): its DID (``member.id``,
the holder), RFC, CBP MID, importer number, DUNS and LEI.  The node is an
``Organization`` (a ``CTPATMember`` in C-TPAT, which traceability maps to the same
class) with typed identifiers and its sites, each with a role and its own codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field, StringConstraints, model_validator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from vcservice.certificates.base import present
from vcservice.certificates.models import (
    CertificateModel,
    Did,
    LegalName,
    Location,
    Omittable,
    Text,
    exactly,
    fail_at,
    type_list,
)
from vcservice.certificates.places import MAX_PLACES, AddressData
from vcservice.certificates.rfc import RFC_PATTERN, rfc_problem
from vcservice.certificates.v2.identifiers import (
    Caat,
    Duns,
    GlobalLocationNumber,
    IataCarrierCode,
    ImporterNumber,
    LeiCode,
    ManufacturerId,
    PatenteAduanal,
    Scac,
    SctPermit,
    UnLocode,
    UsdotNumber,
)

MEMBER = "member"
EXAMPLE_COMPANY: JsonDict = {
    "id": "did:web:ensambles-bravo.example",
    "name": "Ensambles Bravo",
    "legalName": "Ensambles Electrónicos del Bravo, S.A. de C.V.",
    "rfc": "EEB030821R49",
    "manufacturerId": "MXENSELE9850CIU",
    "location": [
        {
            "siteRole": "SiteTaxDomicile",
            "address": {
                "name": "Planta 1",
                "streetAddress": "Blvd. Independencia 9850, Parque Industrial Río Bravo",
                "addressLocality": "Ciudad Juárez",
                "addressRegion": "CHH",
                "postalCode": "32575",
                "addressCountry": "MX",
            },
        }
    ],
}
"""The company of every type's documented example request: one company, three programmes."""
ORGANIZATION = "Organization"
IMPORTER_OF_RECORD_TYPE = "CBPImporterOfRecord"


class SiteRole(StrEnum):
    """What a site is to the company (IRIs in the project vocabulary)."""

    TAX_DOMICILE = "SiteTaxDomicile"
    PLANT = "SitePlant"
    WAREHOUSE = "SiteWarehouse"
    TERMINAL = "SiteTerminal"
    OFFICE = "SiteOffice"


class ImporterOfRecordType(StrEnum):
    """What kind of number identifies a CBP importer of record."""

    IRS = "IRS"
    SSN = "SSN"
    CBP = "CBP"


def _rfc_shape(value: str) -> str:
    # The check digit is a warning of the issuance (see ``rules.rfc_findings``), not a refusal.
    problem = rfc_problem(value, check_digit=False)
    if problem is not None:
        raise PydanticCustomError("rfc", problem)
    return value


Rfc = Annotated[
    str,
    StringConstraints(pattern=RFC_PATTERN),
    Field(
        description="Mexican tax id (RFC), in capitals, without spaces or hyphens: 12 "
        "characters for a company (persona moral), 13 for an individual (persona física). "
        "Its embedded date is verified; a check digit that SAT's published algorithm does "
        "not give is reported as a warning. / Clave del RFC.",
        examples=["EEB030821R49"],
    ),
    AfterValidator(_rfc_shape),
]
CompanyDid = Annotated[
    Did,
    Field(
        description="DID of the company: the holder who presents the credential, and the "
        "key that joins its certificates. / DID de la empresa titular.",
        examples=["did:web:ensambles-bravo.example"],
    ),
]
TradeName = Annotated[
    Omittable[Text],
    Field(description="Trade name. / Nombre comercial.", examples=["Ensambles Bravo"]),
]
_SITE_NAME = Field(
    description="Name of the site (plant, warehouse, terminal). / Nombre del sitio.",
    examples=["Planta 1"],
)
_ROLE = Field(
    description="What the site is: SiteTaxDomicile, SitePlant, SiteWarehouse, SiteTerminal or "
    "SiteOffice. / Función del sitio.",
    examples=["SitePlant"],
)
_SITES_TEXT = (
    "The company's sites, at least one; at most one tax domicile. / Sitios de la empresa "
    "(al menos uno; a lo sumo un domicilio fiscal)."
)


class _SiteName(CertificateModel):
    name: Annotated[Omittable[Text], _SITE_NAME] = None


class SiteAddressData(AddressData, _SiteName):
    """A site's postal address and name. / Dirección y nombre del sitio."""


class SiteAddress(AddressData, _SiteName):
    """A site's postal address in a credential (``type: ["PostalAddress"]``).

    Traceability's ``Place`` has no name of its own, so the site's name is the address's.
    """

    type: Annotated[list[str], exactly("PostalAddress"), type_list("PostalAddress")]

    @classmethod
    def of(cls, data: SiteAddressData) -> Self:
        """The credential form of ``data``."""
        return cls.model_validate({"type": ["PostalAddress"], **_dumped(data)})


class _SiteFields(CertificateModel):
    site_role: Annotated[SiteRole, _ROLE]
    manufacturer_id: Omittable[ManufacturerId] = None
    un_locode: Omittable[UnLocode] = None
    global_location_number: Omittable[GlobalLocationNumber] = None


class SiteData(_SiteFields):
    """A site of the company. / Un sitio de la empresa."""

    address: Annotated[
        SiteAddressData,
        Field(description="The site's name and postal address. / Nombre y dirección del sitio."),
    ]


class Site(_SiteFields):
    """A site in a credential (``type: ["Place"]``)."""

    type: Annotated[list[str], exactly("Place"), type_list("Place")]
    address: SiteAddress

    @classmethod
    def of(cls, data: SiteData) -> Self:
        """The credential form of ``data``."""
        return cls.model_validate(
            {"type": ["Place"], **_dumped(data), "address": SiteAddress.of(data.address)}
        )


class ImporterOfRecordData(CertificateModel):
    """The company's CBP importer of record number. / Número de importador registrado."""

    number: ImporterNumber
    identifier_type: Annotated[
        ImporterOfRecordType,
        Field(description="What the number is: IRS, SSN or CBP-assigned. / Tipo de número."),
    ]


class ImporterOfRecord(ImporterOfRecordData):
    """The importer of record in a credential (``type: ["CBPImporterOfRecord"]``)."""

    type: Annotated[list[str], exactly(IMPORTER_OF_RECORD_TYPE), type_list(IMPORTER_OF_RECORD_TYPE)]


def _company_errors(company: CompanyData | CompanyNode) -> list[tuple[Location, str]]:
    """At most one tax domicile; a company domiciled in Mexico gives its RFC."""
    domiciles = [
        index
        for index, site in enumerate(company.location)
        if site.site_role is SiteRole.TAX_DOMICILE
    ]
    errors: list[tuple[Location, str]] = [
        (("location", index, "siteRole"), "a company has at most one tax domicile")
        for index in domiciles[1:]
    ]
    domestic = domiciles and company.location[domiciles[0]].address.address_country == "MX"
    if domestic and company.rfc is None:
        errors.append((("rfc",), "a company domiciled in Mexico must give its RFC"))
    return errors


class _CompanyFields(CertificateModel):
    """The members of the company node, in a request and in a credential."""

    name: TradeName = None
    legal_name: LegalName
    rfc: Omittable[Rfc] = None
    manufacturer_id: Omittable[ManufacturerId] = None
    usdot_number: Omittable[UsdotNumber] = None
    scac: Omittable[Scac] = None
    iata_carrier_code: Omittable[IataCarrierCode] = None
    caat: Omittable[Caat] = None
    sct_permit: Omittable[SctPermit] = None
    patente_aduanal: Omittable[PatenteAduanal] = None
    duns: Omittable[Duns] = None
    lei_code: Omittable[LeiCode] = None
    global_location_number: Omittable[GlobalLocationNumber] = None


class CompanyId(CertificateModel):
    id: CompanyDid


class CompanyData(_CompanyFields, CompanyId):
    """The certified company. / La empresa certificada."""

    importer_of_record: Annotated[
        Omittable[ImporterOfRecordData],
        Field(description="CBP importer of record number, if the company has one."),
    ] = None
    location: Annotated[
        list[SiteData], Field(min_length=1, max_length=MAX_PLACES, description=_SITES_TEXT)
    ]

    @model_validator(mode="after")
    def _company_rules(self) -> Self:
        fail_at(type(self), _company_errors(self))
        return self


class CompanyNode(_CompanyFields):
    """The company node in a credential; ``type`` is the subclass's."""

    importer_of_record: Omittable[ImporterOfRecord] = None
    location: Annotated[
        list[Site], Field(min_length=1, max_length=MAX_PLACES, description=_SITES_TEXT)
    ]

    @model_validator(mode="after")
    def _company_rules(self) -> Self:
        fail_at(type(self), _company_errors(self))
        return self


class _OrganizationHead(CompanyId):
    type: Annotated[list[str], exactly(ORGANIZATION), type_list(ORGANIZATION)]


class Organization(CompanyNode, _OrganizationHead):
    """The company node of an IMMEX or OEA credential (``type: ["Organization"]``).

    Both are Mexican programmes, so the holder's RFC is required.
    """

    rfc: Rfc


def company_node(data: CompanyData, node_type: str) -> dict[str, Any]:
    """The credential form of ``data``: typed, with typed sites and importer of record."""
    document: dict[str, Any] = {"id": data.id, "type": [node_type], **_dumped(data)}
    del document["location"]
    if data.importer_of_record is not None:
        document["importerOfRecord"] = {
            "type": [IMPORTER_OF_RECORD_TYPE],
            **_dumped(data.importer_of_record),
        }
    document["location"] = [_dumped(Site.of(site)) for site in data.location]
    return document


def company_keys(credential: Mapping[str, Any]) -> tuple[str, ...]:
    """The identifiers that join a company's credentials, from each subject's ``member``.

    In order: DID, RFC, CBP MID, importer of record number, DUNS, LEI (those present).
    """
    subjects = credential.get("credentialSubject")
    found: list[str] = []
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        if isinstance(subject, Mapping):
            found.extend(key for key in member_keys(subject) if key not in found)
    return tuple(found)


def member_keys(subject: Mapping[str, Any], *numbers: str) -> tuple[str, ...]:
    """The company keys of one subject's ``member``, then the subject's own ``numbers``."""
    member = subject.get(MEMBER)
    member = member if isinstance(member, Mapping) else {}
    importer = member.get("importerOfRecord")
    importer = importer if isinstance(importer, Mapping) else {}
    return present(
        member.get("id"),
        member.get("rfc"),
        member.get("manufacturerId"),
        importer.get("number"),
        member.get("duns"),
        member.get("leiCode"),
        *(subject.get(number) for number in numbers),
    )


def _dumped(model: CertificateModel) -> dict[str, Any]:
    """``model`` as credential JSON: camelCase members, omitted ones left out."""
    return model.model_dump(mode="json", exclude_none=True)
