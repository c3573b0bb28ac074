"""Signing keys: rotation keeps old credentials verifiable; secrets never leave the service.

The last test scans every response this module's service sent for the authorities'
secret keys (decrypted from the database with the key-encryption key), their wrapped
blobs, the key-encryption key, the token signing key and the admin token.
"""

from __future__ import annotations

import base64
import stat
from typing import Any

import pytest

from tests.api.builders import SAT_TYPES
from tests.api.conftest import Issuer, LiveService, assert_problem
from tests.api.offline import OfflineVerifier
from tests.api.presenting import issue_certificate, signing_key_id
from vcservice.custody.encryption import KeyEncryptionKey
from vcservice.keys import KeyPair, load_key_file
from vcservice.keys.multibase import base64url_decode, base64url_encode
from vcservice.storage.sql import open_store

pytestmark = pytest.mark.shared


def _key_ids(document: dict[str, Any], relation: str = "assertionMethod") -> list[str]:
    return [reference.split("#", 1)[1] for reference in document[relation]]


@pytest.mark.parametrize(
    ("key_type", "securing_format"),
    [("Ed25519", "eddsa-rdfc-2022"), ("P-384", "ecdsa-rdfc-2019"), ("P-384", "vc+jwt")],
)
def test_rotation_keeps_old_credentials_verifiable(
    live_service: LiveService, offline: OfflineVerifier, key_type: str, securing_format: str
) -> None:
    issuer = live_service.issuer("rota", SAT_TYPES)
    before = live_service.did_document(issuer.name)
    old_credential = issue_certificate(live_service, issuer, "oea", securing_format=securing_format)
    old_key = signing_key_id(old_credential)
    assert old_key in _key_ids(before)

    response = live_service.http.post(
        f"/admin/authorities/{issuer.name}/keys/rotate",
        headers=live_service.admin,
        json={"keyType": key_type},
    )
    assert response.status_code == 201, response.text
    new_key = response.json()["keyId"]
    assert response.json()["keyType"] == key_type and new_key != old_key

    after = live_service.did_document(issuer.name)
    assert _key_ids(after) == [*_key_ids(before), new_key]  # both listed, oldest first
    assert [m["id"] for m in after["verificationMethod"]] == [
        f"{issuer.did}#{key}" for key in _key_ids(after)
    ]
    code, report = offline.verify(
        old_credential, after, status_lists=live_service.status_lists(old_credential)
    )
    assert code == 0, report

    new_credential = issue_certificate(live_service, issuer, "oea", securing_format=securing_format)
    assert signing_key_id(new_credential) == new_key
    code, report = offline.verify(
        new_credential, after, status_lists=live_service.status_lists(new_credential)
    )
    assert code == 0, report
    code, report = offline.verify(
        new_credential, before, status_lists=live_service.status_lists(new_credential)
    )  # the old document lacks the key
    assert code == 1, report


def test_rotating_one_type_leaves_the_other_signing(live_service: LiveService, sat: Issuer) -> None:
    p384 = signing_key_id(
        issue_certificate(live_service, sat, "oea", securing_format="ecdsa-rdfc-2019")
    )
    response = live_service.http.post(
        f"/admin/authorities/{sat.name}/keys/rotate",
        headers=live_service.admin,
        json={"keyType": "Ed25519"},
    )
    assert response.status_code == 201
    assert (
        signing_key_id(
            issue_certificate(live_service, sat, "oea", securing_format="ecdsa-rdfc-2019")
        )
        == p384
    )
    assert (
        signing_key_id(
            issue_certificate(live_service, sat, "oea", securing_format="eddsa-rdfc-2022")
        )
        == response.json()["keyId"]
    )


@pytest.mark.parametrize(
    ("name", "body", "status", "code"),
    [
        ("nobody", {"keyType": "Ed25519"}, 404, "NOT_FOUND"),
        (None, {"keyType": "RSA"}, 422, "MALFORMED_VALUE_ERROR"),
        (None, {"keyType": "Ed25519", "publicKeyMultibase": "z6Mk"}, 422, "MALFORMED_VALUE_ERROR"),
        (None, {}, 422, "MALFORMED_VALUE_ERROR"),
    ],
)
def test_bad_rotation_requests(
    live_service: LiveService,
    sat: Issuer,
    name: str | None,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    before = live_service.did_document(sat.name)
    response = live_service.http.post(
        f"/admin/authorities/{name or sat.name}/keys/rotate", headers=live_service.admin, json=body
    )
    assert_problem(response, status, code)
    assert live_service.did_document(sat.name) == before


@pytest.mark.parametrize("name", ["admin-token", "kek", "token-signing-key"])
def test_secret_files_are_owner_only(live_service: LiveService, name: str) -> None:
    path = live_service.data_dir / name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def _encodings(secret: bytes) -> set[str]:
    return {
        secret.hex(),
        base64.b64encode(secret).decode(),
        base64url_encode(secret),
    }


def _secrets_at_rest(live_service: LiveService) -> set[str]:
    """Every secret the service holds, in the encodings a leak would likely use."""
    kek_text = (live_service.data_dir / "kek").read_text(encoding="utf-8").strip()
    kek = KeyEncryptionKey.from_file(live_service.data_dir / "kek")
    token_key = load_key_file(live_service.data_dir / "token-signing-key").key_pair
    found = {kek_text, live_service.admin_token, token_key.secret_to_multibase()}
    found |= _encodings(base64url_decode(token_key.to_private_jwk()["d"]))
    with open_store(live_service.settings.resolved_database_url, migrate=False) as store:
        for authority in store.authorities.list():
            for key in store.keys.for_authority(authority.name):
                plaintext = kek.decrypt(
                    key.encrypted_secret,
                    authority=key.authority,
                    key_id=key.key_id,
                    key_type=key.key_type,
                ).decode("ascii")  # the secretKeyMultibase
                pair = KeyPair.from_multibase(key.public_key_multibase, plaintext)
                raw_secret = base64url_decode(pair.to_private_jwk()["d"])
                found |= {plaintext, *_encodings(raw_secret), *_encodings(key.encrypted_secret)}
    return found


def test_no_response_carried_a_secret(live_service: LiveService, sat: Issuer) -> None:
    """Runs last: exercises every endpoint that touches keys, then scans all responses."""
    for securing_format in ("eddsa-rdfc-2022", "ecdsa-rdfc-2019", "vc+jwt"):
        issue_certificate(live_service, sat, "oea", securing_format=securing_format)
    rotated = live_service.http.post(
        f"/admin/authorities/{sat.name}/keys/rotate",
        headers=live_service.admin,
        json={"keyType": "P-384"},
    )
    assert rotated.status_code == 201
    for path in (
        "/admin/authorities",
        f"/admin/authorities/{sat.name}",
        f"/admin/authorities/{sat.name}/clients",
    ):
        response = live_service.http.get(path, headers=live_service.admin)
        assert response.status_code == 200, response.text
    clients = live_service.http.get(
        f"/admin/authorities/{sat.name}/clients", headers=live_service.admin
    ).json()
    assert clients and all(client["clientSecret"] is None for client in clients)
    live_service.registry(sat)
    live_service.did_document(sat.name)

    secrets = _secrets_at_rest(live_service)
    assert len(secrets) > 10  # the scan looks for something real
    assert len(live_service.responses) > 10
    for response in live_service.responses:
        leaked = [secret for secret in secrets if secret in response.text]
        assert not leaked, f"{response.request.method} {response.request.url} leaked a secret"
