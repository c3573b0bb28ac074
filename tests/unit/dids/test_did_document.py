"""DidDocument and VerificationMethod: VM types, relative and embedded ids, relationships."""

from __future__ import annotations

from typing import Any

import pytest

from vcservice.dids import DidDocument, VerificationMethod
from vcservice.errors import DidError
from vcservice.keys import KeyPair, KeyType, PublicKey, base58_encode

DID = "did:example:issuer"
ED25519 = KeyPair.generate(KeyType.ED25519).public_key
P256 = KeyPair.generate(KeyType.P256).public_key


def document(**members: Any) -> DidDocument:
    return DidDocument({"id": DID, **members})


def multikey(fragment: str, key: PublicKey = P256, **changes: Any) -> dict[str, Any]:
    entry = {
        "id": f"{DID}#{fragment}",
        "type": "Multikey",
        "controller": DID,
        "publicKeyMultibase": key.to_multibase(),
    }
    return entry | changes


def without(entry: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key != name}


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        (multikey("k"), P256),
        (
            {"id": "#k", "type": "JsonWebKey", "controller": DID, "publicKeyJwk": P256.to_jwk()},
            P256,
        ),
        (
            {
                "id": "#k",
                "type": "JsonWebKey2020",
                "controller": DID,
                "publicKeyJwk": ED25519.to_jwk(),
            },
            ED25519,
        ),
        (
            {
                "id": "#k",
                "type": "Ed25519VerificationKey2020",
                "controller": DID,
                "publicKeyMultibase": ED25519.to_multibase(),
            },
            ED25519,
        ),
        (
            {
                "id": "#k",
                "type": "Ed25519VerificationKey2018",
                "controller": DID,
                "publicKeyBase58": base58_encode(ED25519.raw),
            },
            ED25519,
        ),
    ],
    ids=["Multikey", "JsonWebKey", "JsonWebKey2020", "Ed25519-2020", "Ed25519-2018"],
)
def test_supported_verification_method_types(entry: dict[str, Any], key: PublicKey) -> None:
    method = document(verificationMethod=[entry]).verification_method(f"{DID}#k")
    assert method == VerificationMethod(f"{DID}#k", entry["type"], DID, key)
    assert VerificationMethod.from_json(method.to_json(), base=DID) == method


def test_relative_and_embedded_methods_are_found() -> None:
    doc = document(
        verificationMethod=[{**multikey("a"), "id": "#a"}],
        assertionMethod=["#a", multikey("b", ED25519)],
        authentication=[f"{DID}#a"],
    )
    assert doc.verification_method("#a").id == f"{DID}#a"
    assert doc.verification_method(f"{DID}#b").public_key == ED25519
    assert doc.authorizes(f"{DID}#a", "assertionMethod")
    assert doc.authorizes("#b", "assertionMethod")
    assert doc.authorizes("#a", "authentication")
    assert not doc.authorizes("#b", "authentication")
    assert not doc.authorizes("#a", "capabilityInvocation")


def test_a_single_string_relationship_is_accepted() -> None:
    assert document(verificationMethod=[multikey("a")], assertionMethod="#a").authorizes(
        "#a", "assertionMethod"
    )


def test_unknown_relationships_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown verification relationship 'issuer'"):
        document().authorizes("#a", "issuer")


@pytest.mark.parametrize(
    ("members", "vm_id", "message"),
    [
        ({}, "#missing", f"{DID}#missing is not in the DID document"),
        (
            {"verificationMethod": [multikey("a")]},
            "did:example:other#a",
            "is not a verification method of",
        ),
        ({"verificationMethod": [multikey("a")]}, DID, "has no #fragment"),
        (
            {"verificationMethod": [multikey("a", controller="did:example:other")]},
            "#a",
            "controller did:example:other is not",
        ),
        (
            {"verificationMethod": [multikey("a", controller=None)]},
            "#a",
            "controller must be a string",
        ),
        (
            {"verificationMethod": [multikey("a", type="EcdsaSecp256k1VerificationKey2019")]},
            "#a",
            "unsupported verification method type",
        ),
        (
            {"verificationMethod": [multikey("a", publicKeyJwk=P256.to_jwk())]},
            "#a",
            "needs exactly one key property",
        ),
        (
            {"verificationMethod": [multikey("a", publicKeyMultibase="zBad0")]},
            "#a",
            "invalid publicKeyMultibase",
        ),
        ({"verificationMethod": [multikey("a", publicKeyMultibase=7)]}, "#a", "expected a string"),
        (
            {"verificationMethod": [multikey("a", type="Ed25519VerificationKey2020")]},
            "#a",
            "needs an Ed25519 key, got P-256",
        ),
        (
            {"verificationMethod": [{**multikey("a"), "publicKeyMultibase": None}]},
            "#a",
            "expected a string",
        ),
        (
            {"verificationMethod": [without(multikey("a"), "publicKeyMultibase")]},
            "#a",
            "found none",
        ),
        (
            {"verificationMethod": [multikey("a"), multikey("a", ED25519)]},
            "#a",
            "defined differently more than once",
        ),
        (
            {
                "verificationMethod": [
                    {
                        "id": "#a",
                        "type": "JsonWebKey",
                        "controller": DID,
                        "publicKeyJwk": P256.to_jwk() | {"d": "AA"},
                    }
                ]
            },
            "#a",
            "private member 'd'",
        ),
    ],
)
def test_invalid_verification_methods(members: dict[str, Any], vm_id: str, message: str) -> None:
    with pytest.raises(DidError, match=message) as caught:
        document(**members).verification_method(vm_id)
    assert caught.value.code in {"INVALID_VERIFICATION_METHOD", "INVALID_DID"}


def test_the_same_method_listed_twice_is_fine() -> None:
    doc = document(verificationMethod=[multikey("a")], assertionMethod=[multikey("a")])
    assert doc.verification_method("#a").public_key == P256


@pytest.mark.parametrize("data", [{}, {"id": 7}, {"id": "not a did"}, []])
def test_a_document_needs_a_did_id(data: Any) -> None:
    with pytest.raises(DidError):
        DidDocument(data)


def test_verification_method_entries_must_be_objects_with_ids() -> None:
    with pytest.raises(DidError, match="is not an object"):
        VerificationMethod.from_json("#a", base=DID)  # type: ignore[arg-type]
    with pytest.raises(DidError, match="no string id"):
        VerificationMethod.from_json({"type": "Multikey"}, base=DID)


def test_service_endpoints_of_a_type_are_found_and_the_rest_kept() -> None:
    services = [
        {"id": f"{DID}#a", "type": "StatusListIndex", "serviceEndpoint": "https://a.example/i"},
        {
            "id": f"{DID}#b",
            "type": ["LinkedDomains", "StatusListIndex"],
            "serviceEndpoint": [
                "https://b.example/i",
                {"origins": ["https://b.example"]},
            ],
        },
        {"id": f"{DID}#c", "type": "LinkedDomains", "serviceEndpoint": "https://c.example"},
        "not a service",
    ]
    found = document(service=services)
    assert found.service_endpoints("StatusListIndex") == [
        "https://a.example/i",
        "https://b.example/i",
    ]
    assert found.service_endpoints("DIDCommMessaging") == []
    assert found.data["service"] == services
    assert document().service_endpoints("StatusListIndex") == []
