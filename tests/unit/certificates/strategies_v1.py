"""Hypothesis strategies for version 1 requests (the subject is the company)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import strategies as st

from tests.unit.certificates.strategies import (
    VALID_FROM,
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
from vcservice.certificates.v1.ctpat import TradeSector


@st.composite
def places(draw: st.DrawFn, *, mexican: bool = False) -> dict[str, Any]:
    return compact({"name": draw(optional(texts(30))), "address": draw(addresses(mexican=mexican))})


@st.composite
def immex_requests(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "subjectId": draw(dids),
        "legalName": draw(texts()),
        "rfc": draw(rfcs(person=False)),
        "immexProgramNumber": draw(registration_numbers),
        "modality": draw(
            st.sampled_from(
                ["Controladora de empresas", "Industrial", "Servicios", "Albergue", "Tercerización"]
            )
        ),
        "authorizationDate": draw(past_dates).isoformat(),
        "authorizedAddresses": draw(st.lists(places(mexican=True), min_size=1, max_size=3)),
    }


OEA_MODALITIES = [
    "Importador y/o exportador",
    "Controladora",
    "Autotransportista terrestre",
    "Transportista ferroviario",
    "Agente aduanal",
    "Agencia aduanal",
    "Parque industrial",
    "Recinto fiscalizado",
    "Recinto fiscalizado estratégico",
    "Almacén general de depósito",
    "Mensajería y paquetería",
]


@st.composite
def oea_requests(draw: st.DrawFn) -> dict[str, Any]:
    authorized = draw(past_dates)
    renewed = draw(optional(st.dates(authorized + timedelta(days=1), VALID_FROM.date())))
    recognitions = draw(optional(st.lists(texts(40), min_size=1, max_size=3, unique=True)))
    return compact(
        {
            "subjectId": draw(dids),
            "legalName": draw(texts()),
            "rfc": draw(rfcs()),
            "oeaRegistrationNumber": draw(registration_numbers),
            "modality": draw(st.sampled_from(OEA_MODALITIES)),
            "authorizationDate": authorized.isoformat(),
            "renewalDate": None if renewed is None else renewed.isoformat(),
            "mutualRecognition": recognitions,
        }
    )


CTPAT_SECTORS = [sector.value for sector in TradeSector]  # pinned to traceability elsewhere


@st.composite
def ctpat_requests(draw: st.DrawFn) -> dict[str, Any]:
    tier = draw(st.sampled_from(["Certified", "Validated", "Exceeding"]))
    validated = draw(past_dates if tier != "Certified" else optional(past_dates))
    importer = draw(
        optional(
            st.fixed_dictionaries(
                {
                    "number": importer_numbers,
                    "identifierType": st.sampled_from(["IRS", "SSN", "CBP"]),
                }
            )
        )
    )
    member = compact(
        {
            "name": draw(optional(texts(40))),
            "legalName": draw(texts()),
            "scac": draw(optional(codes("^[A-Z]{2,4}$"))),
            "iataCarrierCode": draw(optional(codes("^[A-Z0-9]{2,3}$"))),
            "duns": draw(optional(codes("^[0-9]{9}$"))),
            "importerOfRecord": importer,
            "location": draw(st.lists(places(), min_size=1, max_size=3)),
        }
    )
    return compact(
        {
            "subjectId": draw(dids),
            "member": member,
            "tradeSector": draw(st.sampled_from(CTPAT_SECTORS)),
            "tier": tier,
            "issuingCountry": draw(st.sampled_from(["US", None])),
            "sviNumber": draw(optional(codes("^[A-Z0-9]{4,20}$"))),
            "ctpatAccountNumber": draw(optional(codes("^[A-Z0-9]{1,20}$"))),
            "dateOfLastValidation": None if validated is None else validated.isoformat(),
        }
    )


REQUESTS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "immex": immex_requests(),
    "oea": oea_requests(),
    "ctpat": ctpat_requests(),
}
