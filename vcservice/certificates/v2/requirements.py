"""What each programme requires of the company node: identifiers, sites, kind of person.

An RFC is 12 characters for a company (persona moral) and 13 for an individual
(persona física).  IMMEX is granted to companies only, with its registered sites in
Mexico; OEA registers companies constituted in Mexico, and individuals only as
customs brokers (agente aduanal, the holder of a patente).  C-TPAT's requirements go
by trade sector (CBP's eligibility criteria): carriers identify themselves by SCAC and
USDOT number, Mexican long-haul carriers by their SCT permit, foreign manufacturers by
their MID and incorporation in Mexico or Canada, importers by their importer of record
number (an SSN only for them), exporters by EIN or DUNS.
"""

from __future__ import annotations

from vcservice.certificates.models import Location
from vcservice.certificates.v2.company import CompanyData, CompanyNode, Site, SiteData, SiteRole

COMPANY_RFC_LENGTH = 12
INDIVIDUAL_RFC_LENGTH = 13
INDIVIDUAL_RFC_PATTERN = "^[A-ZÑ&]{4}[0-9]{6}[A-Z0-9]{3}$"
"""An individual's (persona física) RFC, as the JSON Schemas write the length rule."""
Company = CompanyData | CompanyNode
"""The company node as a request or a credential holds it."""


def tax_domicile_country(company: Company) -> str | None:
    """The country of the company's tax domicile, if it gave one."""
    for site in _sites(company):
        if site.site_role is SiteRole.TAX_DOMICILE:
            return site.address.address_country
    return None


def mexican_company_errors(
    company: Company, *, natural_person: bool | None, all_sites: bool
) -> list[tuple[Location, str]]:
    """A Mexican programme's requirements: RFC (of a company, an individual, or either),
    tax domicile in Mexico and, with ``all_sites``, every site in Mexico."""
    errors: list[tuple[Location, str]] = []
    if company.rfc is None:
        errors.append((("member", "rfc"), "the holder of a Mexican programme must give its RFC"))
    elif natural_person is not None:
        length = INDIVIDUAL_RFC_LENGTH if natural_person else COMPANY_RFC_LENGTH
        if len(company.rfc) != length:
            person = (
                "an individual (persona física)" if natural_person else "a company (persona moral)"
            )
            detail = f"the holder must be {person}: an RFC of {length} characters"
            errors.append((("member", "rfc"), detail))
    if tax_domicile_country(company) != "MX":
        detail = "the holder needs its tax domicile (siteRole SiteTaxDomicile) in Mexico"
        errors.append((("member", "location"), detail))
    if all_sites:
        errors.extend(
            (
                ("member", "location", index, "address", "addressCountry"),
                "the site must be in Mexico",
            )
            for index, site in enumerate(_sites(company))
            if site.address.address_country != "MX"
        )
    return errors


def _sites(company: Company) -> list[SiteData | Site]:
    return list(company.location)
