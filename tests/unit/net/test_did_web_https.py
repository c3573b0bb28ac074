"""did:web end to end: a document served over TLS by a local server, resolved by the guarded client.

DNS is injected (issuer.test -> 127.0.0.1); the certificate is checked against issuer.test.
"""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import httpx
import pytest

from vcservice.dids import (
    DidKeyMethod,
    DidWebMethod,
    UniversalResolver,
    build_did_web_document,
    dereference_verification_method,
)
from vcservice.errors import DidError, FetchError
from vcservice.keys import KeyPair, KeyType
from vcservice.net import FetchPolicy, GuardedHttpClient

from .local_server import TLS_HOST, LocalServer, Route, TlsContexts


def resolver_for(tls: TlsContexts, policy: FetchPolicy) -> UniversalResolver:
    client = GuardedHttpClient(
        policy,
        transport=httpx.AsyncHTTPTransport(verify=tls.client_context),
        resolver=lambda host: ["127.0.0.1"],
    )
    return UniversalResolver([DidWebMethod(client), DidKeyMethod()])


@pytest.fixture
def resolver(tls: TlsContexts) -> UniversalResolver:
    return resolver_for(tls, FetchPolicy(allow_private_networks=True))


def serve(server: LocalServer, path: str, document: object) -> None:
    server.routes[path] = Route(json.dumps(document).encode())


@pytest.mark.parametrize(
    ("segments", "path"),
    [("", "/.well-known/did.json"), (":issuers:sat", "/issuers/sat/did.json")],
)
def test_resolves_a_did_web_and_verifies_with_its_key(
    tls_server: LocalServer, resolver: UniversalResolver, segments: str, path: str
) -> None:
    did = f"did:web:{TLS_HOST}%3A{tls_server.port}{segments}"
    signing, other = KeyPair.generate(KeyType.P256), KeyPair.generate(KeyType.ED25519)
    serve(
        tls_server,
        path,
        build_did_web_document(did, [("k1", signing.public_key), ("k2", other.public_key)]),
    )

    document, method = dereference_verification_method(resolver, f"{did}#k1")

    assert document.id == did
    assert method.public_key == signing.public_key
    assert document.authorizes(method.id, "assertionMethod")
    assert method.public_key.verify(signing.sign(b"credential"), b"credential")
    assert tls_server.requests[0][1]["Host"] == f"{TLS_HOST}:{tls_server.port}"


def test_a_document_for_another_did_is_rejected(
    tls_server: LocalServer, resolver: UniversalResolver
) -> None:
    did = f"did:web:{TLS_HOST}%3A{tls_server.port}"
    key = KeyPair.generate(KeyType.ED25519).public_key
    serve(
        tls_server,
        "/.well-known/did.json",
        build_did_web_document("did:web:evil.example", [("k", key)]),
    )
    with pytest.raises(DidError) as caught:
        resolver.resolve(did)
    assert caught.value.code == "DID_RESOLUTION_ERROR"
    assert "did:web:evil.example" in caught.value.message
    assert did in caught.value.message


def test_a_missing_document_is_a_resolution_error(
    tls_server: LocalServer, resolver: UniversalResolver
) -> None:
    did = f"did:web:{TLS_HOST}%3A{tls_server.port}:nobody"
    with pytest.raises(DidError, match="HTTP status 404") as caught:
        resolver.resolve(did)
    assert caught.value.code == "DID_RESOLUTION_ERROR"
    assert isinstance(caught.value.__cause__, FetchError)


def test_the_certificate_must_match_the_did_host(
    tls_server: LocalServer, resolver: UniversalResolver
) -> None:
    # other.test resolves to the same server, whose certificate names only issuer.test.
    with pytest.raises(DidError) as caught:
        resolver.resolve(f"did:web:other.test%3A{tls_server.port}")
    assert "other.test" in caught.value.message
    assert "certificate verify failed" in caught.value.message.lower()
    assert tls_server.requests == []


def test_loopback_did_web_hosts_are_refused_by_default(
    tls: TlsContexts, tls_server: LocalServer
) -> None:
    resolver = resolver_for(tls, FetchPolicy())
    with pytest.raises(DidError) as caught:
        resolver.resolve(f"did:web:{TLS_HOST}%3A{tls_server.port}")
    assert isinstance(caught.value.__cause__, FetchError)
    assert caught.value.__cause__.code == "FETCH_BLOCKED"
    assert tls_server.requests == []


@pytest.mark.parametrize("trusted", [True, False], ids=["outbound CA file", "default bundle"])
def test_an_outbound_ca_file_is_trusted_beside_the_default_bundle(
    tls: TlsContexts, tls_server: LocalServer, trusted: bool
) -> None:
    """Without a transport of the test's, the client's own TLS trust decides: certifi's
    bundle, plus ``extra_ca_file`` (VCSERVICE_OUTBOUND_CA_FILE) when configured."""
    did = f"did:web:{TLS_HOST}%3A{tls_server.port}"
    key = KeyPair.generate(KeyType.ED25519).public_key
    serve(tls_server, "/.well-known/did.json", build_did_web_document(did, [("k", key)]))
    policy = FetchPolicy(
        allow_private_networks=True, extra_ca_file=tls.certificate_file if trusted else None
    )
    client = GuardedHttpClient(policy, resolver=lambda host: ["127.0.0.1"])
    resolver = UniversalResolver([DidWebMethod(client), DidKeyMethod()])
    if trusted:
        assert resolver.resolve(did).id == did
    else:
        with pytest.raises(DidError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify"):
            resolver.resolve(did)


def test_a_file_that_is_no_pem_of_cas_stops_the_client_at_once(tmp_path: Path) -> None:
    """Not at the first fetch: a bad OUTBOUND_CA_FILE is found when the client is made."""
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(ssl.SSLError):
        GuardedHttpClient(FetchPolicy(extra_ca_file=bad))
