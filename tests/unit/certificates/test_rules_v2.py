"""Version 2's refusals, rule by rule: each breaks one rule in a sample and names the field.

Each rule is a change to a valid sample that breaks it, the one field the refusal must
name, and a *neighbour*: a close change that keeps the credential valid.  Where the
rule lies decides who sees it: the published JSON Schema alone (``SCHEMA``: also the
subject model), the subject model (``MODEL``: vcservice's rules, not the schema), or
only the rules across the envelope (``ENVELOPE``: ``validFrom``, ``validUntil``).  The
request model refuses the same data naming the same field.  Findings, computed dates
and the builder are in ``test_findings_v2``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import ValidationError

from tests.unit.certificates.strategies import check_digit
from tests.unit.certificates.support import (
    COMPUTED,
    certificate_type,
    fields,
    request_data,
    sample,
    subject_problems,
)
from vcservice.certificates.models import problems_from
from vcservice.certificates.schema_files import schema_problems
from vcservice.certificates.schemas import validate_credential

Path = tuple[str | int, ...]
Edits = tuple[tuple[Path, Any], ...]
DELETE = object()
SCHEMA, MODEL, ENVELOPE = "schema", "model", "envelope"
S: Path = ("credentialSubject",)
M: Path = (*S, "member")
DOMICILE: Path = (*M, "location", 0, "address")
PLANT: Path = (*M, "location", 1)
MRA: Path = (*S, "mutualRecognition", 0)
PERSON_RFC, OTHER_RFC = "GODE561231GR8", "AFN981002HT9"
BAD_DATE_RFC = "EEB031321R4" + check_digit("EEB031321R4")  # month 13
IRS = {"type": ["CBPImporterOfRecord"], "number": "74-1234567AB", "identifierType": "IRS"}
SSN = {"type": ["CBPImporterOfRecord"], "number": "123-45-6789", "identifierType": "SSN"}
HIGHWAY = ((*S, "tradeSector"), "Highway Carriers")
IMPORTERS = ((*S, "tradeSector"), "U.S. Importers")
EXPORTERS = ((*S, "tradeSector"), "U.S. Exporters")
BROKER = ((*S, "oeaRubro"), "OeaCustomsBroker")


def address(country: str, **members: str) -> dict[str, Any]:
    return {"type": ["PostalAddress"], "streetAddress": "1 Main St", "addressLocality": "City",
            "addressCountry": country, **members}  # fmt: skip


LAREDO = address("US", addressRegion="TX", postalCode="78045")
TORONTO = address("CA")
MONTERREY = address("MX", addressRegion="NLE", postalCode="64000")


@dataclass(frozen=True)
class Rule:
    """A rule: the change that breaks it, the field named, a valid neighbouring change."""

    slug: str
    broken: Edits
    field: Path
    neighbour: Edits
    layer: str = SCHEMA


RULES: dict[str, Rule] = {
    # ---- the company node
    "immex-rfc-of-an-individual": Rule(
        "immex", (((*M, "rfc"), PERSON_RFC),), (*M, "rfc"), (((*M, "rfc"), OTHER_RFC),)
    ),
    "immex-rfc-missing": Rule("immex", (((*M, "rfc"), DELETE),), (*M, "rfc"),
                              (((*M, "rfc"), OTHER_RFC),)),
    "oea-rfc-missing": Rule("oea", (((*M, "rfc"), DELETE),), (*M, "rfc"),
                            (((*M, "rfc"), OTHER_RFC),)),
    "rfc-date-not-a-date": Rule("immex", (((*M, "rfc"), BAD_DATE_RFC),), (*M, "rfc"),
                                (((*M, "rfc"), OTHER_RFC),), MODEL),
    "domiciled-in-mexico-without-rfc": Rule(
        "ctpat", (((*M, "rfc"), DELETE),), (*M, "rfc"),
        (((*M, "rfc"), DELETE), (DOMICILE, TORONTO)), MODEL,
    ),
    "two-tax-domiciles": Rule(
        "oea", (((*PLANT, "siteRole"), "SiteTaxDomicile"),), (*PLANT, "siteRole"),
        (((*PLANT, "siteRole"), "SiteWarehouse"),), MODEL,
    ),
    "lei-check-digits": Rule(
        "oea", (((*M, "leiCode"), "5493001KJTIIGC8Y1R13"),), (*M, "leiCode"),
        (((*M, "leiCode"), "529900T8BM49AURSDO55"),), MODEL,
    ),
    "gln-check-digit": Rule(
        "ctpat", (((*PLANT, "globalLocationNumber"), "7501234000018"),),
        (*PLANT, "globalLocationNumber"), (((*PLANT, "globalLocationNumber"), "7501234000017"),),
        MODEL,
    ),
    "immex-site-outside-mexico": Rule(
        "immex", (((*PLANT, "address"), TORONTO),), (*PLANT, "address", "addressCountry"),
        (((*PLANT, "address"), MONTERREY),), MODEL,
    ),
    "oea-tax-domicile-outside-mexico": Rule(
        "oea", ((DOMICILE, TORONTO),), (*M, "location"), (((*PLANT, "address"), TORONTO),), MODEL
    ),
    # ---- OEA: rubro, term, mutual recognition
    "oea-rfc-of-an-individual-outside-brokers": Rule(
        "oea", (((*M, "rfc"), PERSON_RFC),), (*M, "rfc"),
        (((*M, "rfc"), PERSON_RFC), BROKER, ((*M, "patenteAduanal"), "3210")),
    ),
    "oea-broker-with-a-company-rfc": Rule(
        "oea", (BROKER, ((*M, "patenteAduanal"), "3210")), (*M, "rfc"),
        (BROKER, ((*M, "patenteAduanal"), "3210"), ((*M, "rfc"), PERSON_RFC)),
    ),
    "oea-broker-without-patente": Rule(
        "oea", (BROKER, ((*M, "rfc"), PERSON_RFC)), (*M, "patenteAduanal"),
        (BROKER, ((*M, "rfc"), PERSON_RFC), ((*M, "patenteAduanal"), "3210")),
    ),
    "oea-term-end-not-after-start": Rule(
        "oea", (((*S, "termEnd"), "2026-04-22"),), (*S, "termEnd"),
        (((*S, "termEnd"), "2027-04-21"),), MODEL,
    ),
    "oea-term-before-authorization": Rule(
        "oea", (((*S, "termStart"), "2019-04-21"),), (*S, "termStart"),
        (((*S, "termStart"), "2019-04-22"),), MODEL,  # the first term may start that day
    ),
    "oea-renewal-not-after-authorization": Rule(
        "oea", (((*S, "lastRenewalDate"), "2019-04-22"),), (*S, "lastRenewalDate"),
        (((*S, "lastRenewalDate"), "2019-04-23"),), MODEL,
    ),
    "oea-valid-after-the-term": Rule(
        "oea", ((("validUntil",), "2028-04-22T00:00:00Z"),), ("validUntil",),
        ((("validUntil",), "2028-04-21T23:59:59Z"),), ENVELOPE,
    ),
    "oea-recognized-by-sat": Rule(
        "oea", (((*MRA, "recognizedBy"), "AuthoritySAT"),), (*MRA, "recognizedBy"),
        (((*MRA, "counterpartAccountNumber"), "48317"),),
    ),
    "oea-counterpart-oea": Rule(
        "oea", (((*MRA, "counterpartProgram"), "OeaProgram"),), (*MRA, "counterpartProgram"),
        (((*MRA, "recognizedRole"), ["MraRoleImporter"]),),
    ),
    "ctpat-recognized-by-cbp": Rule(
        "ctpat", (((*MRA, "recognizedBy"), "AuthorityCBP"),), (*MRA, "recognizedBy"),
        (((*MRA, "counterpartAccountNumber"), DELETE),),
    ),
    "recognized-role-repeated": Rule(
        "oea", (((*MRA, "recognizedRole"), ["MraRoleImporter"] * 2),), (*MRA, "recognizedRole"),
        (((*MRA, "recognizedRole"), ["MraRoleImporter", "MraRoleManufacturerExporter"]),),
    ),
    # ---- IMMEX: annual report
    "immex-report-due-date-not-computed": Rule(
        "immex", (((*S, "annualReportDueDate"), "2027-05-28"),), (*S, "annualReportDueDate"),
        # 31 May 2026 is a Sunday: the report for 2025 is due Friday 29 May.
        (((*S, "lastAnnualReportYear"), "2024"), ((*S, "annualReportDueDate"), "2026-05-29")),
        MODEL,
    ),
    "immex-report-before-authorization": Rule(
        "immex", (((*S, "lastAnnualReportYear"), "2006"),), (*S, "lastAnnualReportYear"),
        (((*S, "lastAnnualReportYear"), "2007"), ((*S, "annualReportDueDate"), "2009-05-29")),
        MODEL,
    ),
    "immex-report-of-the-year-of-issuance": Rule(
        "immex",
        (((*S, "lastAnnualReportYear"), "2026"), ((*S, "annualReportDueDate"), "2028-05-31")),
        (*S, "lastAnnualReportYear"), (((*S, "authorizationDate"), "2007-03-16"),), ENVELOPE,
    ),
    "immex-authorized-after-valid-from": Rule(
        "immex",
        (((*S, "authorizationDate"), "2026-06-02"), ((*S, "lastAnnualReportYear"), DELETE)),
        (*S, "authorizationDate"),
        (((*S, "authorizationDate"), "2026-06-01"), ((*S, "lastAnnualReportYear"), DELETE)),
        ENVELOPE,
    ),
    # ---- C-TPAT: tier and identifiers by sector
    "ctpat-exceeding-for-highway-carriers": Rule(
        "ctpat", (HIGHWAY, ((*M, "scac"), "GFTJ"), ((*M, "usdotNumber"), "1234567"),
                  ((*S, "tier"), "Exceeding")), (*S, "tier"),
        (HIGHWAY, ((*M, "scac"), "GFTJ"), ((*M, "usdotNumber"), "1234567")),
    ),
    "ctpat-highway-carrier-without-usdot": Rule(
        "ctpat", (HIGHWAY, ((*M, "scac"), "GFTJ")), (*M, "usdotNumber"),
        (HIGHWAY, ((*M, "scac"), "GFTJ"), ((*M, "usdotNumber"), "1234567")),
    ),
    "ctpat-long-haul-carrier-without-sct-permit": Rule(
        "ctpat", (((*S, "tradeSector"), "Mexican Long Haul Highway Carriers"),),
        (*M, "sctPermit"),
        (((*S, "tradeSector"), "Mexican Long Haul Highway Carriers"),
         ((*M, "sctPermit"), "0812ENB0215")),
    ),
    "ctpat-foreign-manufacturer-without-mid": Rule(
        "ctpat", (((*M, "manufacturerId"), DELETE),), (*M, "manufacturerId"),
        (((*M, "manufacturerId"), "MXENSELE9850CJU"),),
    ),
    "ctpat-foreign-manufacturer-in-the-us": Rule(
        "ctpat", ((DOMICILE, LAREDO),), (*M, "location"), ((DOMICILE, TORONTO),), MODEL
    ),
    "ctpat-importer-without-importer-of-record": Rule(
        "ctpat", (IMPORTERS,), (*M, "importerOfRecord"),
        (IMPORTERS, ((*M, "importerOfRecord"), IRS)),
    ),
    "ctpat-ssn-outside-us-importers": Rule(
        "ctpat", (((*M, "importerOfRecord"), SSN),), (*M, "importerOfRecord", "identifierType"),
        (IMPORTERS, ((*M, "importerOfRecord"), SSN)),
    ),
    "ctpat-exporter-without-ein-or-duns": Rule(
        "ctpat", (EXPORTERS, ((*M, "duns"), DELETE)), (*M, "duns"),
        (EXPORTERS, ((*M, "duns"), DELETE), ((*M, "importerOfRecord"), IRS)), MODEL,
    ),
    # ---- C-TPAT: dates
    "ctpat-validated-without-validation-date": Rule(
        "ctpat", (((*S, "lastValidationDate"), DELETE), ((*S, "revalidationDueDate"), DELETE)),
        (*S, "lastValidationDate"),
        (((*S, "lastValidationDate"), DELETE), ((*S, "revalidationDueDate"), DELETE),
         ((*S, "tier"), "Certified")),
    ),
    "ctpat-revalidation-without-validation": Rule(
        "ctpat", (((*S, "lastValidationDate"), DELETE), ((*S, "tier"), "Certified")),
        (*S, "lastValidationDate"),
        (((*S, "lastValidationDate"), DELETE), ((*S, "tier"), "Certified"),
         ((*S, "revalidationDueDate"), DELETE)),
    ),
    "ctpat-revalidation-due-after-four-years": Rule(
        "ctpat", (((*S, "revalidationDueDate"), "2029-09-19"),), (*S, "revalidationDueDate"),
        (((*S, "revalidationDueDate"), "2029-09-18"),), MODEL,
    ),
    "ctpat-revalidation-due-before-validation": Rule(
        "ctpat", (((*S, "revalidationDueDate"), "2025-09-18"),), (*S, "revalidationDueDate"),
        (((*S, "revalidationDueDate"), "2025-09-19"),), MODEL,
    ),
    "ctpat-validated-before-certification": Rule(
        "ctpat", (((*S, "certificationDate"), "2025-09-19"),), (*S, "lastValidationDate"),
        (((*S, "certificationDate"), "2025-09-18"),), MODEL,
    ),
    "ctpat-validated-after-valid-from": Rule(
        "ctpat", (((*S, "lastValidationDate"), "2026-02-03"),), (*S, "lastValidationDate"),
        (((*S, "lastValidationDate"), "2026-02-02"),), ENVELOPE,
    ),
}  # fmt: skip


def edited(slug: str, edits: Edits) -> dict[str, Any]:
    """The sample ``slug`` with each ``(path, value)`` of ``edits`` set (or deleted)."""
    credential = sample(slug)
    for path, value in edits:
        node: Any = credential
        for part in path[:-1]:
            node = node[part]
        if value is DELETE:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = copy.deepcopy(value)
    return credential


def field(path: Path) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in path)[1:]


@pytest.mark.parametrize("name", RULES)
def test_a_broken_rule_is_refused_naming_its_field(name: str) -> None:
    rule = RULES[name]
    kind = certificate_type(rule.slug)
    broken = edited(rule.slug, rule.broken)
    expected = {field(rule.field)}
    assert fields(validate_credential(broken)) == expected
    assert fields(subject_problems(kind, broken)) == (set() if rule.layer == ENVELOPE else expected)
    plain = fields(schema_problems(kind.schema_path, broken))
    assert plain == (expected if rule.layer == SCHEMA else set())


@pytest.mark.parametrize("name", RULES)
def test_the_neighbour_of_a_broken_rule_is_valid(name: str) -> None:
    rule = RULES[name]
    neighbour = edited(rule.slug, rule.neighbour)
    assert validate_credential(neighbour) == []
    assert subject_problems(certificate_type(rule.slug), neighbour) == []


REQUEST_RULES = [
    name
    for name, rule in RULES.items()
    if rule.layer != ENVELOPE and not any(path[-1] in COMPUTED for path, _ in rule.broken)
]


@pytest.mark.parametrize("name", REQUEST_RULES)
def test_the_request_model_names_the_same_field(name: str) -> None:
    rule = RULES[name]
    model = certificate_type(rule.slug).request_model
    with pytest.raises(ValidationError) as info:
        model.model_validate(request_data(edited(rule.slug, rule.broken)))
    assert fields(problems_from(info.value)) == {field(rule.field[1:])}
    model.model_validate(request_data(edited(rule.slug, rule.neighbour)))


@pytest.mark.parametrize("sector", [IMPORTERS, EXPORTERS])
@pytest.mark.parametrize("tier", ["Certified", "Validated", "Exceeding"])
def test_every_tier_is_open_to_us_importers_and_exporters(
    sector: tuple[Path, str], tier: str
) -> None:
    credential = edited("ctpat", (sector, ((*M, "importerOfRecord"), IRS), ((*S, "tier"), tier)))
    assert validate_credential(credential) == []


@pytest.mark.parametrize(
    "rubro", ["OeaImporterExporter", "OeaSECIIT", "OeaLandCarrier", "OeaCourier"]
)
def test_companies_hold_every_rubro_but_the_brokers(rubro: str) -> None:
    assert validate_credential(edited("oea", (((*S, "oeaRubro"), rubro),))) == []
    credential = edited("oea", (((*S, "oeaRubro"), rubro), ((*M, "rfc"), PERSON_RFC)))
    assert fields(validate_credential(credential)) == {"credentialSubject.member.rfc"}
