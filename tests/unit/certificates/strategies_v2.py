"""Hypothesis strategies for version 2 requests: the company node and each programme's rules.

Stated from the programmes' rules, independently of the models: the RFC of a company
(12) or, for OEA customs brokers only, of an individual (13); IMMEX sites in Mexico;
a tax domicile in Mexico for IMMEX and OEA, in Mexico or Canada for C-TPAT foreign
manufacturers; the identifiers each C-TPAT trade sector needs; Tier III for importers
and exporters only; LEI and GLN with their check digits; dates in their order.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from tests.unit.certificates.strategies import (
    COUNTRIES,
    VALID_FROM,
    VALID_UNTIL,
    addresses,
    codes,
    compact,
    dids,
    importer_numbers,
    optional,
    past_dates,
    registration_numbers,
    rfcs,
    texts,
)

_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # ISO 7064 values: 0-9, A=10 … Z=35
OTHER_ROLES = ["SitePlant", "SiteWarehouse", "SiteTerminal", "SiteOffice"]
BROKER = "OeaCustomsBroker"
RUBROS = [
    "OeaImporterExporter", "OeaHolding", "OeaSECIIT", "OeaLandCarrier", "OeaRailCarrier",
    BROKER, "OeaCustomsAgency", "OeaIndustrialPark", "OeaBondedWarehouse",
    "OeaStrategicBondedZone", "OeaGeneralDepositWarehouse", "OeaCourier",
]  # fmt: skip
MODALITIES = [
    "ImmexHolding", "ImmexIndustrial", "ImmexServices", "ImmexShelter", "ImmexSubcontracting",
]  # fmt: skip
IMPORTERS, EXPORTERS = "U.S. Importers", "U.S. Exporters"
SECTORS = [
    IMPORTERS, "Highway Carriers", "Foreign Manufacturers", "Consolidators",
    "Licensed U.S. Customs Brokers", "Mexican Long Haul Highway Carriers", EXPORTERS,
    "Third Party Logistics Providers", "Sea Carrier",
    "Marine Port Authority and Terminal Operators",
    "Foreign Based Marine Port Terminal Operators", "Air Carriers", "Rail Carriers",
]  # fmt: skip
SECTOR_IDENTIFIERS = {
    "Highway Carriers": ("scac", "usdotNumber"),
    "Mexican Long Haul Highway Carriers": ("sctPermit",),
    "Foreign Manufacturers": ("manufacturerId",),
    IMPORTERS: ("importerOfRecord",),
}
ROLES = [
    "MraRoleManufacturerExporter", "MraRoleImporter", "MraRoleHighwayCarrier",
    "MraRoleCustomsBroker",
]  # fmt: skip


def lei_check_digits(body: str) -> str:
    """ISO 17442's two check digits for an 18-character LEI body (ISO 7064 MOD 97-10)."""
    number = int("".join(str(_ALPHANUMERIC.index(character)) for character in body) + "00")
    return f"{98 - number % 97:02d}"


def gln_check_digit(body: str) -> str:
    """GS1's check digit for 12 digits: weights 3, 1, 3 … from the right."""
    total = sum(int(digit) * (1 + 2 * (index % 2 == 0)) for index, digit in enumerate(body[::-1]))
    return str(-total % 10)


leis = st.text(_ALPHANUMERIC, min_size=18, max_size=18).map(lambda b: b + lei_check_digits(b))
glns = codes("^[0-9]{12}$").map(lambda body: body + gln_check_digit(body))
mids = codes("^[A-Z]{2}[A-Z0-9]{1,13}$")
ANYWHERE = st.sampled_from(COUNTRIES)
IDENTIFIERS: dict[str, st.SearchStrategy[str]] = {
    "manufacturerId": mids,
    "usdotNumber": codes("^[0-9]{1,8}$"),
    "scac": codes("^[A-Z]{2,4}$"),
    "iataCarrierCode": codes("^[A-Z0-9]{2,3}$"),
    "caat": registration_numbers,
    "sctPermit": registration_numbers,
    "patenteAduanal": registration_numbers,
    "duns": codes("^[0-9]{9}$"),
    "leiCode": leis,
    "globalLocationNumber": glns,
}


@st.composite
def sites(draw: st.DrawFn, role: str, country: str) -> dict[str, Any]:
    address = draw(addresses(country=country))
    return compact(
        {
            "siteRole": role,
            "manufacturerId": draw(optional(mids)),
            "unLocode": draw(optional(codes("^[A-Z]{2}[A-Z2-9]{3}$"))),
            "globalLocationNumber": draw(optional(glns)),
            "address": compact({"name": draw(optional(texts(30))), **address}),
        }
    )


@st.composite
def companies(
    draw: st.DrawFn,
    *,
    domicile: st.SearchStrategy[str | None],
    person: bool | None = False,
    site_countries: st.SearchStrategy[str] = ANYWHERE,
    required: tuple[str, ...] = (),
    importer_types: tuple[str, ...] = ("IRS", "CBP"),
) -> dict[str, Any]:
    """A company node: identifiers (``required`` ones always), sites, at most one domicile.

    ``domicile`` draws the country of the tax domicile (``None``: no domicile given); a
    company domiciled in Mexico gives its RFC, of an individual if ``person``.
    """
    country = draw(domicile)
    rfc = rfcs(person=person)
    importer = st.fixed_dictionaries(
        {"number": importer_numbers, "identifierType": st.sampled_from(importer_types)}
    )
    member: dict[str, Any] = {
        "id": draw(dids),
        "name": draw(optional(texts(40))),
        "legalName": draw(texts()),
        "rfc": draw(rfc if country == "MX" or "rfc" in required else optional(rfc)),
        "importerOfRecord": draw(
            importer if "importerOfRecord" in required else optional(importer)
        ),
    }
    for name, strategy in IDENTIFIERS.items():
        member[name] = draw(strategy if name in required else optional(strategy))
    located = [] if country is None else [draw(sites("SiteTaxDomicile", country))]
    others = st.sampled_from(OTHER_ROLES).flatmap(
        lambda role: site_countries.flatmap(lambda where: sites(role, where))
    )
    located += draw(st.lists(others, min_size=0 if located else 1, max_size=2))
    member["location"] = draw(st.permutations(located))
    return compact(member)


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


@st.composite
def recognitions(draw: st.DrawFn, by: str, program: str) -> list[dict[str, Any]] | None:
    entry = st.fixed_dictionaries(
        {
            "arrangement": st.just("MraUsMx2014"),
            "recognizedBy": st.just(by),
            "counterpartProgram": st.just(program),
            "recognizedRole": st.lists(st.sampled_from(ROLES), min_size=1, unique=True),
        },
        optional={"counterpartAccountNumber": registration_numbers},
    )
    return draw(optional(st.lists(entry, min_size=1, max_size=3)))


@st.composite
def immex_requests(draw: st.DrawFn) -> dict[str, Any]:
    mexico = st.just("MX")
    authorized = draw(past_dates)
    # The last year reported: not before the authorization's, before validFrom's.
    years = [str(year) for year in range(authorized.year, VALID_FROM.year)]
    return compact(
        {
            "member": draw(companies(domicile=mexico, site_countries=mexico, required=("rfc",))),
            "immexProgramNumber": draw(registration_numbers),
            "immexModality": draw(st.sampled_from(MODALITIES)),
            "authorizationDate": authorized.isoformat(),
            "lastAnnualReportYear": draw(optional(st.sampled_from(years))) if years else None,
        }
    )


@st.composite
def oea_requests(draw: st.DrawFn) -> dict[str, Any]:
    rubro = draw(st.sampled_from(RUBROS))
    broker = rubro == BROKER
    member = companies(
        domicile=st.just("MX"),
        person=broker,
        required=("rfc", "patenteAduanal") if broker else ("rfc",),
    )
    authorized = draw(past_dates)
    term_start = draw(st.dates(authorized, VALID_FROM.date()))
    earliest_end = max(term_start + timedelta(days=1), VALID_UNTIL.date())
    return compact(
        {
            "member": draw(member),
            "oeaRegistrationNumber": draw(registration_numbers),
            "oeaRubro": rubro,
            "immexProgramNumber": draw(optional(registration_numbers)),
            "authorizationDate": authorized.isoformat(),
            "lastRenewalDate": iso(
                draw(optional(st.dates(authorized + timedelta(days=1), VALID_FROM.date())))
            ),
            "termStart": term_start.isoformat(),
            "termEnd": iso(draw(st.dates(earliest_end, earliest_end + timedelta(days=5 * 366)))),
            "mutualRecognition": draw(recognitions("AuthorityCBP", "CtpatProgram")),
        }
    )


@st.composite
def ctpat_members(draw: st.DrawFn, sector: str) -> dict[str, Any]:
    """A member as ``sector`` identifies it: its identifiers, its domicile, its IOR type."""
    if sector == "Foreign Manufacturers":
        domicile = st.sampled_from(["MX", "CA"])
    else:
        domicile = st.none() | st.sampled_from(["MX", "US", "CA"]) | ANYWHERE
    member: dict[str, Any] = draw(
        companies(
            domicile=domicile,
            person=None,
            required=SECTOR_IDENTIFIERS.get(sector, ()),
            importer_types=("IRS", "SSN", "CBP") if sector == IMPORTERS else ("IRS", "CBP"),
        )
    )
    importer = member.get("importerOfRecord", {})
    if sector == EXPORTERS and "duns" not in member and importer.get("identifierType") != "IRS":
        member["duns"] = draw(IDENTIFIERS["duns"])  # an exporter gives its EIN or its DUNS
    return member


@st.composite
def ctpat_requests(draw: st.DrawFn) -> dict[str, Any]:
    sector = draw(st.sampled_from(SECTORS))
    tiers = ["Certified", "Validated", "Exceeding"]
    tier = draw(st.sampled_from(tiers if sector in (IMPORTERS, EXPORTERS) else tiers[:2]))
    certified = draw(optional(past_dates))
    after_certification = st.dates(certified or date(1990, 1, 1), VALID_FROM.date())
    validated = draw(after_certification if tier != "Certified" else optional(after_certification))
    due = None
    if validated is not None:
        # Due after the validation, within four years of it (4 × 365 days always are).
        window = st.dates(validated + timedelta(days=1), validated + timedelta(days=4 * 365))
        due = draw(optional(window))
    return compact(
        {
            "member": draw(ctpat_members(sector)),
            "tradeSector": sector,
            "tier": tier,
            "issuingCountry": draw(optional(st.just("US"))),
            "sviNumber": draw(optional(codes("^[A-Z0-9]{4,20}$"))),
            "ctpatAccountNumber": draw(optional(codes("^[A-Z0-9]{1,20}$"))),
            "certificationDate": iso(certified),
            "lastValidationDate": iso(validated),
            "revalidationDueDate": iso(due),
            "mutualRecognition": draw(recognitions("AuthoritySAT", "OeaProgram")),
        }
    )


REQUESTS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "immex": immex_requests(),
    "oea": oea_requests(),
    "ctpat": ctpat_requests(),
}
