"""Version 2's JSON Schemas in step with the code: members, code lists, patterns, rules.

Each object definition has the members (and required members) of its pydantic model;
each code list and pattern is the Python one; the conditional rules name the sectors,
tiers and identifiers ``ctpat_rules`` names.  Whether schema and model *refuse* alike,
rule by rule, is ``test_rules_v2``'s; for random changes, ``test_drift``'s.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import pytest
from pydantic import BaseModel

from tests.unit.certificates.support import SLUGS, certificate_type
from vcservice.certificates import rfc, values
from vcservice.certificates.places import COUNTRY_CODES, MAX_PLACES
from vcservice.certificates.v2 import company, ctpat, identifiers, immex, mra, oea
from vcservice.certificates.v2.ctpat_rules import SECTOR_IDENTIFIERS, TIER_III_SECTORS
from vcservice.certificates.v2.requirements import INDIVIDUAL_RFC_PATTERN

# The definition of each schema object and the model of the same object in a credential.
OBJECTS: list[tuple[str, str, type[BaseModel]]] = [
    ("immex", "IMMEXAuthorization", immex.IMMEXAuthorization),
    ("oea", "OEAAuthorization", oea.OEAAuthorization),
    ("ctpat", "CTPAT", ctpat.CTPATCertification),
    ("oea", "Organization", company.Organization),
    ("ctpat", "CTPATMember", ctpat.CTPATMember),
    ("ctpat", "site", company.Site),
    ("ctpat", "postalAddress", company.SiteAddress),
    ("ctpat", "CBPImporterOfRecord", company.ImporterOfRecord),
    ("ctpat", "MutualRecognition", mra.MutualRecognition),
]


def definitions(slug: str) -> dict[str, Any]:
    schema = json.loads(certificate_type(slug).schema_path.read_text(encoding="utf-8"))
    found: dict[str, Any] = schema["$defs"]
    return found


def members(model: type[BaseModel]) -> tuple[set[str], set[str]]:
    """The credential members of ``model`` and those it requires."""
    names = {field.alias or name: field for name, field in model.model_fields.items()}
    return set(names), {name for name, field in names.items() if field.is_required()}


@pytest.mark.parametrize(("slug", "name", "model"), OBJECTS, ids=[o[1] for o in OBJECTS])
def test_each_object_has_the_members_of_its_model(
    slug: str, name: str, model: type[BaseModel]
) -> None:
    definition = definitions(slug)[name]
    assert definition["additionalProperties"] is False
    names, required = members(model)
    assert set(definition["properties"]) == names
    assert set(definition["required"]) == required


@pytest.mark.parametrize("slug", SLUGS)
def test_the_subject_is_the_type_s_subject_class(slug: str) -> None:
    kind = certificate_type(slug)
    schema = json.loads(kind.schema_path.read_text(encoding="utf-8"))
    assert schema["properties"]["credentialSubject"] == {"$ref": f"#/$defs/{kind.subject_type}"}
    assert schema["$defs"][kind.subject_type]["properties"]["type"]["const"] == [kind.subject_type]


def enum_values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


def test_code_lists_match_the_python_ones() -> None:
    defs = {name: d for slug in SLUGS for name, d in definitions(slug).items()}
    subject = {
        slug: definitions(slug)[certificate_type(slug).subject_type]["properties"] for slug in SLUGS
    }
    assert set(defs["countryCode"]["enum"]) == COUNTRY_CODES
    assert defs["site"]["properties"]["siteRole"]["enum"] == enum_values(company.SiteRole)
    assert defs["CBPImporterOfRecord"]["properties"]["identifierType"]["enum"] == enum_values(
        company.ImporterOfRecordType
    )
    assert subject["immex"]["immexModality"]["enum"] == enum_values(immex.ImmexModality)
    assert subject["oea"]["oeaRubro"]["enum"] == enum_values(oea.OeaRubro)
    assert subject["ctpat"]["tradeSector"]["enum"] == enum_values(ctpat.TradeSector)
    assert subject["ctpat"]["tier"]["enum"] == enum_values(ctpat.Tier)
    recognition = defs["MutualRecognition"]["properties"]
    assert recognition["arrangement"]["enum"] == enum_values(mra.Arrangement)
    assert recognition["recognizedBy"]["enum"] == enum_values(mra.Authority)
    assert recognition["counterpartProgram"]["enum"] == enum_values(mra.Program)
    assert recognition["recognizedRole"]["items"]["enum"] == enum_values(mra.RecognizedRole)
    assert recognition["recognizedRole"]["uniqueItems"] is True
    for slug in ("oea", "ctpat"):
        assert subject[slug]["mutualRecognition"]["maxItems"] == mra.MAX_MUTUAL_RECOGNITIONS
    assert defs["CTPATMember"]["properties"]["location"]["maxItems"] == MAX_PLACES


def test_patterns_match_the_python_ones() -> None:
    defs = {name: d for slug in SLUGS for name, d in definitions(slug).items()}
    expected = {
        "text": values.TEXT_PATTERN,
        "did": values.DID_PATTERN,
        "isoDate": values.ISO_DATE_PATTERN,
        "dateTime": values.DATE_TIME_PATTERN,
        "registrationNumber": values.REGISTRATION_NUMBER_PATTERN,
        "rfc": rfc.RFC_PATTERN,
        "companyRfc": rfc.COMPANY_RFC_PATTERN,
        "individualRfc": INDIVIDUAL_RFC_PATTERN,
        "manufacturerId": identifiers.MID_PATTERN,
        "usdotNumber": identifiers.USDOT_PATTERN,
        "scac": identifiers.SCAC_PATTERN,
        "iataCarrierCode": identifiers.IATA_CARRIER_CODE_PATTERN,
        "duns": identifiers.DUNS_PATTERN,
        "leiCode": identifiers.LEI_PATTERN,
        "globalLocationNumber": identifiers.GLN_PATTERN,
        "unLocode": identifiers.UN_LOCODE_PATTERN,
        "caat": values.REGISTRATION_NUMBER_PATTERN,
        "sctPermit": values.REGISTRATION_NUMBER_PATTERN,
        "patenteAduanal": values.REGISTRATION_NUMBER_PATTERN,
    }
    assert {name: defs[name]["pattern"] for name in expected} == expected
    subject = definitions("ctpat")["CTPAT"]["properties"]
    assert subject["sviNumber"]["pattern"] == ctpat.SVI_NUMBER_PATTERN
    assert subject["ctpatAccountNumber"]["pattern"] == ctpat.ACCOUNT_NUMBER_PATTERN
    immex_subject = definitions("immex")["IMMEXAuthorization"]["properties"]
    assert immex_subject["lastAnnualReportYear"]["pattern"] == immex.YEAR_PATTERN
    assert immex_subject["member"]["properties"]["rfc"] == {"$ref": "#/$defs/companyRfc"}


def test_the_ctpat_rules_name_the_python_sectors_and_identifiers() -> None:
    rules = definitions("ctpat")["CTPAT"]["allOf"]
    required = {
        rule["if"]["properties"]["tradeSector"]["const"]: rule["then"]["properties"]["member"][
            "required"
        ]
        for rule in rules
        if "const" in rule["if"].get("properties", {}).get("tradeSector", {})
    }
    assert required == {sector.value: list(names) for sector, names in SECTOR_IDENTIFIERS.items()}
    [tier_rule] = [rule for rule in rules if "tier" in rule["then"].get("properties", {})]
    others = set(tier_rule["if"]["properties"]["tradeSector"]["enum"])
    assert others == set(enum_values(ctpat.TradeSector)) - TIER_III_SECTORS
    assert "Exceeding" not in tier_rule["then"]["properties"]["tier"]["enum"]
