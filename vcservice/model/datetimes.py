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
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ParsingError(
            f"{field} is not a valid date and time: {value!r}",
            code="MALFORMED_VALUE_ERROR",
            field=field,
        ) from exc


def format_datetime(moment: datetime) -> str:
    """Format ``moment`` as an xsd:dateTime in UTC with second precision (``...Z``)."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
