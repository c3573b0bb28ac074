"""Hypothesis strategies shared by both versions: RFCs, texts, DIDs, dates and addresses.

Written by hand from the rules (not derived from the models), so that a model, a
schema and these strategies are three separate statements of the same rules that
the tests hold against each other.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from vcservice.certificates.places import (
    COUNTRY_CODES,
    MEXICAN_STATES,
    POSTAL_CODE_PATTERN,
    REGION_PATTERN,
    US_STATES,
)
from vcservice.certificates.values import DID_PATTERN, REGISTRATION_NUMBER_PATTERN, TEXT_PATTERN

VALID_FROM = datetime(2026, 6, 1, tzinfo=UTC)
VALID_UNTIL = datetime(2027, 5, 31, 23, 59, 59, tzinfo=UTC)
COUNTRIES = sorted(COUNTRY_CODES)

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
    """An RFC with a valid date and check digit: an individual's (13), a company's (12)."""
    is_person = draw(st.booleans()) if person is None else person
    letters = draw(
        st.text(_LETTERS, min_size=4 if is_person else 3, max_size=4 if is_person else 3)
    )
    born = draw(st.dates(date(1950, 1, 1), date(2049, 12, 31)))
    homoclave = draw(st.text(_HOMOCLAVE, min_size=2, max_size=2))
    body = f"{letters}{born:%y%m%d}{homoclave}"
    rfc = body + check_digit(body)
    if rfc in ("XAXX010101000", "XEXX010101000"):
        return "GODE561231GR8" if is_person else "EEB030821R49"
    return rfc


def texts(max_size: int = 60) -> st.SearchStrategy[str]:
    return st.from_regex(TEXT_PATTERN, fullmatch=True).filter(lambda text: len(text) <= max_size)


def codes(pattern: str) -> st.SearchStrategy[str]:
    """Strings matching ``pattern`` (``^…$``) whole."""
    return st.from_regex(pattern, fullmatch=True)


dids = codes(DID_PATTERN).filter(lambda did: len(did) <= 120)
registration_numbers = codes(REGISTRATION_NUMBER_PATTERN).filter(
    lambda number: 3 <= len(number) <= 40
)
importer_numbers = registration_numbers.filter(lambda number: 8 <= len(number) <= 16)
# ISO dates from 1990 to the day before VALID_FROM: never after validFrom.
past_dates = st.dates(date(1990, 1, 1), VALID_FROM.date() - timedelta(days=1))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Either the strategy's value or ``None`` (meaning: leave the member out)."""
    return st.none() | strategy


def compact(members: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in members.items() if value is not None}


@st.composite
def addresses(
    draw: st.DrawFn, *, mexican: bool = False, country: str | None = None
) -> dict[str, Any]:
    """A postal address in ``country`` (MX if ``mexican``; any country by default)."""
    country = country or ("MX" if mexican else draw(st.sampled_from(COUNTRIES)))
    if country == "MX":
        region = draw(st.sampled_from(MEXICAN_STATES))
        postal_code = draw(codes("^[0-9]{5}$"))
    elif country == "US":
        region = draw(st.sampled_from(sorted(US_STATES)))
        postal_code = draw(codes("^[0-9]{5}(-[0-9]{4})?$"))
    else:
        region = draw(optional(codes(REGION_PATTERN)))
        postal_code = draw(optional(codes(POSTAL_CODE_PATTERN)))
    return compact(
        {
            "streetAddress": draw(texts()),
            "addressLocality": draw(texts(30)),
            "addressRegion": region,
            "postalCode": postal_code,
            "addressCountry": country,
        }
    )
