"""Value rules shared by the pydantic models and the JSON Schema checks (no pydantic here).

The patterns below appear verbatim in the JSON Schemas under ``schemas/`` and in the
pydantic models; a test keeps the copies equal.  They use only ASCII classes and
``^...$`` anchors so that ECMA-262 (the JSON Schema dialect), Rust's ``regex`` (what
pydantic runs) and Python's ``re`` agree on them (see ``python_pattern``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TypeGuard

from vcservice.model.json_schema import python_pattern

# One line of text: no control characters, no leading or trailing space.
TEXT_PATTERN = "^[^\\x00-\\x20\\x7F-\\x9F](?:[^\\x00-\\x1F\\x7F-\\x9F]*[^\\x00-\\x20\\x7F-\\x9F])?$"
TEXT_MAX_LENGTH = 300
# A DID (DID Core §3.1): did:<method>:<method-specific-id>.
DID_PATTERN = (
    "^did:[a-z0-9]+:(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$"
)
DID_MAX_LENGTH = 500
# An absolute IRI that can be written in N-Quads (scheme, colon, no space or <>"{}|\^`).
IRI_PATTERN = '^[A-Za-z][A-Za-z0-9+.-]*:[^\\x00-\\x20\\x7F-\\x9F<>"{}|\\\\^`]+$'
# Program, registration and account numbers: upper-case letters and digits in hyphenated groups.
REGISTRATION_NUMBER_PATTERN = "^[A-Z0-9]+(?:-[A-Z0-9]+)*$"
ISO_DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATE_TIME_PATTERN = (
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
    "(?:\\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})$"
)


def matches(value: object, pattern: str) -> TypeGuard[str]:
    """Whether ``value`` is a string that ``pattern`` matches (searching, as JSON Schema does)."""
    return isinstance(value, str) and python_pattern(pattern).search(value) is not None


def parse_iso_date(value: str) -> date:
    """Parse ``YYYY-MM-DD`` (xsd:date without a time zone); ``ValueError`` if it is not one."""
    if not matches(value, ISO_DATE_PATTERN):
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None


def parse_date_time(value: str) -> datetime:
    """Parse an xsd:dateTime with a time zone; ``ValueError`` if it is not one."""
    if not matches(value, DATE_TIME_PATTERN):
        raise ValueError(f"{value!r} is not a date and time with a time zone")
    main, dot, rest = value.partition(".")
    if dot:  # keep at most microseconds: Python cannot hold more
        digits = len(rest) - len(rest.lstrip("0123456789"))
        value = f"{main}.{rest[: min(digits, 6)]}{rest[digits:]}"
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a valid date and time") from None


def format_date_time(moment: datetime) -> str:
    """``moment`` (time-zone aware) as an xsd:dateTime in UTC to the second, ``...Z``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a credential's validity dates need a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def order_problem(earlier_name: str, earlier: date, later_name: str, later: date) -> str | None:
    """Why ``later`` (named ``later_name``) is not strictly after ``earlier``, or ``None``."""
    if later > earlier:
        return None
    return (
        f"{later_name} ({later.isoformat()}) must be after {earlier_name} ({earlier.isoformat()})"
    )


def not_after_problem(name: str, value: date, limit_name: str, limit: date) -> str | None:
    """Why ``value`` lies after ``limit`` (a date that may not be in its future), or ``None``."""
    if value <= limit:
        return None
    return (
        f"{name} ({value.isoformat()}) is later than {limit_name} ({limit.isoformat()}); "
        "a certificate cannot attest a future date"
    )
