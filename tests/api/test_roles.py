"""Each role serves its own API; ``all`` serves every one (checked on the OpenAPI paths)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vcservice.api.app import create_app
from vcservice.settings import Role, Settings

ISSUER_PATHS = {"/oauth/token", "/credentials/issue", "/credentials/status", "/admin/authorities"}
HOLDER_PATHS = {"/holder/credentials", "/presentations/prove", "/admin/holders"}
VERIFIER_PATHS = {"/credentials/verify", "/presentations/verify", "/challenges", "/workflows"}
EVERY_ROLE = {"/healthz", "/vocab/trade-certificates"}


def _paths(role: Role, tmp_path: Path) -> set[str]:
    app = create_app(Settings(data_dir=tmp_path, role=role))
    return set(app.openapi()["paths"])


@pytest.mark.parametrize(
    ("role", "served", "not_served"),
    [
        ("issuer", ISSUER_PATHS, HOLDER_PATHS | VERIFIER_PATHS),
        ("holder", HOLDER_PATHS, ISSUER_PATHS | VERIFIER_PATHS),
        (
            "verifier",
            VERIFIER_PATHS | {"/oauth/token"},
            HOLDER_PATHS | ISSUER_PATHS - {"/oauth/token"},
        ),
    ],
)
def test_a_role_serves_its_own_api(
    role: Role, served: set[str], not_served: set[str], tmp_path: Path
) -> None:
    paths = _paths(role, tmp_path)
    assert served | EVERY_ROLE <= paths
    assert not paths & not_served


def test_all_serves_every_role(tmp_path: Path) -> None:
    paths = _paths("all", tmp_path)
    assert paths >= ISSUER_PATHS | HOLDER_PATHS | VERIFIER_PATHS | EVERY_ROLE
    assert "/issuers/{name}/did.json" in paths and "/holders/{name}/did.json" in paths
