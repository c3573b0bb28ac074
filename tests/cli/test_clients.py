"""`vcservice clients create`: a client for an authority, its secret printed once, kept as a
keyed digest that the service (another process, the same KEK) checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vcservice.cli.main import main
from vcservice.model.records import Scope
from vcservice.services.container import build_services
from vcservice.settings import Settings


def test_create_client_prints_a_working_secret_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VCSERVICE_DATABASE_URL", raising=False)
    # The CLI passes settings on through the environment; restore it after the test.
    monkeypatch.setenv("VCSERVICE_DATA_DIR", str(tmp_path))
    settings = Settings(data_dir=tmp_path, public_url="http://localhost:8080")
    services = build_services(settings)
    services.authorities.create(
        name="sat", display_name="SAT", credential_types=["IMMEXCertificate"]
    )
    services.close()

    code = main(
        [
            "clients",
            "create",
            "--authority",
            "sat",
            "--scope",
            "issue:credentials",
            "--data",
            str(tmp_path),
        ]
    )
    created = json.loads(capsys.readouterr().out)
    assert code == 0 and created["scopes"] == ["issue:credentials"]

    services = build_services(settings)
    try:
        client = services.clients.authenticate(created["clientId"], created["clientSecret"])
        assert client.scopes == frozenset({Scope.ISSUE})
        assert client.secret_hash.startswith("hmac-sha256$")
        assert created["clientSecret"] not in client.secret_hash
    finally:
        services.close()

    assert main(["clients", "create", "--authority", "nobody", "--data", str(tmp_path)]) == 2
