"""The command line: keys, sign and verify round trips for every suite, exit codes, offline."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import upstream_path
from tests.factories import certificate, key_file
from vcservice.cli import demo
from vcservice.cli.main import _parser, main
from vcservice.cli.verdict import read_document
from vcservice.dids.methods.web import build_did_web_document
from vcservice.keys import KeyFile
from vcservice.printing import verification_link
from vcservice.services.core import CoreConfig, build_core
from vcservice.settings import Settings, default_context_store
from vcservice.verification.result import VerificationResult
from vcservice.web.verdict_text import check_lines, verdict_line

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


# ---------------------------------------------------------------- the newcomer's command line


def _signed(run: Any, tmp_path: Path, *, jose: bool = False) -> Path:
    """An IMMEX certificate signed by a did:key (verifies offline), as a file."""
    key = key_file(seed=9)
    signed = tmp_path / ("signed.jwt" if jose else "signed.json")
    arguments = ["--cryptosuite", "jose"] if jose else []
    code, _, err = run(
        "sign",
        _write(tmp_path / "vc.json", certificate(issuer=key)),
        "--key",
        _write(tmp_path / "key.json", key.to_json()),
        "--out",
        signed,
        *arguments,
    )
    assert code == 0, err
    return signed


def test_every_command_uses_one_context_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `contexts install` fills is what serve (Settings), verify, sign and the demo read."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("VCSERVICE_CONTEXT_STORE", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    store = home / ".local" / "share" / "vcservice" / "contexts"

    assert main(["contexts", "install", "--from", str(upstream_path("contexts"))]) == 0
    assert json.loads(capsys.readouterr().out)["store"] == str(store)
    assert Settings().context_store == store  # vcservice serve
    assert main(["contexts", "list"]) == 0
    assert all(entry["installed"] for entry in json.loads(capsys.readouterr().out))

    key = key_file(seed=3)
    credential = _write(tmp_path / "vc.json", certificate(issuer=key))
    signed = tmp_path / "signed.json"
    key_path = _write(tmp_path / "key.json", key.to_json())
    assert main(["sign", str(credential), "--key", str(key_path), "--out", str(signed)]) == 0
    assert main(["verify", str(signed), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["verified"] is True

    demo_arguments: dict[str, Any] = {}
    monkeypatch.setattr(demo, "run_demo", lambda **kwargs: demo_arguments.update(kwargs) or 0)
    assert main(["demo", "--out", str(tmp_path / "out")]) == 0
    assert demo_arguments["context_store"] == store

    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG specification's rule
    assert default_context_store() == store
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_context_store() == tmp_path / "data" / "vcservice" / "contexts"
    monkeypatch.setenv("VCSERVICE_CONTEXT_STORE", str(tmp_path / "chosen"))
    assert default_context_store() == Settings().context_store == tmp_path / "chosen"


def _all_parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _all_parsers(child)


def test_help_is_plain_text() -> None:
    """--help of every command and subcommand: no reStructuredText from docstrings."""
    helps = [parser.format_help() for parser in _all_parsers(_parser())]
    assert len(helps) > 15
    for text in helps:
        assert "``" not in text, text
        assert not re.search(r":[a-z]+:`", text), text
    assert helps[0].split("\n\n")[1].startswith("The vcservice command line")


def _verification(context_store_dir: Path, path: Path) -> VerificationResult:
    core = build_core(CoreConfig(store_dir=context_store_dir))
    return core.verifier.verify(read_document(path))


def test_verify_prints_a_verdict_line_then_the_checks(
    run: Any, tmp_path: Path, context_store_dir: Path
) -> None:
    signed = _signed(run, tmp_path)
    result = _verification(context_store_dir, signed)
    for language in ("en", "es"):
        code, out, _ = run("verify", signed, "--format", "text", "--lang", language)
        assert code == 0
        [verdict, *checks] = out.splitlines()
        assert verdict == verdict_line(result, language)
        assert checks == ["  " + line for line in check_lines(result, language)]
    english = run("verify", signed, "--format", "text", "--lang", "en")[1]
    assert english != run("verify", signed, "--format", "text", "--lang", "es")[1]

    tampered = json.loads(signed.read_text())
    tampered["credentialSubject"]["member"]["legalName"] = "Otra Empresa"
    tampered_path = _write(tmp_path / "tampered.json", tampered)
    code, out, _ = run("verify", tampered_path, "--format", "text", "--lang", "en")
    assert code == 1
    assert out.splitlines()[0] == verdict_line(
        _verification(context_store_dir, tampered_path), "en"
    )


def test_verify_writes_text_to_a_terminal_and_json_to_anything_else(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed = _signed(run, tmp_path)
    code, out, _ = run("verify", signed)  # captured: not a terminal
    assert code == 0 and json.loads(out)["verified"] is True
    assert set(json.loads(out)) >= {"verified", "kind", "format", "checks", "document"}

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.setenv("LANG", "es_MX.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    code, out, _ = run("verify", signed)
    assert (
        out.splitlines()[0]
        == run("verify", signed, "--format", "text", "--lang", "es")[1].splitlines()[0]
    )
    assert (
        out.splitlines()[0]
        != run("verify", signed, "--format", "text", "--lang", "en")[1].splitlines()[0]
    )
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert run("verify", signed)[1] == run("verify", signed, "--format", "text", "--lang", "en")[1]
    assert json.loads(run("verify", signed, "--format", "json")[1])["verified"] is True


@pytest.mark.parametrize("jose", [False, True])
def test_verify_reads_the_link_of_a_printed_qr_code(
    run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jose: bool
) -> None:
    signed = _signed(run, tmp_path, jose=jose)
    document = read_document(signed)
    link = verification_link("https://aduana.example/verify", document)
    assert "#vc1=" in link

    code, out, err = run("verify", link, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["verified"] is True
    assert json.loads(out)["format"] == ("vc+jwt" if jose else "data-integrity")
    code, out, _ = run("verify", _write(tmp_path / "scanned.txt", link + "\n"), "--format", "json")
    assert code == 0 and json.loads(out)["verified"] is True

    monkeypatch.setattr(sys, "stdin", io.StringIO(signed.read_text()))
    code, out, _ = run("verify", "-", "--format", "json")
    assert code == 0 and json.loads(out)["verified"] is True

    damaged = link.partition("#vc1=")[0] + "#vc1=" + link.partition("#vc1=")[2][:20]
    code, out, err = run("verify", damaged, "--format", "json")
    assert code == 2 and out == ""
    assert json.loads(err)[0]["code"] == "PARSING_ERROR"


def test_a_closed_pipe_ends_the_command_quietly(
    run: Any, tmp_path: Path, context_store_dir: Path
) -> None:
    """`vcservice verify x.json | head -1`: the reader is gone before the output is written
    (main() handles it for every command)."""
    signed = _signed(run, tmp_path)
    script = Path(sys.executable).with_name("vcservice")
    process = subprocess.Popen(
        [script, "--context-store", str(context_store_dir), "verify", signed, "--format", "text"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `head` does once it has what it wants
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141  # 128 + SIGPIPE, as a shell reports one
    assert error == ""
