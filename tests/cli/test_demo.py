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
from vcservice.cli.demo_reading import labelled


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


@pytest.mark.shared
@pytest.mark.slow
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
    # Who issues what: the Secretaría de Economía IMMEX, SAT OEA, CBP C-TPAT.
    expected = {
        "immex.json": ("IMMEXCertificate", ":issuers:economia", "Secretaría de Economía"),
        "oea.json": ("OEACertificate", ":issuers:sat", "Servicio de Administración Tributaria"),
        "ctpat.json": ("CTPATCertificate", ":issuers:cbp", "U.S. Customs and Border Protection"),
    }
    presentation = json.loads((out / "presentation.json").read_text())
    holder = presentation["holder"]
    for name, (credential_type, issuer, issuer_name) in expected.items():
        credential = json.loads((out / name).read_text())
        assert credential["type"] == ["VerifiableCredential", credential_type]
        assert credential["@context"][-1] == "https://w3id.org/vcservice/trade-certificates/v2"
        assert credential["issuer"]["id"].startswith("did:web:localhost%3A")
        assert credential["issuer"]["id"].endswith(issuer)
        assert credential["issuer"]["name"] == issuer_name
        assert credential["proof"]["proofValue"].startswith("z")
        # One company: its credentials join on the company node, the holder's DID its id.
        member = credential["credentialSubject"]["member"]
        assert "id" not in credential["credentialSubject"]
        assert (member["id"], member["rfc"], member["manufacturerId"]) == (
            holder,
            "EEB030821R49",
            "MXENSELE9850CIU",
        )
    assert (out / "ctpat.vc-jwt").read_text().count(".") == 2
    assert presentation["type"] == ["VerifiablePresentation"]
    assert holder.startswith("did:web:localhost%3A")
    assert ":holders:ensambles-bravo-" in holder
    assert presentation["proof"]["challenge"] and presentation["proof"]["domain"]
    [presented] = presentation["verifiableCredential"]
    assert "OEACertificate" in presented["type"]
    assert presented["credentialSubject"]["member"]["id"] == holder
    for role in ("issuer", "holder", "verifier"):
        assert f"   {role:8} http://localhost:" in finished.stdout
    for refusal in ("EXCHANGE_NOT_PENDING", "INVALID_CHALLENGE_ERROR", "ISSUER_NOT_TRUSTED"):
        assert refusal in finished.stdout
    # The issuance findings that do not refuse, and the data version in the registry.
    assert "issued with the warning RFC_CHECK_DIGIT" in finished.stdout
    assert "data v2" in finished.stdout
    # The workflows name what the MRA grants: the exchange itself reads the OEA's signed
    # mutual recognition, so it counts at CBP for the role its entry names, not for others.
    wanted = "OEACertificate recognized by AuthorityCBP for {} under MraUsMx2014"
    assert f"     {wanted.format('MraRoleManufacturerExporter')}\n" in finished.stdout
    assert f"     {wanted.format('MraRoleImporter')}\n" in finished.stdout
    assert (
        f"the exchange accepted a verified {wanted.format('MraRoleManufacturerExporter')} "
        "(mutualRecognition[0]: MraUsMx2014, recognizedBy AuthorityCBP" in finished.stdout
    )
    assert "as MraRoleManufacturerExporter: ACCEPTED by CBP" in finished.stdout
    import_exchange = finished.stdout.split("exchange of importacion-eua", 1)[1]
    assert "the broker reads the exchange: invalid" in import_exchange
    assert "verdict: NOT VERIFIED (REQUIRED_CREDENTIAL_MISSING)" in import_exchange
    assert (
        "its MraUsMx2014 entry recognizedBy AuthorityCBP covers MraRoleManufacturerExporter "
        "only, not MraRoleImporter" in import_exchange
    )


def test_coded_values_show_their_labels() -> None:
    assert labelled("ImmexIndustrial") == "ImmexIndustrial (Industrial)"
    assert labelled("MraRoleImporter") == "MraRoleImporter (Importer / Importador)"
    assert (
        labelled("Validated", notation_of="CtpatTier")
        == "Validated (Validated (Tier 2) / Validado)"
    )
    assert labelled("NotATerm") == "NotATerm"
