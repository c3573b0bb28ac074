"""Status lists over HTTP: a real server on 127.0.0.1, caching by ttl and Cache-Control."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.factories import NOW
from tests.unit.net.local_server import LocalServer, Route
from vcservice.net import FetchPolicy, GuardedHttpClient, TtlCache
from vcservice.services.core import Core
from vcservice.status import (
    BitstringStatusChecker,
    FetchedList,
    HttpStatusListSource,
    LocalFirstStatusListSource,
    StatusError,
    status_entry,
)
from vcservice.verification.result import Outcome

from .support import FakeTime, signed_credential, signed_list

LOCAL = FetchPolicy(allow_http_hosts=frozenset({"127.0.0.1"}), allow_private_networks=True)
PATH = "/status/1"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    yield local
    local.close()


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


def http_source(time: FakeTime, policy: FetchPolicy = LOCAL) -> HttpStatusListSource:
    client = GuardedHttpClient(policy, clock=time.seconds)
    cache: TtlCache[str, FetchedList] = TtlCache(
        max_entries=16, max_ttl_seconds=3600, clock=time.seconds
    )
    return HttpStatusListSource(client, cache=cache, clock=time)


def a_list(ttl_ms: int | None) -> dict[str, Any]:
    """A list-shaped document (the source does not verify; the checker does)."""
    subject: dict[str, Any] = {"type": "BitstringStatusList", "encodedList": "u"}
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    return {"type": ["VerifiableCredential"], "credentialSubject": subject}


def serve(server: LocalServer, document: Any, cache_control: str | None) -> str:
    headers = {"Content-Type": "application/json"}
    if cache_control is not None:
        headers["Cache-Control"] = cache_control
    server.routes[PATH] = Route(json.dumps(document).encode(), headers=headers)
    return server.url(PATH)


def test_list_is_cached_until_ttl_and_refetched_after_cache_control(
    server: LocalServer, time: FakeTime
) -> None:
    url = serve(server, a_list(ttl_ms=60_000), "max-age=600")
    source = http_source(time)
    first = source.fetch(url)
    assert (first.fetched_at, first.expires_at) == (NOW, NOW + timedelta(seconds=60))
    time.advance(30)
    assert source.fetch(url) is first
    assert server.hits(PATH) == 1
    # Past ttl the list is asked for again; the client's HTTP cache answers while
    # Cache-Control still calls the response fresh, so the fetch time stays the network one.
    time.advance(31)
    again = source.fetch(url)
    assert server.hits(PATH) == 1
    assert again.fetched_at == NOW
    # Past max-age the server is asked again.
    time.advance(600)
    refreshed = source.fetch(url)
    assert server.hits(PATH) == 2
    assert refreshed.fetched_at == NOW + timedelta(seconds=661)


def test_a_shorter_cache_control_wins_over_ttl(server: LocalServer, time: FakeTime) -> None:
    url = serve(server, a_list(ttl_ms=3_600_000), "max-age=30")
    source = http_source(time)
    assert source.fetch(url).expires_at == NOW + timedelta(seconds=30)
    time.advance(29)
    source.fetch(url)
    assert server.hits(PATH) == 1
    time.advance(2)
    source.fetch(url)
    assert server.hits(PATH) == 2


def test_no_store_means_every_check_fetches(server: LocalServer, time: FakeTime) -> None:
    url = serve(server, a_list(ttl_ms=60_000), "no-store")
    source = http_source(time)
    for _ in range(3):
        source.fetch(url)
    assert server.hits(PATH) == 3


def test_without_ttl_cache_control_alone_decides(server: LocalServer, time: FakeTime) -> None:
    url = serve(server, a_list(ttl_ms=None), "max-age=120")
    assert http_source(time).fetch(url).expires_at == NOW + timedelta(seconds=120)


def test_http_errors_are_retrieval_errors(server: LocalServer, time: FakeTime) -> None:
    server.routes[PATH] = Route(b"{}", status=404)
    with pytest.raises(StatusError) as caught:
        http_source(time).fetch(server.url(PATH))
    assert caught.value.code == "STATUS_RETRIEVAL_ERROR"
    assert "HTTP status 404" in caught.value.message


def test_blocked_fetches_are_retrieval_errors(server: LocalServer, time: FakeTime) -> None:
    url = serve(server, a_list(ttl_ms=None), None)
    strict = FetchPolicy(allow_http_hosts=frozenset({"127.0.0.1"}))
    with pytest.raises(StatusError) as caught:
        http_source(time, strict).fetch(url)
    assert caught.value.code == "STATUS_RETRIEVAL_ERROR"
    assert "loopback" in caught.value.message
    assert server.hits(PATH) == 0


def test_a_list_that_is_not_a_json_object_is_refused(server: LocalServer, time: FakeTime) -> None:
    url = serve(server, "eyJhbGciOiJFUzI1NiJ9.e30.sig", None)
    with pytest.raises(StatusError) as caught:
        http_source(time).fetch(url)
    assert caught.value.code == "STATUS_VERIFICATION_ERROR"


def test_local_lists_are_asked_first_and_never_cached(server: LocalServer, time: FakeTime) -> None:
    url = serve(server, a_list(ttl_ms=60_000), "max-age=600")
    own = {"https://status.example/own": a_list(ttl_ms=None)}
    source = LocalFirstStatusListSource(
        lambda urls: {url: own[url] for url in urls if url in own},
        clock=time,
        fallback=http_source(time),
    )
    local = source.fetch("https://status.example/own")
    assert local.document == own["https://status.example/own"]
    assert local.fetched_at == local.expires_at == NOW
    assert server.hits(PATH) == 0
    source.fetch(url)
    assert server.hits(PATH) == 1


@pytest.mark.shared
def test_checker_over_http_reports_freshness_and_caches(
    fixed_core: Core, server: LocalServer, time: FakeTime
) -> None:
    url = server.url(PATH)
    document = signed_list(fixed_core, url, "revocation", set_values={5: 1}, ttl_ms=120_000)
    serve(server, document, "max-age=120")
    checker = BitstringStatusChecker(
        source=LocalFirstStatusListSource(lambda _: {}, clock=time, fallback=http_source(time)),
        data_integrity=fixed_core.data_integrity,
        clock=time,
    )
    revoked = signed_credential(fixed_core, status_entry(url, 5, "revocation"))
    active = signed_credential(fixed_core, status_entry(url, 6, "revocation"))

    assert [p.code for p in checker.check(revoked).problems] == ["CREDENTIAL_REVOKED"]
    time.advance(45)
    check = checker.check(active)
    assert check.outcome is Outcome.PASSED
    assert f"list {url} fetched 2026-11-28T12:00:00Z (age 45 s)" in (check.detail or "")
    assert server.hits(PATH) == 1
    time.advance(120)
    report = checker.report(active)
    assert report.passed and server.hits(PATH) == 2
    [freshness] = report.lists
    assert freshness.age_seconds == 0 and freshness.fetched_at == NOW + timedelta(seconds=165)


def test_sources_tell_where_each_list_came_from(server: LocalServer, time: FakeTime) -> None:
    url = serve(server, a_list(ttl_ms=60_000), "max-age=600")
    told: list[str] = []
    client = GuardedHttpClient(LOCAL, clock=time.seconds)
    cache: TtlCache[str, FetchedList] = TtlCache(
        max_entries=16, max_ttl_seconds=3600, clock=time.seconds
    )
    remote = HttpStatusListSource(client, cache=cache, clock=time, on_fetch=told.append)
    local_url = "https://vc.example/status-lists/sat/revocation/1"
    source = LocalFirstStatusListSource(
        lambda wanted: {local_url: a_list(None)} if local_url in wanted else {},
        clock=time,
        fallback=remote,
        on_fetch=told.append,
    )

    source.fetch(url)
    source.fetch(url)
    source.fetch(local_url)

    assert told == ["network", "cache", "local"]
