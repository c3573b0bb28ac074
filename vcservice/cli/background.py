"""A vcservice to talk to: the one given by URL, or one started in the background."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

STARTUP_SECONDS = 60


@dataclass(frozen=True)
class Target:
    """A running service and its admin token."""

    url: str
    admin_token: str


@contextmanager
def running_service(
    url: str | None,
    admin_token: str | None,
    context_store: Path,
    *,
    serve_args: Sequence[str] = (),
    say: Callable[[str], None] = lambda text: None,
) -> Iterator[Target]:
    """The given service, or one started here on a free port with a fresh data directory."""
    if url is not None:
        if admin_token is None:
            raise SystemExit("--admin-token is required with --url")
        yield Target(url.rstrip("/"), admin_token)
        return
    with tempfile.TemporaryDirectory(prefix="vcservice-demo-") as data:
        port = _free_port()
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
            data,
        ]
        say(f"Starting vcservice on port {port} with data in {data}")
        env = {**os.environ, "VCSERVICE_DEV_MODE": "true"}
        log_path = Path(data) / "server.log"
        with log_path.open("w", encoding="utf-8") as log:
            process = subprocess.Popen(command, env=env, stdout=log, stderr=log)  # noqa: S603
        try:
            url = f"http://localhost:{port}"
            _wait_until_up(url, process, log_path)
            yield Target(url, (Path(data) / "admin-token").read_text(encoding="utf-8").strip())
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
