"""The README's first steps work as written, for a new user: from a fresh clone with an empty
HOME, ``bash scripts/demo.sh``, then ``vcservice serve`` and the README's issuance example.

The commands are the README's own fenced blocks, found by the ``<!-- newcomer: NAME -->``
line above each, so the test breaks when the README drifts from what works. The clone is
the files git would commit (tracked and new, not ignored) copied to a directory with
``../shared/upstream/contexts`` beside it, as CI lays it out. Nothing is downloaded: uv
installs from the machine's uv cache (``UV_CACHE_DIR``, offline) and the pinned uv is the
checkout's own (``.tools/bin/uv``, which ``scripts/uv.sh`` would otherwise install from PyPI).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT, upstream_path
from vcservice.certificates.samples import by_slug

pytestmark = [pytest.mark.slow, pytest.mark.shared]

README = REPO_ROOT / "README.md"
MARKED_BLOCK = re.compile(r"<!-- newcomer: (\w+)[^>]*-->\n```sh\n(.*?)```", re.DOTALL)
SERVICE = "http://localhost:8080"
STEP_SECONDS = 600


def readme_blocks(text: str) -> dict[str, str]:
    """The README's newcomer blocks by name, in the order they appear."""
    return {name: body for name, body in MARKED_BLOCK.findall(text)}


def test_the_readme_names_its_newcomer_blocks_in_order() -> None:
    blocks = readme_blocks(README.read_text(encoding="utf-8"))
    assert list(blocks) == ["setup", "serve", "issue"]
    assert blocks["setup"].strip() == "bash scripts/demo.sh"
    assert "vcservice serve" in blocks["serve"]


def test_the_readme_issues_the_documented_immex_example() -> None:
    """The README's request body is the IMMEX request's documented example (the OpenAPI one),
    its dates moved to today (shell expansions in the README)."""
    issue = readme_blocks(README.read_text(encoding="utf-8"))["issue"]
    heredoc = re.search(r"<<EOF\n(.*?)\nEOF\n", issue, re.DOTALL)
    assert heredoc is not None
    body = json.loads(
        heredoc.group(1)
        .replace("$(( $(date +%Y) - 1 ))", "2025")
        .replace("$(date -u -d '+1 year' +%Y-%m-%dT00:00:00Z)", "2030-01-01T00:00:00Z")
    )
    assert "…" not in issue and "{…}" not in issue  # nothing left for the reader to fill in
    assert body["certificate"] == by_slug("immex").example_request()
    assert set(body) == {"certificate", "validUntil", "options"}


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Path:
    """The files git would commit, in ``tmp/work/main``, with ``tmp/work/shared`` beside it."""
    clone = tmp_path / "work" / "main"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source, target = REPO_ROOT / name, clone / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(source.readlink())
        else:
            shutil.copy2(source, target)
    contexts = tmp_path / "work" / "shared" / "upstream" / "contexts"
    contexts.parent.mkdir(parents=True)
    contexts.symlink_to(upstream_path("contexts"))
    # The pinned uv that scripts/uv.sh would install into .tools/ (from PyPI) is this one.
    uv = clone / ".tools" / "bin" / "uv"
    uv.parent.mkdir(parents=True)
    shutil.copy2(REPO_ROOT / ".tools" / "bin" / "uv", uv)
    return clone


def _newcomer_environment(home: Path) -> dict[str, str]:
    """The machine's environment as a new user has it: no vcservice settings, an empty HOME,
    and uv reading its packages from the existing cache without the network."""
    cache = subprocess.run(
        [str(REPO_ROOT / ".tools" / "bin" / "uv"), "cache", "dir"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    dropped = ("VCSERVICE_", "XDG_", "VIRTUAL_ENV", "UV_", "PROMETHEUS_MULTIPROC_DIR")
    env = {name: value for name, value in os.environ.items() if not name.startswith(dropped)}
    home.mkdir()
    return env | {"HOME": str(home), "UV_CACHE_DIR": cache, "UV_OFFLINE": "1"}


@pytest.fixture
def port_8080_free() -> None:
    """The README's service listens on 8080: another one there would answer instead."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 8080)) == 0:
            pytest.skip("something already listens on localhost:8080, the README's port")


@pytest.fixture
def background() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes started in a session of their own, ended with their children at the end."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _run(block: str, clone: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_SECONDS,
        check=False,
    )


def _wait_until_ready(process: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text(encoding="utf-8")
        try:
            return httpx.get(f"{SERVICE}/readyz", timeout=5)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"vcservice serve did not answer:\n{log.read_text(encoding='utf-8')}")


def test_a_new_user_follows_the_readme(
    fresh_clone: Path,
    tmp_path: Path,
    port_8080_free: None,
    background: list[subprocess.Popen[bytes]],
) -> None:
    blocks = readme_blocks((fresh_clone / "README.md").read_text(encoding="utf-8"))
    env = _newcomer_environment(tmp_path / "home")

    setup = _run(blocks["setup"], fresh_clone, env)
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    assert "All steps behaved as expected." in setup.stdout
    store = tmp_path / "home" / ".local" / "share" / "vcservice" / "contexts"
    assert f"the pinned contexts are installed in {store}" in setup.stdout
    # Its closing note: out/'s certificates need their issuer, which the demo stopped.
    assert "the demo has stopped its services" in setup.stdout
    assert "vcservice demo --keep" in setup.stdout

    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        background.append(
            subprocess.Popen(
                ["bash", "-euo", "pipefail", "-c", blocks["serve"]],
                cwd=fresh_clone,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    ready = _wait_until_ready(background[0], log)
    # The demo's contexts are the ones serve reads: ready, not 422 CONTEXT_NOT_INSTALLED later.
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"]["contexts"] == "ok"

    issue = _run(blocks["issue"], fresh_clone, env)
    assert issue.returncode == 0, issue.stdout + issue.stderr
    lines = issue.stdout.strip().splitlines()
    assert "201" in lines, issue.stdout
    issued = json.loads((fresh_clone / "out" / "immex-issued.json").read_text(encoding="utf-8"))
    credential = issued["verifiableCredential"]
    assert credential["type"] == ["VerifiableCredential", "IMMEXCertificate"]
    assert credential["issuer"]["id"] == "did:web:localhost%3A8080:issuers:economia"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    verification = json.loads(lines[-1])
    assert verification["verified"] is True, verification
