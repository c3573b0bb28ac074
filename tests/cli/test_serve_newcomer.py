"""`vcservice serve` as a new user meets it: not ready while the pinned contexts are missing
(and saying how to install them), and its API documentation served from the package.

One real ``vcservice serve`` process for the module, started with an empty context store.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from tests.conftest import upstream_path
from vcservice.api.docs import SWAGGER_FILES
from vcservice.cli.main import main

STARTUP_SECONDS = 60


@dataclass(frozen=True)
class Served:
    url: str
    store: Path
    log: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`vcservice serve` with an empty context store, on a free port."""
    root = tmp_path_factory.mktemp("serve-newcomer")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store, log = root / "contexts", root / "serve.log"
    env = {name: value for name, value in os.environ.items() if not name.startswith("VCSERVICE_")}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                Path(sys.executable).with_name("vcservice"),
                "--context-store",
                store,
                "serve",
                "--port",
                str(port),
                "--data",
                root / "data",
            ],
            env=env | {"VCSERVICE_JSONLD_PATH": "checked"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                httpx.get(f"{url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield Served(url, store, log)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def test_not_ready_until_the_contexts_are_installed(
    served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    logged = served.log.read_text()
    assert "WARNING vcservice.serve: not ready (/readyz answers 503)" in logged
    install = f"vcservice --context-store {served.store} contexts install"
    assert install in logged

    response = httpx.get(f"{served.url}/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "NOT_READY"
    assert "contexts:" in problem["detail"] and install in problem["detail"]
    assert "https://www.w3.org/ns/credentials/v2" in problem["detail"]
    assert httpx.get(f"{served.url}/healthz").status_code == 200  # alive, not ready

    source = str(upstream_path("contexts"))
    code = main(["--context-store", str(served.store), "contexts", "install", "--from", source])
    assert code == 0, capsys.readouterr()
    ready = httpx.get(f"{served.url}/readyz")  # no restart needed
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "keyStore": "ok", "contexts": "ok"}


class _References(HTMLParser):
    """Every URL an HTML page loads or links to (src, href), and the data-* URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and (name in {"src", "href"} or name.endswith("-url")):
                self.urls.append(value)


def test_docs_are_served_from_the_package_with_nothing_external(served: Served) -> None:
    page = httpx.get(f"{served.url}/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "http" not in policy  # no other origin allowed to load anything
    assert "<script>" not in page.text  # no inline script: the policy would block it

    references = _References()
    references.feed(page.text)
    loaded = [urljoin(page.url.path, url) for url in references.urls]
    assert loaded, page.text
    for url in loaded:
        assert not urlsplit(url).scheme and not urlsplit(url).netloc, url  # this origin
    assets = {url.rpartition("/")[2] for url in loaded if url.startswith("/docs/assets/")}
    assert assets == {*SWAGGER_FILES, "docs.js"}
    assert "/openapi.json" in loaded
    for url in loaded:
        fetched = httpx.get(f"{served.url}{url}")
        assert fetched.status_code == 200, url
        assert fetched.content, url
        if url.endswith(".js"):
            assert fetched.headers["content-type"].startswith("text/javascript")
        if url.endswith(".css"):
            assert fetched.headers["content-type"].startswith("text/css")
            assert not re.search(r"url\((?!\"?'?data:)", fetched.text), (
                "the stylesheet loads no file"
            )
    initializer = httpx.get(f"{served.url}/docs/assets/docs.js").text
    assert "validatorUrl: null" in initializer  # no badge from validator.swagger.io
    assert not re.search(r"https?://", initializer)

    for absent in ("/docs/assets/index.html", "/docs/assets/..%2F..%2Fpyproject.toml", "/redoc"):
        assert httpx.get(f"{served.url}{absent}").status_code == 404, absent


@pytest.mark.browser
def test_swagger_ui_renders_under_its_policy(served: Served, tmp_path: Path) -> None:
    """Headless Chromium shows the operations, with nothing refused by the page's policy."""
    from selenium.webdriver.common.by import By

    from tests.api.browser import chromium, wait_for

    with chromium(tmp_path / "profile") as driver:
        driver.get(f"{served.url}/docs")
        wait_for(driver, ".opblock")
        assert len(driver.find_elements(By.CSS_SELECTOR, ".opblock")) > 20
        assert "vcservice" in driver.find_element(By.CSS_SELECTOR, ".info .title").text
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []
