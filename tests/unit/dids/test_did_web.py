"""did:web: DID <-> URL mapping, document building, resolution through a mocked transport."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from vcservice.dids import (
    DidDocument,
    DidWebMethod,
    build_did_web_document,
    did_web_document_url,
    did_web_for_url,
)
from vcservice.errors import DidError
from vcservice.keys import KeyPair, KeyType
from vcservice.net import GuardedHttpClient

KEY = KeyPair.generate(KeyType.ED25519).public_key


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:example.com:issuers:sat", "https://example.com/issuers/sat/did.json"),
        ("did:web:example.com%3A8443", "https://example.com:8443/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:localhost%3A3000:a%20b", "https://localhost:3000/a%20b/did.json"),
    ],
)
def test_document_urls(did: str, url: str) -> None:
    assert did_web_document_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web:127.0.0.1",
        "did:web:%5B%3A%3A1%5D",
        "did:web:exa_mple.com",
        "did:web:-example.com",
        "did:web:example.com%3A0",
        "did:web:example.com%3A99999",
        "did:web:example.com%3Ahttp",
        "did:web:example.com:..",
        "did:web:example.com:a%2Fb",
        "did:web:example.com:a::b",
        "did:web:example.com/path",
        "did:key:example.com",
    ],
)
def test_invalid_did_webs_are_rejected(did: str) -> None:
    with pytest.raises(DidError) as caught:
        did_web_document_url(did)
    assert caught.value.code == "INVALID_DID"
    assert did in caught.value.message


@pytest.mark.parametrize(
    ("base_url", "segments", "did"),
    [
        ("https://example.com", (), "did:web:example.com"),
        ("https://Example.com:443/", (), "did:web:example.com"),
        ("https://example.com:8443", ("issuers", "sat"), "did:web:example.com%3A8443:issuers:sat"),
        ("https://example.com/vc/", ("a b",), "did:web:example.com:vc:a%20b"),
        # The scheme is not part of the DID: a development http URL gives the same DID.
        ("http://localhost:8080", ("issuers", "sat"), "did:web:localhost%3A8080:issuers:sat"),
    ],
)
def test_did_for_url(base_url: str, segments: tuple[str, ...], did: str) -> None:
    assert did_web_for_url(base_url, segments) == did


@pytest.mark.parametrize(
    "base_url",
    [
        "ftp://example.com",
        "https://example.com?x=1",
        "https://example.com:99999",
        "https://1.2.3.4",
    ],
)
def test_did_for_url_rejects_unusable_bases(base_url: str) -> None:
    with pytest.raises(DidError) as caught:
        did_web_for_url(base_url)
    assert caught.value.code == "INVALID_DID"


def test_built_documents_list_every_key_for_assertion_and_authentication() -> None:
    other = KeyPair.generate(KeyType.P256).public_key
    did = "did:web:example.com"
    data = build_did_web_document(did, [("key-1", KEY), ("key-2", other)])
    document = DidDocument(data)
    assert data["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert data["assertionMethod"] == data["authentication"] == [f"{did}#key-1", f"{did}#key-2"]
    assert document.verification_method("#key-2").public_key == other
    assert not document.authorizes("#key-1", "capabilityInvocation")


def test_built_documents_carry_their_services() -> None:
    did = "did:web:example.com"
    service = {"id": f"{did}#lists", "type": "StatusListIndex", "serviceEndpoint": "https://x"}
    data = build_did_web_document(did, [("k", KEY)], services=[service])
    assert data["service"] == [service]
    assert DidDocument(data).service_endpoints("StatusListIndex") == ["https://x"]
    assert "service" not in build_did_web_document(did, [("k", KEY)])
    with pytest.raises(DidError) as caught:
        build_did_web_document(did, [("k", KEY)], services=[service | {"id": "#lists"}])
    assert caught.value.code == "INVALID_DID"


@pytest.mark.parametrize("keys", [[("", KEY)], [("#a", KEY)], [("a", KEY), ("a", KEY)]])
def test_built_documents_need_unique_fragments(keys: list[tuple[str, Any]]) -> None:
    with pytest.raises(DidError) as caught:
        build_did_web_document("did:web:example.com", keys)
    assert caught.value.code == "INVALID_VERIFICATION_METHOD"


def client_serving(
    body: object, status: int = 200
) -> tuple[GuardedHttpClient, list[httpx.Request]]:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(status, content=json.dumps(body).encode())

    client = GuardedHttpClient(
        transport=httpx.MockTransport(handler), resolver=lambda host: ["93.184.215.14"]
    )
    return client, requests


def test_resolve_fetches_the_document_url() -> None:
    did = "did:web:example.com:issuers:sat"
    client, requests = client_serving(build_did_web_document(did, [("k", KEY)]))
    document = DidWebMethod(client).resolve(did)
    assert document.verification_method("#k").public_key == KEY
    assert requests[0].headers["Host"] == "example.com"
    assert requests[0].url.path == "/issuers/sat/did.json"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"id": "did:web:other.example"}, 200, "serves a document with id 'did:web:other.example'"),
        ([1, 2], 200, "serves a document with id None"),
        ({"id": "did:web:example.com"}, 404, "HTTP status 404"),
    ],
)
def test_resolution_failures_name_the_did(body: object, status: int, message: str) -> None:
    client, _ = client_serving(body, status)
    with pytest.raises(DidError, match=message) as caught:
        DidWebMethod(client).resolve("did:web:example.com")
    assert caught.value.code == "DID_RESOLUTION_ERROR"
    assert "did:web:example.com" in caught.value.message
