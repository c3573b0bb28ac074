"""Legacy proofs made by implementations we did not write, verified by vcservice.

``legacy_js/legacy.mjs`` signs with Digital Bazaar's ``@digitalbazaar/ed25519-signature-2018``
and ``@digitalbazaar/ed25519-signature-2020`` and Transmute's ``@transmute/json-web-signature``
(JsonWebSignature2020 with Ed25519, P-256, P-384 and secp256k1), through
``jsonld-signatures``' ``sign`` with an assertionMethod purpose, offline, over the same
pinned contexts. vcservice must accept what they make, and refuse it tampered, without
``created``, respelled, or under another key.

Needs ``node``/``npm`` and the npm registry (or npm's cache) for ``npm ci``; otherwise skipped.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.npm import npm_ci
from tests.unit.proofs.legacy_signing import (
    ED2018,
    ED2020,
    JWS2020,
    TRACEABILITY,
    V1,
    LegacyKey,
    credential,
)
from vcservice.keys import KeyType, base64url_decode, base64url_encode
from vcservice.services.core import Core
from vcservice.verification.result import Outcome, VerificationResult

pytestmark = [pytest.mark.interop, pytest.mark.slow, pytest.mark.shared]

JS_DIR = Path(__file__).resolve().parent / "legacy_js"
SCRIPT = JS_DIR / "legacy.mjs"
NODE_TIMEOUT = 60
CASES = [
    pytest.param(suite, key_type, version, method, id=f"{suite}-{key_type}-vc{version}-{method}")
    for suite, key_types, methods in (
        (ED2018, [KeyType.ED25519], ["key"]),
        (ED2020, [KeyType.ED25519], ["key"]),
        (
            JWS2020,
            [KeyType.ED25519, KeyType.P256, KeyType.P384, KeyType.SECP256K1],
            ["key", "jwk"],
        ),
    )
    for key_type in key_types
    for version in (1, 2)
    for method in methods
]


@dataclass(frozen=True)
class Js:
    """Runs ``legacy.mjs`` with the test's context store; files go under ``work``."""

    node: str
    env: dict[str, str]
    work: Path

    def sign(self, document: dict[str, Any], *, suite: str, key: LegacyKey) -> dict[str, Any]:
        key_data: dict[str, Any] = {"id": key.verification_method, "controller": key.did}
        if suite == JWS2020:
            key_data |= {
                "publicKeyJwk": key.public_key.to_jwk(),
                "privateKeyJwk": key.private_jwk(),
            }
        else:
            key_data["seed"] = key.seed_hex()
        key_path = self.work / "key.json"
        key_path.write_text(json.dumps(key_data), encoding="utf-8")
        source = self.work / "document.json"
        source.write_text(json.dumps(document), encoding="utf-8")
        completed = subprocess.run(
            [
                self.node,
                str(SCRIPT),
                "sign",
                *("--suite", suite),
                *("--key", str(key_path)),
                *("--in", str(source)),
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT,
            check=False,
        )
        key_path.unlink()
        assert completed.returncode == 0, completed.stderr
        signed: dict[str, Any] = json.loads(completed.stdout)
        return signed


@pytest.fixture(scope="session")
def js(context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Js:
    """``npm ci`` the pinned signers once; skip when Node or the registry is absent."""
    node = npm_ci(JS_DIR)
    env = {**os.environ, "VCSERVICE_CONTEXT_STORE": str(context_store_dir)}
    return Js(node=node, env=env, work=tmp_path_factory.mktemp("legacy-js"))


class Signed:
    """Credentials the JS libraries signed, once per case (copies handed out)."""

    def __init__(self, js: Js) -> None:
        self._js = js
        self._cache: dict[tuple[str, KeyType, int, str], tuple[LegacyKey, str]] = {}

    def get(
        self, suite: str, key_type: KeyType, version: int, method: str = "key"
    ) -> tuple[LegacyKey, dict[str, Any]]:
        case = (suite, key_type, version, method)
        if case not in self._cache:
            key = LegacyKey.generate(key_type, did_method=method)
            document = credential(key.did, version=version, suite=suite)
            self._cache[case] = key, json.dumps(self._js.sign(document, suite=suite, key=key))
        key, text = self._cache[case]
        signed: dict[str, Any] = json.loads(text)
        return key, signed


@pytest.fixture(scope="module")
def signed(js: Js) -> Signed:
    return Signed(js)


def _report(result: VerificationResult) -> str:
    body = result.to_json()
    body.pop("document", None)
    return json.dumps(body, indent=2)


def _outcome(result: VerificationResult, name: str) -> Outcome | None:
    check = result.check(name)
    return None if check is None else check.outcome


def _problems(result: VerificationResult) -> list[tuple[str, str | None]]:
    return [(problem.code, problem.field) for problem in result.problems]


# ------------------------------------------------------------------ accepted as signed


@pytest.mark.parametrize(("suite", "key_type", "version", "method"), CASES)
def test_a_reference_signed_credential_verifies(
    core: Core, signed: Signed, suite: str, key_type: KeyType, version: int, method: str
) -> None:
    key, document = signed.get(suite, key_type, version, method)
    proof = document["proof"]
    assert proof["type"] == suite
    assert proof["verificationMethod"] == key.verification_method
    assert "created" in proof
    if suite != ED2020:
        header = json.loads(base64url_decode(proof["jws"].split(".")[0]))
        assert header["b64"] is False and header["crit"] == ["b64"]

    result = core.verifier.verify(document)

    assert result.verified is True, _report(result)
    assert _outcome(result, "proof") is Outcome.PASSED
    assert _outcome(result, "issuer") is Outcome.PASSED


def test_a_traceability_credential_signed_with_ed25519_signature_2018(core: Core, js: Js) -> None:
    """VCDM 1.1 with the traceability context, as the CCG traceability-interop conformance
    collection signs its credentials: Ed25519Signature2018 by a did:key ``z6Mk…``."""
    key = LegacyKey.generate(KeyType.ED25519)
    document = credential(key.did, version=1, suite=ED2018)
    document["@context"] = [V1, TRACEABILITY]
    document["type"] = ["VerifiableCredential", "IntentToImportCredential"]
    document["credentialSubject"] = {
        "type": ["IntentToImport"],
        "id": "did:web:ensambles-bravo.example",
    }
    assert key.did.startswith("did:key:z6Mk")

    result = core.verifier.verify(js.sign(document, suite=ED2018, key=key))

    assert _outcome(result, "proof") is Outcome.PASSED, _report(result)
    assert _outcome(result, "issuer") is Outcome.PASSED


# ------------------------------------------------------------------ refused when changed


@pytest.mark.parametrize(("suite", "key_type", "version", "method"), CASES)
def test_a_tampered_reference_credential_fails(
    core: Core, signed: Signed, suite: str, key_type: KeyType, version: int, method: str
) -> None:
    _, document = signed.get(suite, key_type, version, method)
    document["credentialSubject"]["id"] = "did:web:impostor.example"

    result = core.verifier.verify(document)

    member = "proofValue" if suite == ED2020 else "jws"
    assert result.verified is False
    assert _problems(result) == [("PROOF_VERIFICATION_ERROR", f"proof.{member}")], _report(result)


@pytest.mark.parametrize("suite", [ED2018, ED2020, JWS2020])
def test_a_reference_proof_without_created_is_malformed(
    core: Core, signed: Signed, suite: str
) -> None:
    _, document = signed.get(suite, KeyType.ED25519, 1)
    del document["proof"]["created"]

    result = core.verifier.verify(document)

    assert _problems(result) == [("MALFORMED_PROOF_ERROR", "proof.created")], _report(result)


@pytest.mark.parametrize("suite", [ED2018, ED2020, JWS2020])
def test_a_respelled_reference_credential_is_refused(
    core: Core, signed: Signed, suite: str
) -> None:
    """The same graph under a full IRI keeps the signature valid; the compact-form rule
    refuses it all the same."""
    _, document = signed.get(suite, KeyType.ED25519, 1)
    document["https://www.w3.org/2018/credentials#issuanceDate"] = document.pop("issuanceDate")

    result = core.verifier.verify(document)

    assert result.verified is False
    assert "COMPACT_FORM_ERROR" in [code for code, _ in _problems(result)], _report(result)


@pytest.mark.parametrize("suite", [ED2018, JWS2020])
def test_a_reference_proof_under_another_key_fails(core: Core, signed: Signed, suite: str) -> None:
    """The proof points at a key of another type: the suite refuses the key (2018), or the
    JWS alg does not fit it (2020)."""
    _, document = signed.get(suite, KeyType.ED25519, 1)
    other = LegacyKey.generate(KeyType.P256)
    document["proof"]["verificationMethod"] = other.verification_method
    document["issuer"] = other.did

    result = core.verifier.verify(document)

    field = "verificationMethod" if suite == ED2018 else "proof.jws"
    assert _problems(result) == [("PROOF_VERIFICATION_ERROR", field)], _report(result)


def test_a_reference_jws_with_its_header_changed_fails(core: Core, signed: Signed) -> None:
    """ES384 signs the same hash data for P-384 under Transmute; claiming ES256 for it is
    refused, and so is a header changed to the same members in another order."""
    _, document = signed.get(JWS2020, KeyType.P384, 2)
    encoded, _, signature = document["proof"]["jws"].split(".")
    header = json.loads(base64url_decode(encoded))
    assert header["alg"] == "ES384"

    for members in ({**header, "alg": "ES256"}, dict(reversed(list(header.items())))):
        changed = copy.deepcopy(document)
        text = json.dumps(members, separators=(",", ":")).encode()
        changed["proof"]["jws"] = f"{base64url_encode(text)}..{signature}"
        result = core.verifier.verify(changed)
        assert _problems(result) == [("PROOF_VERIFICATION_ERROR", "proof.jws")], _report(result)
