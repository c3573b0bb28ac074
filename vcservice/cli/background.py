"""Services to talk to: given by URL, or started in the background as three role processes.

Started here, the issuer, holder and verifier each run as their own ``vcservice serve
--role …`` process with a data directory of its own (keys, secrets, admin token). They
share only the database and each other's public URLs: the holder and verifier resolve the
issuers' did:web documents and fetch their status lists over HTTP from the issuer, so
``localhost`` over plain http and loopback addresses are allowed for them, and nothing
fetched is reused (a suspension shows at the verifier at once). Every role's printed
certificates link to the verifier's page (``VCSERVICE_VERIFY_PAGE_URL``).

Kept (``keep_in``), the processes run in a session of their own with their data in that
directory, and outlive the command once its block ends well; ``keep_in/pids`` names them.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
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
    """A running service and its admin token (and its process id, when started here)."""

    url: str
    admin_token: str
    pid: int | None = None


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
    keep_in: Path | None = None,
) -> Iterator[Deployment]:
    """The service at ``url`` (every role), or three role processes started here: stopped
    when the block ends, or, with ``keep_in``, left running once it ends well."""
    given = _given(url, admin_token)
    if given is not None:
        yield Deployment(given, given, given)
        return
    with ExitStack() as stack:
        if keep_in is None:
            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vcservice-demo-")))
        else:
            root = _fresh_keep_directory(keep_in)
        shared = database_url or f"sqlite:///{root / 'vcservice.db'}"
        say(f"Starting the issuer, holder and verifier as three processes sharing {_safe(shared)}")
        ports = {role: _free_port() for role in ROLES}
        env = {
            # Each role has a key-encryption key of its own; they check one another's client
            # secrets and holder tokens, so they share the key of those digests.
            "VCSERVICE_SECRET_DIGEST_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32))
            .rstrip(b"=")
            .decode(),
            # Printed certificates, the issuer's and the holder's, link to the verifier's page.
            "VCSERVICE_VERIFY_PAGE_URL": f"http://localhost:{ports['verifier']}/verify",
        }
        # One after the other: the first migrates the database, the others find it current.
        targets = [
            stack.enter_context(
                _role_process(
                    role,
                    root / role,
                    shared,
                    context_store,
                    say=say,
                    port=ports[role],
                    env=env,
                    detached=keep_in is not None,
                )
            )
            for role in ROLES
        ]
        deployment = Deployment(*targets)
        yield deployment
        if keep_in is not None:
            (keep_in / PIDS_FILE).write_text(
                " ".join(str(target.pid) for target in targets) + "\n", encoding="utf-8"
            )


PIDS_FILE = "pids"


def _fresh_keep_directory(directory: Path) -> Path:
    """``directory``, emptied, unless the kept services of an earlier run still use it."""
    pids_file = directory / PIDS_FILE
    if pids_file.is_file():
        running = [pid for pid in pids_file.read_text(encoding="utf-8").split() if _alive(pid)]
        if running:
            raise SystemExit(
                f"the services an earlier demo kept still run from {directory}: stop them "
                f"first (kill {' '.join(running)})"
            )
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    return directory.resolve()


def _alive(pid: str) -> bool:
    """Whether a process of ours has that id (another user's process would refuse us: the
    id was reused, so the kept service is gone)."""
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError, PermissionError):
        return False
    return True


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
    port: int,
    env: dict[str, str],
    detached: bool,
) -> Iterator[Target]:
    data.mkdir()
    role_env = {
        **env,
        "VCSERVICE_ALLOW_HTTP_HOSTS": json.dumps(["localhost"]),
        "VCSERVICE_ALLOW_PRIVATE_NETWORKS": "true",
        "VCSERVICE_REMOTE_CACHE_SECONDS": "0",  # show each status change at once
    }
    arguments = ["--role", role, "--database-url", database_url]
    with _serve_process(
        data, context_store, arguments, role_env, port=port, detached=detached
    ) as target:
        say(f"   {role:8} {target.url}  (data in {data})")
        yield target


@contextmanager
def _serve_process(
    data: Path,
    context_store: Path,
    serve_args: Sequence[str],
    env: dict[str, str],
    *,
    port: int | None = None,
    detached: bool = False,
) -> Iterator[Target]:
    """``vcservice serve`` on ``port`` (default a free one) with ``data`` as its data
    directory, stopped when the block ends — or, ``detached``, in a session of its own and
    left running once the block ends well."""
    port = port or _free_port()
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
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=detached,  # a kept service outlives the terminal's signals
        )
    try:
        _wait_until_ready(url, process, log_path)
        token = (data / "admin-token").read_text(encoding="utf-8").strip()
        yield Target(url, token, pid=process.pid)
    except BaseException:
        _stop(process)
        raise
    if not detached:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=30)


def _wait_until_ready(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Until ``/readyz`` answers 200; a service that answers 503 is up but will not become
    ready by waiting (its contexts are not installed, say): stop, saying why."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the service exited:\n{log_path.read_text(encoding='utf-8')[-3000:]}")
        try:
            ready = httpx.get(f"{url}/readyz", timeout=2)
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if ready.status_code == 200:
            return
        raise SystemExit(f"the service at {url}/readyz answers {_detail(ready)}")
    raise SystemExit(f"the service did not start within {STARTUP_SECONDS} s")


def _detail(response: httpx.Response) -> str:
    """``503 NOT_READY: <its detail>``, or the status and the start of the body."""
    try:
        problem = response.json()
        return f"{response.status_code} {problem['code']}: {problem['detail']}"
    except (ValueError, KeyError, TypeError):
        return f"{response.status_code}: {response.text[:300]}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _safe(database_url: str) -> str:
    """The URL without its password, for printing."""
    password = urlsplit(database_url).password
    return database_url.replace(f":{password}@", ":***@") if password else database_url
