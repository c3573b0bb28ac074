"""UniversalResolver dispatch and caching; dereferencing verification methods."""

from __future__ import annotations

from typing import Any

import pytest

from vcservice.dids import (
    DidDocument,
    DidJwkMethod,
    DidKeyMethod,
    UniversalResolver,
    dereference_verification_method,
    did_jwk_from_public_key,
    did_key_from_public_key,
)
from vcservice.errors import DidError
from vcservice.keys import KeyPair, KeyType
from vcservice.net import TtlCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class CountingMethod:
    """A DidMethod serving fixed documents and counting calls."""

    method_name = "example"

    def __init__(self, documents: dict[str, dict[str, Any]]) -> None:
        self.documents = documents
        self.calls = 0

    def resolve(self, did: str) -> DidDocument:
        self.calls += 1
        return DidDocument(self.documents[did])


def test_dispatches_by_method() -> None:
    key = KeyPair.generate(KeyType.ED25519).public_key
    resolver = UniversalResolver([DidKeyMethod(), DidJwkMethod()])
    for did in (did_key_from_public_key(key), did_jwk_from_public_key(key)):
        assert resolver.resolve(did).id == did


@pytest.mark.parametrize(
    ("did", "message"),
    [
        ("did:web:example.com", r"DID method 'web' is not supported \(supported: jwk, key\)"),
        ("did:Key:z6Mk", "is not a valid DID"),
        ("did:key", "is not a valid DID"),
        ("did:key:z6Mk#frag", "is not a valid DID"),
        ("https://example.com", "is not a valid DID"),
        ("did:key:" + "z" * 5000, "longer than 4096"),
    ],
)
def test_unsupported_and_malformed_dids(did: str, message: str) -> None:
    with pytest.raises(DidError, match=message) as caught:
        UniversalResolver([DidKeyMethod(), DidJwkMethod()]).resolve(did)
    assert caught.value.code == "INVALID_DID"
    assert did[:60] in caught.value.message


def test_methods_are_registered_once() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        UniversalResolver([DidKeyMethod(), DidKeyMethod()])


def test_documents_are_cached_until_they_expire() -> None:
    did = "did:example:cached"
    method = CountingMethod({did: {"id": did}})
    clock = Clock()
    cache: TtlCache[str, DidDocument] = TtlCache(max_entries=8, max_ttl_seconds=60, clock=clock)
    resolver = UniversalResolver([method], cache=cache)

    resolver.resolve(did)
    resolver.resolve(did)
    assert method.calls == 1
    clock.now = 60
    resolver.resolve(did)
    assert method.calls == 2


def test_dereference_returns_the_document_and_method() -> None:
    key_pair = KeyPair.generate(KeyType.P384)
    did = did_key_from_public_key(key_pair.public_key)
    document, method = dereference_verification_method(
        UniversalResolver([DidKeyMethod()]), f"{did}#{did[8:]}"
    )
    assert document.id == did
    assert method.public_key == key_pair.public_key


def test_dereference_rejects_a_document_for_another_did() -> None:
    resolver = UniversalResolver([CountingMethod({"did:example:a": {"id": "did:example:b"}})])
    with pytest.raises(DidError, match="returned the document of did:example:b") as caught:
        dereference_verification_method(resolver, "did:example:a#key")
    assert caught.value.code == "DID_RESOLUTION_ERROR"


@pytest.mark.parametrize("vm_id", ["did:example:a", "did:example:a#", "#key"])
def test_dereference_needs_an_absolute_id_with_a_fragment(vm_id: str) -> None:
    with pytest.raises(DidError):
        dereference_verification_method(UniversalResolver([]), vm_id)
