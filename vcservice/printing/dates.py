"""Dates and moments for people, in Spanish and English.

A **date** reads ``31/12/2027`` in Spanish (dd/mm/aaaa, as Mexican forms write it) and
``31 Dec 2027`` in English (day, month abbreviation, year: no reader can take it for
December 31st written the other way round). A certificate's dates are the calendar days it
was signed for: an ``xsd:date`` as it is, and an ``xsd:dateTime`` such as a ``validUntil``
of ``2027-12-31T23:59:59Z`` by the day written in its own offset (31/12/2027, never the
30th of a reader west of Greenwich).

A **moment** — when a certificate was printed, when a check ran — matters to the minute and
to the place: it reads in local time of a display time zone, the zone named:
``06/12/2026 14:05 (hora del centro, UTC−6)``, ``6 Dec 2026 14:05 (Mexico central time,
UTC−6)``. The default zone is Mexico City's (the central zone, UTC−6 all year since Mexico
ended daylight saving time in 2022); where the machine has no time-zone database, that
zone is applied as its fixed offset, and any other zone name fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vcservice.errors import ParsingError
from vcservice.model.datetimes import parse_datetime
from vcservice.printing.labels import Text

__all__ = [
    "DEFAULT_ZONE",
    "Zone",
    "date_for_people",
    "date_text",
    "display_zone",
    "moment_for_people",
    "moment_texts",
    "signed_date",
]

DEFAULT_ZONE = "America/Mexico_City"
# A display time zone: an IANA name (``America/Mexico_City``) or a tzinfo.
Zone = str | tzinfo
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MINUS = "\u2212"  # a real minus sign: "UTC−6"
# The zones a broker on either side of the border reads by name; any other shows its IANA name.
_CENTRAL = Text("Mexico central time", "hora del centro")
ZONE_NAMES: Mapping[str, Text] = {
    "America/Mexico_City": _CENTRAL,
    "America/Monterrey": _CENTRAL,
    "America/Merida": _CENTRAL,
    "America/Chihuahua": _CENTRAL,
    "America/Bahia_Banderas": _CENTRAL,
    "America/Matamoros": Text("Matamoros time", "hora de Matamoros"),
    "America/Ciudad_Juarez": Text("Ciudad Juárez time", "hora de Ciudad Juárez"),
    "America/Ojinaga": Text("Ojinaga time", "hora de Ojinaga"),
    "America/Cancun": Text("Mexico southeast time", "hora del sureste"),
    "America/Hermosillo": Text("Mexico Pacific time", "hora del Pacífico"),
    "America/Mazatlan": Text("Mexico Pacific time", "hora del Pacífico"),
    "America/Tijuana": Text("Mexico northwest time", "hora del noroeste"),
    "America/New_York": Text("US Eastern time", "hora del este de EE. UU."),
    "America/Chicago": Text("US Central time", "hora del centro de EE. UU."),
    "America/Denver": Text("US Mountain time", "hora de la montaña de EE. UU."),
    "America/Phoenix": Text("Arizona time", "hora de Arizona"),
    "America/Los_Angeles": Text("US Pacific time", "hora del Pacífico de EE. UU."),
}
_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Z"})
# Mexico City's offset where no time-zone database is installed (no DST since 2022).
_MEXICO_CITY_FIXED = timezone(timedelta(hours=-6), "CST")
# xsd:date, with an optional time zone (which does not change the day it names).
_DATE = re.compile(r"^(-?\d{4,})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$")


def display_zone(zone: Zone = DEFAULT_ZONE) -> tzinfo:
    """The tzinfo of ``zone``: an IANA name or a tzinfo (``ZoneInfoNotFoundError`` if unknown)."""
    if isinstance(zone, tzinfo):
        return zone
    if zone in _UTC_NAMES:
        return UTC
    try:
        return ZoneInfo(zone)
    except ZoneInfoNotFoundError:
        if zone == DEFAULT_ZONE:  # no tz database on this machine: its fixed offset
            return _MEXICO_CITY_FIXED
        raise


def date_for_people(day: date) -> Text:
    """``day`` as ``31/12/2027`` (Spanish) and ``31 Dec 2027`` (English)."""
    return Text(
        f"{day.day} {MONTHS_EN[day.month - 1]} {day.year:04d}",
        f"{day.day:02d}/{day.month:02d}/{day.year:04d}",
    )


def signed_date(value: Any) -> date | None:
    """The calendar day an ``xsd:date`` or ``xsd:dateTime`` names, as written (None if neither).

    A dateTime's day is the one in its own offset: ``2027-12-31T23:59:59Z`` is 31/12/2027.
    """
    if not isinstance(value, str):
        return None
    found = _DATE.match(value)
    if found is None:
        try:  # a dateTime keeps its own offset: its date is the day it was written for
            return parse_datetime(value, field="dateTime").date()
        except ParsingError:
            return None
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:  # month 13, 30 February, year 0 or beyond 9999
        return None


def date_text(value: Any) -> Text | None:
    """A date or dateTime of a certificate as its calendar day for people; None as None.

    Anything else (a tampered or malformed value) is shown as it is, never dropped.
    """
    if value is None:
        return None
    day = signed_date(value)
    if day is not None:
        return date_for_people(day)
    return Text.same(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def moment_for_people(instant: datetime | str, language: str, zone: Zone = DEFAULT_ZONE) -> str:
    """A moment in local time of ``zone``, the zone named, in ``language`` (``es`` or English).

    ``06/12/2026 14:05 (hora del centro, UTC−6)`` · ``6 Dec 2026 14:05 (Mexico central time,
    UTC−6)``. ``instant`` is an aware datetime or an ``xsd:dateTime`` (ValueError if naive,
    ParsingError if malformed).
    """
    return moment_texts(instant, zone).in_language(language)


def moment_texts(instant: datetime | str, zone: Zone = DEFAULT_ZONE) -> Text:
    """``moment_for_people`` in both languages."""
    moment = parse_datetime(instant, field="dateTime") if isinstance(instant, str) else instant
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a moment for people needs a time zone (an aware datetime)")
    where = display_zone(zone)
    local = moment.astimezone(where)
    day, clock = date_for_people(local.date()), f"{local.hour:02d}:{local.minute:02d}"
    offset = _offset(local.utcoffset() or timedelta(0))
    name = _zone_name(zone, where)
    named = Text(f"{name.en}, {offset}", f"{name.es}, {offset}") if name else Text.same(offset)
    return Text(f"{day.en} {clock} ({named.en})", f"{day.es} {clock} ({named.es})")


def _zone_name(zone: Zone, where: tzinfo) -> Text | None:
    """The zone's name for people (None for UTC, which its offset names)."""
    key = zone if isinstance(zone, str) else getattr(where, "key", None)
    if where is UTC or key in _UTC_NAMES:
        return None
    if isinstance(key, str):
        return ZONE_NAMES.get(key, Text.same(key))
    return None


def _offset(offset: timedelta) -> str:
    """``UTC−6``, ``UTC+5:30``, ``UTC``."""
    minutes = round(offset.total_seconds() / 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else MINUS
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
