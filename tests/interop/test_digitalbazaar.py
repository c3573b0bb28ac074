"""Interop with Digital Bazaar's Data Integrity libraries (the W3C reference family in JS).

Each key type signs with its cryptosuite in one implementation and is verified by the other:
Ed25519 with eddsa-rdfc-2022, P-256 and P-384 with ecdsa-rdfc-2019 (SHA-384 throughout for
P-384). The JS side is ``js/interop.mjs``: ``vc.issue`` and the full ``vc.verifyCredential``
(its CredentialIssuancePurpose binds the issuer to the verification method's controller),
with an offline document loader over the same pinned context store and local did:key.

Needs ``node``/``npm`` and the npm registry (or npm's cache) for ``npm ci``; otherwise skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.factories import held_by
from tests.npm import npm_ci
from vcservice.certificates.samples import SAMPLE_NAMES, sample_certificate
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.services.core import Core
from vcservice.services.signing import secure_credential
from vcservice.trust.lists import ListedAccreditation, ListedIssuer, TrustList, build_trust_list
from vcservice.verification.result import Outcome, VerificationResult

pytestmark = [pytest.mark.interop, pytest.mark.slow, pytest.mark.shared]

JS_DIR = Path(__file__).resolve().parent / "js"
SCRIPT = JS_DIR / "interop.mjs"
NODE_TIMEOUT = 60

EDDSA = "eddsa-rdfc-2022"
ECDSA = "ecdsa-rdfc-2019"
SUITES = {KeyType.ED25519: EDDSA, KeyType.P256: ECDSA, KeyType.P384: ECDSA}
CASES = [
    pytest.param(key_type, sample, id=f"{key_type.name.lower()}-{SUITES[key_type]}-{sample}")
    for key_type in SUITES
    for sample in SAMPLE_NAMES
]
KEY_TYPES = [pytest.param(key_type, id=key_type.name.lower()) for key_type in SUITES]
IMPOSTOR = "did:web:impostor.example"
VCDM_11 = "https://www.w3.org/2018/credentials/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"


class NodeError(AssertionError):
    """The JS CLI failed (as opposed to answering ``verified: false``)."""


@dataclass(frozen=True)
class Js:
    """Runs ``interop.mjs`` with the test's context store; files go under ``work``."""

    node: str
    env: dict[str, str]
    work: Path

    def _run(self, *args: str) -> str:
        completed = subprocess.run(
            [self.node, str(SCRIPT), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT,
            check=False,
        )
        if completed.returncode != 0:
            raise NodeError(f"interop.mjs {args[0]} failed:\n{completed.stderr}")
        return completed.stdout

    def _write(self, name: str, data: Any) -> Path:
        path = self.work / name
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path

    def sign(self, credential: dict[str, Any], *, suite: str, key: Path) -> dict[str, Any]:
        source = self._write("unsigned.json", credential)
        signed: dict[str, Any] = json.loads(
            self._run("sign", "--suite", suite, "--key", str(key), "--in", str(source))
        )
        return signed

    def verify(self, credential: dict[str, Any]) -> dict[str, Any]:
        source = self._write("signed.json", credential)
        result: dict[str, Any] = json.loads(self._run("verify", "--in", str(source)))
        return result

    def canonize(self, document: dict[str, Any], *, hash_algorithm: str) -> str:
        source = self._write("document.json", document)
        return self._run("canonize", "--hash", hash_algorithm, "--in", str(source))


@pytest.fixture(scope="session")
def js(context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Js:
    """``npm ci`` the pinned JS dependencies once; skip when Node or the registry is absent."""
    node = npm_ci(JS_DIR)
    env = {**os.environ, "VCSERVICE_CONTEXT_STORE": str(context_store_dir)}
    return Js(node=node, env=env, work=tmp_path_factory.mktemp("interop-js"))


@dataclass(frozen=True)
class Issuer:
    """A generated key, its key file on disk and the did:key it is."""

    key: KeyFile
    path: Path
    did: str
    suite: str


@pytest.fixture(scope="session")
def issuers(tmp_path_factory: pytest.TempPathFactory) -> dict[KeyType, Issuer]:
    """One fresh key per key type, written in vcservice's key-file format."""
    directory = tmp_path_factory.mktemp("interop-keys")
    found = {}
    for key_type, suite in SUITES.items():
        key = KeyFile(KeyPair.generate(key_type))
        path = directory / f"{key_type.name.lower()}.json"
        path.write_text(key.to_json(), encoding="utf-8")
        did = f"did:key:{key.key_pair.public_key.to_multibase()}"
        assert key.verification_method.startswith(f"{did}#")
        found[key_type] = Issuer(key=key, path=path, did=did, suite=suite)
    return found


def _timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _credential(sample: str, issuer: str) -> dict[str, Any]:
    """Sample ``sample`` issued by ``issuer`` and valid from a minute ago until tomorrow."""
    credential = sample_certificate(sample)
    if isinstance(credential.get("issuer"), dict):
        credential["issuer"]["id"] = issuer
    else:
        credential["issuer"] = issuer
    now = _now()
    credential["validFrom"] = _timestamp(now - timedelta(minutes=1))
    credential["validUntil"] = _timestamp(now + timedelta(days=1))
    return credential


def _tampered(signed: dict[str, Any]) -> dict[str, Any]:
    copy: dict[str, Any] = json.loads(json.dumps(signed))
    return held_by(copy, IMPOSTOR)


def _report(result: VerificationResult) -> str:
    body = result.to_json()
    body.pop("document", None)
    return json.dumps(body, indent=2, ensure_ascii=False)


def _outcome(result: VerificationResult, name: str) -> Outcome | None:
    check = result.check(name)
    return None if check is None else check.outcome


class JsSigned:
    """JS-issued credentials, signed once per key type and sample (copies handed out)."""

    def __init__(self, js: Js, issuers: dict[KeyType, Issuer]) -> None:
        self._js = js
        self._issuers = issuers
        self._cache: dict[tuple[KeyType, str], str] = {}

    def get(self, key_type: KeyType, sample: str) -> dict[str, Any]:
        if (key_type, sample) not in self._cache:
            issuer = self._issuers[key_type]
            signed = self._js.sign(
                _credential(sample, issuer.did), suite=issuer.suite, key=issuer.path
            )
            self._cache[key_type, sample] = json.dumps(signed)
        copy: dict[str, Any] = json.loads(self._cache[key_type, sample])
        return copy


@pytest.fixture(scope="module")
def js_signed(js: Js, issuers: dict[KeyType, Issuer]) -> JsSigned:
    return JsSigned(js, issuers)


def _vcservice_sign(core: Core, issuer: Issuer, credential: dict[str, Any]) -> dict[str, Any]:
    signed = secure_credential(
        core, credential, signer=issuer.key.signer(), securing_format=issuer.suite, now=_now()
    )
    assert isinstance(signed, dict)
    return signed


# ------------------------------------------------------------------ JS signs, vcservice verifies


@pytest.mark.parametrize(("key_type", "sample"), CASES)
def test_js_signed_credential_verifies_in_vcservice(
    core: Core, js_signed: JsSigned, issuers: dict[KeyType, Issuer], key_type: KeyType, sample: str
) -> None:
    signed = js_signed.get(key_type, sample)
    proof = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == SUITES[key_type]
    assert proof["verificationMethod"] == issuers[key_type].key.verification_method
    assert proof["proofPurpose"] == "assertionMethod"

    result = core.verifier.verify(signed)

    assert result.verified is True, _report(result)
    assert _outcome(result, "proof") is Outcome.PASSED, _report(result)
    assert _outcome(result, "issuer") is Outcome.PASSED, _report(result)


@pytest.mark.parametrize(("key_type", "sample"), CASES)
def test_js_signed_then_tampered_fails_in_vcservice(
    core: Core, js_signed: JsSigned, key_type: KeyType, sample: str
) -> None:
    result = core.verifier.verify(_tampered(js_signed.get(key_type, sample)))

    assert result.verified is False
    assert _outcome(result, "proof") is Outcome.FAILED, _report(result)
    assert "PROOF_VERIFICATION_ERROR" in [p.code for p in result.problems], _report(result)


# ------------------------------------------------------------------ vcservice signs, JS verifies


@pytest.mark.parametrize(("key_type", "sample"), CASES)
def test_vcservice_signed_credential_verifies_in_js(
    core: Core, js: Js, issuers: dict[KeyType, Issuer], key_type: KeyType, sample: str
) -> None:
    issuer = issuers[key_type]
    signed = _vcservice_sign(core, issuer, _credential(sample, issuer.did))
    assert core.verifier.verify(signed).verified

    assert js.verify(signed) == {"verified": True, "error": None}


@pytest.mark.parametrize(("key_type", "sample"), CASES)
def test_vcservice_signed_then_tampered_fails_in_js(
    core: Core, js: Js, issuers: dict[KeyType, Issuer], key_type: KeyType, sample: str
) -> None:
    issuer = issuers[key_type]
    signed = _vcservice_sign(core, issuer, _credential(sample, issuer.did))

    result = js.verify(_tampered(signed))

    assert result["verified"] is False
    assert "Invalid signature" in (result["error"] or ""), result


# ------------------------------------------------------------------ controls


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_issuer_binding_is_enforced_by_both(
    core: Core, js: Js, issuers: dict[KeyType, Issuer], key_type: KeyType
) -> None:
    """A valid proof by a key that is not the issuer's fails both verifiers' issuer check."""
    issuer = issuers[key_type]
    signed = _vcservice_sign(core, issuer, _credential("immex", IMPOSTOR))

    ours = core.verifier.verify(signed)
    theirs = js.verify(signed)

    assert _outcome(ours, "proof") is Outcome.PASSED, _report(ours)
    assert _outcome(ours, "issuer") is Outcome.FAILED, _report(ours)
    assert theirs["verified"] is False
    assert "issuer must match the verification method controller" in theirs["error"], theirs


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_vcdm_11_credentials_interoperate(
    core: Core, js: Js, issuers: dict[KeyType, Issuer], key_type: KeyType
) -> None:
    """VCDM 1.1: both add the Data Integrity context that defines DataIntegrityProof."""
    issuer = issuers[key_type]
    credential = {
        "@context": [VCDM_11],
        "id": "urn:uuid:0b5c5a3e-5f0d-4c55-9a43-4b2f6d1f7c11",
        "type": ["VerifiableCredential"],
        "issuer": issuer.did,
        "issuanceDate": _timestamp(_now() - timedelta(minutes=1)),
        "expirationDate": _timestamp(_now() + timedelta(days=1)),
        "credentialSubject": {"id": "did:web:ensambles-bravo.example"},
    }

    by_js = js.sign(credential, suite=issuer.suite, key=issuer.path)
    assert by_js["@context"] == [VCDM_11, DATA_INTEGRITY_V2]
    ours = core.verifier.verify(by_js)
    assert ours.verified is True, _report(ours)

    by_us = _vcservice_sign(core, issuer, credential)
    assert by_us["@context"] == [VCDM_11, DATA_INTEGRITY_V2]
    assert js.verify(by_us) == {"verified": True, "error": None}


def test_js_document_loader_is_offline_and_pinned(
    core: Core, js: Js, issuers: dict[KeyType, Issuer]
) -> None:
    """A context outside the manifest is refused by the JS loader, never fetched."""
    issuer = issuers[KeyType.ED25519]
    signed = _vcservice_sign(core, issuer, _credential("oea", issuer.did))
    signed["@context"] = [*signed["@context"], "https://example.org/unpinned/v1"]

    result = js.verify(signed)

    assert result["verified"] is False
    assert "context https://example.org/unpinned/v1 is not pinned" in result["error"], result


@pytest.mark.parametrize("sample", SAMPLE_NAMES)
@pytest.mark.parametrize("hash_algorithm", ["sha256", "sha384"])
def test_rdfc_canonical_forms_match(
    core: Core, js: Js, issuers: dict[KeyType, Issuer], sample: str, hash_algorithm: str
) -> None:
    """Both RDFC-1.0 engines give the same N-Quads, with either hash inside RDFC."""
    document = _credential(sample, issuers[KeyType.P384].did)
    ours = core.canonizer.canonize(document, hash_algorithm=hash_algorithm)
    theirs = js.canonize(document, hash_algorithm=hash_algorithm.upper().replace("SHA", "SHA-"))
    assert theirs == ours


def test_a_companys_certificates_presented_together_canonicalize_alike(
    core: Core, js: Js, issuers: dict[KeyType, Issuer]
) -> None:
    """One company's IMMEX, OEA and C-TPAT carry the same sites: blank nodes that repeat
    across the presentation's graphs. Both engines canonicalize it, to the same N-Quads."""
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [
            _credential(sample, issuers[KeyType.ED25519].did) for sample in SAMPLE_NAMES
        ],
    }
    ours = core.canonizer.canonize(presentation, hash_algorithm="sha256")
    assert js.canonize(presentation, hash_algorithm="SHA-256") == ours


def test_p384_interop_exercises_sha384_inside_rdfc(
    core: Core, issuers: dict[KeyType, Issuer]
) -> None:
    """Some samples canonicalize differently under SHA-256 and SHA-384 inside RDFC-1.0.

    So the P-384 round trips above would fail if either side hashed blank nodes with
    SHA-256 for P-384 (ecdsa-rdfc-2019 requires SHA-384 for the whole transformation).
    """
    differing = [
        sample
        for sample in SAMPLE_NAMES
        if core.canonizer.canonize(
            document := _credential(sample, issuers[KeyType.P384].did), hash_algorithm="sha256"
        )
        != core.canonizer.canonize(document, hash_algorithm="sha384")
    ]
    assert differing, "no sample has blank nodes whose labels depend on the RDFC hash"


# ------------------------------------------------------------------ signed trust lists


def _trust_list(operator: Issuer, sequence: int) -> dict[str, Any]:
    """A trust list by ``operator`` accrediting itself for OEA certificates."""
    now = _now()
    return build_trust_list(
        url="https://aduanas.example/trust-lists/sat",
        operator=operator.did,
        operator_name="Servicio de Administración Tributaria",
        sequence=sequence,
        issued=now - timedelta(minutes=1),
        next_update=now + timedelta(days=1),
        territory="MX",
        signing_keys=[operator.key.verification_method],
        next_signing_keys=[],
        entries=[
            ListedIssuer(
                issuer=operator.did,
                name="SAT – AGACE",
                accreditations=(ListedAccreditation(credential_type="OEACertificate"),),
            )
        ],
        previous_version="https://aduanas.example/trust-lists/sat/6",
    )


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_trust_lists_signed_by_either_verify_in_both(
    core: Core, js: Js, issuers: dict[KeyType, Issuer], key_type: KeyType
) -> None:
    """The trust-lists context is one other implementations can process: a list signed here
    verifies in Digital Bazaar's verifier, and one it signs verifies and reads back here."""
    issuer = issuers[key_type]
    ours = _vcservice_sign(core, issuer, _trust_list(issuer, 7))
    assert js.verify(ours) == {"verified": True, "error": None}

    theirs = js.sign(_trust_list(issuer, 8), suite=issuer.suite, key=issuer.path)
    result = core.verifier.verify(theirs)
    assert result.verified is True, _report(result)
    read = TrustList.from_credential(theirs)
    assert (read.sequence, read.entries[0].issuer) == (8, issuer.did)
    assert js.verify(_tampered(theirs))["verified"] is False
