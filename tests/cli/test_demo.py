"""`vcservice demo` runs issuer → holder → verifier over real HTTP, as three role processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import NO_POSTGRES, POSTGRES_URL, fresh_postgres_database

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_database(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """The demo's arguments for the database its three processes share."""
    if request.param == "sqlite":
        yield []
        return
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    with fresh_postgres_database(POSTGRES_URL, prefix="vcservice_demo") as url:
        yield ["--database-url", url]


def test_demo_issues_each_type_and_verifies(
    context_store_dir: Path, tmp_path: Path, shared_database: list[str]
) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "VCSERVICE_CONTEXT_STORE": str(context_store_dir)}
    finished = subprocess.run(
        [sys.executable, "-m", "vcservice", "demo", "--out", str(out), *shared_database],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "All steps behaved as expected." in finished.stdout
    assert "403 FORBIDDEN" in finished.stdout
    expected = {
        "immex.json": "IMMEXCertificate",
        "ctpat.json": "CTPATCertificate",
        "oea.json": "OEACertificate",
    }
    for name, credential_type in expected.items():
        credential = json.loads((out / name).read_text())
        assert credential["type"] == ["VerifiableCredential", credential_type]
        assert credential["issuer"]["id"].startswith("did:web:localhost%3A")
        assert credential["proof"]["proofValue"].startswith("z")
    assert (out / "ctpat.vc-jwt").read_text().count(".") == 2
    presentation = json.loads((out / "presentation.json").read_text())
    assert presentation["type"] == ["VerifiablePresentation"]
    assert presentation["holder"].startswith("did:web:localhost%3A")
    assert ":holders:maquiladora-norte-" in presentation["holder"]
    assert presentation["proof"]["challenge"] and presentation["proof"]["domain"]
    [presented] = presentation["verifiableCredential"]
    assert presented["credentialSubject"]["id"] == presentation["holder"]
    for role in ("issuer", "holder", "verifier"):
        assert f"   {role:8} http://localhost:" in finished.stdout
    for refusal in ("EXCHANGE_NOT_PENDING", "INVALID_CHALLENGE_ERROR", "ISSUER_NOT_TRUSTED"):
        assert refusal in finished.stdout
