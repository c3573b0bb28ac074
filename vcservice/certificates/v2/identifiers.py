"""The identifiers a company carries across the three programs, and their check digits.

Each identifier has a pattern (also in the v2 JSON Schemas) and, where the
numbering scheme has one, a check digit that a JSON Schema cannot express: the LEI
(ISO 17442, ISO 7064 MOD 97-10) and the GLN (GS1 modulo 10).  ``identifier_problem``
is the one function both the pydantic models and the credential checks call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from vcservice.certificates.values import REGISTRATION_NUMBER_PATTERN

MID_PATTERN = "^[A-Z]{2}[A-Z0-9]{1,13}$"
USDOT_PATTERN = "^[0-9]{1,8}$"
SCAC_PATTERN = "^[A-Z]{2,4}$"
IATA_CARRIER_CODE_PATTERN = "^[A-Z0-9]{2,3}$"
DUNS_PATTERN = "^[0-9]{9}$"
LEI_PATTERN = "^[A-Z0-9]{18}[0-9]{2}$"
GLN_PATTERN = "^[0-9]{13}$"
UN_LOCODE_PATTERN = "^[A-Z]{2}[A-Z2-9]{3}$"


def lei_problem(lei: str) -> str | None:
    """Why ``lei`` (20 characters of the right shape) fails its ISO 7064 check, or ``None``."""
    number = int("".join(str(int(character, 36)) for character in lei))
    return None if number % 97 == 1 else f"the check digits of LEI {lei} are wrong"


def gln_problem(gln: str) -> str | None:
    """Why ``gln`` (13 digits) fails its GS1 check digit, or ``None``."""
    weighted = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(gln[:-1]))
    expected = str(-weighted % 10)
    if gln[-1] != expected:
        return f"the check digit of GLN {gln} should be {expected!r}, not {gln[-1]!r}"
    return None


CHECKED: dict[str, Callable[[str], str | None]] = {
    "leiCode": lei_problem,
    "globalLocationNumber": gln_problem,
}
"""The members whose value has a check digit, and its check."""


def _checked(check: Callable[[str], str | None]) -> AfterValidator:
    def validate(value: str) -> str:
        problem = check(value)
        if problem is not None:
            raise PydanticCustomError("check_digit", problem)
        return value

    return AfterValidator(validate)


def _code(pattern: str, description: str, example: str, **limits: Any) -> Any:
    return Field(pattern=pattern, description=description, examples=[example], **limits)


ManufacturerId = Annotated[
    str,
    _code(
        MID_PATTERN,
        "CBP Manufacturer Identification Code (MID) of a foreign manufacturer or shipper. "
        "/ Código de identificación del fabricante (MID) ante CBP.",
        "MXENSELE9850CIU",
    ),
]
UsdotNumber = Annotated[
    str,
    _code(
        USDOT_PATTERN,
        "U.S. Department of Transportation number of a motor carrier. / Número USDOT.",
        "1234567",
    ),
]
Scac = Annotated[
    str, _code(SCAC_PATTERN, "Standard Carrier Alpha Code (2–4 letters). / Código SCAC.", "GFTJ")
]
IataCarrierCode = Annotated[
    str, _code(IATA_CARRIER_CODE_PATTERN, "IATA airline code of the carrier.", "QXJ")
]
Duns = Annotated[str, _code(DUNS_PATTERN, "Nine-digit Dun & Bradstreet DUNS number.", "812345670")]
LeiCode = Annotated[
    str,
    _code(
        LEI_PATTERN,
        "Legal Entity Identifier (ISO 17442), check digits verified.",
        "5493001KJTIIGC8Y1R12",
    ),
    _checked(lei_problem),
]
GlobalLocationNumber = Annotated[
    str,
    _code(GLN_PATTERN, "GS1 Global Location Number, check digit verified.", "7501234000017"),
    _checked(gln_problem),
]
UnLocode = Annotated[
    str, _code(UN_LOCODE_PATTERN, "UN/LOCODE of the site's location. / Código UN/LOCODE.", "MXCJS")
]
_REGISTRATION = {"min_length": 3, "max_length": 40}
Caat = Annotated[
    str,
    _code(
        REGISTRATION_NUMBER_PATTERN,
        "Código Alfanumérico Armonizado del Transportista (CAAT), assigned by SAT to a "
        "carrier. / CAAT del transportista.",
        "4F7K",
        **_REGISTRATION,
    ),
]
SctPermit = Annotated[
    str,
    _code(
        REGISTRATION_NUMBER_PATTERN,
        "Federal motor-carrier permit of the SCT (now SICT). / Permiso de autotransporte "
        "federal SCT.",
        "0812ENB0215",
        **_REGISTRATION,
    ),
]
PatenteAduanal = Annotated[
    str,
    _code(
        REGISTRATION_NUMBER_PATTERN,
        "Customs broker's licence number (patente aduanal). / Número de patente aduanal.",
        "3210",
        min_length=1,
        max_length=40,
    ),
]
ImporterNumber = Annotated[
    str,
    _code(
        REGISTRATION_NUMBER_PATTERN,
        "Importer of record number on file with CBP: IRS (EIN) number, CBP-assigned number "
        "or, for U.S. importers only, SSN. / Número de importador registrado ante CBP.",
        "74-1234567AB",
        min_length=8,
        max_length=16,
    ),
]
