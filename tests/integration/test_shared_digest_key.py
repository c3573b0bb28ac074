"""Roles with keys of their own share one database: a client created by the issuer and a
holder created by the holder role authenticate wherever ``SECRET_DIGEST_KEY`` is the same,
whatever each role's key-encryption key."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest

from vcservice.errors import VcError
from vcservice.model.records import Scope
from vcservice.services.container import Services, build_services
from vcservice.settings import Settings

CTPAT = ["CTPATCertificate"]


def _role(tmp_path: Path, name: str, database: str, digest_key: str | None) -> Services:
    """A role's services: its own data directory (and so its own dev KEK), the one database."""
    return build_services(
        Settings(
            data_dir=tmp_path / name,
            database_url=database,
            dev_mode=True,
            secret_digest_key=digest_key,
        )
    )


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()


def test_one_digest_key_lets_every_role_check_the_same_secrets(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    key = _key()
    issuer, verifier = (_role(tmp_path, name, database, key) for name in ("issuer", "verifier"))
    try:
        issuer.authorities.create(
            name="cbp", display_name="CBP", credential_types=["CTPATCertificate"]
        )
        client, secret = issuer.clients.create("cbp", {Scope.VERIFY})
        assert verifier.clients.authenticate(client.client_id, secret).client_id == client.client_id
        holder, token = issuer.holders.create("shipper")
        assert verifier.holders.authenticate(token).name == holder.name
    finally:
        issuer.close()
        verifier.close()


def test_without_it_each_role_checks_only_its_own(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'shared.db'}"
    issuer, verifier = (_role(tmp_path, name, database, None) for name in ("issuer", "verifier"))
    try:
        issuer.authorities.create(
            name="cbp", display_name="CBP", credential_types=["CTPATCertificate"]
        )
        client, secret = issuer.clients.create("cbp", {Scope.VERIFY})
        with pytest.raises(VcError) as caught:
            verifier.clients.authenticate(client.client_id, secret)
        assert caught.value.code == "INVALID_CLIENT"
    finally:
        issuer.close()
        verifier.close()
