"""The service's one outbound HTTP client: JSON over https, guarded against SSRF and abuse.

Every hop (the URL and each redirect target) is vetted: https only (http just for
``allow_http_hosts``), no credentials in the URL, and every address the host resolves to
must be publicly routable unless ``allow_private_networks`` (which admits private and
loopback addresses, never link-local, multicast or unspecified ones). The connection goes to a
vetted address, with the original ``Host`` header and TLS server name, so a second DNS
answer cannot swap in another address (DNS rebinding). Connections are not reused
(``Connection: close``): a pooled connection to an IP could otherwise carry a request for a
different host name without that host's certificate being checked.

Limits: every fetch runs on the client's own event loop under one deadline of
``timeout_seconds`` spanning all of it — name resolution, connect, TLS, response headers,
body, redirects — which the loop enforces wherever the fetch is waiting: a server that
trickles its headers a byte at a time is cut off at the deadline, not between chunks.
Bodies past ``max_bytes`` (after content decoding) are cut off. At most ``max_in_flight``
fetches run at once (resolution included) and ``max_in_flight_per_address`` to one address;
a fetch past either is refused at once (FETCH_BLOCKED) rather than queued, so a slow host
holds a bounded number of requests. Inside a ``fetch_budget`` (one verification), fetches
also share that budget's deadline and count; inside ``net.waiting.network_waits_refused``
(work on a server's event loop) they raise ``WouldWait``: cached documents only.
Environment proxies are ignored
(``trust_env=False``): the vetted address is the one connected to.

``send`` is for the few parties the service talks with rather than fetches documents from
(the holder's wallet redeeming an offer, posting a presentation): one request of any
method and body, vetted and limited exactly as a fetch, answered whatever its status and
never cached; it follows redirects for GET only.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import ipaddress
import json
import os
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import certifi
import httpx

from vcservice.errors import FetchError
from vcservice.net.budget import reserve_fetches
from vcservice.net.ttl_cache import TtlCache
from vcservice.net.waiting import refuse_if_waits_refused

__all__ = [
    "FetchPolicy",
    "FetchedDocument",
    "GuardedHttpClient",
    "HostResolver",
    "HttpAnswer",
    "forbidden_address_class",
    "resolve_host",
]

HostResolver = Callable[[str], Sequence[str]]
T = TypeVar("T")

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_BACKSTOP_SECONDS = 120.0
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
    max_in_flight: int = 16
    max_in_flight_per_address: int = 4
    verification_seconds: float = 10.0  # one verification's fetches, together
    verification_fetches: int = 16
    allow_http_hosts: frozenset[str] = frozenset()
    allow_private_networks: bool = False
    max_redirects: int = 3
    cache_max_entries: int = 1024
    cache_max_bytes: int = 32 << 20  # per cache of fetched documents (and what is made of them)
    cache_max_ttl_seconds: float = 3600
    default_ttl_seconds: float = 300
    offline: bool = False
    extra_ca_file: Path | None = None  # PEM: CAs trusted beside the default bundle


@dataclass(frozen=True)
class FetchedDocument:
    """A fetched JSON value; ``url`` is the final URL after redirects, times are clock seconds."""

    url: str
    data: Any
    fetched_at: float
    expires_at: float
    etag: str | None
    size: int = 0  # bytes of the body as received (after content decoding)


@dataclass(frozen=True)
class HttpAnswer:
    """The response to :meth:`GuardedHttpClient.send`, whatever its status; ``url`` is the
    final URL, ``media_type`` the Content-Type without parameters, lowercased, ``etag`` the
    ETag header if any."""

    url: str
    status: int
    media_type: str
    body: bytes
    etag: str | None = None

    def json(self) -> Any:
        """The body as JSON; FETCH_FAILED when it is not."""
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError) as exc:
            why = f"{self.url}: the answer is not JSON: {exc}"
            raise FetchError(why, code="FETCH_FAILED") from None

    def text(self) -> str:
        """The body as UTF-8 text; FETCH_FAILED when it is not."""
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            why = f"{self.url}: the answer is not UTF-8: {exc}"
            raise FetchError(why, code="FETCH_FAILED") from None


def resolve_host(host: str) -> list[str]:
    """Every address of ``host`` (system resolver), without IPv6 scope ids, duplicates removed."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]).partition("%")[0] for info in infos))


class GuardedHttpClient:
    """Fetches JSON documents under a :class:`FetchPolicy`, caching them per Cache-Control.

    ``transport`` (an httpx async transport, e.g. for TLS test certificates), ``resolver``
    and ``clock`` (seconds as float, for ``fetched_at``/``expires_at`` and the cache) are
    injectable for tests. Safe to share between threads; its fetches run on a loop of its
    own, started on first use in each process.
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: HostResolver = resolve_host,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.policy = policy or FetchPolicy()
        # Built now, so that a bad OUTBOUND_CA_FILE stops the service at start-up.
        self._tls = _tls_context(self.policy.extra_ca_file)
        self._resolver = resolver
        self._clock = clock
        self._transport = transport
        self._cache: TtlCache[str, FetchedDocument] = TtlCache(
            max_entries=self.policy.cache_max_entries,
            max_ttl_seconds=self.policy.cache_max_ttl_seconds,
            clock=clock,
            max_bytes=self.policy.cache_max_bytes,
            weigh=lambda document: document.size,
        )
        self._loop: _FetchLoop | None = None
        self._loop_lock = threading.Lock()
        self._in_flight = 0
        self._per_address: Counter[str] = Counter()

    def allows_http(self, url: str) -> bool:
        """Whether plain http is allowed for the host of ``url`` (development hosts only)."""
        host = (httpx.URL(url).host or "").lower()
        return host in {name.lower() for name in self.policy.allow_http_hosts}

    def forget(self, url: str) -> None:
        """Drop the kept copy of ``url``: the next ``get_json`` fetches it."""
        self._cache.drop(url)

    def get_json(self, url: str) -> FetchedDocument:
        """GET ``url`` and parse JSON; FetchError FETCH_BLOCKED/FETCH_TOO_LARGE/FETCH_FAILED."""
        found = self.get_json_many([url])[url]
        if isinstance(found, FetchError):
            raise found
        return found

    def get_json_many(self, urls: Sequence[str]) -> dict[str, FetchedDocument | FetchError]:
        """Each URL's document, or why it cannot be had: cached ones at once, the others
        fetched together under one deadline (and one reservation of the fetch budget)."""
        found: dict[str, FetchedDocument | FetchError] = {}
        missing = []
        for url in dict.fromkeys(urls):
            if self.policy.offline:
                found[url] = _error("FETCH_BLOCKED", url, url, "network access is off (offline)")
                continue
            cached = self._cache.get(url)
            if cached is None:
                missing.append(url)
            else:
                found[url] = copy.deepcopy(cached)
        if missing:
            refuse_if_waits_refused(missing[0])
            try:
                deadline = reserve_fetches(
                    len(missing), time.monotonic() + self.policy.timeout_seconds
                )
            except FetchError as error:
                return found | {url: _error(error.code, url, url, error.message) for url in missing}
            try:
                fetched = self._run(self._fetch_all(missing, deadline), deadline)
            except concurrent.futures.TimeoutError:  # the loop itself did not answer
                fetched = {url: _error("FETCH_FAILED", url, url, "timed out") for url in missing}
            for url, outcome in fetched.items():
                if isinstance(outcome, FetchedDocument):
                    ttl = outcome.expires_at - outcome.fetched_at
                    self._cache.put(url, copy.deepcopy(outcome), ttl_seconds=ttl)
            found.update(fetched)
        return found

    def send(
        self,
        method: str,
        url: str,
        *,
        form: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpAnswer:
        """One request of ``method`` with a form or a JSON body (or none), vetted and
        limited as a fetch (every hop, the deadline, the slots in flight, ``max_bytes``, a
        verification's budget); redirects followed for GET only, so a body is never sent
        anywhere else; answered whatever its status (a refusal's body is the caller's to
        read); never cached. FetchError FETCH_BLOCKED/FETCH_TOO_LARGE/FETCH_FAILED when no
        answer could be had."""
        if form is not None and json_body is not None:
            raise ValueError("a form or a JSON body, not both")
        method = method.upper()
        if self.policy.offline:
            raise _error("FETCH_BLOCKED", url, url, "network access is off (offline)", method)
        content: bytes | None = None
        sent = dict(headers or {})
        if form is not None:
            content = urlencode(form).encode("ascii")
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif json_body is not None:
            content = json.dumps(json_body, separators=(",", ":")).encode("utf-8")
            sent.setdefault("Content-Type", "application/json")
        refuse_if_waits_refused(url)
        deadline = reserve_fetches(1, time.monotonic() + self.policy.timeout_seconds)
        outgoing = _Outgoing(method, content, sent)
        try:
            return self._run(self._send_within(url, outgoing, deadline), deadline)
        except concurrent.futures.TimeoutError:  # the loop itself did not answer
            raise _error("FETCH_FAILED", url, url, "timed out", method) from None

    def close(self) -> None:
        """Stop the fetch loop and close its connections."""
        with self._loop_lock:
            loop, self._loop = self._loop, None
        if loop is not None:
            loop.close()

    def __enter__(self) -> GuardedHttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- the loop -------------------------------------------------------------------------

    def _run(self, coroutine: Coroutine[Any, Any, T], deadline: float) -> T:
        with self._loop_lock:
            if self._loop is None or self._loop.pid != os.getpid():
                self._loop = _FetchLoop(
                    self._transport, workers=self.policy.max_in_flight, tls=self._tls
                )
            loop = self._loop
        # The loop answers by the deadline; the margin is for a loop that is not running.
        return loop.run(coroutine, timeout=max(0.0, deadline - time.monotonic()) + 5.0)

    async def _fetch_all(
        self, urls: list[str], deadline: float
    ) -> dict[str, FetchedDocument | FetchError]:
        outcomes = await asyncio.gather(*(self._fetch_within(url, deadline) for url in urls))
        return dict(zip(urls, outcomes, strict=True))

    async def _fetch_within(self, url: str, deadline: float) -> FetchedDocument | FetchError:
        try:
            with self._overall_slot(url):
                async with asyncio.timeout(deadline - time.monotonic()):
                    return await self._fetch(url)
        except TimeoutError:
            return _error("FETCH_FAILED", url, url, "timed out")
        except FetchError as error:
            return error

    async def _fetch(self, url: str) -> FetchedDocument:
        current = url
        for _ in range(self.policy.max_redirects + 1):
            outcome = await self._hop(url, current)
            if isinstance(outcome, FetchedDocument):
                return outcome
            current = outcome
        raise _error(
            "FETCH_FAILED", url, current, f"more than {self.policy.max_redirects} redirects"
        )

    async def _send_within(self, url: str, outgoing: _Outgoing, deadline: float) -> HttpAnswer:
        method = outgoing.method
        try:
            with self._overall_slot(url):
                async with asyncio.timeout(deadline - time.monotonic()):
                    current = url
                    for _ in range(self.policy.max_redirects + 1):
                        outcome = await self._send_hop(url, current, outgoing)
                        if isinstance(outcome, HttpAnswer):
                            return outcome
                        current = outcome
        except TimeoutError:
            raise _error("FETCH_FAILED", url, url, "timed out", method) from None
        why = f"more than {self.policy.max_redirects} redirects"
        raise _error("FETCH_FAILED", url, current, why, method)

    async def _send_hop(self, url: str, current: str, outgoing: _Outgoing) -> HttpAnswer | str:
        """One hop of :meth:`send`: the answer, or (GET only) the URL a redirect points to."""
        method = outgoing.method
        target, addresses = await self._vet(url, current, method)
        client = _FetchLoop.current_client()
        failures = []
        for address in addresses:
            request = client.build_request(
                method,
                target.copy_with(host=address),
                content=outgoing.content,
                headers={
                    **outgoing.headers,
                    "Host": target.netloc.decode("ascii"),
                    "Connection": "close",
                },
                extensions={"sni_hostname": target.raw_host.decode("ascii")},
            )
            with self._address_slot(url, address):
                try:
                    response = await client.send(request, stream=True)
                except httpx.ConnectError as exc:  # nothing was sent: try the next address
                    failures.append(f"{address}: {exc}")
                    continue
                except httpx.HTTPError as exc:
                    why = f"{type(exc).__name__}: {exc}"
                    raise _error("FETCH_FAILED", url, current, why, method) from exc
                try:
                    location = response.headers.get("location")
                    if method == "GET" and response.status_code in _REDIRECTS and location:
                        return str(target.join(location))
                    body = await self._read_body(url, current, response)
                except httpx.HTTPError as exc:
                    why = f"{type(exc).__name__}: {exc}"
                    raise _error("FETCH_FAILED", url, current, why, method) from exc
                finally:
                    await response.aclose()
                media_type = response.headers.get("content-type", "").split(";")[0]
                return HttpAnswer(
                    current,
                    response.status_code,
                    media_type.strip().lower(),
                    body,
                    etag=response.headers.get("etag"),
                )
        why = f"cannot connect ({'; '.join(failures)})"
        raise _error("FETCH_FAILED", url, current, why, method)

    # Slots are taken and given back on the loop's thread only, so the counts need no lock.

    @contextmanager
    def _overall_slot(self, url: str) -> Iterator[None]:
        """A place among the fetches in flight, or FETCH_BLOCKED at once."""
        if self._in_flight >= self.policy.max_in_flight:
            raise _error("FETCH_BLOCKED", url, url, "too many fetches in flight; try again")
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1

    @contextmanager
    def _address_slot(self, url: str, address: str) -> Iterator[None]:
        """A place among the fetches in flight to ``address``, or FETCH_BLOCKED at once."""
        if self._per_address[address] >= self.policy.max_in_flight_per_address:
            why = f"too many fetches in flight to {address}; try again"
            raise _error("FETCH_BLOCKED", url, url, why)
        self._per_address[address] += 1
        try:
            yield
        finally:
            self._per_address[address] -= 1
            if not self._per_address[address]:
                del self._per_address[address]

    # --- one hop --------------------------------------------------------------------------

    async def _hop(self, url: str, current: str) -> FetchedDocument | str:
        """One hop: the document, or the URL a redirect points to. The connection goes to
        the first reachable vetted address, keeping the Host header and TLS server name."""
        target, addresses = await self._vet(url, current)
        client = _FetchLoop.current_client()
        failures = []
        for address in addresses:
            request = client.build_request(
                "GET",
                target.copy_with(host=address),
                headers={"Host": target.netloc.decode("ascii"), "Connection": "close"},
                extensions={"sni_hostname": target.raw_host.decode("ascii")},
            )
            with self._address_slot(url, address):
                try:
                    response = await client.send(request, stream=True)
                except httpx.ConnectError as exc:
                    failures.append(f"{address}: {exc}")
                    continue
                except httpx.HTTPError as exc:
                    why = f"{type(exc).__name__}: {exc}"
                    raise _error("FETCH_FAILED", url, current, why) from exc
                try:
                    return await self._answer(url, current, target, response)
                finally:
                    await response.aclose()
        raise _error("FETCH_FAILED", url, current, f"cannot connect ({'; '.join(failures)})")

    async def _answer(
        self, url: str, current: str, target: httpx.URL, response: httpx.Response
    ) -> FetchedDocument | str:
        """The document a response carries, or the URL it redirects to."""
        location = response.headers.get("location")
        try:
            if response.status_code in _REDIRECTS and location:
                # Relative to the host name: the request itself went to the pinned address.
                return str(target.join(location))
            if not response.is_success:
                raise _error("FETCH_FAILED", url, current, f"HTTP status {response.status_code}")
            body = await self._read_body(url, current, response)
        except httpx.HTTPError as exc:
            raise _error("FETCH_FAILED", url, current, f"{type(exc).__name__}: {exc}") from exc
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
            size=len(body),
        )

    async def _vet(
        self, url: str, current: str, method: str = "GET"
    ) -> tuple[httpx.URL, list[str]]:
        """Check the URL of one hop and resolve its host to addresses that may be contacted."""
        try:
            target = httpx.URL(current)
        except httpx.InvalidURL as exc:
            raise _error("FETCH_BLOCKED", url, current, f"invalid URL: {exc}", method) from exc
        host = target.raw_host.decode("ascii").lower()
        if not (
            target.scheme == "https" or (target.scheme == "http" and self.allows_http(current))
        ):
            why = f"scheme {target.scheme!r} is not allowed (https only; http for allow_http_hosts)"
            raise _error("FETCH_BLOCKED", url, current, why, method)
        if not host:
            raise _error("FETCH_BLOCKED", url, current, "the URL has no host", method)
        if target.userinfo:
            why = "credentials in the URL are not allowed"
            raise _error("FETCH_BLOCKED", url, current, why, method)
        try:
            addresses = list(await _FetchLoop.resolve(self._resolver, host))
        except OSError as exc:
            why = f"cannot resolve {host}: {exc}"
            raise _error("FETCH_FAILED", url, current, why, method) from exc
        if not addresses:
            raise _error("FETCH_FAILED", url, current, f"{host} has no addresses", method)
        for address in addresses:
            address_class = forbidden_address_class(address)
            if address_class is not None and (
                address_class in _ALWAYS_FORBIDDEN or not self.policy.allow_private_networks
            ):
                why = f"{host} resolves to {address}, a {address_class} address"
                raise _error("FETCH_BLOCKED", url, current, why, method)
        return target, addresses

    async def _read_body(self, url: str, current: str, response: httpx.Response) -> bytes:
        limit = self.policy.max_bytes
        too_large = f"response is larger than {limit} bytes"
        declared = _digits(response.headers.get("content-length"))
        if declared is not None and declared > limit:
            raise _error("FETCH_TOO_LARGE", url, current, too_large)
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > limit:
                raise _error("FETCH_TOO_LARGE", url, current, too_large)
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


def _tls_context(extra_ca_file: Path | None) -> ssl.SSLContext:
    """The default trust (certifi's bundle, as httpx has it) plus ``extra_ca_file``'s CAs:
    an authority's own PKI, or a test CA."""
    context = ssl.create_default_context(cafile=certifi.where())
    if extra_ca_file is not None:
        context.load_verify_locations(cafile=str(extra_ca_file))
    return context


class _FetchLoop:
    """An asyncio loop in a daemon thread, with the httpx client and resolver threads its
    fetches use. The deadline of a fetch is the loop's to enforce: a coroutine waiting on a
    socket (or on a name) is cancelled when its time is up."""

    _state = threading.local()  # on the loop's thread: its client and resolver pool

    def __init__(
        self, transport: httpx.AsyncBaseTransport | None, *, workers: int, tls: ssl.SSLContext
    ) -> None:
        self.pid = os.getpid()
        self._tls = tls
        self._loop = asyncio.new_event_loop()
        self._resolvers = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="resolve"
        )
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, args=(transport, ready), name="vcservice-fetch", daemon=True
        )
        self._thread.start()
        ready.wait()

    def _serve(self, transport: httpx.AsyncBaseTransport | None, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._state.client = httpx.AsyncClient(
            transport=transport,
            verify=self._tls,
            follow_redirects=False,
            trust_env=False,
            headers=_HEADERS,
            timeout=_BACKSTOP_SECONDS,  # each fetch's deadline is the loop's to keep
        )
        self._state.resolvers = self._resolvers
        ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._state.client.aclose())
        self._loop.close()

    def run(self, coroutine: Coroutine[Any, Any, T], *, timeout: float) -> T:
        """Run ``coroutine`` on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=timeout)

    def close(self) -> None:
        """Stop the loop (its client closed) and its resolver threads."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._resolvers.shutdown(wait=False, cancel_futures=True)

    @classmethod
    def current_client(cls) -> httpx.AsyncClient:
        """The httpx client of the loop running the caller."""
        client: httpx.AsyncClient = cls._state.client
        return client

    @classmethod
    async def resolve(cls, resolver: HostResolver, host: str) -> Sequence[str]:
        """``resolver(host)`` on a resolver thread, abandoned (not waited for) past the
        deadline: the system resolver has a timeout of its own."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(cls._state.resolvers, resolver, host)


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


@dataclass(frozen=True)
class _Outgoing:
    """What :meth:`GuardedHttpClient.send` sends at each hop."""

    method: str
    content: bytes | None
    headers: Mapping[str, str]


def _error(code: str, url: str, current: str, why: str, method: str = "GET") -> FetchError:
    where = url if current == url else f"{url} (redirected to {current})"
    return FetchError(f"{method} {where}: {why}", code=code)
