"""Through the shipped nginx configuration, rate limits count each client once, whatever
X-Forwarded-For it sends: nginx writes the address it was connected from, and the service
trusts that header from the proxy's address alone (``FORWARDED_ALLOW_IPS`` as in
docker-compose.yml; on loopback nginx connects from 127.0.0.1).

Clients connect from distinct loopback addresses (127.0.0.2, 127.0.0.3, …) over https.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.nginx import HOSTS, TEMPLATE, nginx_binary, render, run_nginx
from tests.integration.serving import free_port, serve_process

pytestmark = [pytest.mark.slow, pytest.mark.shared]

# Six a minute: a burst of one request (and of one failed client authentication) per address.
LIMITED = {
    "VCSERVICE_VERIFY_RATE_PER_MINUTE": "6",
    "VCSERVICE_TOKEN_RATE_PER_MINUTE": "6",
    "VCSERVICE_FORWARDED_ALLOW_IPS": "127.0.0.1",
}
# What a client might claim to be: others, a chain of proxies, another real client, the proxy.
SPOOFED = ["198.51.100.1", "198.51.100.2, 203.0.113.5", "127.0.0.3", "127.0.0.1", "unknown"]


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory, context_store_dir: Path) -> Iterator[str]:
    """nginx (the shipped template) in front of ``vcservice serve``: its https URL."""
    binary = nginx_binary()  # skips (or fails) before the service starts
    service = tmp_path_factory.mktemp("service")
    with (
        serve_process(
            service,
            context_store_dir,
            database_url=f"sqlite:///{service / 'vcservice.db'}",
            environment=LIMITED,
        ) as served,
        run_nginx(
            binary,
            tmp_path_factory.mktemp("nginx"),
            upstream=f"127.0.0.1:{httpx.URL(served.url).port}",
            port=free_port(),
        ) as url,
    ):
        yield url


def _client(proxy: str, address: str, host: str) -> httpx.Client:
    """A client connecting from ``address`` to the proxy's server for ``host``."""
    return httpx.Client(
        base_url=proxy,
        transport=httpx.HTTPTransport(local_address=address, verify=False),
        headers={"Host": host},
        timeout=30,
    )


def test_spoofed_forwarded_for_counts_as_the_one_real_client(proxy: str) -> None:
    with _client(proxy, "127.0.0.2", HOSTS["VERIFIER_HOST"]) as mallory:
        statuses = [
            mallory.post("/challenges", json={}, headers={"X-Forwarded-For": spoof}).status_code
            for spoof in SPOOFED
        ]
    assert statuses == [201] + [429] * (len(SPOOFED) - 1)
    # Another address keeps its own limit, although mallory claimed to be it.
    with _client(proxy, "127.0.0.3", HOSTS["VERIFIER_HOST"]) as other:
        assert [other.post("/challenges", json={}).status_code for _ in range(2)] == [201, 429]


def test_failed_logins_are_limited_per_real_address(proxy: str) -> None:
    def attempts(address: str, spoofs: list[str]) -> list[int]:
        with _client(proxy, address, HOSTS["ISSUER_HOST"]) as client:
            return [
                client.post(
                    "/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=("nobody-0000", "guess"),
                    headers={"X-Forwarded-For": spoof},
                ).status_code
                for spoof in spoofs
            ]

    assert attempts("127.0.0.4", SPOOFED) == [401] + [429] * (len(SPOOFED) - 1)
    assert attempts("127.0.0.5", ["127.0.0.4"] * 2) == [401, 429]


def test_a_flood_from_one_address_is_refused_by_the_proxy_itself(proxy: str) -> None:
    """Past nginx's own burst (500, then 50 a second) the verifier never sees the request:
    the 429 is nginx's page, not the service's problem+json. Another address is not held."""
    with _client(proxy, "127.0.0.6", HOSTS["VERIFIER_HOST"]) as flooder:
        responses = [flooder.get("/healthz") for _ in range(900)]
    refused = [r for r in responses if r.status_code == 429]
    assert refused, "nginx let a flood of 900 requests through"
    assert all("problem+json" not in r.headers.get("content-type", "") for r in refused)
    assert all(r.status_code in (200, 429) for r in responses)
    with _client(proxy, "127.0.0.7", HOSTS["VERIFIER_HOST"]) as other:
        assert other.get("/healthz").status_code == 200


def test_the_proxy_headers_are_the_shipped_ones(tmp_path: Path) -> None:
    """The rendering changes addresses and files only, never what nginx tells the service."""
    template = TEMPLATE.read_text()
    rendered = render(template, upstream="127.0.0.1:1", listen="127.0.0.1:2", tls=tmp_path)
    shipped = [line for line in template.splitlines() if line.startswith("proxy_set_header")]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in shipped
    assert [line for line in rendered.splitlines() if line.startswith("proxy_set_header")] == (
        shipped
    )
