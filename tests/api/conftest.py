"""A live vcservice over real HTTP: ``create_app(Settings(...))`` under uvicorn on loopback.

``live_service`` (module scope) runs once per backend: SQLite in a temporary data
directory, and PostgreSQL in a database created for the module (and dropped after it)
when ``VCSERVICE_TEST_POSTGRES_URL`` is set. Tests drive it with ``httpx`` only; the
helpers create authorities and OAuth2 clients through the admin API and ``/oauth/token``.

Every response the service sends through ``LiveService.http`` is checked for secret key
material on the way in, so a leak fails the test that provoked it.
"""

from __future__ import annotations

import itertools
import json
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import make_url

from tests.api.browser import chromium
from tests.api.builders import CBP_TYPES, SAT_TYPES
from tests.postgres import NO_POSTGRES, POSTGRES_URL, fresh_postgres_database
from vcservice.api.app import create_app
from vcservice.jose.jws import decode_compact
from vcservice.services.container import Services
from vcservice.settings import Settings

PROBLEM_JSON = "application/problem+json"
ISSUE, READ, VERIFY = "issue:credentials", "read:credentials", "verify:credentials"
STARTUP_SECONDS = 20.0
# Never in a response: names of secret-key members and of the wrapped (encrypted) secrets.
SECRET_MARKERS = (
    "secretKeyMultibase",
    "privateKeyMultibase",
    "privateKeyJwk",
    "encrypted",
    "secret_hash",
    "secretHash",
)


# ---------------------------------------------------------------- the running service


@dataclass
class Issuer:
    """An authority with one OAuth2 client and a token carrying the client's scopes."""

    name: str
    did: str
    client_id: str
    client_secret: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """``Authorization: Bearer …`` for this issuer's token."""
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class LiveService:
    """A running service: its URL, admin token, HTTP client and setup helpers."""

    url: str
    settings: Settings
    admin_token: str
    http: httpx.Client
    backend: str
    responses: list[httpx.Response]
    services: Services | None = None
    """The app's services, where the test built them (``serve(..., services=...)``)."""
    _names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def data_dir(self) -> Path:
        """The service's data directory (database for SQLite, key files, admin token)."""
        return self.settings.data_dir

    @property
    def admin(self) -> dict[str, str]:
        """``Authorization`` with the admin token."""
        return {"Authorization": f"Bearer {self.admin_token}"}

    def status_lists(self, credential: dict[str, Any] | str) -> list[dict[str, Any]]:
        """The status list credentials a credential points to, fetched from the service."""
        document = (
            decode_compact(credential).payload_json() if isinstance(credential, str) else credential
        )
        urls = {entry["statusListCredential"] for entry in document.get("credentialStatus", [])}
        lists = []
        for url in sorted(urls):
            response = self.http.get(httpx.URL(url).path)
            assert response.status_code == 200, response.text
            lists.append(response.json())
        return lists

    def client(self, *, source: str | None = None) -> httpx.Client:
        """Another HTTP client to the service (for concurrent requests, or from another
        loopback ``source`` address such as 127.0.3.7), inspected alike."""
        return httpx.Client(
            base_url=self.http.base_url,
            timeout=self.http.timeout,
            event_hooks=self.http.event_hooks,
            transport=httpx.HTTPTransport(local_address=source) if source else None,
        )

    def unique_name(self, prefix: str) -> str:
        """An authority name not used before in this service."""
        return f"{prefix}-{next(self._names)}"

    def create_authority(self, name: str, credential_types: list[str]) -> dict[str, Any]:
        """Create an authority through the admin API (201) and return its view."""
        response = self.http.post(
            "/admin/authorities",
            headers=self.admin,
            json={"name": name, "displayName": name.upper(), "credentialTypes": credential_types},
        )
        assert response.status_code == 201, response.text
        view: dict[str, Any] = response.json()
        return view

    def create_client(self, authority: str, scopes: list[str]) -> tuple[str, str]:
        """A new OAuth2 client of ``authority``: (client id, secret)."""
        response = self.http.post(
            f"/admin/authorities/{authority}/clients", headers=self.admin, json={"scopes": scopes}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return body["clientId"], body["clientSecret"]

    def request_token(
        self, client_id: str, secret: str, scope: str | None = None
    ) -> httpx.Response:
        """``POST /oauth/token`` with the client credentials in HTTP Basic."""
        form = {"grant_type": "client_credentials"}
        if scope is not None:
            form["scope"] = scope
        return self.http.post("/oauth/token", data=form, auth=(client_id, secret))

    def token(self, client_id: str, secret: str, scope: str | None = None) -> str:
        """An access token for the client (asserting the grant succeeds)."""
        response = self.request_token(client_id, secret, scope)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "Bearer"
        return str(body["access_token"])

    def issuer(
        self,
        prefix: str,
        credential_types: list[str],
        scopes: tuple[str, ...] = (ISSUE, READ),
        *,
        accredited: bool = True,
    ) -> Issuer:
        """A fresh authority allowed ``credential_types``, a client and its token.

        Unless told otherwise, the verifier's trust registry accredits it for those types.
        """
        name = self.unique_name(prefix)
        authority = self.create_authority(name, credential_types)
        if accredited:
            self.accredit(authority["did"], credential_types, name=name.upper())
        client_id, secret = self.create_client(name, list(scopes))
        return Issuer(name, authority["did"], client_id, secret, self.token(client_id, secret))

    def verifier_client(self, prefix: str) -> Issuer:
        """A verifier's app (a customs broker's, say): a client of an organisation that
        issues nothing, with a ``verify:credentials`` token."""
        return self.issuer(prefix, [], scopes=(VERIFY,), accredited=False)

    def accredit(self, did: str, credential_types: list[str], **entry: Any) -> dict[str, Any]:
        """Accredit ``did`` in the trust registry through the admin API (201)."""
        body = {"id": did, "name": did, "credentialTypes": credential_types} | entry
        response = self.http.post("/admin/trust-registry/issuers", headers=self.admin, json=body)
        assert response.status_code == 201, response.text
        view: dict[str, Any] = response.json()
        return view

    def did_document(self, name: str) -> dict[str, Any]:
        """``GET /issuers/{name}/did.json``."""
        response = self.http.get(f"/issuers/{name}/did.json")
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        return document

    def registry(self, issuer: Issuer, **params: Any) -> dict[str, Any]:
        """``GET /credentials`` for ``issuer`` (asserting 200)."""
        response = self.http.get("/credentials", headers=issuer.headers, params=params)
        assert response.status_code == 200, response.text
        page: dict[str, Any] = response.json()
        return page


def _inspector(responses: list[httpx.Response]) -> Any:
    """An httpx response hook: keep every response, failing the test on key material."""

    def inspect(response: httpx.Response) -> None:
        response.read()
        responses.append(response)
        for marker in SECRET_MARKERS:
            assert marker not in response.text, f"{response.request.url} returned {marker!r}"

    return inspect


class _TracebackLoggedOnce(logging.Filter):
    """Drop uvicorn's copy of a traceback that ``vcservice.api.problems`` already logged.

    uvicorn logs it in the server thread *after* the 500 went out, while the test thread
    may be formatting a failure of its own. CPython 3.11 keeps the ``ast`` module's
    recursion counter per interpreter, and traceback carets parse source with ``ast``,
    so the two can collide and crash pytest with "SystemError: AST constructor recursion
    depth mismatch" (python/cpython#106905, pytest-dev/pytest#10763).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.getMessage().startswith("Exception in ASGI application"):
            record.msg = f"{record.getMessage().strip()} (traceback logged above)"
            record.args, record.exc_info = (), None
        return True


def _listening_socket() -> socket.socket:
    """A loopback socket on a free port, handed to uvicorn (no race for the port).

    ``IPPROTO_TCP`` is explicit so that asyncio sets TCP_NODELAY on accepted connections;
    with protocol 0 it does not, and every response waits ~40 ms for a delayed ACK.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(
    tmp_path: Path,
    database_url: str | None,
    context_store: Path,
    *,
    services: Callable[[Settings], Services] | None = None,
    **settings: Any,
) -> Iterator[LiveService]:
    """Run the service under uvicorn in a thread until the block ends; its ``Services``
    built by ``services`` from its settings, if given (and kept in ``LiveService.services``),
    else by the app."""
    sock = _listening_socket()
    port = sock.getsockname()[1]
    url = f"http://localhost:{port}"
    config = Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        public_url=url,
        context_store=context_store,
        **settings,
    )
    built = None if services is None else services(config)
    # As under `vcservice serve`, the app (not uvicorn) reads X-Forwarded-For.
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, services=built),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            proxy_headers=False,
        )
    )
    uvicorn_errors, once = logging.getLogger("uvicorn.error"), _TracebackLoggedOnce()
    uvicorn_errors.addFilter(once)  # after uvicorn.Config, which configures its logging
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True
    )
    thread.start()
    responses: list[httpx.Response] = []
    http = httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        timeout=30.0,
        event_hooks={"response": [_inspector(responses)]},
    )
    try:
        _wait_until_healthy(http, server, thread)
        admin_token = (config.data_dir / "admin-token").read_text(encoding="utf-8").strip()
        backend = "sqlite" if database_url is None else make_url(database_url).get_backend_name()
        yield LiveService(url, config, admin_token, http, backend, responses, built)
    finally:
        http.close()
        server.should_exit = True
        thread.join(timeout=STARTUP_SECONDS)
        uvicorn_errors.removeFilter(once)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not shut down"


def _wait_until_healthy(
    http: httpx.Client, server: uvicorn.Server, thread: threading.Thread
) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("uvicorn exited during startup (see the log above)")
        if server.started:
            try:
                if http.get("/healthz").json() == {"status": "ok"}:
                    return
            except httpx.TransportError:
                pass
        time.sleep(0.02)
    raise RuntimeError(f"the service did not answer /healthz within {STARTUP_SECONDS} s")


# ---------------------------------------------------------------- backends


@contextmanager
def database_for(backend: str) -> Iterator[str | None]:
    """``None`` (SQLite in the data directory) or the URL of a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield None
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with fresh_postgres_database(POSTGRES_URL, prefix="vcservice_api") as url:
        yield url


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
# A module's tests send wrong tokens and secrets from one address on purpose, far more than
# TOKEN_RATE_PER_MINUTE's default lets an address fail; with it, the 401 under test would be
# a 429. The shared service lets an address fail 1,000 times in a burst (still counting);
# test_token_checks.py tests the limit itself.
SHARED_TOKEN_RATE_PER_MINUTE = 6_000


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The storage backend a module's service runs on."""
    return str(request.param)


@pytest.fixture(scope="module")
def live_service(
    backend: str, context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """The service on ``backend``, for every test of one module."""
    with (
        database_for(backend) as database_url,
        serve(
            tmp_path_factory.mktemp(f"api-{backend}"),
            database_url,
            context_store_dir,
            token_rate_per_minute=SHARED_TOKEN_RATE_PER_MINUTE,
        ) as live,
    ):
        yield live


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for a module of page tests, with a fresh profile."""
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


@pytest.fixture(scope="module")
def sat(live_service: LiveService) -> Issuer:
    """SAT: issues IMMEX and OEA certificates."""
    return live_service.issuer("sat", SAT_TYPES)


@pytest.fixture(scope="module")
def cbp(live_service: LiveService) -> Issuer:
    """CBP: issues C-TPAT certificates."""
    return live_service.issuer("cbp", CBP_TYPES)


# ---------------------------------------------------------------- assertions


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None, field: str | None = None
) -> dict[str, Any]:
    """``response`` is an RFC 9457 problem with this status (and code, field if given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON), response.headers
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert isinstance(problem["code"], str) and problem["code"]
    if code is not None:
        assert problem["code"] == code, problem
    if field is not None:
        assert problem.get("field") == field, problem
    return problem


def dumps(document: Any) -> str:
    """Stable JSON text, for byte comparisons of documents."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))
