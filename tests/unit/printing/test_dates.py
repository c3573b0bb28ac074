"""Dates and moments for people: dd/mm/aaaa and ``6 Dec 2026``, the day signed for, local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from vcservice.certificates.samples import sample_certificate
from vcservice.printing import dates, moment_for_people
from vcservice.printing.dates import (
    DEFAULT_ZONE,
    date_for_people,
    date_text,
    display_zone,
    moment_texts,
    signed_date,
)
from vcservice.printing.labels import Text
from vcservice.printing.view import certificate_view


def test_a_date_reads_ddmmyyyy_in_spanish_and_unambiguously_in_english() -> None:
    assert date_for_people(date(2026, 12, 6)) == Text("6 Dec 2026", "06/12/2026")
    assert date_for_people(date(2007, 3, 15)) == Text("15 Mar 2007", "15/03/2007")


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2027-12-31T23:59:59Z", date(2027, 12, 31)),
        ("2026-06-01T00:00:00Z", date(2026, 6, 1)),  # not 31/05 18:00 in Mexico City
        ("2027-12-31T23:59:59-06:00", date(2027, 12, 31)),  # not 01/01/2028 in UTC
        ("2026-06-01T00:30:00.250+05:30", date(2026, 6, 1)),
        ("2007-03-15", date(2007, 3, 15)),
        ("2007-03-15Z", date(2007, 3, 15)),
        ("2007-03-15-06:00", date(2007, 3, 15)),
    ],
)
def test_a_certificates_date_is_the_day_it_was_signed_for(value: str, day: date) -> None:
    assert signed_date(value) == day
    assert date_text(value) == date_for_people(day)


@pytest.mark.parametrize("value", ["2027-13-01", "2027-02-30", "tomorrow", "2027-12-31T25:00:00Z"])
def test_what_is_no_date_is_shown_as_it_is(value: str) -> None:
    assert signed_date(value) is None and date_text(value) == Text.same(value)


def test_values_of_the_wrong_shape_are_shown_not_dropped() -> None:
    assert date_text(None) is None and signed_date(20270101) is None
    assert date_text({"day": 1}) == Text.same('{"day": 1}')


def test_every_date_of_the_samples_reads_for_people() -> None:
    view = certificate_view(sample_certificate("oea", "v2"))
    values = {field.key: field.value for field in view.fields}
    assert values["authorizationDate"] == Text("22 Apr 2019", "22/04/2019")
    assert values["termEnd"] == Text("21 Apr 2028", "21/04/2028")
    assert view.valid_from == Text("4 May 2026", "04/05/2026")
    assert view.valid_until == Text("21 Apr 2027", "21/04/2027")  # …T23:59:59Z: the 21st
    ctpat = {f.key: f.value for f in certificate_view(sample_certificate("ctpat", "v1")).fields}
    assert ctpat["dateOfLastValidation"] == Text("18 Sep 2025", "18/09/2025")
    # a year is no date
    immex = {f.key: f.value for f in certificate_view(sample_certificate("immex", "v2")).fields}
    assert immex["lastAnnualReportYear"] == Text.same("2025")


def test_a_moment_reads_in_local_time_with_its_zone_named() -> None:
    moment = datetime(2026, 12, 6, 20, 5, 31, tzinfo=UTC)
    assert moment_for_people(moment, "es") == "06/12/2026 14:05 (hora del centro, UTC−6)"
    assert moment_for_people(moment, "en") == "6 Dec 2026 14:05 (Mexico central time, UTC−6)"
    # the day changes with the zone: 01:30 UTC is the evening before in Mexico City
    assert moment_for_people("2027-01-01T01:30:00Z", "es").startswith("31/12/2026 19:30")
    assert moment_texts(moment) == Text(
        moment_for_people(moment, "en"), moment_for_people(moment, "es")
    )


@pytest.mark.parametrize(
    ("zone", "spanish"),
    [
        ("America/Tijuana", "06/07/2026 13:05 (hora del noroeste, UTC−7)"),  # daylight time
        ("America/Cancun", "06/07/2026 15:05 (hora del sureste, UTC−5)"),
        ("America/Chicago", "06/07/2026 15:05 (hora del centro de EE. UU., UTC−5)"),
        ("America/Bogota", "06/07/2026 15:05 (America/Bogota, UTC−5)"),  # by its IANA name
        ("Asia/Kolkata", "07/07/2026 01:35 (Asia/Kolkata, UTC+5:30)"),
        ("UTC", "06/07/2026 20:05 (UTC)"),
        (timezone(timedelta(hours=-6)), "06/07/2026 14:05 (UTC−6)"),  # a bare offset
        (ZoneInfo(DEFAULT_ZONE), "06/07/2026 14:05 (hora del centro, UTC−6)"),  # no DST
    ],
)
def test_a_moment_in_another_display_zone(zone: str | timezone, spanish: str) -> None:
    assert moment_for_people("2026-07-06T20:05:00Z", "es", zone) == spanish


def test_a_moment_needs_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        moment_for_people(datetime(2026, 12, 6, 14, 5), "es")


def test_the_display_zone_works_on_this_machine() -> None:
    """zoneinfo finds the tz database (system or the tzdata package); Mexico City is UTC−6."""
    zone = display_zone()
    assert isinstance(zone, ZoneInfo) and zone.key == "America/Mexico_City"
    assert datetime(2026, 7, 1, tzinfo=zone).utcoffset() == timedelta(hours=-6)


def test_without_a_tz_database_mexico_city_is_its_fixed_offset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing(key: str) -> ZoneInfo:
        raise ZoneInfoNotFoundError(key)

    monkeypatch.setattr(dates, "ZoneInfo", missing)
    assert moment_for_people("2026-12-06T20:05:00Z", "es") == (
        "06/12/2026 14:05 (hora del centro, UTC−6)"
    )
    with pytest.raises(ZoneInfoNotFoundError):
        display_zone("America/Tijuana")
