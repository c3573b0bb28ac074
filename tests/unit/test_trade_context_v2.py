"""JSON-LD checks for version 2 of the trade-certificate context and its vocabulary (issue 16).

Version 2 credentials carry ``[credentials/v2, traceability/v1, trade-certificates/v2]``:
ours is an *extension* of traceability/v1. Unlike version 1 it redefines nothing that
traceability defines. It has no name in common with the top level of credentials/v2 or
traceability/v1. The names it shares with traceability's type-scoped contexts for the
types our documents carry are defined identically. So it stacks after traceability/v1,
and also before it.

Everything here goes through the project's own ``SafeJsonLdProcessor`` over the pinned
context store (the ``core`` fixture): safe mode, the compact-form rule, and both JSON-LD
paths (``checked``). These tests skip when ../shared is absent. Helpers and constants
shared with version 1 come from ``tests/unit/test_trade_context.py``.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tests.unit.certificates.support import string_leaves
from tests.unit.test_trade_context import (
    ALL_TERM_IRIS,
    CREDENTIALS_V2_URL,
    FIXTURE_NAMES,
    FIXTURES_DIR,
    ISSUER_DEPENDENT,
    RDF_TYPE,
    RDFS,
    SCHEMA,
    TC,
    TRACE,
    TRACEABILITY_V1_URL,
    VOCAB_FILE,
    VOCAB_URL,
    XSD_DATE,
    languages,
    load_json,
    term_definitions,
    term_iri,
    vocab_nodes,
)
from vcservice.certificates.v1.ctpat import Tier, TradeSector
from vcservice.certificates.v1.immex import ImmexModality
from vcservice.certificates.v1.oea import OeaModality
from vcservice.errors import DataLossError, ParsingError
from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
from vcservice.printing.labels import vocabulary_labels
from vcservice.rdf.model import Quad
from vcservice.rdf.rdfc10 import canonicalize

pytestmark = pytest.mark.shared

CONTEXT_V2_URL = "https://w3id.org/vcservice/trade-certificates/v2"
CONTEXT_V2_FILE = REPO_ROOT / "contexts" / "trade-certificates-v2.jsonld"
ORDERS = {
    "traceability-first": [CREDENTIALS_V2_URL, TRACEABILITY_V1_URL, CONTEXT_V2_URL],
    "ours-first": [CREDENTIALS_V2_URL, CONTEXT_V2_URL, TRACEABILITY_V1_URL],
}
CRED = "https://www.w3.org/2018/credentials#"
XSD_GYEAR = "http://www.w3.org/2001/XMLSchema#gYear"
RDF_PROPERTY = "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property"
RDFS_CLASS = RDFS + "Class"
SKOS_NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
OWL_UNION_OF = "http://www.w3.org/2002/07/owl#unionOf"

# The types our documents carry whose traceability/v1 type-scoped contexts are in play.
DOCUMENT_TYPES = (
    "CTPAT",
    "CTPATMember",
    "Organization",
    "Place",
    "PostalAddress",
    "CBPImporterOfRecord",
)

# Value terms (individuals), by the class the vocabulary gives them.
SITE_ROLES = ("SiteTaxDomicile", "SitePlant", "SiteWarehouse", "SiteTerminal", "SiteOffice")
IMMEX_MODALITIES = {
    "ImmexHolding": ImmexModality.HOLDING,
    "ImmexIndustrial": ImmexModality.INDUSTRIAL,
    "ImmexServices": ImmexModality.SERVICES,
    "ImmexShelter": ImmexModality.SHELTER,
    "ImmexSubcontracting": ImmexModality.SUBCONTRACTING,
}
OEA_RUBROS = {
    "OeaImporterExporter": OeaModality.IMPORTER_EXPORTER,
    "OeaHolding": OeaModality.HOLDING,
    "OeaLandCarrier": OeaModality.LAND_CARRIER,
    "OeaRailCarrier": OeaModality.RAIL_CARRIER,
    "OeaCustomsBroker": OeaModality.CUSTOMS_BROKER,
    "OeaCustomsAgency": OeaModality.CUSTOMS_AGENCY,
    "OeaIndustrialPark": OeaModality.INDUSTRIAL_PARK,
    "OeaBondedWarehouse": OeaModality.BONDED_WAREHOUSE,
    "OeaStrategicBondedZone": OeaModality.STRATEGIC_BONDED_ZONE,
    "OeaGeneralDepositWarehouse": OeaModality.GENERAL_DEPOSIT_WAREHOUSE,
    "OeaCourier": OeaModality.COURIER,
}
SECIIT = "OeaSECIIT"
SECIIT_ES = (
    "Socio Comercial Certificado / Empresas con Programa IMMEX con certificación IVA e IEPS "
    "(SECIIT)"
)
SECIIT_EN = "Certified Trade Partner — IMMEX companies with VAT/IEPS certification (SECIIT)"
ARRANGEMENTS = ("MraUsMx2014",)
AUTHORITIES = ("AuthorityCBP", "AuthoritySAT")
PROGRAMS = ("CtpatProgram", "OeaProgram")
MRA_ROLES = (
    "MraRoleManufacturerExporter",
    "MraRoleImporter",
    "MraRoleHighwayCarrier",
    "MraRoleCustomsBroker",
)
STATUS_REASONS = tuple(
    "StatusReason" + name
    for name in (
        "SuspendedByAuthority",
        "AnnualReportNotFiled",
        "RequirementsNotMet",
        "SecurityIncident",
        "UnderReview",
        "Cancelled",
        "VoluntaryWithdrawal",
        "Superseded",
        "Reinstated",
        "IssuedInError",
    )
)
INDIVIDUALS: dict[str, tuple[str, ...]] = {
    "SiteRole": SITE_ROLES,
    "ImmexModality": tuple(IMMEX_MODALITIES),
    "OeaRubro": (*OEA_RUBROS, SECIIT),
    "MutualRecognitionArrangement": ARRANGEMENTS,
    "CustomsAuthority": AUTHORITIES,
    "TrustedTraderProgram": PROGRAMS,
    "MraRole": MRA_ROLES,
    "StatusReason": STATUS_REASONS,
}
# Which @vocab-typed property takes which value terms.
VALUES_OF: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "siteRole"): SITE_ROLES,
    ("", "immexModality"): tuple(IMMEX_MODALITIES),
    ("", "oeaRubro"): INDIVIDUALS["OeaRubro"],
    ("MutualRecognition", "arrangement"): ARRANGEMENTS,
    ("MutualRecognition", "recognizedBy"): AUTHORITIES,
    ("MutualRecognition", "counterpartProgram"): PROGRAMS,
    ("MutualRecognition", "recognizedRole"): MRA_ROLES,
}
TIER_LABELS = {
    Tier.CERTIFIED: "Certified (Tier 1)",
    Tier.VALIDATED: "Validated (Tier 2)",
    Tier.EXCEEDING: "Exceeding (Tier 3)",
}

# The context's terms, by scope ("" is the top level, else the type whose type-scoped
# context defines the term). Changing the published context must be deliberate here too.
EXPECTED_TERMS: dict[str, dict[str, str]] = {
    "": {
        "IMMEXCertificate": TC + "IMMEXCertificate",
        "OEACertificate": TC + "OEACertificate",
        "IMMEXAuthorization": TC + "IMMEXAuthorization",
        "OEAAuthorization": TC + "OEAAuthorization",
        "member": SCHEMA + "member",
        "legalName": SCHEMA + "legalName",
        "location": SCHEMA + "location",
        "duns": SCHEMA + "duns",
        "leiCode": SCHEMA + "leiCode",
        "globalLocationNumber": SCHEMA + "globalLocationNumber",
        "rfc": TC + "rfc",
        "manufacturerId": TRACE + "manufacturerId",
        "usdotNumber": TC + "usdotNumber",
        "caat": TC + "caat",
        "sctPermit": TC + "sctPermit",
        "patenteAduanal": TC + "patenteAduanal",
        "importerOfRecord": TRACE + "importerOfRecord",
        "siteRole": TC + "siteRole",
        "immexProgramNumber": TC + "immexProgramNumber",
        "immexModality": TC + "immexModality",
        "oeaRegistrationNumber": TC + "oeaRegistrationNumber",
        "oeaRubro": TC + "oeaRubro",
        "authorizationDate": TC + "authorizationDate",
        "termStart": TC + "termStart",
        "termEnd": TC + "termEnd",
        "lastRenewalDate": TC + "lastRenewalDate",
        "annualReportDueDate": TC + "annualReportDueDate",
        "lastAnnualReportYear": TC + "lastAnnualReportYear",
        "certificationDate": TC + "ctpatCertificationDate",
        "lastValidationDate": TC + "lastValidationDate",
        "revalidationDueDate": TC + "revalidationDueDate",
        "mutualRecognition": TC + "mutualRecognition",
        "MutualRecognition": TC + "MutualRecognition",
        **{name: TC + name for names in INDIVIDUALS.values() for name in names},
    },
    "MutualRecognition": {
        "arrangement": TC + "arrangement",
        "recognizedBy": TC + "recognizedBy",
        "counterpartProgram": TC + "counterpartProgram",
        "counterpartAccountNumber": TC + "counterpartAccountNumber",
        "recognizedRole": TC + "recognizedRole",
    },
}
DATE_TERMS = {
    "authorizationDate",
    "termStart",
    "termEnd",
    "lastRenewalDate",
    "annualReportDueDate",
    "certificationDate",
    "lastValidationDate",
    "revalidationDueDate",
}
COERCIONS: dict[tuple[str, str], str] = {
    **{("", term): XSD_DATE for term in DATE_TERMS},
    ("", "lastAnnualReportYear"): XSD_GYEAR,
    ("", "member"): "@id",
    ("", "mutualRecognition"): "@id",
    **{scoped: "@vocab" for scoped in VALUES_OF},
}
DATE_PREDICATES = {EXPECTED_TERMS[""][term] for term in DATE_TERMS}
# Names ours shares with traceability's scopes for our document types: identical there.
SHARED_WITH_TRACEABILITY = {
    ("CTPATMember", "importerOfRecord"),
    ("Organization", "legalName"),
    ("Organization", "location"),
    ("Organization", "leiCode"),
    ("Organization", "globalLocationNumber"),
    ("Place", "globalLocationNumber"),
}
# ...and the traceability types, not used in our documents, that define a name of ours
# differently: a node of one of these types cannot appear in a document that uses ours.
KNOWN_CLASHES = {
    "location": {"AgricultureActivity", "GAPLocationCertification", "NAISMALocation"},
    "importerOfRecord": {"CBPEntrySummary"},
}


# ---------------------------------------------------------------- helpers


def context_v2() -> dict[str, Any]:
    context: dict[str, Any] = load_json(CONTEXT_V2_FILE)["@context"]
    return context


def pinned_context(core: Any, url: str) -> dict[str, Any]:
    """A context's ``@context`` object, as the pinned store serves it."""
    context: dict[str, Any] = core.store.read(url)["@context"]
    return context


def v2_sample(name: str) -> dict[str, Any]:
    document: dict[str, Any] = load_json(FIXTURES_DIR / f"{name}-v2.json")
    return document


def with_order(document: dict[str, Any], order: str) -> dict[str, Any]:
    document = copy.deepcopy(document)
    document["@context"] = list(ORDERS[order])
    return document


def to_quads(core: Any, document: dict[str, Any]) -> list[Quad]:
    quads: list[Quad] = core.processor.to_quads(copy.deepcopy(document))
    return quads


def fallback_iris(quads: Iterable[Quad]) -> set[str]:
    """IRIs (and datatypes) that exist only because a term fell to the issuer-dependent @vocab."""
    found = set()
    for quad in quads:
        for term in (quad.subject, quad.predicate, quad.object):
            for value in (term.value if term.kind == "iri" else None, term.datatype):
                if value is not None and value.startswith(ISSUER_DEPENDENT):
                    found.add(value)
    return found


def lost_leaves(document: dict[str, Any], quads: list[Quad]) -> list[tuple[Any, ...]]:
    """Paths of the string leaves that are in no quad, as themselves or as the IRI of a term."""
    values = {term.value for quad in quads for term in (quad.subject, quad.object)}
    terms = {
        term: term_iri(definition) for _scope, term, definition in term_definitions(context_v2())
    }
    return [
        path
        for path, leaf in string_leaves(document)
        if leaf not in values and terms.get(leaf) not in values
    ]


def predicates_and_types(quads: Iterable[Quad]) -> set[str]:
    found = set()
    for quad in quads:
        found.add(quad.predicate.value)
        if quad.predicate.value == RDF_TYPE:
            found.add(quad.object.value)
    return found


def definition_body(definition: Any) -> Any:
    """A term definition as JSON-LD compares them for protected terms (``@protected`` aside)."""
    if isinstance(definition, str):
        return {"@id": definition}
    return {key: value for key, value in definition.items() if key != "@protected"}


def scoped_contexts(context: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: definition["@context"]
        for name, definition in context.items()
        if isinstance(definition, dict) and isinstance(definition.get("@context"), dict)
    }


def kitchen_sink() -> list[dict[str, Any]]:
    """The three samples, plus every optional term and every value term of ours."""
    immex, oea, ctpat = (v2_sample(name) for name in ("immex", "oea", "ctpat"))
    member = immex["credentialSubject"]["member"]  # an Organization (traceability's scope)
    member.update(
        {
            "globalLocationNumber": "7501234000008",
            "usdotNumber": "1234567",
            "caat": "4ABC",
            "sctPermit": "0903ENSB0501",
            "patenteAduanal": "3456",
            "scac": "EEBR",
            "iataCarrierCode": "QXJ",
            "importerOfRecord": {
                "type": ["CBPImporterOfRecord"],
                "number": "74-1234567AB",
                "identifierType": "IRS",
            },
        }
    )
    site = member["location"][-1]  # a Place (traceability's scope)
    site.update(globalLocationNumber="7501234000015", siteRole=list(SITE_ROLES))
    immex["credentialSubject"]["immexModality"] = list(IMMEX_MODALITIES)
    oea["credentialSubject"]["oeaRubro"] = list(INDIVIDUALS["OeaRubro"])
    ctpat_member = ctpat["credentialSubject"]["member"]  # a CTPATMember
    ctpat_member["importerOfRecord"] = copy.deepcopy(member["importerOfRecord"])
    oea["credentialSubject"]["mutualRecognition"] = [
        {
            "type": ["MutualRecognition"],
            "arrangement": ARRANGEMENTS[0],
            "recognizedBy": authority,
            "counterpartProgram": program,
            "counterpartAccountNumber": "48317",
            "recognizedRole": list(MRA_ROLES),
        }
        for authority, program in zip(AUTHORITIES, PROGRAMS, strict=True)
    ]
    return [immex, oea, ctpat]


# ---------------------------------------------------------------- the context itself


def test_context_header() -> None:
    context = context_v2()
    assert context["@version"] == 1.1
    assert context["@protected"] is True
    scoped = scoped_contexts(context)
    assert set(scoped) == {"MutualRecognition"}
    assert all(inner["@protected"] is True for inner in scoped.values())
    for keys in (context, *scoped.values()):
        assert {"@vocab", "@base", "@propagate", "@import", "@language"}.isdisjoint(keys)


def test_context_terms_match_the_term_table() -> None:
    found: dict[str, dict[str, str]] = {}
    for scope, term, definition in term_definitions(context_v2()):
        found.setdefault(scope, {})[term] = term_iri(definition)
    assert found == EXPECTED_TERMS


def test_coercions_and_containers() -> None:
    for scope, term, definition in term_definitions(context_v2()):
        coercion = definition.get("@type") if isinstance(definition, dict) else None
        assert coercion == COERCIONS.get((scope, term)), (scope, term)
        container = definition.get("@container") if isinstance(definition, dict) else None
        expected = "@set" if (scope, term) == ("MutualRecognition", "recognizedRole") else None
        assert container == expected, (scope, term)


def test_every_value_term_is_defined_at_top_level() -> None:
    """The values of @vocab-typed terms resolve through our own top-level terms."""
    top = EXPECTED_TERMS[""]
    for values in VALUES_OF.values():
        for value in values:
            assert top[value] == TC + value


def test_no_name_in_common_with_the_top_level_of_credentials_v2_or_traceability(
    core: Any,
) -> None:
    ours = {term for _scope, term, _definition in term_definitions(context_v2())}
    credentials = pinned_context(core, CREDENTIALS_V2_URL)
    traceability = pinned_context(core, TRACEABILITY_V1_URL)
    # Not even in a credentials/v2 type-scoped context (VerifiableCredential's name,
    # validFrom…): a scope applied under our protected terms would collide with them.
    credentials_names = {term for _scope, term, _definition in term_definitions(credentials)}
    assert {"id", "type", "name", "description", "validFrom", "credentialSubject"} <= (
        credentials_names
    )
    assert ours.isdisjoint(credentials_names), ours & credentials_names
    assert ours.isdisjoint(traceability), ours & set(traceability)


def test_defines_no_traceability_type(core: Any) -> None:
    traceability = pinned_context(core, TRACEABILITY_V1_URL)
    types = {
        term_iri(definition)
        for term, definition in traceability.items()
        if term[:1].isupper() or term in scoped_contexts(traceability)
    }
    ours = {term_iri(definition) for _scope, term, definition in term_definitions(context_v2())}
    assert ours.isdisjoint(types), ours & types


def test_names_shared_with_traceability_scopes_are_defined_identically(core: Any) -> None:
    ours = context_v2()
    scopes = scoped_contexts(pinned_context(core, TRACEABILITY_V1_URL))
    shared = set()
    for type_name in DOCUMENT_TYPES:
        for term, definition in scopes[type_name].items():
            if term in ours and not term.startswith("@"):
                shared.add((type_name, term))
                assert definition_body(definition) == definition_body(ours[term]), term
    assert shared == SHARED_WITH_TRACEABILITY


def test_known_clashes_with_traceability_types_we_do_not_use(core: Any) -> None:
    """Documents a limitation: these traceability types define a name of ours differently."""
    ours = context_v2()
    clashes: dict[str, set[str]] = {}
    for type_name, scope in scoped_contexts(pinned_context(core, TRACEABILITY_V1_URL)).items():
        for term, definition in scope.items():
            if term.startswith("@") or term not in ours:
                continue
            if definition_body(definition) != definition_body(ours[term]):
                clashes.setdefault(term, set()).add(type_name)
    assert clashes == KNOWN_CLASHES
    assert not set(DOCUMENT_TYPES) & {name for names in clashes.values() for name in names}


def test_the_context_is_bundled_and_pinned(core: Any) -> None:
    pinned = ContextManifest.load(default_contexts_dir()).get(CONTEXT_V2_URL)
    assert pinned.bundled_file is not None
    assert pinned.bundled_file.resolve() == CONTEXT_V2_FILE.resolve()
    pinned.check(load_json(CONTEXT_V2_FILE))
    assert core.store.read(CONTEXT_V2_URL) == load_json(CONTEXT_V2_FILE)


# ---------------------------------------------------------------- the samples as JSON-LD


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_sample_carries_the_three_contexts(name: str) -> None:
    assert v2_sample(name)["@context"] == ORDERS["traceability-first"]


@pytest.mark.parametrize("order", ORDERS)
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_sample_expands_in_safe_mode_with_nothing_undefined_or_lost(
    name: str, order: str, core: Any
) -> None:
    document = with_order(v2_sample(name), order)
    quads = to_quads(core, document)
    assert quads
    assert fallback_iris(quads) == set()
    assert lost_leaves(document, quads) == []


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_both_orders_give_the_same_dataset(name: str, core: Any) -> None:
    datasets = {
        order: canonicalize(to_quads(core, with_order(v2_sample(name), order))) for order in ORDERS
    }
    assert datasets["traceability-first"] == datasets["ours-first"]


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_sample_dates_are_typed(name: str, core: Any) -> None:
    quads = to_quads(core, v2_sample(name))
    dates = [quad.object for quad in quads if quad.predicate.value in DATE_PREDICATES]
    assert dates
    for literal in dates:
        assert literal.datatype == XSD_DATE
        date.fromisoformat(literal.value)
    years = [q.object for q in quads if q.predicate.value == TC + "lastAnnualReportYear"]
    assert all(year.datatype == XSD_GYEAR and year.value.isdigit() for year in years)


@pytest.mark.parametrize("order", ORDERS)
def test_every_context_term_is_exercised(order: str, core: Any) -> None:
    """The samples plus every optional member and value term: no fallback, nothing lost,
    and every IRI of the term table used (as a predicate, a type or a value)."""
    seen: set[str] = set()
    for sample in kitchen_sink():
        document = with_order(sample, order)
        quads = to_quads(core, document)
        assert fallback_iris(quads) == set()
        assert lost_leaves(document, quads) == []
        seen |= predicates_and_types(quads)
        seen |= {quad.object.value for quad in quads if quad.object.kind == "iri"}
    expected = {iri for terms in EXPECTED_TERMS.values() for iri in terms.values()}
    unused = expected - seen - {TC + reason for reason in STATUS_REASONS}
    assert unused == set()


def test_organization_member_terms_need_our_importer_of_record(core: Any) -> None:
    """On an Organization member traceability defines name, scac and iataCarrierCode but
    not importerOfRecord: without our (identical) definition it falls to the @vocab."""
    document = kitchen_sink()[0]
    assert document["credentialSubject"]["member"]["type"] == ["Organization"]
    predicates = predicates_and_types(to_quads(core, document))
    assert {
        SCHEMA + "name",
        "https://vocabulary.uncefact.org/ReferenceCodeList#AAZ",
        "https://onerecord.iata.org/cargo/Company#airlineCode",
        TRACE + "importerOfRecord",
        TRACE + "CBPImporterOfRecordNumber",
    } <= predicates


def test_status_reasons_resolve_as_values(core: Any) -> None:
    """A property whose values are vocabulary terms (as a status message's would be) gets
    the status reasons' IRIs."""
    document = v2_sample("immex")
    document["@context"].append(
        {"statusReason": {"@id": "https://example.org/statusReason", "@type": "@vocab"}}
    )
    document["credentialSubject"]["statusReason"] = list(STATUS_REASONS)
    quads = to_quads(core, document)
    reasons = {
        quad.object.value
        for quad in quads
        if quad.predicate.value == "https://example.org/statusReason"
    }
    assert reasons == {TC + reason for reason in STATUS_REASONS}


def test_redefining_a_protected_term_fails(core: Any) -> None:
    document = v2_sample("oea")
    document["@context"].append({"rfc": "https://example.org/rfc"})
    with pytest.raises(ParsingError, match="protected term redefinition"):
        to_quads(core, document)


@pytest.mark.parametrize("order", ORDERS)
def test_undefined_member_term_is_still_refused(order: str, core: Any) -> None:
    """traceability/v1's @vocab catches what no context defines; safe mode refuses it."""
    document = with_order(v2_sample("ctpat"), order)
    document["credentialSubject"]["member"]["fmcNumber"] = "123456"
    with pytest.raises(DataLossError, match="issuer-dependent") as raised:
        to_quads(core, document)
    assert raised.value.field == "fmcNumber"


@pytest.mark.parametrize("value", ["OeaFoo", "Importador y/o exportador"])
def test_unknown_value_of_a_vocab_term_is_refused(value: str, core: Any) -> None:
    """An undefined value would fall to the issuer-dependent vocabulary; a v1 string would
    be dropped as no IRI: safe mode refuses both."""
    document = v2_sample("oea")
    document["credentialSubject"]["oeaRubro"] = value
    with pytest.raises(DataLossError):
        to_quads(core, document)


# ---------------------------------------------------------------- the vocabulary


def nodes_of_class(nodes: Mapping[str, dict[str, Any]], class_name: str) -> dict[str, Any]:
    return {iri: node for iri, node in nodes.items() if node.get("@type") == [TC + class_name]}


def notation(node: dict[str, Any]) -> str:
    [value] = node[SKOS_NOTATION]
    text: str = value["@value"]
    return text


def test_vocab_describes_every_v2_term_in_english_and_spanish() -> None:
    nodes = vocab_nodes()
    for scope, term, definition in term_definitions(context_v2()):
        iri = term_iri(definition)
        assert iri in nodes, f"{scope or '(top level)'}.{term} -> {iri} is not in the vocabulary"
        for prop in ("label", "comment"):
            values = languages(nodes[iri], prop)
            assert set(values) == {"en", "es"}, (iri, prop, values)
            assert all(value.strip() for value in values.values()), (iri, prop)


def test_vocab_keeps_every_v1_term() -> None:
    nodes = vocab_nodes()
    for iri in ALL_TERM_IRIS:
        assert set(languages(nodes[iri], "label")) == {"en", "es"}, iri


def test_every_labelled_node_reads_in_both_languages() -> None:
    """``printing.labels`` reads every node with a label, by IRI, in English and Spanish."""
    graph = load_json(VOCAB_FILE)["@graph"]
    assert all({"en", "es"} <= set(node["label"]) for node in graph), "a label lacks en or es"
    labels = vocabulary_labels()
    assert set(labels) == {node["id"] for node in graph}
    assert all(text.en.strip() and text.es.strip() for text in labels.values())


def test_vocab_project_terms_are_typed_and_described() -> None:
    nodes = vocab_nodes()
    classes = {iri for iri, node in nodes.items() if node.get("@type") == [RDFS_CLASS]}
    for iri, node in nodes.items():
        if not iri.startswith(TC):
            continue
        assert node[RDFS + "isDefinedBy"] == [{"@id": VOCAB_URL}], iri
        [kind] = node["@type"]
        if kind == RDF_PROPERTY:
            assert RDFS + "domain" in node, iri
            assert RDFS + "range" in node, iri
            for domain in node[RDFS + "domain"]:
                members = domain.get(OWL_UNION_OF, [{"@list": [domain]}])[0]["@list"]
                assert all(member["@id"].startswith(("https://", "http://")) for member in members)
        else:  # a class, or an individual of one of the vocabulary's classes
            assert kind == RDFS_CLASS or kind in classes, iri


@pytest.mark.parametrize("class_name", INDIVIDUALS)
def test_individuals_of_each_class(class_name: str) -> None:
    nodes = vocab_nodes()
    assert nodes[TC + class_name]["@type"] == [RDFS_CLASS]
    individuals = nodes_of_class(nodes, class_name)
    assert set(individuals) == {TC + name for name in INDIVIDUALS[class_name]}
    for iri, node in individuals.items():
        assert set(languages(node, "label")) == {"en", "es"}, iri
        assert set(languages(node, "comment")) == {"en", "es"}, iri


def test_immex_modalities_carry_the_v1_strings() -> None:
    nodes = vocab_nodes()
    for name, modality in IMMEX_MODALITIES.items():
        node = nodes[TC + name]
        assert notation(node) == modality.value
        assert languages(node, "label") == {"en": modality.english, "es": modality.value}


def test_oea_rubros_carry_the_v1_strings() -> None:
    nodes = vocab_nodes()
    assert set(OEA_RUBROS.values()) == set(OeaModality)
    for name, rubro in OEA_RUBROS.items():
        node = nodes[TC + name]
        assert notation(node) == rubro.value
        assert languages(node, "label") == {"en": rubro.english, "es": rubro.value}
    seciit = nodes[TC + SECIIT]
    assert languages(seciit, "label") == {"en": SECIIT_EN, "es": SECIIT_ES}
    assert notation(seciit) == SECIIT_ES  # new in v2: no v1 string, its Spanish name


def test_ctpat_sectors_and_tiers_are_labelled_by_their_upstream_string() -> None:
    nodes = vocab_nodes()
    sectors = nodes_of_class(nodes, "CtpatTradeSector")
    assert {notation(node): languages(node, "label") for node in sectors.values()} == {
        sector.value: {"en": sector.value, "es": sector.spanish} for sector in TradeSector
    }
    assert all(iri.startswith(TC + "CtpatSector") for iri in sectors)
    tiers = nodes_of_class(nodes, "CtpatTier")
    assert {notation(node): languages(node, "label") for node in tiers.values()} == {
        tier.value: {"en": TIER_LABELS[tier], "es": tier.spanish} for tier in Tier
    }
    assert set(tiers) == {TC + "CtpatTier" + tier.value for tier in Tier}


def test_vocab_explains_inherited_and_replaced_mappings() -> None:
    nodes = vocab_nodes()
    validation = languages(nodes[TC + "lastValidationDate"], "comment")["en"]
    assert "dateOfLastValidation" in validation and "schema:endDate" in validation
    address = languages(nodes[SCHEMA + "PostalAddress"], "comment")["en"]
    assert "address" in address and "schema:address" in address
    assert nodes[TC + "rfc"][RDFS + "subPropertyOf"] == [{"@id": SCHEMA + "taxID"}]
    modality = nodes[TC + "immexModality"]  # v1 literals and v2 individuals
    assert modality[RDFS + "range"] == [{"@id": RDFS + "Resource"}]


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_everything_a_sample_says_has_a_label(name: str, core: Any) -> None:
    """The page and the print can label every member and coded value of a v2 credential."""
    document = v2_sample(name)
    quads = [q for q in to_quads(core, document) if q.subject.value != document["id"]]
    iris = predicates_and_types(quads) | {q.object.value for q in quads if q.object.kind == "iri"}
    iris = {iri for iri in iris if not iri.startswith(CRED) and iri != RDF_TYPE}
    iris -= {document["credentialSubject"]["member"]["id"], document["credentialSchema"]["id"]}
    assert iris - set(vocabulary_labels()) == set()
