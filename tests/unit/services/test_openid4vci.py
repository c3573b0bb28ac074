"""Which authority a well-known path names (under a public URL with or without a path), and
which key a key proof's ``kid`` names."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from tests.factories import NOW
from vcservice.clock import FixedClock
from vcservice.custody.secret_digest import SecretDigester
from vcservice.dids.methods import did_jwk_from_public_key, did_key_from_public_key
from vcservice.errors import StorageError, VcError
from vcservice.keys import KeyPair, KeyType, base64url_encode
from vcservice.model.records import Authority
from vcservice.services.openid4vci import OpenId4VciService
from vcservice.services.openid4vci_certificates import key_of_kid


class _Authorities:
    """Just enough of ``AuthorityService``: one authority, ``sat``."""

    def get(self, name: str) -> Authority:
        if name != "sat":
            raise StorageError(f"no authority called {name!r}", code="NOT_FOUND")
        return Authority("sat", "SAT", "did:web:vc.example:issuers:sat", frozenset(), NOW)


def _service(public_url: str) -> OpenId4VciService:
    return OpenId4VciService(
        store=cast(Any, None),
        authorities=cast(Any, _Authorities()),
        issuer=cast(Any, None),
        digests=SecretDigester(b"k" * 32),
        clock=FixedClock(NOW),
        public_url=public_url,
    )


@pytest.mark.parametrize(
    ("public_url", "path"),
    [
        ("https://vc.example", "issuers/sat"),
        ("https://vc.example/", "/issuers/sat"),
        ("https://vc.example/aduanas", "aduanas/issuers/sat"),
    ],
)
def test_the_issuer_is_named_by_the_path_of_its_identifier(public_url: str, path: str) -> None:
    assert _service(public_url).issuer_named_at(path) == "sat"


@pytest.mark.parametrize(
    ("public_url", "path"),
    [
        ("https://vc.example", "issuers/cbp"),
        ("https://vc.example", "issuers/sat/more"),
        ("https://vc.example", "holders/sat"),
        ("https://vc.example/aduanas", "issuers/sat"),
        ("https://vc.example/aduanas", "aduanasx/issuers/sat"),
        ("https://vc.example", "issuers/SAT"),
    ],
)
def test_any_other_path_names_no_issuer(public_url: str, path: str) -> None:
    with pytest.raises(StorageError) as refused:
        _service(public_url).issuer_named_at(path)
    assert refused.value.code == "NOT_FOUND"


def test_a_kid_names_a_did_jwk_or_did_key_resolved_without_the_network() -> None:
    key = KeyPair.generate(KeyType.P256)
    did_jwk = did_jwk_from_public_key(key.public_key)
    did_key = did_key_from_public_key(key.public_key)
    assert key_of_kid(f"{did_jwk}#0") == key.public_key
    assert key_of_kid(f"{did_key}#{did_key.removeprefix('did:key:')}") == key.public_key
    for kid in (did_jwk, f"{did_jwk}#1", "did:web:wallet.example#key-1"):
        with pytest.raises(VcError):
            key_of_kid(kid)
    encryption = {**key.public_key.to_jwk(), "use": "enc"}
    did = "did:jwk:" + base64url_encode(json.dumps(encryption).encode())
    with pytest.raises(VcError):  # a key for encryption proves nothing
        key_of_kid(f"{did}#0")
