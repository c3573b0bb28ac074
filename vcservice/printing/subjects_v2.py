"""The human fields of version 2 subjects: the company at ``member``, its sites, the program.

Version 2 of the certificate data puts the certified company at
``credentialSubject.member`` in all three types, with typed identifiers and sites that
each have a role (``siteRole``) and their own codes; the program's coded values are
individuals of the project vocabulary (an IMMEX modality ``ImmexIndustrial``, an OEA
rubro ``OeaSECIIT``, a site role ``SitePlant``) or, for C-TPAT's sector and tier, the
plain strings traceability defines, which the vocabulary lists as ``skos:notation``.
Each is shown by its vocabulary label in both languages. A value the vocabulary does not
list for that member (tampered, or unknown) is shown as the credential states it, and a
member of the wrong shape as JSON text: nothing the credential says is dropped or
replaced by something it does not say. Where a sentence names several terms (a mutual
recognition) or a label repeats (a site's MID after the company's), the vocabulary's short
label (``skos:altLabel``) is used, else the label.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from vcservice.jsonld.manifest import default_contexts_dir
from vcservice.printing.labels import (
    Text,
    individual_label,
    label,
    notation_label,
    short_label,
)
from vcservice.printing.subjects import (
    SCHEMA,
    TRACEABILITY,
    TRADE,
    TRADE_NAME,
    Field,
    FieldSpec,
    Place,
    SubjectView,
    address_lines,
    address_text,
    fields_of,
    mapping,
    places_heading,
    text,
)

__all__ = ["COMPANY_FIELDS", "SITE_CODES", "ctpat", "immex", "oea", "recognition"]

CONTEXT_FILE = "trade-certificates-v2.jsonld"
UN_LOCODE = "https://vocabulary.uncefact.org/Location"
SCAC = "https://vocabulary.uncefact.org/ReferenceCodeList#AAZ"
IATA_CARRIER = "https://onerecord.iata.org/cargo/Company#airlineCode"

# The company's names and identifiers, in reading order (the DID is the view's holder).
COMPANY_FIELDS: FieldSpec = (
    ("name", TRADE_NAME),
    ("rfc", TRADE + "rfc"),
    ("manufacturerId", TRACEABILITY + "manufacturerId"),
    ("importerOfRecord", TRACEABILITY + "CBPImporterOfRecordNumber"),
    ("usdotNumber", TRADE + "usdotNumber"),
    ("scac", SCAC),
    ("iataCarrierCode", IATA_CARRIER),
    ("caat", TRADE + "caat"),
    ("sctPermit", TRADE + "sctPermit"),
    ("patenteAduanal", TRADE + "patenteAduanal"),
    ("duns", SCHEMA + "duns"),
    ("leiCode", SCHEMA + "leiCode"),
    ("globalLocationNumber", SCHEMA + "globalLocationNumber"),
)
SITE_CODES: FieldSpec = (
    ("manufacturerId", TRACEABILITY + "manufacturerId"),
    ("unLocode", UN_LOCODE),
    ("globalLocationNumber", SCHEMA + "globalLocationNumber"),
)
IMMEX_FIELDS: FieldSpec = (
    ("immexProgramNumber", TRADE + "immexProgramNumber"),
    ("immexModality", TRADE + "immexModality"),
    ("authorizationDate", TRADE + "authorizationDate"),
    ("lastAnnualReportYear", TRADE + "lastAnnualReportYear"),
    ("annualReportDueDate", TRADE + "annualReportDueDate"),
)
OEA_FIELDS: FieldSpec = (
    ("oeaRegistrationNumber", TRADE + "oeaRegistrationNumber"),
    ("oeaRubro", TRADE + "oeaRubro"),
    ("immexProgramNumber", TRADE + "immexProgramNumber"),
    ("authorizationDate", TRADE + "authorizationDate"),
    ("lastRenewalDate", TRADE + "lastRenewalDate"),
    ("termStart", TRADE + "termStart"),
    ("termEnd", TRADE + "termEnd"),
)
CTPAT_FIELDS: FieldSpec = (
    ("tradeSector", SCHEMA + "industry"),
    ("tier", TRACEABILITY + "ctpatTier"),
    ("sviNumber", TRACEABILITY + "sviNumber"),
    ("ctpatAccountNumber", TRACEABILITY + "ctpatAccountNumber"),
    ("certificationDate", TRADE + "ctpatCertificationDate"),
    ("lastValidationDate", TRADE + "lastValidationDate"),
    ("revalidationDueDate", TRADE + "revalidationDueDate"),
)
# Coded subject members: the vocabulary class of their values; True when the credential
# names a value by its notation (an upstream string) rather than by a term of the context.
CODED: Mapping[str, tuple[str, bool]] = {
    "immexModality": (TRADE + "ImmexModality", False),
    "oeaRubro": (TRADE + "OeaRubro", False),
    "tradeSector": (TRADE + "CtpatTradeSector", True),
    "tier": (TRADE + "CtpatTier", True),
}
RECOGNIZED = Text(
    "Recognized by {authority} ({program}) under the {arrangement} for: {roles}",
    "Reconocido por {authority} ({program}) en virtud del {arrangement} para: {roles}",
)
UNSTATED = Text("(not stated)", "(no indicado)")
PROGRAM_UNSTATED = Text("program not stated", "programa no indicado")  # within parentheses


def immex(subject: Mapping[str, Any]) -> SubjectView:
    """An ``IMMEXAuthorization``: program number, modality, authorization and report dates."""
    return _subject(subject, IMMEX_FIELDS, primary_language="es")


def oea(subject: Mapping[str, Any]) -> SubjectView:
    """An ``OEAAuthorization``: registration number, rubro, term, mutual recognitions."""
    return _subject(subject, OEA_FIELDS, primary_language="es")


def ctpat(subject: Mapping[str, Any]) -> SubjectView:
    """A ``CTPAT`` membership: sector, tier, numbers, certification and validation dates."""
    return _subject(subject, CTPAT_FIELDS, primary_language="en")


def recognition(entry: Any) -> Text:
    """One mutual recognition as a sentence: who recognizes the membership, how, for what."""
    if not isinstance(entry, Mapping):
        return Text.same(text(entry) or "")
    roles = entry.get("recognizedRole")
    role_texts = [_short(role, TRADE + "MraRole") for role in _listed(roles)] if roles else []
    program = entry.get("counterpartProgram")
    parts = {
        "authority": _short(entry.get("recognizedBy"), TRADE + "CustomsAuthority"),
        "program": PROGRAM_UNSTATED
        if program is None
        else _short(program, TRADE + "TrustedTraderProgram"),
        "arrangement": _short(entry.get("arrangement"), TRADE + "MutualRecognitionArrangement"),
        "roles": _joined(role_texts) if role_texts else UNSTATED,
    }
    sentence = Text(
        RECOGNIZED.en.format(**{key: part.en for key, part in parts.items()}),
        RECOGNIZED.es.format(**{key: part.es for key, part in parts.items()}),
    )
    number = text(entry.get("counterpartAccountNumber"))
    if number is None:
        return sentence
    number_label = label(TRADE + "counterpartAccountNumber")
    return Text(
        f"{sentence.en}. {number_label.en}: {number}", f"{sentence.es}. {number_label.es}: {number}"
    )


def _subject(subject: Mapping[str, Any], spec: FieldSpec, *, primary_language: str) -> SubjectView:
    member = mapping(subject.get("member"))
    values = dict(subject)
    for key, (of_class, by_notation) in CODED.items():
        if subject.get(key) is not None:
            values[key] = _coded(subject[key], of_class, by_notation=by_notation)
    places = _sites(member.get("location"))
    return SubjectView(
        company=text(member.get("legalName")),
        fields=fields_of(values, spec),
        places_label=places_heading(places),
        places=places,
        primary_language=primary_language,
        company_fields=fields_of(
            {**member, "importerOfRecord": _importer(member.get("importerOfRecord"))},
            COMPANY_FIELDS,
        ),
        recognitions=_recognitions(subject.get("mutualRecognition")),
    )


def _recognitions(value: Any) -> tuple[Field, ...]:
    """One field per mutual recognition, keyed ``mutualRecognition/<index>``."""
    if value is None:
        return ()
    field_label = label(TRADE + "mutualRecognition")
    return tuple(
        Field(f"mutualRecognition/{index}", field_label, recognition(entry))
        for index, entry in enumerate(_listed(value))
    )


def _sites(value: Any) -> tuple[Place, ...]:
    """Each site: the name on its address, the address, its role's label and its codes."""
    places = []
    for site in _listed(value):
        if isinstance(site, Mapping):
            address = mapping(site.get("address"))
            role = site.get("siteRole")
            places.append(
                Place(
                    name=text(address.get("name")),
                    lines=address_lines(address),
                    role=None if role is None else _coded(role, TRADE + "SiteRole"),
                    codes=_site_codes(site),
                    address=address_text(address),
                )
            )
    return tuple(places)


def _site_codes(site: Mapping[str, Any]) -> tuple[Field, ...]:
    """A site's codes, each by its short label (the company's identifiers name them in full)."""
    terms = dict(SITE_CODES)
    return tuple(
        Field(code.key, short_label(term), code.value) if isinstance(term, str) else code
        for code in fields_of(site, SITE_CODES)
        for term in (terms[code.key],)
    )


def _importer(value: Any) -> Any:
    """An importer of record as ``number (type)``; anything else as the credential has it."""
    if not isinstance(value, Mapping):
        return value
    number, kind = value.get("number"), value.get("identifierType")
    if number is not None and kind is not None:
        return f"{text(number)} ({text(kind)})"
    return number if kind is None else value


def _coded(value: Any, of_class: str, *, by_notation: bool = False, short: bool = False) -> Text:
    """The label of a coded value of ``of_class``; else the value as the credential states it."""
    if value is None:
        return UNSTATED
    found = None
    if isinstance(value, str):
        if by_notation:
            found = notation_label(value, of_class, short=short)
        elif (iri := _context_terms().get(value)) is not None:
            found = individual_label(iri, of_class, short=short)
    return found or Text.same(text(value) or "")


def _short(value: Any, of_class: str) -> Text:
    """The short label of a coded value of ``of_class`` (else its label, else the value)."""
    return _coded(value, of_class, short=True)


def _joined(texts: list[Text]) -> Text:
    return Text("; ".join(one.en for one in texts), "; ".join(one.es for one in texts))


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@cache
def _context_terms() -> Mapping[str, str]:
    """The IRIs the version 2 context gives its top-level terms (what a coded value means)."""
    path = default_contexts_dir() / CONTEXT_FILE
    context = json.loads(path.read_text(encoding="utf-8"))["@context"]
    terms = {}
    for term, definition in context.items():
        iri = definition.get("@id") if isinstance(definition, Mapping) else definition
        if not term.startswith("@") and isinstance(iri, str):
            terms[term] = iri
    return terms
