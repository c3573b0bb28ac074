"""The service with its authorities' keys in SoftHSM2: issued over HTTP, checked by ``verify``.

The acceptance test of issue 6: a credential signed through SoftHSM (every format) verifies
with ``vcservice verify``, in-process and as a process, given only the authority's DID
document and status lists; rotation works with the token; the DID document publishes the
token's own public keys.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.builders import SAT_TYPES, certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem, serve
from tests.api.offline import OfflineVerifier
from tests.api.presenting import issue_certificate, signing_key_id
from tests.hsm.conftest import TOKEN, SoftHsm, require_pkcs11
from vcservice.keys import KeyType
from vcservice.model.records import StoredKey
from vcservice.storage.sql import open_store

pytestmark = [pytest.mark.hsm, pytest.mark.shared]
pkcs11 = require_pkcs11()

from vcservice.custody.pkcs11 import TokenReference  # noqa: E402
from vcservice.custody.pkcs11_token import public_key_from_ec_point  # noqa: E402

FORMATS = ("eddsa-rdfc-2022", "ecdsa-rdfc-2019", "vc+jwt")
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def hsm_service(
    softhsm: SoftHsm, context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """The service on SQLite, with ``VCSERVICE_KEY_STORE=pkcs11`` and the test token."""
    with serve(
        tmp_path_factory.mktemp("hsm-api"), None, context_store_dir, **softhsm.settings()
    ) as live:
        yield live


@pytest.fixture(scope="module")
def sat(hsm_service: LiveService) -> Issuer:
    """SAT, its keys made in the token when the admin API created it."""
    return hsm_service.issuer("sat", SAT_TYPES)


def key_records(live: LiveService, authority: str) -> list[StoredKey]:
    with open_store(live.settings.resolved_database_url, migrate=False) as store:
        return store.keys.for_authority(authority)


def token_public_keys(softhsm: SoftHsm, records: list[StoredKey]) -> dict[str, str]:
    """Key id → publicKeyMultibase, read from each key's public object in the token."""
    found = {}
    token = pkcs11.lib(str(softhsm.module)).get_token(token_label=TOKEN)
    with token.open() as session:  # public objects need no login
        for record in records:
            reference = TokenReference.parse(record.encrypted_secret)
            assert reference is not None, f"{record.key_id} is not a token key"
            public = session.get_key(
                object_class=pkcs11.ObjectClass.PUBLIC_KEY, id=reference.object_id
            )
            point = public[pkcs11.Attribute.EC_POINT]
            found[record.key_id] = public_key_from_ec_point(
                KeyType(record.key_type), point
            ).to_multibase()
    return found


@pytest.mark.parametrize("securing_format", FORMATS)
def test_a_credential_signed_in_the_token_verifies_with_vcservice_verify(
    hsm_service: LiveService,
    sat: Issuer,
    offline: OfflineVerifier,
    softhsm: SoftHsm,
    securing_format: str,
) -> None:
    credential = issue_certificate(hsm_service, sat, "oea", securing_format=securing_format)
    document = hsm_service.did_document(sat.name)
    status_lists = hsm_service.status_lists(credential)  # signed in the token too

    code, report = offline.verify(credential, document, status_lists=status_lists)

    assert code == 0, report
    assert report["verified"] is True
    outcomes = {check["check"]: check["outcome"] for check in report["checks"]}
    assert outcomes["proof"] == outcomes["issuer"] == outcomes["status"] == "passed", outcomes
    token_keys = token_public_keys(softhsm, key_records(hsm_service, sat.name))
    assert signing_key_id(credential) in token_keys


def test_vcservice_verify_as_a_process(
    hsm_service: LiveService, sat: Issuer, context_store_dir: Path, tmp_path: Path
) -> None:
    credential = issue_certificate(hsm_service, sat, "oea", securing_format="ecdsa-rdfc-2019")
    files = {
        "credential.json": credential,
        "did.json": hsm_service.did_document(sat.name),
    }
    for index, status_list in enumerate(hsm_service.status_lists(credential)):
        files[f"status-{index}.json"] = status_list
    for name, document in files.items():
        (tmp_path / name).write_text(json.dumps(document), encoding="utf-8")
    status_arguments = [
        argument
        for name in files
        if name.startswith("status-")
        for argument in ("--status-list", str(tmp_path / name))
    ]
    command = [sys.executable, "-m", "vcservice", "--context-store", str(context_store_dir)]
    did_arguments = ["--did-document", str(tmp_path / "did.json")]

    result = subprocess.run(
        [*command, "verify", str(tmp_path / "credential.json"), *did_arguments, *status_arguments],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["verified"] is True


def test_the_did_document_publishes_the_tokens_public_keys(
    hsm_service: LiveService, sat: Issuer, softhsm: SoftHsm
) -> None:
    records = key_records(hsm_service, sat.name)
    document = hsm_service.did_document(sat.name)

    published = {
        method["id"].split("#", 1)[1]: method["publicKeyMultibase"]
        for method in document["verificationMethod"]
    }
    assert published == token_public_keys(softhsm, records)
    assert {record.key_type for record in records} == {"Ed25519", "P-256", "P-384"}
    for record in records:  # the database holds a reference to the token object, no secret
        assert record.encrypted_secret.startswith(f"pkcs11:token={TOKEN};".encode())


@pytest.mark.parametrize(
    ("key_type", "securing_format"),
    [("Ed25519", "eddsa-rdfc-2022"), ("P-384", "ecdsa-rdfc-2019"), ("P-384", "vc+jwt")],
)
def test_rotation_in_the_token_keeps_old_credentials_verifiable(
    hsm_service: LiveService,
    offline: OfflineVerifier,
    softhsm: SoftHsm,
    key_type: str,
    securing_format: str,
) -> None:
    issuer = hsm_service.issuer("rota", SAT_TYPES)
    old_credential = issue_certificate(hsm_service, issuer, "oea", securing_format=securing_format)

    response = hsm_service.http.post(
        f"/admin/authorities/{issuer.name}/keys/rotate",
        headers=hsm_service.admin,
        json={"keyType": key_type},
    )
    assert response.status_code == 201, response.text
    new_key = response.json()["keyId"]
    new_credential = issue_certificate(hsm_service, issuer, "oea", securing_format=securing_format)

    assert signing_key_id(new_credential) == new_key != signing_key_id(old_credential)
    after = hsm_service.did_document(issuer.name)
    token_keys = token_public_keys(softhsm, key_records(hsm_service, issuer.name))
    assert {signing_key_id(old_credential), new_key} <= token_keys.keys()
    for credential in (old_credential, new_credential):
        code, report = offline.verify(
            credential, after, status_lists=hsm_service.status_lists(credential)
        )
        assert code == 0, report


def test_a_key_the_token_does_not_hold_is_a_503(hsm_service: LiveService) -> None:
    """Custody trouble is the service's, not the request's: 503 with the code, never a 422."""
    legacy = hsm_service.issuer("legacy", ["OEACertificate"])
    database = f"sqlite:///{hsm_service.data_dir / 'vcservice.db'}"
    with open_store(database, migrate=False) as store, store.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE keys SET encrypted_secret = ? WHERE authority = ? AND key_type = ?",
            (b"\x01" + bytes(60), legacy.name, KeyType.ED25519.value),
        )
    response = hsm_service.http.post(
        "/certificates/oea", headers=legacy.headers, json=certificate_body("oea")
    )
    problem = assert_problem(response, 503, "KEY_NOT_IN_KEY_STORE")
    assert "rotate" in problem["detail"]
