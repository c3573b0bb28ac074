"""The human fields of each certificate type's ``credentialSubject``, labelled from the vocabulary.

A reader looks for the company, its identifiers (RFC, program or registration number,
importer of record), the program's modality or tier, and its dates. Values are shown as
the credential states them, with the Spanish or English name of an enumerated value
beside it (an IMMEX modality is Spanish in the credential, a C-TPAT tier English).
Dates read as people write them (``15/03/2007``, ``15 Mar 2007``: ``printing.dates``) and
addresses in their country's format (``C.P. 32575, Ciudad Juárez, Chih., México``:
``printing.addresses``). Every value is untrusted: a tampered credential is shown too, so a
value of the wrong shape is shown as JSON text, never dropped.

This module reads version 1 of the certificate data and holds what both versions share;
``subjects_v2`` reads version 2 (the company at ``member``, coded values as IRIs).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from vcservice.certificates.v1.ctpat import Tier, TradeSector
from vcservice.certificates.v1.immex import ImmexModality
from vcservice.certificates.v1.oea import OeaModality
from vcservice.printing.addresses import postal_lines
from vcservice.printing.dates import date_text
from vcservice.printing.labels import Text, label

__all__ = [
    "DATE_KEYS",
    "Field",
    "Place",
    "SubjectView",
    "address_lines",
    "address_text",
    "ctpat",
    "fields_of",
    "generic",
    "immex",
    "mapping",
    "oea",
    "places_heading",
    "text",
]

SCHEMA = "https://schema.org/"
TRACEABILITY = "https://w3id.org/traceability#"
TRADE = "https://w3id.org/vcservice/trade-certificates#"
TAX_ID = SCHEMA + "taxID"
TRADE_NAME = Text("Trade name", "Nombre comercial")
NAME = Text("Name", "Nombre")
# The fields of a subject type, in reading order: the member and its label (a term's IRI).
FieldSpec = tuple[tuple[str, "str | Text"], ...]
# The members of either version that are dates (xsd:date): shown as dates for people.
DATE_KEYS = frozenset(
    {
        "authorizationDate",
        "renewalDate",
        "dateOfLastValidation",
        "annualReportDueDate",
        "lastRenewalDate",
        "termStart",
        "termEnd",
        "certificationDate",
        "lastValidationDate",
        "revalidationDueDate",
    }
)
# A list of sites is headed by what they are, in the singular or the plural.
SITES = (Text("Site", "Domicilio"), Text("Sites", "Domicilios"))
IMMEX_ADDRESSES = (  # version 1's IMMEX authorized addresses
    Text("IMMEX authorized address", "Domicilio autorizado IMMEX"),
    Text("IMMEX authorized addresses", "Domicilios autorizados IMMEX"),
)


@dataclass(frozen=True, slots=True)
class Field:
    """One labelled value; ``key`` is the credential member it comes from."""

    key: str
    label: Text
    value: Text


@dataclass(frozen=True, slots=True)
class Place:
    """A site: its name, its address, its role and codes if stated.

    ``lines`` is the address in its country's format as the post writes it there (the
    country by its own name for Mexico, ``México``; in English elsewhere); ``address`` the
    whole address on one line with the country named in the reader's language.
    """

    name: str | None
    lines: tuple[str, ...]
    role: Text | None = None
    codes: tuple[Field, ...] = ()
    address: Text | None = None


@dataclass(frozen=True, slots=True)
class SubjectView:
    """What a subject says, for people: company, fields, places, the program's language.

    ``company_fields`` are the company's own names and identifiers (version 2's member
    node), ``fields`` the program's facts and dates, ``recognitions`` its mutual
    recognitions, one sentence each (version 2).
    """

    company: str | None
    fields: tuple[Field, ...]
    places_label: Text | None = None
    places: tuple[Place, ...] = ()
    primary_language: str = "es"
    company_fields: tuple[Field, ...] = ()
    recognitions: tuple[Field, ...] = ()


IMMEX_FIELDS: FieldSpec = (
    ("rfc", TAX_ID),
    ("immexProgramNumber", TRADE + "immexProgramNumber"),
    ("modality", TRADE + "immexModality"),
    ("authorizationDate", TRADE + "immexAuthorizationDate"),
)
OEA_FIELDS: FieldSpec = (
    ("rfc", TAX_ID),
    ("oeaRegistrationNumber", TRADE + "oeaRegistrationNumber"),
    ("modality", TRADE + "oeaModality"),
    ("authorizationDate", TRADE + "oeaAuthorizationDate"),
    ("renewalDate", TRADE + "oeaRenewalDate"),
    ("mutualRecognition", TRADE + "oeaMutualRecognition"),
)
CTPAT_FIELDS: FieldSpec = (
    ("name", TRADE_NAME),
    ("importerOfRecord", TRACEABILITY + "CBPImporterOfRecordNumber"),
    ("tradeSector", SCHEMA + "industry"),
    ("tier", TRACEABILITY + "ctpatTier"),
    ("sviNumber", TRACEABILITY + "sviNumber"),
    ("ctpatAccountNumber", TRACEABILITY + "ctpatAccountNumber"),
    ("dateOfLastValidation", SCHEMA + "endDate"),
    ("scac", "https://vocabulary.uncefact.org/ReferenceCodeList#AAZ"),
    ("iataCarrierCode", "https://onerecord.iata.org/cargo/Company#airlineCode"),
    ("duns", SCHEMA + "duns"),
)


def immex(subject: Mapping[str, Any]) -> SubjectView:
    """An ``IMMEXAuthorization``: RFC, program number, modality, authorization date, addresses."""
    values = {**subject, "modality": _spanish(subject.get("modality"), _immex_modality)}
    places = _places(subject.get("authorizedAddresses"))
    return SubjectView(
        company=text(subject.get("legalName")),
        fields=fields_of(values, IMMEX_FIELDS),
        places_label=places_heading(places, IMMEX_ADDRESSES),
        places=places,
    )


def oea(subject: Mapping[str, Any]) -> SubjectView:
    """An ``OEAAuthorization``: RFC, registration number, sector, dates, mutual recognition."""
    recognized = subject.get("mutualRecognition")
    if isinstance(recognized, list) and all(isinstance(entry, str) for entry in recognized):
        recognized = "; ".join(recognized)
    values = {
        **subject,
        "modality": _spanish(subject.get("modality"), _oea_modality),
        "mutualRecognition": recognized,
    }
    return SubjectView(company=text(subject.get("legalName")), fields=fields_of(values, OEA_FIELDS))


def ctpat(subject: Mapping[str, Any]) -> SubjectView:
    """A ``CTPAT`` certification: the member, importer of record, sector, tier, numbers."""
    member = mapping(subject.get("member"))
    importer = mapping(member.get("importerOfRecord"))
    number, kind = importer.get("number"), importer.get("identifierType")
    values = {
        **member,
        **subject,
        "importerOfRecord": f"{number} ({kind})" if isinstance(kind, str) else number,
        "tradeSector": _english(subject.get("tradeSector"), _sector),
        "tier": _english(subject.get("tier"), _tier),
    }
    places = _places(member.get("location"))
    return SubjectView(
        company=text(member.get("legalName")),
        fields=fields_of(values, CTPAT_FIELDS),
        places_label=places_heading(places),
        places=places,
        primary_language="en",
    )


def generic(subject: Mapping[str, Any]) -> SubjectView:
    """A subject of a type this service does not know: its name, if it states one."""
    return SubjectView(
        company=text(subject.get("legalName")),
        fields=fields_of(subject, (("name", NAME),)),
        primary_language="en",
    )


def text(value: Any) -> str | None:
    """``value`` as text to show: a string as it is, anything else as JSON, None as None."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def fields_of(values: Mapping[str, Any], spec: FieldSpec) -> tuple[Field, ...]:
    """The fields of ``spec`` whose value is present, labelled from the vocabulary."""
    fields = []
    for key, term in spec:
        value = values.get(key)
        if key in DATE_KEYS and not isinstance(value, Text):
            value = date_text(value)
        shown = value if isinstance(value, Text) else text(value)
        if shown is not None:
            field_label = term if isinstance(term, Text) else label(term)
            fields.append(
                Field(key, field_label, Text.same(shown) if isinstance(shown, str) else shown)
            )
    return tuple(fields)


def _spanish(value: Any, english: Callable[[str], str]) -> Any:
    """A Spanish enumerated value with its English name beside it (else the value as it is)."""
    try:
        return Text(english(value), value)
    except ValueError:
        return value


def _english(value: Any, spanish: Callable[[str], str]) -> Any:
    """An English enumerated value with its Spanish name beside it (else the value as it is)."""
    try:
        return Text(value, spanish(value))
    except ValueError:
        return value


def _immex_modality(value: str) -> str:
    return ImmexModality(value).english


def _oea_modality(value: str) -> str:
    return OeaModality(value).english


def _sector(value: str) -> str:
    return TradeSector(value).spanish


def _tier(value: str) -> str:
    return Tier(value).spanish


def places_heading(places: tuple[Place, ...], words: tuple[Text, Text] = SITES) -> Text:
    """The heading of a list of ``places``: ``words`` in the singular for one, else plural."""
    singular, plural = words
    return singular if len(places) == 1 else plural


def _places(value: Any) -> tuple[Place, ...]:
    """Each well-formed place of a list: its name and address."""
    places = []
    for place in value if isinstance(value, list) else []:
        if isinstance(place, Mapping):
            address = mapping(place.get("address"))
            places.append(
                Place(
                    text(place.get("name")),
                    address_lines(address),
                    address=address_text(address),
                )
            )
    return tuple(places)


def address_lines(address: Mapping[str, Any]) -> tuple[str, ...]:
    """A postal address as lines in its country's format, as the post writes it there.

    ``Blvd. Independencia 9850, Parque Industrial Río Bravo`` · ``C.P. 32575, Ciudad Juárez,
    Chih.`` · ``México``; ``15210 Mines Rd`` · ``Laredo, TX 78045`` · ``United States``.
    """
    postal = postal_lines(address)
    return postal.in_language("es" if address.get("addressCountry") == "MX" else "en")


def address_text(address: Mapping[str, Any]) -> Text:
    """A postal address on one line in its country's format, the country in each language."""
    return postal_lines(address).text


def mapping(value: Any) -> Mapping[str, Any]:
    """``value`` if it is a JSON object, else an empty one (a tampered member reads as absent)."""
    return value if isinstance(value, Mapping) else {}
