"""Helpers for the certificate tests: request data from samples, building, and strategies.

The hypothesis strategies are written by hand from the rules (not derived from the
models), so that a model, a schema and these strategies are three separate
statements of the same rules that the tests hold against each other.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from vcservice.certificates import CERTIFICATE_TYPES, by_slug
from vcservice.certificates.base import CertificateType
from vcservice.certificates.v1.ctpat import TradeSector
from vcservice.certificates.models import model_problems
from vcservice.certificates.places import (
    COUNTRY_CODES,
    MEXICAN_STATES,
    POSTAL_CODE_PATTERN,
    REGION_PATTERN,
    US_STATES,
)
from vcservice.certificates.samples import SAMPLE_NAMES, sample_certificate
from vcservice.certificates.values import DID_PATTERN, REGISTRATION_NUMBER_PATTERN, TEXT_PATTERN
from vcservice.errors import Problem

SLUGS = tuple(SAMPLE_NAMES)
# A status entry and a proof as credentials carry them (the schemas allow both).
STATUS = {
    "id": "https://sat.example/status/3#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://sat.example/status/3",
}
PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2026-06-01T00:00:00Z",
    "verificationMethod": "did:web:sat.example#key-1",
    "proofPurpose": "assertionMethod",
    "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PG",
}
ISSUER = {
    "immex": "did:web:economia.example",
    "ctpat": "did:web:cbp.example",
    "oea": "did:web:sat.example",
}
VALID_FROM = datetime(2026, 6, 1, tzinfo=UTC)
VALID_UNTIL = datetime(2027, 5, 31, 23, 59, 59, tzinfo=UTC)


# ---------------------------------------------------------------- requests and credentials


def without_types(value: Any) -> Any:
    """``value`` with every ``type`` member removed (credential form -> request form)."""
    if isinstance(value, dict):
        return {key: without_types(item) for key, item in value.items() if key != "type"}
    if isinstance(value, list):
        return [without_types(item) for item in value]
    return value


def request_data(credential: dict[str, Any]) -> dict[str, Any]:
    """The request an authority would submit for ``credential``."""
    subject = without_types(copy.deepcopy(credential["credentialSubject"]))
    return {"subjectId": subject.pop("id"), **subject}


def build(
    certificate_type: CertificateType,
    data: dict[str, Any],
    *,
    valid_from: datetime = VALID_FROM,
    valid_until: datetime = VALID_UNTIL,
) -> dict[str, Any]:
    """The credential built from request ``data`` with fixed envelope values."""
    request = certificate_type.request_model.model_validate(data)
    return certificate_type.build_credential(
        request,
        issuer_id=ISSUER[certificate_type.slug],
        issuer_name="Autoridad de prueba",
        credential_id="urn:uuid:0b7f6c2e-5d1a-4c39-9a57-3f1e2d4c5b6a",
        valid_from=valid_from,
        valid_until=valid_until,
    )


def subject_problems(certificate_type: CertificateType, credential: Any) -> list[Problem]:
    """The subject model's problems with ``credential``'s subject, as credential paths."""
    return model_problems(
        certificate_type.subject_model,
        credential.get("credentialSubject"),
        prefix=("credentialSubject",),
    )


def fields(problems: list[Problem]) -> set[str | None]:
    return {problem.field for problem in problems}


def string_leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every string in ``value`` that is data (not ``@context`` or a ``type`` entry)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("@context", "type"):
                yield from string_leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from string_leaves(item, (*path, index))
    elif isinstance(value, str):
        yield path, value


def sample(slug: str) -> dict[str, Any]:
    return sample_certificate(slug)


def certificate_type(slug: str) -> CertificateType:
    return by_slug(slug)


assert set(SLUGS) == {ct.slug for ct in CERTIFICATE_TYPES.values()}


# ---------------------------------------------------------------- strategies, from the rules

_RFC_VALUES = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"


def check_digit(body: str) -> str:
    """SAT's RFC check digit, computed independently of the production code."""
    body = " " * (12 - len(body)) + body
    total = 0
    for position, character in enumerate(body):
        total += _RFC_VALUES.index(character) * (13 - position)
    remainder = total % 11
    if remainder == 0:
        return "0"
    return "A" if 11 - remainder == 10 else str(11 - remainder)


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZÑ&"
_HOMOCLAVE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@st.composite
def rfcs(draw: st.DrawFn, *, person: bool | None = None) -> str:
    is_person = draw(st.booleans()) if person is None else person
    letters = draw(
        st.text(_LETTERS, min_size=4 if is_person else 3, max_size=4 if is_person else 3)
    )
    born = draw(st.dates(date(1950, 1, 1), date(2049, 12, 31)))
    homoclave = draw(st.text(_HOMOCLAVE, min_size=2, max_size=2))
    body = f"{letters}{born:%y%m%d}{homoclave}"
    rfc = body + check_digit(body)
    if rfc in ("XAXX010101000", "XEXX010101000"):
        return "EEB030821R49"
    return rfc


def texts(max_size: int = 60) -> st.SearchStrategy[str]:
    return st.from_regex(TEXT_PATTERN, fullmatch=True).filter(lambda text: len(text) <= max_size)


dids = st.from_regex(DID_PATTERN, fullmatch=True).filter(lambda did: len(did) <= 120)
registration_numbers = st.from_regex(REGISTRATION_NUMBER_PATTERN, fullmatch=True).filter(
    lambda number: 3 <= len(number) <= 40
)
# ISO dates from 1990 to the day before VALID_FROM: never after validFrom.
past_dates = st.dates(date(1990, 1, 1), VALID_FROM.date() - timedelta(days=1))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Either the strategy's value or ``None`` (meaning: leave the member out)."""
    return st.none() | strategy


def compact(members: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in members.items() if value is not None}


@st.composite
def addresses(draw: st.DrawFn, *, mexican: bool = False) -> dict[str, Any]:
    country = "MX" if mexican else draw(st.sampled_from(sorted(COUNTRY_CODES)))
    if country == "MX":
        region = draw(st.sampled_from(MEXICAN_STATES))
        postal_code = draw(st.from_regex("[0-9]{5}", fullmatch=True))
    elif country == "US":
        region = draw(st.sampled_from(sorted(US_STATES)))
        postal_code = draw(st.from_regex("[0-9]{5}(-[0-9]{4})?", fullmatch=True))
    else:
        region = draw(optional(st.from_regex(REGION_PATTERN, fullmatch=True)))
        postal_code = draw(optional(st.from_regex(POSTAL_CODE_PATTERN, fullmatch=True)))
    return compact(
        {
            "streetAddress": draw(texts()),
            "addressLocality": draw(texts(30)),
            "addressRegion": region,
            "postalCode": postal_code,
            "addressCountry": country,
        }
    )


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
    if renewed is not None and renewed <= authorized:
        renewed = None
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
                    "number": registration_numbers.filter(lambda number: 8 <= len(number) <= 16),
                    "identifierType": st.sampled_from(["IRS", "SSN", "CBP"]),
                }
            )
        )
    )
    member = compact(
        {
            "name": draw(optional(texts(40))),
            "legalName": draw(texts()),
            "scac": draw(optional(st.from_regex("[A-Z]{2,4}", fullmatch=True))),
            "iataCarrierCode": draw(optional(st.from_regex("[A-Z0-9]{2,3}", fullmatch=True))),
            "duns": draw(optional(st.from_regex("[0-9]{9}", fullmatch=True))),
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
            "sviNumber": draw(optional(st.from_regex("[A-Z0-9]{4,20}", fullmatch=True))),
            "ctpatAccountNumber": draw(optional(st.from_regex("[A-Z0-9]{1,20}", fullmatch=True))),
            "dateOfLastValidation": None if validated is None else validated.isoformat(),
        }
    )


REQUESTS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "immex": immex_requests(),
    "oea": oea_requests(),
    "ctpat": ctpat_requests(),
}
