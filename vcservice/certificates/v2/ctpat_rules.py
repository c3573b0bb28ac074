"""CBP's C-TPAT rules: tiers and identifiers by trade sector, and the programme's dates.

- Tier III ("Exceeding") is defined for importers and exporters only; other sectors are
  Certified or Validated.
- Identifiers by sector (CBP's eligibility criteria): highway carriers a SCAC and a USDOT
  number; Mexican long-haul carriers their SCT permit; foreign manufacturers their MID,
  with their tax domicile in Mexico or Canada; U.S. importers their importer of record
  number (the only sector that may use an SSN); U.S. exporters an EIN (IRS number) or DUNS.
- Dates (6 U.S.C. 965, 969): Validated and Exceeding members have been validated; the
  validation is not before certification; revalidation is due after the last validation
  and within four years of it.
"""

from __future__ import annotations

from datetime import date

from vcservice.certificates.models import Location
from vcservice.certificates.v1.ctpat import VALIDATED_TIERS, Tier, TradeSector
from vcservice.certificates.v2.company import ImporterOfRecordType
from vcservice.certificates.v2.requirements import Company, tax_domicile_country

__all__ = [
    "MANUFACTURER_COUNTRIES",
    "REVALIDATION_YEARS",
    "SECTOR_IDENTIFIERS",
    "TIER_III_SECTORS",
    "Tier",
    "TradeSector",
    "add_years",
    "date_errors",
    "sector_errors",
]

REVALIDATION_YEARS = 4
TIER_III_SECTORS = frozenset({TradeSector.US_IMPORTERS, TradeSector.US_EXPORTERS})
MANUFACTURER_COUNTRIES = ("MX", "CA")
SECTOR_IDENTIFIERS: dict[TradeSector, tuple[str, ...]] = {  # the company members each needs
    TradeSector.HIGHWAY_CARRIERS: ("scac", "usdotNumber"),
    TradeSector.MEXICAN_LONG_HAUL_HIGHWAY_CARRIERS: ("sctPermit",),
    TradeSector.FOREIGN_MANUFACTURERS: ("manufacturerId",),
    TradeSector.US_IMPORTERS: ("importerOfRecord",),
}
_MEMBERS = {
    "scac": "scac",
    "usdotNumber": "usdot_number",
    "sctPermit": "sct_permit",
    "manufacturerId": "manufacturer_id",
    "importerOfRecord": "importer_of_record",
}


def add_years(day: date, years: int) -> date:
    """``day`` ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def sector_errors(sector: TradeSector, tier: Tier, company: Company) -> list[tuple[Location, str]]:
    """How ``company`` and ``tier`` break the rules of ``sector``."""
    errors: list[tuple[Location, str]] = []
    if tier is Tier.EXCEEDING and sector not in TIER_III_SECTORS:
        errors.append(
            (("tier",), "Exceeding (Tier III) is defined for U.S. importers and exporters only")
        )
    for member in SECTOR_IDENTIFIERS.get(sector, ()):
        if getattr(company, _MEMBERS[member]) is None:
            errors.append((("member", member), f"a member in {sector.value} gives its {member}"))
    importer = company.importer_of_record
    ssn = importer is not None and importer.identifier_type is ImporterOfRecordType.SSN
    if ssn and sector is not TradeSector.US_IMPORTERS:
        detail = "an SSN identifies an importer of record only in U.S. Importers"
        errors.append((("member", "importerOfRecord", "identifierType"), detail))
    ein = importer is not None and importer.identifier_type is ImporterOfRecordType.IRS
    if sector is TradeSector.US_EXPORTERS and company.duns is None and not ein:
        detail = "a U.S. exporter gives its EIN (importerOfRecord of type IRS) or its DUNS"
        errors.append((("member", "duns"), detail))
    domicile = tax_domicile_country(company)
    if sector is TradeSector.FOREIGN_MANUFACTURERS and domicile not in MANUFACTURER_COUNTRIES:
        detail = "a foreign manufacturer has its tax domicile (SiteTaxDomicile) in MX or CA"
        errors.append((("member", "location"), detail))
    return errors


def date_errors(
    tier: Tier, certified: date | None, validated: date | None, revalidation_due: date | None
) -> list[tuple[Location, str]]:
    """How the membership's dates break the statute's order."""
    errors: list[tuple[Location, str]] = []
    if tier in VALIDATED_TIERS and validated is None:
        errors.append(
            (
                ("lastValidationDate",),
                f"a {tier.value} member has been validated: give lastValidationDate",
            )
        )
    if certified is not None and validated is not None and validated < certified:
        errors.append(
            (("lastValidationDate",), "lastValidationDate must not be before certificationDate")
        )
    if revalidation_due is not None:
        if validated is None:
            # The date missing is the validation's: a due date says there was one.
            detail = "revalidationDueDate follows a validation: give lastValidationDate"
            errors.append((("lastValidationDate",), detail))
        elif not validated < revalidation_due <= add_years(validated, REVALIDATION_YEARS):
            detail = (
                "revalidation is due after lastValidationDate and within "
                f"{REVALIDATION_YEARS} years of it"
            )
            errors.append((("revalidationDueDate",), detail))
    return errors
