"""The Mexican RFC (Registro Federal de Contribuyentes): shape, embedded date and check digit.

An RFC is three letters (persona moral, a company) or four letters (persona física,
an individual), a YYMMDD date (incorporation or birth), and a three-character
*homoclave* whose last character is a check digit computed by SAT's modulo-11
algorithm.  The shape is a pattern (also in the JSON Schemas); the date and the
check digit are rules a JSON Schema cannot express, so they live here and both the
pydantic models and ``vcservice.certificates.schemas`` call :func:`rfc_problem`.
"""

from __future__ import annotations

import re
from datetime import date

RFC_PATTERN = "^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}$"
COMPANY_RFC_PATTERN = "^[A-ZÑ&]{3}[0-9]{6}[A-Z0-9]{3}$"

# RFCs that SAT publishes for anonymous counterparties; they identify no one.
GENERIC_RFCS = frozenset({"XAXX010101000", "XEXX010101000"})

# SAT's character values for the check digit; a company RFC is padded with one space.
_CHARACTER_VALUES = {
    character: value for value, character in enumerate("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ")
}
_SHAPE = re.compile(RFC_PATTERN.replace("$", r"\Z"))


def rfc_check_digit(body: str) -> str:
    """The check digit for ``body``, an RFC without its last character (11 or 12 characters)."""
    padded = body.rjust(12)
    if len(padded) != 12 or any(character not in _CHARACTER_VALUES for character in padded):
        raise ValueError(f"not the body of an RFC: {body!r}")
    weighted = sum(
        _CHARACTER_VALUES[character] * weight
        for character, weight in zip(padded, range(13, 1, -1), strict=True)
    )
    digit = -weighted % 11
    return "A" if digit == 10 else str(digit)


def rfc_problem(rfc: str, *, check_digit: bool = True) -> str | None:
    """Why ``rfc`` (already of the right shape) is not a valid RFC, or ``None`` if it is.

    With ``check_digit=False`` a wrong check digit is not a problem: RFCs that SAT
    registered with a digit the published algorithm does not give are in real use
    (``rfc_check_digit_problem`` reports it, for a warning).
    """
    if not _SHAPE.match(rfc):
        return f"{rfc!r} is not shaped like an RFC (3 or 4 letters, YYMMDD, 3 characters)"
    if rfc in GENERIC_RFCS:
        return f"{rfc} is SAT's generic RFC for anonymous counterparties, not a taxpayer's"
    digits = rfc[-9:-3]
    year, month, day = 2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:])
    try:
        date(year, month, day)
    except ValueError:
        return f"the date in RFC {rfc} ({digits}, YYMMDD) is not a calendar date"
    return rfc_check_digit_problem(rfc) if check_digit else None


def rfc_check_digit_problem(rfc: str) -> str | None:
    """Why the last character of ``rfc`` (well-shaped) is not its check digit, or ``None``."""
    expected = rfc_check_digit(rfc[:-1])
    if rfc[-1] != expected:
        return f"the check digit of RFC {rfc} should be {expected!r}, not {rfc[-1]!r}"
    return None
