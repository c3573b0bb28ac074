"""did:key: the W3C vector keys, generated keys, malformed DIDs."""

from __future__ import annotations

import pytest

from tests.conftest import upstream_path
from vcservice.dids import DidKeyMethod, did_key_from_public_key
from vcservice.errors import DidError
from vcservice.keys import SIGNING_KEY_TYPES, KeyPair, KeyType, load_key_file
from vcservice.keys.multikey import encode_multikey

VECTOR_DIDS = {
    "eddsa-rdfc-2022/keyPair.json": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
    "ecdsa-rdfc-2019-p256/p256KeyPair.json": (
        "did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"
    ),
    "ecdsa-rdfc-2019-p384/p384KeyPair.json": (
        "did:key:z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ"
    ),
}


@pytest.mark.shared
@pytest.mark.parametrize(("key_file", "did"), VECTOR_DIDS.items(), ids=list(VECTOR_DIDS))
def test_vector_dids_resolve_to_their_key(key_file: str, did: str) -> None:
    public_key = load_key_file(upstream_path("vectors", *key_file.split("/"))).key_pair.public_key
    multibase = did.removeprefix("did:key:")
    vm_id = f"{did}#{multibase}"

    document = DidKeyMethod().resolve(did)

    assert did_key_from_public_key(public_key) == did
    assert document.data == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}
        ],
        "assertionMethod": [vm_id],
        "authentication": [vm_id],
        "capabilityInvocation": [vm_id],
        "capabilityDelegation": [vm_id],
    }
    assert document.verification_method(vm_id).public_key == public_key
    assert document.verification_method(f"#{multibase}").public_key == public_key
    assert not document.authorizes(vm_id, "keyAgreement")


@pytest.mark.parametrize("key_type", list(SIGNING_KEY_TYPES), ids=str)
def test_generated_keys_round_trip(key_type: KeyType) -> None:
    key_pair = KeyPair.generate(key_type)
    did = did_key_from_public_key(key_pair.public_key)
    method = DidKeyMethod().resolve(did).verification_method(f"{did}#{did[8:]}")
    assert method.public_key == key_pair.public_key
    assert method.public_key.verify(key_pair.sign(b"data"), b"data")


def test_a_version_segment_is_accepted() -> None:
    multibase = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    did = f"did:key:1:{multibase}"
    document = DidKeyMethod().resolve(did)
    assert document.id == did
    assert document.authorizes(f"{did}#{multibase}", "assertionMethod")


@pytest.mark.parametrize(
    ("did", "message"),
    [
        ("did:key:", "is not a did:key"),
        ("did:key:6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "is not a did:key"),
        ("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ0", "is not a did:key"),
        ("did:key:0:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "is not a did:key"),
        ("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#x", "is not a did:key"),
        ("did:web:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "is not a did:key"),
        (f"did:key:{encode_multikey(KeyType.ED25519, bytes(31))}", "must be 32 bytes"),
        (f"did:key:{encode_multikey(KeyType.P256, bytes(33))}", "invalid P-256 public key"),
        (f"did:key:{encode_multikey(KeyType.P256, bytes(32), secret=True)}", "expected a public"),
        ("did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F", "0xec is not a supported"),
    ],
)
def test_malformed_dids_name_the_did(did: str, message: str) -> None:
    with pytest.raises(DidError, match=message) as caught:
        DidKeyMethod().resolve(did)
    assert caught.value.code == "INVALID_DID"
    assert did in caught.value.message
