"""Services to talk to: given by URL, or started in the background as three role processes.

Started here, the issuer, holder and verifier each run as their own ``vcservice serve
--role …`` process with a data directory of its own (keys, secrets, admin token). They
share only the database and each other's public URLs: the holder and verifier resolve the
issuers' did:web documents and fetch their status lists over HTTP from the issuer, so
``localhost`` over plain http and loopback addresses are allowed for them, and nothing
fetched is reused (a suspension shows at the verifier at once).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

STARTUP_SECONDS = 60
ROLES = ("issuer", "holder", "verifier")


@dataclass(frozen=True)
class Target:
    """A running service and its admin token."""

    url: str
    admin_token: str


@dataclass(frozen=True)
class Deployment:
    """Where each role answers (one URL for all three when the service runs them all)."""

    issuer: Target
    holder: Target
    verifier: Target


@contextmanager
def running_deployment(
    url: str | None,
    admin_token: str | None,
    context_store: Path,
    *,
    database_url: str | None = None,
    say: Callable[[str], None] = lambda text: None,
) -> Iterator[Deployment]:
    """The service at ``url`` (every role), or three role processes started here."""
    given = _given(url, admin_token)
    if given is not None:
        yield Deployment(given, given, given)
        return
    with tempfile.TemporaryDirectory(prefix="vcservice-demo-") as root, ExitStack() as stack:
        shared = database_url or f"sqlite:///{Path(root) / 'vcservice.db'}"
        say(f"Starting the issuer, holder and verifier as three processes sharing {_safe(shared)}")
        # Each role has a key-encryption key of its own; they check one another's client
        # secrets and holder tokens, so they share the key of those digests.
        digest_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        # One after the other: the first migrates the database, the others find it current.
        targets = [
            stack.enter_context(
                _role_process(
                    role, Path(root) / role, shared, context_store, say=say, digest_key=digest_key
                )
            )
            for role in ROLES
        ]
        yield Deployment(*targets)


@contextmanager
def running_service(
    url: str | None,
    admin_token: str | None,
    context_store: Path,
    *,
    serve_args: Sequence[str] = (),
    say: Callable[[str], None] = lambda text: None,
) -> Iterator[Target]:
    """The service at ``url``, or one process serving every role, started here."""
    given = _given(url, admin_token)
    if given is not None:
        yield given
        return
    with (
        tempfile.TemporaryDirectory(prefix="vcservice-") as data,
        _serve_process(Path(data), context_store, serve_args, {}) as target,
    ):
        say(f"Started vcservice at {target.url} with data in {data}")
        yield target


def _given(url: str | None, admin_token: str | None) -> Target | None:
    """The running service named on the command line, if one is."""
    if url is None:
        return None
    if admin_token is None:
        raise SystemExit("--admin-token is required with --url")
    return Target(url.rstrip("/"), admin_token)


@contextmanager
def _role_process(
    role: str,
    data: Path,
    database_url: str,
    context_store: Path,
    *,
    say: Callable[[str], None],
    digest_key: str,
) -> Iterator[Target]:
    data.mkdir()
    env = {
        "VCSERVICE_SECRET_DIGEST_KEY": digest_key,
        "VCSERVICE_ALLOW_HTTP_HOSTS": json.dumps(["localhost"]),
        "VCSERVICE_ALLOW_PRIVATE_NETWORKS": "true",
        "VCSERVICE_REMOTE_CACHE_SECONDS": "0",  # show each status change at once
    }
    arguments = ["--role", role, "--database-url", database_url]
    with _serve_process(data, context_store, arguments, env) as target:
        say(f"   {role:8} {target.url}  (data in {data})")
        yield target


@contextmanager
def _serve_process(
    data: Path, context_store: Path, serve_args: Sequence[str], env: dict[str, str]
) -> Iterator[Target]:
    """``vcservice serve`` on a free port with ``data`` as its data directory, until exit."""
    port = _free_port()
    url = f"http://localhost:{port}"
    command = [
        sys.executable,
        "-m",
        "vcservice",
        "--context-store",
        str(context_store),
        "serve",
        "--port",
        str(port),
        "--data",
        str(data),
        *serve_args,
    ]
    log_path = data / "server.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(  # noqa: S603
            command,
            env={**os.environ, "VCSERVICE_DEV_MODE": "true", **env},
            stdout=log,
            stderr=log,
        )
    try:
        _wait_until_up(url, process, log_path)
        yield Target(url, (data / "admin-token").read_text(encoding="utf-8").strip())
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the service exited:\n{log_path.read_text(encoding='utf-8')[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit(f"the service did not start within {STARTUP_SECONDS} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _safe(database_url: str) -> str:
    """The URL without its password, for printing."""
    password = urlsplit(database_url).password
    return database_url.replace(f":{password}@", ":***@") if password else database_url
