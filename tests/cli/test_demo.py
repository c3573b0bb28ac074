"""`vcservice demo` runs the whole issuer story over real HTTP against a service it starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.shared, pytest.mark.slow]


def test_demo_issues_each_type_and_verifies(context_store_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "VCSERVICE_CONTEXT_STORE": str(context_store_dir)}
    finished = subprocess.run(
        [sys.executable, "-m", "vcservice", "demo", "--out", str(out)],
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
