"""XML Schema dateTime values as the VC Data Model uses them."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from vcservice.errors import ParsingError

# xsd:dateTime with an explicit offset or Z (VCDM 2.0 §4.9 requires a time zone).
_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse_datetime(value: Any, *, field: str) -> datetime:
    """Parse an xsd:dateTime with time zone, or raise MALFORMED_VALUE_ERROR naming ``field``."""
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise ParsingError(
            f"{field} must be an XML Schema dateTime with a time zone, got {value!r}",
            code="MALFORMED_VALUE_ERROR",
            field=field,
        )
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        parsed.astimezone(UTC)  # refuse moments that do not exist in UTC (year 0 or 10000)
        return parsed
    except (ValueError, OverflowError) as exc:
        raise ParsingError(
            f"{field} is not a valid date and time: {value!r}",
            code="MALFORMED_VALUE_ERROR",
            field=field,
        ) from exc


def format_datetime(moment: datetime, *, field: str = "dateTime") -> str:
    """Format ``moment`` as an xsd:dateTime in UTC with second precision (``...Z``)."""
    return to_utc(moment, field=field).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_utc(moment: datetime, *, field: str) -> datetime:
    """``moment`` in UTC, or MALFORMED_VALUE_ERROR when it falls outside years 1–9999 there."""
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise ParsingError(
            f"{field} is out of range in UTC: {moment.isoformat()}",
            code="MALFORMED_VALUE_ERROR",
            field=field,
        ) from exc
