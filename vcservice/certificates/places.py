"""Places and postal addresses (schema.org ``Place`` / ``PostalAddress``) and their codes.

A country is an ISO 3166-1 alpha-2 code.  A region is a short code: a U.S. state
code, or a Mexican state's ISO 3166-2 code without the ``MX-`` prefix (``CHH``).
For Mexico and the United States the region and postal code are required and
checked against the national lists; elsewhere they are optional short codes.
IMMEX authorized addresses are in Mexico, so they use the ``Mexican*`` models.

Request models (``AddressData``, ``PlaceData``) are the plain data an authority
submits; the credential models (``PostalAddress``, ``Place``) carry the JSON-LD
``type`` that the context's type-scoped terms need.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self, get_args

from pydantic import AfterValidator, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from vcservice.certificates.models import (
    CertificateModel,
    Location,
    Omittable,
    Text,
    exactly,
    fail_at,
    type_list,
)
from vcservice.certificates.values import matches

# ISO 3166-1 alpha-2: the 249 officially assigned codes.
COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905  (a code table reads better as text)
)

# ISO 3166-2:MX subdivision codes without the "MX-" prefix: the 32 federal entities.
MexicanState = Literal[
    "AGU", "BCN", "BCS", "CAM", "CHP", "CHH", "CMX", "COA", "COL", "DUR", "GUA",
    "GRO", "HID", "JAL", "MEX", "MIC", "MOR", "NAY", "NLE", "OAX", "PUE", "QUE",
    "ROO", "SLP", "SIN", "SON", "TAB", "TAM", "TLA", "VER", "YUC", "ZAC",
]  # fmt: skip
MEXICAN_STATES: tuple[str, ...] = get_args(MexicanState)
# USPS codes of the 50 states, the District of Columbia and the inhabited territories.
US_STATES = frozenset(
    """
    AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH
    NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC AS GU MP PR VI
    """.split()  # noqa: SIM905
)

REGION_PATTERN = "^[A-Z0-9]{1,3}$"
POSTAL_CODE_PATTERN = "^[A-Z0-9](?:[A-Z0-9 -]{0,8}[A-Z0-9])?$"
MEXICAN_POSTAL_CODE_PATTERN = "^[0-9]{5}$"
US_POSTAL_CODE_PATTERN = "^[0-9]{5}(?:-[0-9]{4})?$"
# Per country: the allowed regions and the postal code pattern, both then required.
NATIONAL_RULES: dict[str, tuple[frozenset[str], str]] = {
    "MX": (frozenset(MEXICAN_STATES), MEXICAN_POSTAL_CODE_PATTERN),
    "US": (US_STATES, US_POSTAL_CODE_PATTERN),
}
MAX_PLACES = 100


def _known_country(code: str) -> str:
    if code not in COUNTRY_CODES:
        raise PydanticCustomError(
            "country_code", "{code} is not an ISO 3166-1 alpha-2 country code", {"code": code}
        )
    return code


CountryCode = Annotated[
    str,
    StringConstraints(pattern="^[A-Z]{2}$"),
    AfterValidator(_known_country),
    Field(
        description="ISO 3166-1 alpha-2 country code. / Código de país ISO 3166-1 alfa-2.",
        examples=["MX", "US"],
    ),
]
_STREET = Field(
    description="Street and number, and the industrial park if useful. / Calle y número.",
    examples=["Blvd. Independencia 9850, Parque Industrial Río Bravo"],
)
_LOCALITY = Field(
    description="City or municipality. / Ciudad o municipio.", examples=["Ciudad Juárez"]
)
_REGION = Field(
    description=(
        "State: U.S. state code, or the Mexican state's ISO 3166-2 code without 'MX-'; "
        "required for MX and US. / Estado (p. ej. CHH, TAM, TX)."
    ),
    examples=["CHH"],
)
_POSTAL_CODE = Field(
    description="Postal code; 5 digits in MX, ZIP or ZIP+4 in US. / Código postal.",
    examples=["32575"],
)
_PLACE_NAME = Field(
    description="Name of the site (plant, warehouse, terminal). / Nombre del sitio.",
    examples=["Planta 1"],
)
Region = Annotated[str, StringConstraints(pattern=REGION_PATTERN)]
PostalCode = Annotated[str, StringConstraints(pattern=POSTAL_CODE_PATTERN)]
MexicanPostalCode = Annotated[str, StringConstraints(pattern=MEXICAN_POSTAL_CODE_PATTERN)]


def national_errors(
    country: str, region: str | None, postal_code: str | None
) -> list[tuple[Location, str]]:
    """The MX / US rules for an address in ``country`` (others have none)."""
    rules = NATIONAL_RULES.get(country)
    if rules is None:
        return []
    regions, postal_pattern = rules
    errors: list[tuple[Location, str]] = []
    if region is None:
        errors.append((("addressRegion",), f"a state code is required for an address in {country}"))
    elif region not in regions:
        errors.append((("addressRegion",), f"{region!r} is not a state code of {country}"))
    if postal_code is None:
        errors.append((("postalCode",), f"a postal code is required for an address in {country}"))
    elif not matches(postal_code, postal_pattern):
        errors.append((("postalCode",), f"{postal_code!r} is not a postal code of {country}"))
    return errors


class AddressData(CertificateModel):
    """A postal address anywhere. / Dirección postal."""

    street_address: Annotated[Text, _STREET]
    address_locality: Annotated[Text, _LOCALITY]
    address_region: Annotated[Omittable[Region], _REGION] = None
    postal_code: Annotated[Omittable[PostalCode], _POSTAL_CODE] = None
    address_country: CountryCode

    @model_validator(mode="after")
    def _national_rules(self) -> Self:
        errors = national_errors(self.address_country, self.address_region, self.postal_code)
        fail_at(type(self), errors)
        return self


class PostalAddress(AddressData):
    """A postal address in a credential (``type: ["PostalAddress"]``)."""

    type: Annotated[list[str], exactly("PostalAddress"), type_list("PostalAddress")]


class MexicanAddressData(CertificateModel):
    """A postal address in Mexico. / Domicilio en México."""

    street_address: Annotated[Text, _STREET]
    address_locality: Annotated[Text, _LOCALITY]
    address_region: Annotated[MexicanState, _REGION]
    postal_code: Annotated[MexicanPostalCode, _POSTAL_CODE]
    address_country: Annotated[
        Literal["MX"], Field(description="Always MX. / Siempre MX.", examples=["MX"])
    ]


class MexicanPostalAddress(MexicanAddressData):
    """A postal address in Mexico, in a credential (``type: ["PostalAddress"]``)."""

    type: Annotated[list[str], exactly("PostalAddress"), type_list("PostalAddress")]


class PlaceData(CertificateModel):
    """A site and its postal address. / Un sitio y su dirección."""

    name: Annotated[Omittable[Text], _PLACE_NAME] = None
    address: Annotated[AddressData, Field(description="Its postal address. / Su dirección.")]


class Place(CertificateModel):
    """A site in a credential (``type: ["Place"]``)."""

    type: Annotated[list[str], exactly("Place"), type_list("Place")]
    name: Annotated[Omittable[Text], _PLACE_NAME] = None
    address: PostalAddress


class MexicanPlaceData(CertificateModel):
    """A site in Mexico and its address. / Un domicilio en México."""

    name: Annotated[Omittable[Text], _PLACE_NAME] = None
    address: Annotated[
        MexicanAddressData, Field(description="Its address in Mexico. / Su domicilio.")
    ]


class MexicanPlace(CertificateModel):
    """A site in Mexico, in a credential (``type: ["Place"]``)."""

    type: Annotated[list[str], exactly("Place"), type_list("Place")]
    name: Annotated[Omittable[Text], _PLACE_NAME] = None
    address: MexicanPostalAddress


def place_document(place: PlaceData | MexicanPlaceData) -> dict[str, Any]:
    """The credential form of ``place``: a ``Place`` with its typed ``PostalAddress``."""
    address = place.address
    written: dict[str, Any] = {"type": ["PostalAddress"], "streetAddress": address.street_address}
    written["addressLocality"] = address.address_locality
    if address.address_region is not None:
        written["addressRegion"] = address.address_region
    if address.postal_code is not None:
        written["postalCode"] = address.postal_code
    written["addressCountry"] = address.address_country
    document: dict[str, Any] = {"type": ["Place"]}
    if place.name is not None:
        document["name"] = place.name
    document["address"] = written
    return document
