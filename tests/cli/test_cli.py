"""The command line: keys, sign and verify round trips for every suite, exit codes, offline."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import upstream_path
from tests.factories import certificate, key_file
from vcservice.cli.main import main
from vcservice.dids.methods.web import build_did_web_document
from vcservice.keys import KeyFile

pytestmark = pytest.mark.shared


@pytest.fixture
def run(context_store_dir: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run the CLI in-process against the test context store; returns (code, stdout, stderr)."""

    def invoke(*args: str | Path) -> tuple[int, str, str]:
        code = main(["--context-store", str(context_store_dir), *map(str, args)])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def _write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return path


@pytest.mark.parametrize(
    ("key_type", "cryptosuite"),
    [
        ("ed25519", None),
        ("p256", None),
        ("p384", None),
        ("ed25519", "jose"),
        ("p256", "jose"),
        ("p384", "jose"),
    ],
)
def test_generate_sign_verify_round_trip(
    run: Any, tmp_path: Path, key_type: str, cryptosuite: str | None
) -> None:
    key_path = tmp_path / "key.json"
    code, out, _ = run("keys", "generate", "--type", key_type, "--out", key_path)
    assert code == 0 and stat.S_IMODE(key_path.stat().st_mode) == 0o600
    did = json.loads(out)["verificationMethod"].split("#")[0]
    unsigned = certificate("ctpat")
    unsigned["issuer"]["id"] = did
    signed_path = tmp_path / "signed"
    args = ["sign", _write(tmp_path / "vc.json", unsigned), "--key", key_path, "--out", signed_path]
    assert run(*args, *(["--cryptosuite", cryptosuite] if cryptosuite else []))[0] == 0
    code, out, _ = run("verify", signed_path)
    result = json.loads(out)
    assert code == 0 and result["verified"] is True
    expected_format = "vc+jwt" if cryptosuite == "jose" else "data-integrity"
    assert result["format"] == expected_format


def test_tampered_credential_exits_1_with_the_code(run: Any, tmp_path: Path) -> None:
    key = key_file()
    key_path = _write(tmp_path / "key.json", key.to_json())
    credential = certificate("oea", issuer=key)
    run(
        "sign",
        _write(tmp_path / "vc.json", credential),
        "--key",
        key_path,
        "--out",
        tmp_path / "signed.json",
    )
    signed = json.loads((tmp_path / "signed.json").read_text())
    signed["credentialSubject"]["member"]["rfc"] = "XAXX010101000"
    code, out, _ = run("verify", _write(tmp_path / "tampered.json", signed))
    assert code == 1
    assert [d["code"] for d in json.loads(out)["problemDetails"]] == ["PROOF_VERIFICATION_ERROR"]


def test_verify_with_a_trust_registry(run: Any, tmp_path: Path) -> None:
    key = key_file(seed=5)
    did = key.verification_method.split("#")[0]
    key_path = _write(tmp_path / "key.json", key.to_json())
    signed = tmp_path / "signed.json"
    args = ["sign", _write(tmp_path / "vc.json", certificate("immex", issuer=key))]
    assert run(*args, "--key", key_path, "--out", signed)[0] == 0
    entry = {"id": did, "name": "SAT", "credentialTypes": ["IMMEXCertificate"]}
    trusted = _write(tmp_path / "trusted.json", {"issuers": [entry]})
    code, out, _ = run("verify", signed, "--trust-registry", trusted)
    result = json.loads(out)
    assert code == 0, out
    assert {c["check"]: c["outcome"] for c in result["checks"]}["issuerTrust"] == "passed"

    other = _write(tmp_path / "other.json", {"issuers": [entry | {"id": "did:web:sat.example"}]})
    code, out, _ = run("verify", signed, "--trust-registry", other)
    assert code == 1
    assert [d["code"] for d in json.loads(out)["problemDetails"]] == ["ISSUER_NOT_TRUSTED"]

    broken = _write(tmp_path / "broken.json", {"issuers": [entry | {"credentialTypes": []}]})
    code, _, err = run("verify", signed, "--trust-registry", broken)
    assert code == 2
    assert json.loads(err)[0]["field"] == "issuers[0].credentialTypes"


def test_signing_an_undefined_term_is_refused(run: Any, tmp_path: Path) -> None:
    key = key_file()
    credential = certificate(issuer=key)
    credential["credentialSubject"]["shoeSize"] = "42"
    code, out, err = run(
        "sign",
        _write(tmp_path / "vc.json", credential),
        "--key",
        _write(tmp_path / "key.json", key.to_json()),
    )
    assert code == 2 and out == ""
    [problem] = json.loads(err)
    assert problem["code"] == "DATA_LOSS_DETECTION_ERROR" and problem["field"] == "shoeSize"


def test_unreadable_input_exits_2(run: Any, tmp_path: Path) -> None:
    code, _, err = run("verify", _write(tmp_path / "broken.json", "{not json"))
    assert code == 2 and json.loads(err)[0]["code"] == "PARSING_ERROR"


def test_did_web_issuer_verifies_offline_with_its_document(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    did = "did:web:aduanas.example:issuers:sat"
    key = KeyFile(key_file().key_pair, id=f"{did}#key-1", controller=did)
    document = build_did_web_document(did, [("key-1", key.key_pair.public_key)])
    credential = certificate("immex")
    credential["issuer"]["id"] = did
    run(
        "sign",
        _write(tmp_path / "vc.json", credential),
        "--key",
        _write(tmp_path / "key.json", key.to_json()),
        "--out",
        tmp_path / "signed.json",
    )

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise OSError("no network in this test")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    code, out, _ = run(
        "verify",
        tmp_path / "signed.json",
        "--did-document",
        _write(tmp_path / "did.json", document),
    )
    assert code == 0, out
    code, out, _ = run("verify", tmp_path / "signed.json")
    assert code == 1
    assert "DID_RESOLUTION_ERROR" in [d["code"] for d in json.loads(out)["problemDetails"]]


def test_w3c_vector_proof_verifies_but_its_issuer_is_not_the_signer(run: Any) -> None:
    signed = upstream_path("vectors", "eddsa-rdfc-2022", "signedDataInt.json")
    code, out, _ = run("verify", signed)
    checks = {check["check"]: check["outcome"] for check in json.loads(out)["checks"]}
    assert checks["proof"] == "passed"
    assert checks["issuer"] == "failed"  # issuer https://vc.example/… is not the did:key signer
    assert code == 1


def test_contexts_list_and_install(
    run: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    code = main(
        [
            "--context-store",
            str(store),
            "contexts",
            "install",
            "--from",
            str(upstream_path("contexts")),
        ]
    )
    assert code == 0
    capsys.readouterr()
    code, out, _ = run("contexts", "list")
    assert code == 0 and all(entry["installed"] for entry in json.loads(out))


def test_console_script_runs_as_a_process(context_store_dir: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("vcservice")
    key = key_file()
    credential = certificate(issuer=key)
    env = {**os.environ, "VCSERVICE_CONTEXT_STORE": str(context_store_dir)}
    signed = subprocess.run(
        [
            script,
            "sign",
            _write(tmp_path / "vc.json", credential),
            "--key",
            _write(tmp_path / "key.json", key.to_json()),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    ).stdout
    verified = subprocess.run(
        [script, "verify", _write(tmp_path / "signed.json", signed)],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert verified.returncode == 0, verified.stdout
