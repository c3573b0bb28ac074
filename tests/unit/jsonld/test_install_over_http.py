"""`contexts install` from the canonical URLs: through the guarded client, digest-checked."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.conftest import upstream_path
from vcservice.jsonld.manifest import ContextManifest, default_contexts_dir
from vcservice.jsonld.store import ContextStore
from vcservice.net.guarded_client import GuardedHttpClient

pytestmark = pytest.mark.shared
PUBLIC_IP = "93.184.215.14"  # never contacted: the transport below answers in-process
MIRROR = "https://contexts-mirror.example"


def _published() -> dict[str, bytes]:
    directory = upstream_path("contexts")
    index = json.loads((directory / "INDEX.json").read_text())["contexts"]
    return {url: (directory / entry["file"]).read_bytes() for url, entry in index.items()}


def _client(
    published: dict[str, bytes], requests: list[httpx.Request], *, tamper: str | None = None
) -> GuardedHttpClient:
    """Serve the published contexts; w3id.org URLs redirect once, as the real ones do."""

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        url = f"https://{request.headers['host']}{request.url.raw_path.decode()}"
        if url.startswith("https://w3id.org/"):
            return httpx.Response(
                302, headers={"location": MIRROR + url[len("https://w3id.org") :]}
            )
        url = url.replace(MIRROR, "https://w3id.org")
        if url not in published:
            return httpx.Response(404)
        body = published[url]
        if url == tamper:
            body = body.replace(b"https://schema.org/name", b"https://attacker.example/name")
        return httpx.Response(200, content=body, headers={"content-type": "application/ld+json"})

    return GuardedHttpClient(
        transport=httpx.MockTransport(handle), resolver=lambda host: [PUBLIC_IP]
    )


def test_install_from_canonical_urls(tmp_path: Path) -> None:
    requests: list[httpx.Request] = []
    store = ContextStore(tmp_path, ContextManifest.load(default_contexts_dir()))
    with _client(_published(), requests) as client:
        report = store.install_from_fetcher(lambda url: client.get_json(url).data)
    assert report.complete, report.missing
    assert all(r.headers["accept"].startswith("application/ld+json") for r in requests)
    assert any(r.headers["host"] == "contexts-mirror.example" for r in requests)


def test_a_context_served_with_other_content_is_refused(tmp_path: Path) -> None:
    v2 = "https://www.w3.org/ns/credentials/v2"
    store = ContextStore(tmp_path, ContextManifest.load(default_contexts_dir()))
    with _client(_published(), [], tamper=v2) as client:
        report = store.install_from_fetcher(lambda url: client.get_json(url).data)
    assert list(report.missing) == [v2]
    assert "pinned digest" in report.missing[v2]
    assert not store.is_installed(store.manifest.get(v2))
