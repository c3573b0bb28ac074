"""JSON-LD checks for the trade-certificate context, its vocabulary and the example credentials.

All JSON-LD processing here uses a small document loader that serves only the
published contexts copied under ../shared/upstream/contexts (listed in INDEX.json)
and the project's two files in contexts/. It never uses the network, so these tests
skip when ../shared is absent.

How an undefined term shows up depends on the contexts in play. The published
credentials/v2 context has no @vocab (the WG moved it to the optional
undefined-terms/v2 context in 2024), so with [credentials/v2, ours] an undefined
key is dropped by expansion and only the on_property_dropped hook sees it. With an
@vocab in play it gets an IRI in a fallback namespace instead: issuer-dependent#
(traceability/v1's @vocab) or undefined-term# (undefined-terms/v2). The fixtures
are checked under all three arrangements.
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from tests.conftest import REPO_ROOT, upstream_path

pytestmark = pytest.mark.shared

CREDENTIALS_V2_URL = "https://www.w3.org/ns/credentials/v2"
UNDEFINED_TERMS_V2_URL = "https://www.w3.org/ns/credentials/undefined-terms/v2"
TRACEABILITY_V1_URL = "https://w3id.org/traceability/v1"
CONTEXT_URL = "https://w3id.org/vcservice/trade-certificates/v1"
VOCAB_URL = "https://w3id.org/vcservice/trade-certificates"
CONTEXT_FILE = REPO_ROOT / "contexts" / "trade-certificates-v1.jsonld"
VOCAB_FILE = REPO_ROOT / "contexts" / "trade-certificates-vocab.jsonld"
FIXTURES_DIR = REPO_ROOT / "vcservice" / "certificates" / "samples"
FIXTURE_NAMES = ("immex", "oea", "ctpat")

ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"
UNDEFINED_TERM = "https://www.w3.org/ns/credentials/undefined-term#"
FALLBACK_NAMESPACES = (ISSUER_DEPENDENT, UNDEFINED_TERM)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
CRED = "https://www.w3.org/2018/credentials#"

TC = "https://w3id.org/vcservice/trade-certificates#"
TRACE = "https://w3id.org/traceability#"
SCHEMA = "https://schema.org/"

# The context's terms, by scope ("" is the top level; otherwise the type whose
# type-scoped context defines the term). Changing the published context must be a
# deliberate change here too.
EXPECTED_TERMS: dict[str, dict[str, str]] = {
    "": {
        "CTPATCertificate": TRACE + "CTPATCertificate",
        "CTPAT": TRACE + "CTPAT",
        "CTPATMember": SCHEMA + "Organization",
        "CBPImporterOfRecord": TRACE + "CBPImporterOfRecord",
        "IMMEXCertificate": TC + "IMMEXCertificate",
        "IMMEXAuthorization": TC + "IMMEXAuthorization",
        "OEACertificate": TC + "OEACertificate",
        "OEAAuthorization": TC + "OEAAuthorization",
        "Place": SCHEMA + "Place",
        "PostalAddress": SCHEMA + "PostalAddress",
    },
    "CTPAT": {
        "member": SCHEMA + "member",
        "tradeSector": SCHEMA + "industry",
        "tier": TRACE + "ctpatTier",
        "issuingCountry": SCHEMA + "addressCountry",
        "sviNumber": TRACE + "sviNumber",
        "ctpatAccountNumber": TRACE + "ctpatAccountNumber",
        "dateOfLastValidation": SCHEMA + "endDate",
    },
    "CTPATMember": {
        "legalName": SCHEMA + "legalName",
        "location": SCHEMA + "location",
        "importerOfRecord": TRACE + "importerOfRecord",
        "scac": "https://vocabulary.uncefact.org/ReferenceCodeList#AAZ",
        "iataCarrierCode": "https://onerecord.iata.org/cargo/Company#airlineCode",
        "duns": SCHEMA + "duns",
    },
    "CBPImporterOfRecord": {
        "number": TRACE + "CBPImporterOfRecordNumber",
        "identifierType": TRACE + "CBPImporterOfRecordType",
    },
    "IMMEXAuthorization": {
        "legalName": SCHEMA + "legalName",
        "rfc": SCHEMA + "taxID",
        "immexProgramNumber": TC + "immexProgramNumber",
        "modality": TC + "immexModality",
        "authorizedAddresses": TC + "immexAuthorizedAddress",
        "authorizationDate": TC + "immexAuthorizationDate",
    },
    "OEAAuthorization": {
        "legalName": SCHEMA + "legalName",
        "rfc": SCHEMA + "taxID",
        "oeaRegistrationNumber": TC + "oeaRegistrationNumber",
        "modality": TC + "oeaModality",
        "authorizationDate": TC + "oeaAuthorizationDate",
        "renewalDate": TC + "oeaRenewalDate",
        "mutualRecognition": TC + "oeaMutualRecognition",
    },
    "Place": {
        "address": SCHEMA + "address",
    },
    "PostalAddress": {
        "streetAddress": SCHEMA + "streetAddress",
        "addressLocality": SCHEMA + "addressLocality",
        "addressRegion": SCHEMA + "addressRegion",
        "postalCode": SCHEMA + "postalCode",
        "addressCountry": SCHEMA + "addressCountry",
    },
}
DATE_TERMS = {
    ("CTPAT", "dateOfLastValidation"),
    ("IMMEXAuthorization", "authorizationDate"),
    ("OEAAuthorization", "authorizationDate"),
    ("OEAAuthorization", "renewalDate"),
}
ALL_TERM_IRIS = {iri for terms in EXPECTED_TERMS.values() for iri in terms.values()}
DATE_PREDICATES = {EXPECTED_TERMS[scope][term] for scope, term in DATE_TERMS}

CTPAT_TRADE_SECTORS = {
    "U.S. Importers",
    "Highway Carriers",
    "Foreign Manufacturers",
    "Consolidators",
    "Licensed U.S. Customs Brokers",
    "Mexican Long Haul Highway Carriers",
    "U.S. Exporters",
    "Third Party Logistics Providers",
    "Sea Carrier",
    "Marine Port Authority and Terminal Operators",
    "Foreign Based Marine Port Terminal Operators",
    "Air Carriers",
    "Rail Carriers",
}
CTPAT_TIERS = {"Certified", "Validated", "Exceeding"}
IMMEX_MODALITIES = {
    "Controladora de empresas",
    "Industrial",
    "Servicios",
    "Albergue",
    "Tercerización",
}
OEA_MODALITIES = {
    "Importador y/o exportador",
    "Autotransportista terrestre",
    "Agente aduanal",
    "Transportista ferroviario",
    "Parque industrial",
    "Recinto fiscalizado",
    "Mensajería y paquetería",
}

Loader = Callable[..., dict[str, Any]]


class LoaderRefusedError(Exception):
    """Raised by the test loader for any URL it does not serve."""


# ---------------------------------------------------------------- loader and helpers


@pytest.fixture(scope="module")
def served() -> dict[str, Path]:
    contexts_dir = upstream_path("contexts")
    index = json.loads((contexts_dir / "INDEX.json").read_text(encoding="utf-8"))["contexts"]
    files = {url: contexts_dir / entry["file"] for url, entry in index.items()}
    files[CONTEXT_URL] = CONTEXT_FILE
    files[VOCAB_URL] = VOCAB_FILE
    return files


@pytest.fixture
def fetched() -> list[str]:
    return []


@pytest.fixture
def loader(served: dict[str, Path], fetched: list[str]) -> Loader:
    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        fetched.append(url)
        path = served.get(url)
        if path is None:
            raise LoaderRefusedError(f"test loader does not serve {url}")
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": json.loads(path.read_text(encoding="utf-8")),
        }

    return load


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def fixture(name: str) -> dict[str, Any]:
    """The version 1 sample ``name``: this module tests the frozen v1 context."""
    document: dict[str, Any] = load_json(FIXTURES_DIR / f"{name}-v1.json")
    return document


def options(loader: Loader) -> dict[str, Any]:
    # A fresh resolver per call: pyld's default one caches contexts process-wide by URL.
    return {
        "documentLoader": loader,
        "contextResolver": ContextResolver({}, loader),
        "rdfDirection": "i18n-datatype",
    }


def to_dataset(doc: dict[str, Any], loader: Loader) -> tuple[list[dict[str, Any]], list[Any]]:
    """Convert to RDF; return the triples of every graph and what expansion dropped."""
    dropped: list[Any] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    dataset = processor.to_rdf(copy.deepcopy(doc), options(loader))
    return [triple for graph in dataset.values() for triple in graph], dropped


def canonical_nquads(doc: dict[str, Any], loader: Loader) -> str:
    dropped: list[Any] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    opts = options(loader) | {"algorithm": "URDNA2015", "format": "application/n-quads"}
    nquads: str = processor.normalize(copy.deepcopy(doc), opts)
    assert dropped == []
    return nquads


def iris_in(triples: list[dict[str, Any]]) -> Iterator[str]:
    for triple in triples:
        for position in ("subject", "predicate", "object"):
            node = triple[position]
            if node["type"] == "IRI":
                yield node["value"]
        if triple["object"]["type"] == "literal":
            yield triple["object"]["datatype"]


def leaked_iris(triples: list[dict[str, Any]]) -> set[str]:
    """IRIs that only exist because a term fell through to an @vocab."""
    return {iri for iri in iris_in(triples) if iri.startswith(FALLBACK_NAMESPACES)}


# [credentials/v2, ours] as used in production, and two arrangements that add an @vocab.
ARRANGEMENTS = {
    "production": [CREDENTIALS_V2_URL, CONTEXT_URL],
    "undefined-terms": [CREDENTIALS_V2_URL, CONTEXT_URL, UNDEFINED_TERMS_V2_URL],
    "traceability-first": [CREDENTIALS_V2_URL, TRACEABILITY_V1_URL, CONTEXT_URL],
}


def with_contexts(doc: dict[str, Any], arrangement: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["@context"] = list(ARRANGEMENTS[arrangement])
    return doc


def error_codes(error: BaseException) -> list[str]:
    codes = []
    current: BaseException | None = error
    while current is not None:
        code = getattr(current, "code", None)
        if code:
            codes.append(code)
        current = current.__cause__ or current.__context__
    return codes


def term_definitions(context: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """Yield (scope, term, definition) for the top level and every type-scoped context."""
    for term, definition in context.items():
        if term.startswith("@"):
            continue
        yield "", term, definition
        if isinstance(definition, dict) and "@context" in definition:
            for inner, inner_def in definition["@context"].items():
                if not inner.startswith("@"):
                    yield term, inner, inner_def


def term_iri(definition: Any) -> str:
    iri: str = definition if isinstance(definition, str) else definition["@id"]
    return iri


def project_context() -> dict[str, Any]:
    context: dict[str, Any] = load_json(CONTEXT_FILE)["@context"]
    return context


# ---------------------------------------------------------------- the context itself


def test_context_header() -> None:
    context = project_context()
    assert context["@version"] == 1.1
    assert context["@protected"] is True
    for definition in context.values():
        if isinstance(definition, dict) and "@context" in definition:
            assert definition["@context"]["@protected"] is True


def test_context_has_no_vocab_anywhere() -> None:
    text = CONTEXT_FILE.read_text(encoding="utf-8")
    assert "@vocab" not in text
    assert "@base" not in text
    assert "@propagate" not in text


def test_context_terms_match_the_term_table() -> None:
    found: dict[str, dict[str, str]] = {}
    for scope, term, definition in term_definitions(project_context()):
        found.setdefault(scope, {})[term] = term_iri(definition)
    assert found == EXPECTED_TERMS


def test_dates_are_typed_xsd_date_and_nothing_else_is_coerced() -> None:
    for scope, term, definition in term_definitions(project_context()):
        coercion = definition.get("@type") if isinstance(definition, dict) else None
        if (scope, term) in DATE_TERMS:
            assert coercion == XSD_DATE, (scope, term)
        elif (scope, term) == ("CTPAT", "member"):
            assert coercion == "@id"
        else:
            assert coercion is None, (scope, term)


def test_context_defines_no_credentials_v2_term(served: dict[str, Path]) -> None:
    """Redefining a term credentials/v2 protects (id, type, name, ...) would break processing."""
    v2 = load_json(served[CREDENTIALS_V2_URL])["@context"]
    v2_terms = {term for _scope, term, _def in term_definitions(v2)}
    ours = {term for _scope, term, _def in term_definitions(project_context())}
    assert {"id", "type", "name", "description", "issuer", "validFrom"} <= v2_terms
    assert ours.isdisjoint(v2_terms), ours & v2_terms


def test_redefining_a_protected_term_fails(loader: Loader) -> None:
    doc = fixture("immex")
    doc["@context"].append({"IMMEXCertificate": "https://example.org/SomethingElse"})
    with pytest.raises(jsonld.JsonLdError) as info:
        to_dataset(doc, loader)
    assert "protected term redefinition" in error_codes(info.value)


def test_overriding_credentials_v2_name_fails(loader: Loader) -> None:
    """The same check bites on credentials/v2's protected terms (sanity check of the tooling)."""
    doc = fixture("oea")
    doc["@context"].append({"name": "https://example.org/name"})
    with pytest.raises(jsonld.JsonLdError) as info:
        to_dataset(doc, loader)
    assert "protected term redefinition" in error_codes(info.value)


# ---------------------------------------------------------------- the loader


def test_loader_refuses_unknown_urls(loader: Loader) -> None:
    with pytest.raises(LoaderRefusedError):
        loader("https://example.org/some-context")
    doc = fixture("ctpat")
    doc["@context"].append("https://example.org/some-context")
    with pytest.raises(jsonld.JsonLdError):
        to_dataset(doc, loader)


# ---------------------------------------------------------------- fixtures as JSON-LD


@pytest.mark.parametrize("arrangement", ARRANGEMENTS)
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_converts_to_rdf_with_nothing_undefined_or_dropped(
    name: str, arrangement: str, loader: Loader
) -> None:
    triples, dropped = to_dataset(with_contexts(fixture(name), arrangement), loader)
    assert dropped == []
    assert triples
    assert leaked_iris(triples) == set()


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_needs_only_credentials_v2_and_our_context(
    name: str, loader: Loader, fetched: list[str]
) -> None:
    to_dataset(fixture(name), loader)
    assert set(fetched) == {CREDENTIALS_V2_URL, CONTEXT_URL}


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_uses_only_known_predicates_and_types(name: str, loader: Loader) -> None:
    triples, _ = to_dataset(fixture(name), loader)
    allowed = ALL_TERM_IRIS | {
        RDF_TYPE,
        CRED + "VerifiableCredential",
        CRED + "credentialSubject",
        CRED + "issuer",
        CRED + "validFrom",
        CRED + "validUntil",
        SCHEMA + "name",
        SCHEMA + "description",
    }
    predicates = {t["predicate"]["value"] for t in triples}
    types = {t["object"]["value"] for t in triples if t["predicate"]["value"] == RDF_TYPE}
    assert predicates <= allowed, predicates - allowed
    assert types <= allowed, types - allowed


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_dates_are_typed_xsd_date(name: str, loader: Loader) -> None:
    triples, _ = to_dataset(fixture(name), loader)
    date_triples = [t for t in triples if t["predicate"]["value"] in DATE_PREDICATES]
    assert date_triples
    for triple in date_triples:
        assert triple["object"]["datatype"] == XSD_DATE
        date.fromisoformat(triple["object"]["value"])


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_canonicalizes(name: str, loader: Loader) -> None:
    nquads = canonical_nquads(fixture(name), loader)
    assert nquads.endswith("\n")
    assert ISSUER_DEPENDENT not in nquads
    assert nquads == canonical_nquads(fixture(name), loader)


@pytest.mark.parametrize("arrangement", ["undefined-terms", "traceability-first"])
@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_same_rdf_in_every_arrangement(name: str, arrangement: str, loader: Loader) -> None:
    """Our terms win over traceability/v1's, and no fixture key relies on an @vocab."""
    doc = fixture(name)
    expected = canonical_nquads(doc, loader)
    assert canonical_nquads(with_contexts(doc, arrangement), loader) == expected


def test_traceability_context_after_ours_is_rejected(loader: Loader) -> None:
    """Documents ours as a limitation: traceability/v1 must not follow our protected context."""
    doc = fixture("ctpat")
    doc["@context"] = [CREDENTIALS_V2_URL, CONTEXT_URL, TRACEABILITY_V1_URL]
    with pytest.raises(jsonld.JsonLdError) as info:
        to_dataset(doc, loader)
    assert "protected term redefinition" in error_codes(info.value)


def kitchen_sink_ctpat() -> dict[str, Any]:
    """The C-TPAT fixture plus the member terms a highway carrier does not use."""
    doc = fixture("ctpat")
    member = doc["credentialSubject"]["member"]
    member["iataCarrierCode"] = "QXJ"
    member["importerOfRecord"] = {
        "type": ["CBPImporterOfRecord"],
        "number": "74-1234567AB",
        "identifierType": "IRS",
    }
    return doc


@pytest.mark.parametrize("arrangement", ARRANGEMENTS)
def test_every_context_term_is_exercised(arrangement: str, loader: Loader) -> None:
    """Fixtures (plus the optional C-TPAT member terms) use every IRI in the term table."""
    seen: set[str] = set()
    docs = [fixture(name) for name in FIXTURE_NAMES] + [kitchen_sink_ctpat()]
    for doc in docs:
        triples, dropped = to_dataset(with_contexts(doc, arrangement), loader)
        assert dropped == []
        assert leaked_iris(triples) == set()
        seen |= {t["predicate"]["value"] for t in triples}
        seen |= {t["object"]["value"] for t in triples if t["predicate"]["value"] == RDF_TYPE}
    assert ALL_TERM_IRIS - seen == set()


# ---------------------------------------------------------------- negative checks


def with_extra_subject_property(arrangement: str) -> dict[str, Any]:
    doc = with_contexts(fixture("immex"), arrangement)
    doc["credentialSubject"]["warehouseAreaM2"] = "12000"
    return doc


def test_undefined_subject_property_is_dropped_and_reported(loader: Loader) -> None:
    triples, dropped = to_dataset(with_extra_subject_property("production"), loader)
    assert dropped == ["warehouseAreaM2"]
    assert leaked_iris(triples) == set()
    assert not any(t["object"].get("value") == "12000" for t in triples)


def test_undefined_subject_property_gets_issuer_dependent_iri(loader: Loader) -> None:
    triples, dropped = to_dataset(with_extra_subject_property("traceability-first"), loader)
    assert dropped == []
    assert leaked_iris(triples) == {ISSUER_DEPENDENT + "warehouseAreaM2"}


def test_undefined_subject_property_gets_undefined_term_iri(loader: Loader) -> None:
    triples, dropped = to_dataset(with_extra_subject_property("undefined-terms"), loader)
    assert dropped == []
    assert leaked_iris(triples) == {UNDEFINED_TERM + "warehouseAreaM2"}


def test_nested_object_without_its_type_is_not_understood(loader: Loader) -> None:
    """Terms are type-scoped: an address without "type": ["PostalAddress"] is not understood."""
    doc = fixture("ctpat")
    del doc["credentialSubject"]["member"]["location"][0]["address"]["type"]
    _, dropped = to_dataset(doc, loader)
    assert "streetAddress" in dropped
    triples, _ = to_dataset(with_contexts(doc, "undefined-terms"), loader)
    assert UNDEFINED_TERM + "streetAddress" in leaked_iris(triples)


def test_subject_term_is_not_understood_in_another_certificate(loader: Loader) -> None:
    doc = fixture("oea")
    doc["credentialSubject"]["immexProgramNumber"] = "4521-2007"
    _, dropped = to_dataset(doc, loader)
    assert dropped == ["immexProgramNumber"]
    triples, _ = to_dataset(with_contexts(doc, "traceability-first"), loader)
    assert leaked_iris(triples) == {ISSUER_DEPENDENT + "immexProgramNumber"}


def test_explicitly_nulled_property_is_reported(loader: Loader) -> None:
    doc = fixture("oea")
    doc["@context"].append({"internalNote": None})
    doc["credentialSubject"]["internalNote"] = "not for the credential"
    _, dropped = to_dataset(doc, loader)
    assert len(dropped) == 1


# ---------------------------------------------------------------- the vocabulary


def vocab_nodes() -> dict[str, dict[str, Any]]:
    def refuse(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        raise LoaderRefusedError(f"the vocabulary must be self-contained, it loaded {url}")

    expanded = jsonld.expand(load_json(VOCAB_FILE), {"documentLoader": refuse})
    return {node["@id"]: node for node in expanded}


def languages(node: dict[str, Any], prop: str) -> dict[str, str]:
    return {value["@language"]: value["@value"] for value in node.get(RDFS + prop, [])}


def test_vocab_labels_every_context_term_in_english_and_spanish() -> None:
    nodes = vocab_nodes()
    for scope, term, definition in term_definitions(project_context()):
        iri = term_iri(definition)
        assert iri in nodes, f"{scope or '(top level)'}.{term} -> {iri} is not in the vocabulary"
        for prop in ("label", "comment"):
            values = languages(nodes[iri], prop)
            assert set(values) == {"en", "es"}, (iri, prop, values)
            assert all(v.strip() for v in values.values()), (iri, prop)


def test_vocab_describes_every_term_the_context_uses() -> None:
    """The vocabulary describes every v1 term. It also describes version 2's terms and
    values (tests/unit/test_trade_context_v2.py), so it is no longer limited to these."""
    described = {iri for iri, node in vocab_nodes().items() if RDFS + "label" in node}
    assert described >= ALL_TERM_IRIS, ALL_TERM_IRIS - described


def test_vocab_project_terms_are_fully_described() -> None:
    """Every project node is defined by the vocabulary; properties have a domain and a
    range; the v1 context's other terms are classes. Other non-property nodes are v2's classes and
    their individuals (its coded values)."""
    nodes = vocab_nodes()
    classes = {iri for iri, node in nodes.items() if node.get("@type") == [RDFS + "Class"]}
    for iri, node in nodes.items():
        if not iri.startswith(TC):
            continue
        assert node[RDFS + "isDefinedBy"] == [{"@id": VOCAB_URL}]
        if "http://www.w3.org/1999/02/22-rdf-syntax-ns#Property" in node["@type"]:
            assert RDFS + "domain" in node, iri
            assert RDFS + "range" in node, iri
        elif iri in ALL_TERM_IRIS:
            assert node["@type"] == [RDFS + "Class"], iri
        else:  # a class of version 2, or an individual of one of the vocabulary's classes
            [kind] = node["@type"]
            assert kind == RDFS + "Class" or kind in classes, iri


# ---------------------------------------------------------------- fixture content

RFC_PATTERN = re.compile(r"^([A-ZÑ&]{3,4})(\d{2})(\d{2})(\d{2})([A-V1-9][A-Z1-9])([0-9A])$")
RFC_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ")}


def rfc_check_digit(rfc_without_digit: str) -> str:
    """SAT's check digit: weights 13..2 over the 12 leading characters, modulo 11."""
    padded = rfc_without_digit.rjust(12)
    total = sum(RFC_VALUES[c] * (13 - i) for i, c in enumerate(padded))
    remainder = total % 11
    if remainder == 0:
        return "0"
    return "A" if remainder == 1 else str(11 - remainder)


def test_rfc_check_digit_reference_example() -> None:
    # Worked example from SAT's published description of the algorithm.
    assert rfc_check_digit("GODE561231GR") == "8"


@pytest.mark.parametrize("name", ["immex", "oea"])
def test_fixture_rfc_is_well_formed(name: str) -> None:
    rfc = fixture(name)["credentialSubject"]["rfc"]
    match = RFC_PATTERN.fullmatch(rfc)
    assert match, rfc
    assert len(rfc) in (12, 13)
    _, yy, mm, dd, _, digit = match.groups()
    date(2000 + int(yy), int(mm), int(dd))  # a real calendar date
    assert digit == rfc_check_digit(rfc[:-1])


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_envelope(name: str) -> None:
    doc = fixture(name)
    assert doc["@context"] == [CREDENTIALS_V2_URL, CONTEXT_URL]
    assert doc["type"][0] == "VerifiableCredential"
    assert len(doc["type"]) == 2
    assert doc["id"].startswith("urn:uuid:")
    parsed = uuid.UUID(doc["id"].removeprefix("urn:uuid:"))
    assert parsed.version == 4
    assert str(parsed) == doc["id"].removeprefix("urn:uuid:")
    assert set(doc["issuer"]) == {"id", "name"}
    assert doc["issuer"]["id"].startswith("did:web:")
    assert doc["credentialSubject"]["id"].startswith(("did:web:", "did:key:"))
    valid_from = datetime.fromisoformat(doc["validFrom"])
    valid_until = datetime.fromisoformat(doc["validUntil"])
    assert valid_from.tzinfo is not None
    assert valid_from < valid_until
    assert "proof" not in doc


def test_fixture_code_values() -> None:
    ctpat = fixture("ctpat")["credentialSubject"]
    assert ctpat["tradeSector"] in CTPAT_TRADE_SECTORS
    assert ctpat["tier"] in CTPAT_TIERS
    assert re.fullmatch(r"[A-Z]{2}", ctpat["issuingCountry"])
    assert re.fullmatch(r"\d{9}", ctpat["member"]["duns"])
    assert re.fullmatch(r"[A-Z]{2,4}", ctpat["member"]["scac"])
    assert fixture("immex")["credentialSubject"]["modality"] in IMMEX_MODALITIES
    oea = fixture("oea")["credentialSubject"]
    assert oea["modality"] in OEA_MODALITIES
    assert date.fromisoformat(oea["authorizationDate"]) < date.fromisoformat(oea["renewalDate"])
