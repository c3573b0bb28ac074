"""The SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc, "SD-JWT VC Type Metadata") of
the three trade certificates.

One document per ``vct``: display names in Spanish and English, and claim metadata for every
claim the certificate may carry — its ``path``, a label in both languages (the vocabulary's
label of the term, so a claim is named as pages and printed certificates name it), and
``sd``: ``always`` for a selectively disclosable claim, ``never`` for one always in the
clear (``trade_certificates.disclosable``). Paths use object keys and ``null`` only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from vcservice.sdjwt.disclosures import ClaimPath
from vcservice.sdjwt.trade_certificates import MEMBER, SITES, disclosable

__all__ = ["LOCALES", "claim_terms", "type_metadata"]

LOCALES = {"es": "es-MX", "en": "en-US"}
Label = tuple[str, str]
"""A label in English and Spanish."""
Term = str | Label
"""A vocabulary term's IRI (its label is looked up), or a label of its own."""

_SCHEMA = "https://schema.org/"
_TRACEABILITY = "https://w3id.org/traceability#"
_TRADE = "https://w3id.org/vcservice/trade-certificates#"
TYPE_TERMS: Mapping[str, str] = {
    "immex": _TRADE + "IMMEXCertificate",
    "oea": _TRADE + "OEACertificate",
    "ctpat": _TRACEABILITY + "CTPATCertificate",
}
_ENVELOPE: tuple[tuple[ClaimPath, Term], ...] = (
    (("iss",), ("Issuer", "Emisor")),
    (("iat",), ("Issued", "Fecha de expedición")),
    (("nbf",), ("Valid from", "Vigente desde")),
    (("exp",), ("Valid until", "Vigente hasta")),
    (("status",), ("Status", "Estado")),
    (("name",), ("Certificate", "Certificado")),
)
_PROGRAM: Mapping[str, tuple[tuple[str, Term], ...]] = {
    "immex": (
        ("immexProgramNumber", _TRADE + "immexProgramNumber"),
        ("immexModality", _TRADE + "immexModality"),
        ("authorizationDate", _TRADE + "authorizationDate"),
        ("lastAnnualReportYear", _TRADE + "lastAnnualReportYear"),
        ("annualReportDueDate", _TRADE + "annualReportDueDate"),
    ),
    "oea": (
        ("oeaRegistrationNumber", _TRADE + "oeaRegistrationNumber"),
        ("oeaRubro", _TRADE + "oeaRubro"),
        ("immexProgramNumber", _TRADE + "immexProgramNumber"),
        ("authorizationDate", _TRADE + "authorizationDate"),
        ("lastRenewalDate", _TRADE + "lastRenewalDate"),
        ("termStart", _TRADE + "termStart"),
        ("termEnd", _TRADE + "termEnd"),
    ),
    "ctpat": (
        ("tradeSector", _SCHEMA + "industry"),
        ("tier", _TRACEABILITY + "ctpatTier"),
        ("issuingCountry", ("Issuing country", "País emisor")),
        ("sviNumber", _TRACEABILITY + "sviNumber"),
        ("ctpatAccountNumber", _TRACEABILITY + "ctpatAccountNumber"),
        ("certificationDate", _TRADE + "ctpatCertificationDate"),
        ("lastValidationDate", _TRADE + "lastValidationDate"),
        ("revalidationDueDate", _TRADE + "revalidationDueDate"),
    ),
}
_RECOGNITION = ("mutualRecognition", None)
_RECOGNITIONS: tuple[tuple[ClaimPath, Term], ...] = (
    (("mutualRecognition",), _TRADE + "mutualRecognition"),
    (_RECOGNITION, _TRADE + "MutualRecognition"),
    (("mutualRecognition", None, "recognizedRole", None), _TRADE + "recognizedRole"),
    *(
        ((*_RECOGNITION, name), _TRADE + name)
        for name in (
            "arrangement",
            "recognizedBy",
            "counterpartProgram",
            "counterpartAccountNumber",
            "recognizedRole",
        )
    ),
)
_COMPANY: tuple[tuple[str, Term], ...] = (
    ("id", ("Company DID", "DID de la empresa")),
    ("name", ("Trade name", "Nombre comercial")),
    ("legalName", _SCHEMA + "legalName"),
    ("rfc", _TRADE + "rfc"),
    ("manufacturerId", _TRACEABILITY + "manufacturerId"),
    ("importerOfRecord", _TRACEABILITY + "importerOfRecord"),
    ("usdotNumber", _TRADE + "usdotNumber"),
    ("scac", "https://vocabulary.uncefact.org/ReferenceCodeList#AAZ"),
    ("iataCarrierCode", "https://onerecord.iata.org/cargo/Company#airlineCode"),
    ("caat", _TRADE + "caat"),
    ("sctPermit", _TRADE + "sctPermit"),
    ("patenteAduanal", _TRADE + "patenteAduanal"),
    ("duns", _SCHEMA + "duns"),
    ("leiCode", _SCHEMA + "leiCode"),
    ("globalLocationNumber", _SCHEMA + "globalLocationNumber"),
)
_SITE = (MEMBER, SITES, None)
_SITE_FIELDS: tuple[tuple[ClaimPath, Term], ...] = (
    ((*_SITE, "siteRole"), _TRADE + "siteRole"),
    ((*_SITE, "manufacturerId"), _TRACEABILITY + "manufacturerId"),
    ((*_SITE, "unLocode"), "https://vocabulary.uncefact.org/Location"),
    ((*_SITE, "globalLocationNumber"), _SCHEMA + "globalLocationNumber"),
    ((*_SITE, "address"), _SCHEMA + "address"),
    ((*_SITE, "address", "name"), ("Site name", "Nombre del sitio")),
    *(
        ((*_SITE, "address", name), _SCHEMA + name)
        for name in (
            "streetAddress",
            "addressLocality",
            "addressRegion",
            "postalCode",
            "addressCountry",
        )
    ),
)


def claim_terms(slug: str) -> tuple[tuple[ClaimPath, Term], ...]:
    """Every claim a ``slug`` certificate may carry, with the term that labels it."""
    recognitions = _RECOGNITIONS if slug in ("oea", "ctpat") else ()
    return (
        *_ENVELOPE,
        *(((name,), term) for name, term in _PROGRAM[slug]),
        *recognitions,
        ((MEMBER,), _SCHEMA + "member"),
        *(((MEMBER, name), term) for name, term in _COMPANY),
        ((MEMBER, SITES), _SCHEMA + "location"),
        (_SITE, ("Site", "Sitio")),
        *_SITE_FIELDS,
    )


def type_metadata(
    slug: str, *, vct: str, name: str, description: str, label: Callable[[str], Label]
) -> dict[str, Any]:
    """The Type Metadata document of ``vct``; ``label`` gives a vocabulary term's label."""

    def display(term: Term) -> list[dict[str, str]]:
        en, es = label(term) if isinstance(term, str) else term
        return [{"locale": LOCALES["es"], "label": es}, {"locale": LOCALES["en"], "label": en}]

    title_en, title_es = label(TYPE_TERMS[slug])
    return {
        "vct": vct,
        "name": name,
        "description": description,
        "display": [
            {"locale": LOCALES["es"], "name": title_es},
            {"locale": LOCALES["en"], "name": title_en},
        ],
        "claims": [
            {
                "path": list(path),
                "display": display(term),
                "sd": "always" if disclosable(slug, path) else "never",
            }
            for path, term in claim_terms(slug)
        ],
    }
