"""A DID document parses each verification method once, so a cached document never again.

The resolver's cache keeps did:key and did:jwk documents (pure functions of the DID), so
their public keys are decoded once per cached document, not once per verification.
"""

from __future__ import annotations

import pytest

from vcservice.dids import (
    DidJwkMethod,
    DidKeyMethod,
    did_jwk_from_public_key,
    did_key_from_public_key,
)
from vcservice.dids.document import DidDocument
from vcservice.dids.resolver import UniversalResolver, dereference_verification_method
from vcservice.errors import DidError
from vcservice.keys import KeyPair, KeyType
from vcservice.net import TtlCache

DID = "did:web:issuer.example"


def _document() -> DidDocument:
    public_key = KeyPair.generate(KeyType.P384).public_key
    method = {
        "id": f"{DID}#key-1",
        "type": "Multikey",
        "controller": DID,
        "publicKeyMultibase": public_key.to_multibase(),
    }
    return DidDocument({"id": DID, "verificationMethod": [method]})


def test_a_method_is_parsed_once_whether_named_by_fragment_or_in_full() -> None:
    document = _document()
    method = document.verification_method("#key-1")
    assert document.verification_method(f"{DID}#key-1") is method
    assert method.public_key.key_type is KeyType.P384


def test_a_method_that_is_not_there_fails_every_time() -> None:
    document = _document()
    for _ in range(2):
        with pytest.raises(DidError) as excinfo:
            document.verification_method("#key-2")
        assert excinfo.value.code == "INVALID_VERIFICATION_METHOD"


def test_documents_with_the_same_data_stay_equal() -> None:
    document = _document()
    twin = DidDocument(document.data)
    document.verification_method("#key-1")
    assert twin == document


@pytest.mark.parametrize("key_type", [KeyType.ED25519, KeyType.P256, KeyType.P384])
def test_did_key_and_did_jwk_keys_are_decoded_once_while_their_document_is_cached(
    key_type: KeyType,
) -> None:
    resolver = UniversalResolver(
        [DidKeyMethod(), DidJwkMethod()], cache=TtlCache(max_entries=8, max_ttl_seconds=60)
    )
    public_key = KeyPair.generate(key_type).public_key
    for did in (did_key_from_public_key(public_key), did_jwk_from_public_key(public_key)):
        vm_id = resolver.resolve(did).data["verificationMethod"][0]["id"]
        first = dereference_verification_method(resolver, vm_id)[1]
        assert dereference_verification_method(resolver, vm_id)[1] is first
        assert first.public_key == public_key
