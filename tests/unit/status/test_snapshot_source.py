"""Status lists fetched earlier (a verification bundle): their real age, staleness, no fetching."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.factories import NOW
from vcservice.clock import FixedClock
from vcservice.errors import ParsingError, StatusError
from vcservice.services.core import Core
from vcservice.status import (
    BitstringStatusChecker,
    SnapshotStatusListSource,
    index_service,
    parse_index,
    status_entry,
)
from vcservice.status.report import duration_text
from vcservice.verification.result import Outcome

from .support import BASE, signed_credential, signed_list

URL = f"{BASE}/revocation/1"
FETCHED = NOW - timedelta(hours=3, minutes=12)


def _source(
    document: dict[str, object], max_age: timedelta | None = None
) -> SnapshotStatusListSource:
    return SnapshotStatusListSource(
        {URL: (document, FETCHED)}, origin="the bundle", clock=FixedClock(NOW), max_age=max_age
    )


def test_a_snapshot_keeps_its_fetch_time_and_origin() -> None:
    document = {"credentialSubject": {"ttl": 300_000}}
    fetched = _source(document).fetch(URL)
    assert fetched.document == document and fetched.origin == "the bundle"
    assert (fetched.fetched_at, fetched.expires_at) == (FETCHED, FETCHED + timedelta(minutes=5))


def test_a_list_not_held_is_never_fetched() -> None:
    with pytest.raises(StatusError) as caught:
        _source({}).fetch(f"{BASE}/suspension/1")
    assert caught.value.code == "STATUS_RETRIEVAL_ERROR"
    assert "not in the bundle" in caught.value.message


def test_a_list_older_than_the_maximum_age_is_stale() -> None:
    assert _source({}, max_age=timedelta(hours=4)).fetch(URL).fetched_at == FETCHED
    with pytest.raises(StatusError) as caught:
        _source({}, max_age=timedelta(hours=3)).fetch(URL)
    assert caught.value.code == "STATUS_DATA_STALE"
    assert "fetched 3 h 12 min ago, longer than the 3 h allowed" in caught.value.message


def test_a_list_fetched_in_the_future_is_refused_whatever_the_maximum_age() -> None:
    ahead = SnapshotStatusListSource(
        {URL: ({}, NOW + timedelta(minutes=3))}, origin="the bundle", clock=FixedClock(NOW)
    )
    with pytest.raises(StatusError) as caught:
        ahead.fetch(URL)
    assert caught.value.code == "STATUS_DATA_STALE"
    assert "fetched in the future" in caught.value.message
    skewed = SnapshotStatusListSource(
        {URL: ({}, NOW + timedelta(minutes=1))}, origin="the bundle", clock=FixedClock(NOW)
    )
    assert skewed.fetch(URL).fetched_at == NOW + timedelta(minutes=1)  # within the clock skew


@pytest.mark.shared
def test_the_checker_says_where_the_list_came_from_and_how_old_it_is(fixed_core: Core) -> None:
    document = signed_list(fixed_core, URL, "revocation", set_values={3: 1})
    clock = FixedClock(NOW)
    checker = BitstringStatusChecker(
        source=_source(document), data_integrity=fixed_core.data_integrity, clock=clock
    )
    active = signed_credential(fixed_core, status_entry(URL, 4, "revocation"))
    check = checker.check(active)
    assert check.outcome is Outcome.PASSED, check.problems
    assert f"list {URL} from the bundle, fetched 2026-11-28T08:48:00Z (age 3 h 12 min)" in (
        check.detail or ""
    )
    revoked = signed_credential(fixed_core, status_entry(URL, 3, "revocation"))
    assert [problem.code for problem in checker.check(revoked).problems] == ["CREDENTIAL_REVOKED"]
    stale = BitstringStatusChecker(
        source=_source(document, max_age=timedelta(hours=1)),
        data_integrity=fixed_core.data_integrity,
        clock=clock,
    ).check(active)
    assert [problem.code for problem in stale.problems] == ["STATUS_DATA_STALE"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (44.6, "45 s"),
        (60, "1 min"),
        (125, "2 min 5 s"),
        (3 * 3600 + 12 * 60 + 40, "3 h 12 min"),
        (2 * 86400 + 59, "2 d"),
        (2 * 86400 + 4 * 3600, "2 d 4 h"),
        (-5, "0 s"),
    ],
)
def test_durations_read_in_their_two_largest_units(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def test_the_index_service_and_document() -> None:
    did = "did:web:aduanas.example:issuers:sat"
    service = index_service(did, "https://aduanas.example/status-lists/sat")
    assert service == {
        "id": f"{did}#status-lists",
        "type": "StatusListIndex",
        "serviceEndpoint": "https://aduanas.example/status-lists/sat",
    }
    assert parse_index({"statusLists": [URL]}, source="index") == [URL]
    for broken in ([URL], {"statusLists": URL}, {"statusLists": ["file:///etc/passwd"]}):
        with pytest.raises(ParsingError) as caught:
            parse_index(broken, source="index")
        assert caught.value.field == "statusLists"
