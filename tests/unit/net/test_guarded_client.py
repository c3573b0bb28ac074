"""GuardedHttpClient against a real local server (and a mock transport where DNS must lie)."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from vcservice.errors import FetchError
from vcservice.net import (
    FetchPolicy,
    GuardedHttpClient,
    HostResolver,
    forbidden_address_class,
    resolve_host,
)

from .local_server import LocalServer, Route

LOCAL = FetchPolicy(allow_private_networks=True, allow_http_hosts=frozenset({"127.0.0.1"}))
PUBLIC_IP = "93.184.215.14"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def local_client(
    policy: FetchPolicy = LOCAL,
    *,
    clock: FakeClock | None = None,
    resolver: HostResolver = resolve_host,
) -> GuardedHttpClient:
    return GuardedHttpClient(policy, clock=clock or FakeClock(), resolver=resolver)


def test_fetches_json_from_an_allowed_local_server(server: LocalServer) -> None:
    server.routes["/doc.json"] = Route(b'{"id": "x"}', headers={"ETag": '"v1"'})
    clock = FakeClock()
    with local_client(clock=clock) as client:
        fetched = client.get_json(server.url("/doc.json"))
    assert fetched.data == {"id": "x"}
    assert fetched.url == server.url("/doc.json")
    assert fetched.etag == '"v1"'
    assert (fetched.fetched_at, fetched.expires_at) == (
        1_000.0,
        1_000.0 + LOCAL.default_ttl_seconds,
    )


def test_loopback_is_refused_by_default(server: LocalServer) -> None:
    server.routes["/doc.json"] = Route()
    policy = FetchPolicy(allow_http_hosts=frozenset({"127.0.0.1"}))
    with pytest.raises(FetchError) as caught:
        local_client(policy).get_json(server.url("/doc.json"))
    assert caught.value.code == "FETCH_BLOCKED"
    assert server.url("/doc.json") in caught.value.message
    assert "loopback" in caught.value.message
    assert server.requests == []


def test_plain_http_is_refused_unless_the_host_is_allowed(server: LocalServer) -> None:
    policy = FetchPolicy(allow_private_networks=True)
    with pytest.raises(FetchError) as caught:
        local_client(policy).get_json(server.url("/doc.json"))
    assert caught.value.code == "FETCH_BLOCKED"
    assert "scheme 'http'" in caught.value.message


def test_an_offline_client_fetches_nothing(server: LocalServer) -> None:
    server.routes["/doc.json"] = Route()
    offline = FetchPolicy(
        allow_http_hosts=frozenset({"127.0.0.1"}), allow_private_networks=True, offline=True
    )
    with pytest.raises(FetchError) as caught:
        local_client(offline).get_json(server.url("/doc.json"))
    assert caught.value.code == "FETCH_BLOCKED" and "offline" in caught.value.message
    assert server.requests == []


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "https://user:pw@example.com/", "::"]
)
def test_unusable_urls_are_blocked(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        GuardedHttpClient(resolver=lambda host: [PUBLIC_IP]).get_json(url)
    assert caught.value.code == "FETCH_BLOCKED"


def test_redirects_are_followed_and_each_hop_is_checked_again(server: LocalServer) -> None:
    server.routes["/old"] = Route(status=302, headers={"Location": "/new"})
    server.routes["/new"] = Route(b"[1, 2]")
    fetched = local_client().get_json(server.url("/old"))
    assert fetched.data == [1, 2]
    assert fetched.url == server.url("/new")

    # "localhost" is not in allow_http_hosts, so the second hop is refused.
    server.routes["/away"] = Route(
        status=301, headers={"Location": server.url("/new", host="localhost")}
    )
    with pytest.raises(FetchError) as caught:
        local_client().get_json(server.url("/away"))
    assert caught.value.code == "FETCH_BLOCKED"
    assert "redirected to http://localhost" in caught.value.message


def test_too_many_redirects_fail(server: LocalServer) -> None:
    server.routes["/loop"] = Route(status=307, headers={"Location": "/loop"})
    with pytest.raises(FetchError) as caught:
        local_client().get_json(server.url("/loop"))
    assert caught.value.code == "FETCH_FAILED"
    assert "more than 3 redirects" in caught.value.message
    assert server.hits("/loop") == 4


def test_a_redirect_to_a_private_address_is_refused() -> None:
    """DNS is faked: the origin looks public, the redirect target resolves to 10.0.0.7."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"Location": "https://internal.example/secrets"})

    addresses = {"origin.example": [PUBLIC_IP], "internal.example": ["10.0.0.7"]}
    client = GuardedHttpClient(
        transport=httpx.MockTransport(handler), resolver=lambda host: addresses[host]
    )
    with pytest.raises(FetchError) as caught:
        client.get_json("https://origin.example/did.json")
    assert caught.value.code == "FETCH_BLOCKED"
    assert "internal.example resolves to 10.0.0.7, a private address" in caught.value.message
    # The one request made went to the vetted address, keeping the host name.
    assert [(r.url.host, r.headers["Host"]) for r in seen] == [(PUBLIC_IP, "origin.example")]
    assert seen[0].extensions["sni_hostname"] == "origin.example"


def test_a_host_with_any_private_address_is_refused() -> None:
    client = GuardedHttpClient(resolver=lambda host: [PUBLIC_IP, "::ffff:192.168.1.1"])
    with pytest.raises(FetchError, match="a private address") as caught:
        client.get_json("https://mixed.example/")
    assert caught.value.code == "FETCH_BLOCKED"


@pytest.mark.parametrize(
    ("address", "kind"),
    [("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("224.0.0.1", "multicast")],
)
def test_allowing_private_networks_never_admits_metadata_or_multicast(
    address: str, kind: str
) -> None:
    policy = FetchPolicy(allow_private_networks=True)
    client = GuardedHttpClient(policy, resolver=lambda host: [address])
    with pytest.raises(FetchError) as caught:
        client.get_json("https://metadata.example/latest/meta-data/")
    assert caught.value.code == "FETCH_BLOCKED"
    assert f"a {kind} address" in caught.value.message


def test_connects_to_the_resolved_address_with_the_original_host(server: LocalServer) -> None:
    server.routes["/doc.json"] = Route(b"{}")
    policy = FetchPolicy(allow_private_networks=True, allow_http_hosts=frozenset({"site.test"}))
    # The first address refuses connections; the client moves on to the next one.
    client = local_client(policy, resolver=lambda host: ["127.0.0.2", "127.0.0.1"])
    client.get_json(f"http://site.test:{server.port}/doc.json")
    assert server.requests[0][1]["Host"] == f"site.test:{server.port}"
    assert server.requests[0][1]["Connection"] == "close"


def test_unresolvable_hosts_fail() -> None:
    def resolver(host: str) -> list[str]:
        raise OSError("Name or service not known")

    with pytest.raises(FetchError, match=r"cannot resolve nowhere\.example") as caught:
        GuardedHttpClient(resolver=resolver).get_json("https://nowhere.example/")
    assert caught.value.code == "FETCH_FAILED"


@pytest.mark.parametrize("send_length", [True, False])
def test_bodies_past_max_bytes_are_cut_off(server: LocalServer, send_length: bool) -> None:
    server.routes["/big"] = Route(b"[" + b"0," * 600 + b"0]", send_length=send_length)
    policy = FetchPolicy(
        max_bytes=1000, allow_private_networks=True, allow_http_hosts=frozenset({"127.0.0.1"})
    )
    with pytest.raises(FetchError) as caught:
        local_client(policy).get_json(server.url("/big"))
    assert caught.value.code == "FETCH_TOO_LARGE"
    assert "larger than 1000 bytes" in caught.value.message


def test_slow_servers_time_out_within_the_deadline(server: LocalServer) -> None:
    server.routes["/slow"] = Route(delay=3.0)
    policy = FetchPolicy(
        timeout_seconds=0.3, allow_private_networks=True, allow_http_hosts=frozenset({"127.0.0.1"})
    )
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out") as caught:
        local_client(policy).get_json(server.url("/slow"))
    assert caught.value.code == "FETCH_FAILED"
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (Route(status=404), "HTTP status 404"),
        (Route(status=500), "HTTP status 500"),
        (Route(b"<html>"), "response is not JSON"),
        (Route(b"[" * 100_000), "response is not JSON"),
    ],
)
def test_failures_name_the_url_and_the_reason(
    server: LocalServer, route: Route, message: str
) -> None:
    server.routes["/x"] = route
    with pytest.raises(FetchError) as caught:
        local_client().get_json(server.url("/x"))
    assert caught.value.code == "FETCH_FAILED"
    assert server.url("/x") in caught.value.message
    assert message in caught.value.message


def test_cached_documents_are_served_without_a_request(server: LocalServer) -> None:
    server.routes["/doc.json"] = Route(b'{"n": 1}', headers={"Cache-Control": "max-age=60"})
    clock = FakeClock()
    client = local_client(clock=clock)
    first = client.get_json(server.url("/doc.json"))
    first.data["n"] = 99  # callers cannot poison the cache
    clock.now += 59
    assert client.get_json(server.url("/doc.json")).data == {"n": 1}
    assert server.hits("/doc.json") == 1
    assert first.expires_at == first.fetched_at + 60
    clock.now += 1
    client.get_json(server.url("/doc.json"))
    assert server.hits("/doc.json") == 2


@pytest.mark.parametrize(
    ("cache_control", "ttl"),
    [
        ("no-store", 0),
        ("max-age=60, no-cache", 0),
        ("public, max-age=999999", 3600),
        ('max-age="120"', 120),
        ("max-age=soon", 300),
        (None, 300),
    ],
)
def test_cache_lifetime_follows_cache_control(
    server: LocalServer, cache_control: str | None, ttl: float
) -> None:
    headers = {"Cache-Control": cache_control} if cache_control else {}
    server.routes["/doc.json"] = Route(headers=headers)
    client = local_client(clock=FakeClock())
    fetched = client.get_json(server.url("/doc.json"))
    client.get_json(server.url("/doc.json"))
    assert fetched.expires_at - fetched.fetched_at == ttl
    assert server.hits("/doc.json") == (2 if ttl == 0 else 1)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("93.184.215.14", None),
        ("2606:4700::1111", None),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("224.0.1.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "private"),
        ("100.64.0.1", "non-global"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::", "loopback"),
        ("64:ff9b::a00:1", "private"),
    ],
)
def test_address_classes(address: str, expected: str | None) -> None:
    assert forbidden_address_class(address) == expected


def test_fetched_data_is_plain_json(server: LocalServer) -> None:
    document = {"a": [1, 2.5, None, True], "b": {"c": "ü"}}
    server.routes["/doc.json"] = Route(json.dumps(document).encode())
    assert local_client().get_json(server.url("/doc.json")).data == document


def test_an_unparseable_redirect_fails_cleanly() -> None:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(302, headers={"Location": "http://[::1"})
    )
    client = GuardedHttpClient(transport=transport, resolver=lambda host: [PUBLIC_IP])
    with pytest.raises(FetchError, match="Invalid URL in location header") as caught:
        client.get_json("https://origin.example/")
    assert caught.value.code == "FETCH_FAILED"
