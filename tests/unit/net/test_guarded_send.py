"""``GuardedHttpClient.send``: a request of any method, vetted as a fetch, answered whatever
its status, never cached, redirected for GET only (DNS faked, a mock transport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from vcservice.errors import FetchError
from vcservice.net.guarded_client import FetchPolicy, GuardedHttpClient

PUBLIC_IP = "93.184.215.14"


Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler, **policy: Any) -> tuple[GuardedHttpClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def recorded(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return handler(request)

    client = GuardedHttpClient(
        FetchPolicy(**policy),
        transport=httpx.MockTransport(recorded),
        resolver=lambda host: ["10.0.0.7"] if host == "internal.example" else [PUBLIC_IP],
    )
    return client, seen


def test_a_form_is_posted_to_the_vetted_address_and_any_answer_is_read() -> None:
    client, seen = _client(
        lambda request: httpx.Response(
            400, json={"error": "invalid_grant"}, headers={"Content-Type": "application/json"}
        )
    )
    with client:
        for _ in range(2):  # never cached
            answer = client.send(
                "POST",
                "https://issuer.example/token",
                form={"grant_type": "x", "tx_code": "1 2"},
                headers={"Accept": "application/json"},
            )
            assert (answer.status, answer.media_type) == (400, "application/json")
            assert answer.json() == {"error": "invalid_grant"}
    assert len(seen) == 2
    request = seen[0]
    assert (request.method, request.url.host, request.headers["Host"]) == (
        "POST",
        PUBLIC_IP,
        "issuer.example",
    )
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.content == b"grant_type=x&tx_code=1+2"
    assert request.extensions["sni_hostname"] == "issuer.example"


def test_json_bodies_and_redirects_for_get_only() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(302, headers={"Location": "/new"})
        return httpx.Response(200, text="eyJ.eyJ.sig", headers={"Content-Type": "application/jwt"})

    client, seen = _client(handler)
    with client:
        posted = client.send("POST", "https://v.example/old", json_body={"a": [1]})
        fetched = client.send("GET", "https://v.example/old")
    assert posted.status == 302  # a POST is never resent elsewhere
    assert (fetched.status, fetched.url, fetched.text()) == (
        200,
        "https://v.example/new",
        "eyJ.eyJ.sig",
    )
    assert json.loads(seen[0].content) == {"a": [1]}
    assert seen[0].headers["Content-Type"] == "application/json"
    assert [request.method for request in seen] == ["POST", "GET", "GET"]


def test_private_addresses_and_offline_are_refused_before_anything_is_sent() -> None:
    client, seen = _client(lambda request: httpx.Response(200))
    with pytest.raises(FetchError) as caught:
        client.send("POST", "https://internal.example/response", form={"vp_token": "{}"})
    assert caught.value.code == "FETCH_BLOCKED"
    assert caught.value.message.startswith("POST https://internal.example/response: ")
    offline, _ = _client(lambda request: httpx.Response(200), offline=True)
    with pytest.raises(FetchError, match="offline"):
        offline.send("GET", "https://v.example/")
    with pytest.raises(FetchError) as caught:
        client.send("POST", "http://v.example/plain")
    assert caught.value.code == "FETCH_BLOCKED" and "scheme 'http'" in caught.value.message
    assert seen == []
    client.close()


def test_bodies_past_max_bytes_are_cut_off() -> None:
    client, _ = _client(lambda request: httpx.Response(200, content=b"x" * 100), max_bytes=10)
    with client, pytest.raises(FetchError) as caught:
        client.send("GET", "https://v.example/big")
    assert caught.value.code == "FETCH_TOO_LARGE"
