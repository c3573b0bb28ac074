"""Choosing the key store with settings: ``VCSERVICE_KEY_STORE=pkcs11`` and the token's PIN."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.hsm.conftest import OTHER_TOKEN, SoftHsm, require_pkcs11
from vcservice.cli.main import main
from vcservice.keys import KeyType, base64url_encode
from vcservice.services.container import build_services
from vcservice.settings import Settings

pytestmark = pytest.mark.hsm
require_pkcs11()

from vcservice.custody.pkcs11 import Pkcs11KeyStore, Pkcs11Signer  # noqa: E402

PRODUCTION = {"dev_mode": False, "public_url": "https://aduanas.example", "kek": "A" * 43}


def settings(tmp_path: Path, softhsm: SoftHsm, **overrides: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", **softhsm.settings(**overrides))


def test_outside_dev_mode_the_pin_comes_from_a_file(tmp_path: Path, softhsm: SoftHsm) -> None:
    pin_file = tmp_path / "pin"
    pin_file.write_text(softhsm.pin + "\n", encoding="utf-8")
    services = build_services(
        settings(tmp_path, softhsm, pkcs11_pin=None, pkcs11_pin_file=pin_file, **PRODUCTION)
    )
    try:
        assert isinstance(services.keystore, Pkcs11KeyStore)
        authority = services.authorities.create(
            name="sat", display_name="SAT", credential_types=["IMMEXCertificate"]
        )
        signer = services.authorities.signer(authority, KeyType.P384)
        document = services.authorities.did_document("sat")
    finally:
        services.close()

    assert isinstance(signer, Pkcs11Signer)
    assert [method["id"] for method in document["verificationMethod"]] == [
        f"{authority.did}#{key_id}" for key_id, _ in services.keystore.published_keys("sat")
    ]


def test_outside_dev_mode_an_inline_pin_is_refused(tmp_path: Path, softhsm: SoftHsm) -> None:
    with pytest.raises(SystemExit, match="VCSERVICE_PKCS11_PIN_FILE instead"):
        build_services(settings(tmp_path, softhsm, **PRODUCTION))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pkcs11_pin": None}, "needs the token's user PIN"),
        ({"pkcs11_pin_file": Path("/nonexistent/pin")}, "set only one of"),
        ({"pkcs11_pin": None, "pkcs11_pin_file": Path("/nonexistent/pin")}, "cannot read"),
    ],
)
def test_pin_settings_that_cannot_work_are_refused(
    tmp_path: Path, softhsm: SoftHsm, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(SystemExit, match=message):
        build_services(settings(tmp_path, softhsm, **overrides))


def test_the_software_store_stays_the_default(tmp_path: Path) -> None:
    services = build_services(Settings(data_dir=tmp_path, kek=base64url_encode(bytes(32))))
    try:
        assert type(services.keystore).__name__ == "SoftwareKeyStore"
    finally:
        services.close()


def test_the_cli_reports_a_wrong_pin_with_its_code(
    tmp_path: Path,
    softhsm: SoftHsm,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("VCSERVICE_DATABASE_URL", raising=False)
    monkeypatch.setenv("VCSERVICE_DATA_DIR", str(tmp_path))  # the CLI exports it; restored
    for name, value in softhsm.settings(OTHER_TOKEN, pkcs11_pin="0000").items():
        monkeypatch.setenv(f"VCSERVICE_{name.upper()}", str(value))

    code = main(["clients", "create", "--authority", "sat", "--data", str(tmp_path)])

    [problem] = json.loads(capsys.readouterr().err)
    assert code == 2
    assert problem["code"] == "KEY_STORE_LOGIN_FAILED"
    assert problem["i18n"]["es"]["title"] != problem["title"]
