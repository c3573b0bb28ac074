"""The service's one outbound HTTP client: JSON over https, guarded against SSRF and abuse.

Every hop (the URL and each redirect target) is vetted: https only (http just for
``allow_http_hosts``), no credentials in the URL, and every address the host resolves to
must be publicly routable unless ``allow_private_networks`` (which admits private and
loopback addresses, never link-local, multicast or unspecified ones). The connection goes to a
vetted address, with the original ``Host`` header and TLS server name, so a second DNS
answer cannot swap in another address (DNS rebinding). Connections are not reused
(``Connection: close``): a pooled connection to an IP could otherwise carry a request for a
different host name without that host's certificate being checked.

Limits: one deadline of ``timeout_seconds`` spans the whole fetch, redirects included (a
single socket read may overrun it by at most that much again); bodies past ``max_bytes``
(after content decoding) are cut off. Name resolution uses the system resolver, which has
its own timeout. Environment proxies are ignored (``trust_env=False``): the vetted address
is the one connected to.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from vcservice.errors import FetchError
from vcservice.net.ttl_cache import TtlCache

__all__ = [
    "FetchPolicy",
    "FetchedDocument",
    "GuardedHttpClient",
    "HostResolver",
    "forbidden_address_class",
    "resolve_host",
]

HostResolver = Callable[[str], Sequence[str]]

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_ADDRESS_CLASSES = (
    "unspecified",
    "loopback",
    "link_local",
    "multicast",
    "private",
    "reserved",
)
# Never reachable, even with allow_private_networks: cloud metadata services live on
# link-local addresses, and multicast or unspecified targets are never a document's home.
_ALWAYS_FORBIDDEN = frozenset({"link-local", "multicast", "unspecified"})
_HEADERS = {
    "Accept": "application/ld+json, application/json;q=0.9, application/*+json;q=0.8, */*;q=0.1",
    "User-Agent": "vcservice",
}


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of :class:`GuardedHttpClient`; the defaults suit production.

    ``offline`` refuses every fetch (FETCH_BLOCKED): for verifying from local data only.
    """

    timeout_seconds: float = 5.0
    max_bytes: int = 1_000_000
    allow_http_hosts: frozenset[str] = frozenset()
    allow_private_networks: bool = False
    max_redirects: int = 3
    cache_max_entries: int = 1024
    cache_max_ttl_seconds: float = 3600
    default_ttl_seconds: float = 300
    offline: bool = False


@dataclass(frozen=True)
class FetchedDocument:
    """A fetched JSON value; ``url`` is the final URL after redirects, times are clock seconds."""

    url: str
    data: Any
    fetched_at: float
    expires_at: float
    etag: str | None


def resolve_host(host: str) -> list[str]:
    """Every address of ``host`` (system resolver), without IPv6 scope ids, duplicates removed."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).partition("%")[0] for info in infos))


class GuardedHttpClient:
    """Fetches JSON documents under a :class:`FetchPolicy`, caching them per Cache-Control.

    ``transport`` (an httpx transport, e.g. for TLS test certificates), ``resolver`` and
    ``clock`` (seconds as float, for ``fetched_at``/``expires_at`` and the cache) are
    injectable for tests.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        resolver: HostResolver = resolve_host,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._resolver = resolver
        self._clock = clock
        self._client = httpx.Client(
            transport=transport, follow_redirects=False, trust_env=False, headers=_HEADERS
        )
        self._cache: TtlCache[str, FetchedDocument] = TtlCache(
            max_entries=self.policy.cache_max_entries,
            max_ttl_seconds=self.policy.cache_max_ttl_seconds,
            clock=clock,
        )

    def allows_http(self, url: str) -> bool:
        """Whether plain http is allowed for the host of ``url`` (development hosts only)."""
        host = (httpx.URL(url).host or "").lower()
        return host in {name.lower() for name in self.policy.allow_http_hosts}

    def get_json(self, url: str) -> FetchedDocument:
        """GET ``url`` and parse JSON; FetchError FETCH_BLOCKED/FETCH_TOO_LARGE/FETCH_FAILED."""
        if self.policy.offline:
            raise _error("FETCH_BLOCKED", url, url, "network access is off (offline)")
        cached = self._cache.get(url)
        if cached is not None:
            return copy.deepcopy(cached)
        deadline = time.monotonic() + self.policy.timeout_seconds
        current = url
        for _ in range(self.policy.max_redirects + 1):
            outcome = self._fetch(url, current, deadline)
            if isinstance(outcome, FetchedDocument):
                ttl = outcome.expires_at - outcome.fetched_at
                self._cache.put(url, copy.deepcopy(outcome), ttl_seconds=ttl)
                return outcome
            current = outcome
        raise _error(
            "FETCH_FAILED", url, current, f"more than {self.policy.max_redirects} redirects"
        )

    def close(self) -> None:
        """Close the underlying connections."""
        self._client.close()

    def __enter__(self) -> GuardedHttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _fetch(self, url: str, current: str, deadline: float) -> FetchedDocument | str:
        """One hop: the document, or the URL a redirect points to."""
        target, addresses = self._vet(url, current)
        response = self._send(url, current, target, addresses, deadline)
        try:
            location = response.headers.get("location")
            if response.status_code in _REDIRECTS and location:
                # Relative to the host name: the request itself went to the pinned address.
                return str(target.join(location))
            if not response.is_success:
                raise _error("FETCH_FAILED", url, current, f"HTTP status {response.status_code}")
            body = self._read_body(url, current, response, deadline)
        except httpx.TimeoutException as exc:
            raise _error("FETCH_FAILED", url, current, "timed out") from exc
        except httpx.HTTPError as exc:
            raise _error("FETCH_FAILED", url, current, f"{type(exc).__name__}: {exc}") from exc
        finally:
            response.close()
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            raise _error("FETCH_FAILED", url, current, f"response is not JSON: {exc}") from exc
        now = self._clock()
        return FetchedDocument(
            url=current,
            data=data,
            fetched_at=now,
            expires_at=now + self._ttl(response.headers.get("cache-control")),
            etag=response.headers.get("etag"),
        )

    def _vet(self, url: str, current: str) -> tuple[httpx.URL, list[str]]:
        """Check the URL of one hop and resolve its host to addresses that may be contacted."""
        try:
            target = httpx.URL(current)
        except httpx.InvalidURL as exc:
            raise _error("FETCH_BLOCKED", url, current, f"invalid URL: {exc}") from exc
        host = target.raw_host.decode("ascii").lower()
        if not (
            target.scheme == "https" or (target.scheme == "http" and self.allows_http(current))
        ):
            why = f"scheme {target.scheme!r} is not allowed (https only; http for allow_http_hosts)"
            raise _error("FETCH_BLOCKED", url, current, why)
        if not host:
            raise _error("FETCH_BLOCKED", url, current, "the URL has no host")
        if target.userinfo:
            raise _error("FETCH_BLOCKED", url, current, "credentials in the URL are not allowed")
        try:
            addresses = list(self._resolver(host))
        except OSError as exc:
            raise _error("FETCH_FAILED", url, current, f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise _error("FETCH_FAILED", url, current, f"{host} has no addresses")
        for address in addresses:
            address_class = forbidden_address_class(address)
            if address_class is not None and (
                address_class in _ALWAYS_FORBIDDEN or not self.policy.allow_private_networks
            ):
                why = f"{host} resolves to {address}, a {address_class} address"
                raise _error("FETCH_BLOCKED", url, current, why)
        return target, addresses

    def _send(
        self, url: str, current: str, target: httpx.URL, addresses: list[str], deadline: float
    ) -> httpx.Response:
        """Connect to the first reachable vetted address, keeping Host and TLS server name."""
        failures = []
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            request = self._client.build_request(
                "GET",
                target.copy_with(host=address),
                headers={"Host": target.netloc.decode("ascii"), "Connection": "close"},
                extensions={"sni_hostname": target.raw_host.decode("ascii")},
                timeout=remaining,
            )
            try:
                return self._client.send(request, stream=True)
            except httpx.ConnectError as exc:
                failures.append(f"{address}: {exc}")
            except httpx.TimeoutException as exc:
                raise _error("FETCH_FAILED", url, current, "timed out") from exc
            except httpx.HTTPError as exc:
                why = f"{type(exc).__name__}: {exc}"
                raise _error("FETCH_FAILED", url, current, why) from exc
        why = "; ".join(failures) if failures else "timed out"
        raise _error("FETCH_FAILED", url, current, f"cannot connect ({why})")

    def _read_body(
        self, url: str, current: str, response: httpx.Response, deadline: float
    ) -> bytes:
        limit = self.policy.max_bytes
        too_large = f"response is larger than {limit} bytes"
        declared = _digits(response.headers.get("content-length"))
        if declared is not None and declared > limit:
            raise _error("FETCH_TOO_LARGE", url, current, too_large)
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                raise _error("FETCH_TOO_LARGE", url, current, too_large)
            if time.monotonic() > deadline:
                raise _error("FETCH_FAILED", url, current, "timed out")
        return bytes(body)

    def _ttl(self, cache_control: str | None) -> float:
        """Seconds to cache per Cache-Control (no-store/no-cache: 0), capped by the policy."""
        directives = {}
        for part in (cache_control or "").split(","):
            name, _, value = part.partition("=")
            directives[name.strip().lower()] = value.strip().strip('"')
        if "no-store" in directives or "no-cache" in directives:
            return 0.0
        max_age = _digits(directives.get("max-age"))
        ttl = self.policy.default_ttl_seconds if max_age is None else float(max_age)
        return min(ttl, self.policy.cache_max_ttl_seconds)


def forbidden_address_class(address: str) -> str | None:
    """Why ``address`` must not be contacted (e.g. ``"loopback"``), or None if it is public.

    IPv4 addresses embedded in IPv6 (IPv4-mapped, 6to4, NAT64) are judged as IPv4.
    """
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        else:
            ip = ip.ipv4_mapped or ip.sixtofour or ip
    for address_class in _ADDRESS_CLASSES:
        if getattr(ip, f"is_{address_class}"):
            return address_class.replace("_", "-")
    return None if ip.is_global else "non-global"


def _digits(text: str | None) -> int | None:
    """``text`` as a non-negative decimal integer, or None (rejects signs and non-ASCII digits)."""
    return int(text) if text and text.isascii() and text.isdigit() else None


def _error(code: str, url: str, current: str, why: str) -> FetchError:
    where = url if current == url else f"{url} (redirected to {current})"
    return FetchError(f"GET {where}: {why}", code=code)
