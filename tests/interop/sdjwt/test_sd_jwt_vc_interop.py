"""Interop with the OpenWallet Foundation's sd-jwt-js: vcservice's SD-JWT VCs verify with
``@sd-jwt/sd-jwt-vc``'s own verifier (over ``@sd-jwt/crypto-nodejs``), its Token Status
Lists decode with ``@sd-jwt/jwt-status-list``, and its type metadata passes the library's
schema. The JS side is ``interop.mjs``: every case in one Node process.

Needs ``node``/``npm`` and the npm registry (or npm's cache) for ``npm ci``; otherwise skipped.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.api.builders import certificate_body
from tests.npm import npm_ci
from vcservice.dids.resolver import dereference_verification_method
from vcservice.jose.jws import decode_compact
from vcservice.keys import KeyPair, KeyPairSigner, KeyType, base64url_decode, base64url_encode
from vcservice.model.records import StatusPurpose
from vcservice.sdjwt import bind, present, split
from vcservice.services.container import Services, build_services
from vcservice.settings import Settings

pytestmark = [pytest.mark.interop, pytest.mark.slow]

JS_DIR = Path(__file__).resolve().parent
SCRIPT = JS_DIR / "interop.mjs"
NODE_TIMEOUT = 60
AUDIENCE = "https://aduana-nuevo-laredo.example"
NONCE = "n-0S6_WzA2Mj"


@dataclass(frozen=True)
class Issued:
    """What the cases are built from: a presentation, the keys, the lists around it."""

    services: Services
    issued: str
    credential_id: str
    presentation: str
    issuer_jwk: dict[str, Any]
    status_uri: str
    status_idx: int
    vct: str


@pytest.fixture(scope="module")
def node() -> str:
    """``npm ci`` the pinned packages once; skip when Node or the registry is absent."""
    return npm_ci(JS_DIR)


@pytest.fixture(scope="module")
def ctpat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Issued]:
    """A C-TPAT issued as an SD-JWT VC by an in-process service (SQLite), and a
    presentation of some of its claims bound to a nonce and audience."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("sdjwt-interop"),
        public_url="https://vcservice.example",
        dev_mode=True,
    )
    services = build_services(settings)
    try:
        authority = services.authorities.create(
            name="cbp", display_name="U.S. CBP", credential_types=["CTPATCertificate"]
        )
        holder = KeyPair.generate(KeyType.P256)
        issued = services.sd_jwt_vc.issue(
            authority="cbp",
            slug="ctpat",
            body=certificate_body("ctpat"),
            holder_jwk=holder.public_key.to_jwk(),
        )
        chosen = present(issued.compact, disclose=[("member", "legalName")])
        presentation = bind(
            chosen,
            signer=KeyPairSigner(holder, "did:example:holder#key-1"),
            nonce=NONCE,
            audience=AUDIENCE,
            issued_at=datetime.now(UTC),
        )
        jwt = decode_compact(split(issued.compact).issuer_jwt)
        payload = jwt.payload_json()
        _, method = dereference_verification_method(services.core.resolver, jwt.header["kid"])
        reference = payload["status"]["status_list"]
        assert authority.did == payload["iss"]
        yield Issued(
            services,
            issued.compact,
            issued.credential_id,
            presentation,
            method.public_key.to_jwk(),
            reference["uri"],
            reference["idx"],
            payload["vct"],
        )
    finally:
        services.close()


def test_sd_jwt_js_verifies_what_vcservice_issues(node: str, ctpat: Issued, tmp_path: Path) -> None:
    services = ctpat.services
    valid_list = services.sd_jwt_vc.status_list_token("cbp", _sequence(ctpat.status_uri)).token
    tampered = _tampered(ctpat.presentation)
    services.statuses.apply(
        services.authorities.get("cbp"),
        credential_id=ctpat.credential_id,
        updates={StatusPurpose.SUSPENSION: 1},
        reason="interop",
        actor="test",
    )
    suspended_list = services.sd_jwt_vc.status_list_token("cbp", _sequence(ctpat.status_uri)).token
    verify = {
        "kind": "verify",
        "alg": "ES256",
        "issuerJwk": ctpat.issuer_jwk,
        "nonce": NONCE,
        "statusListUri": ctpat.status_uri,
        "statusListToken": valid_list,
        "vct": ctpat.vct,
        "typeMetadata": services.sd_jwt_vc.type_metadata("ctpat"),
        "presentation": ctpat.presentation,
    }
    indices = [ctpat.status_idx, (ctpat.status_idx + 1) % 131_072]
    referenced = split(ctpat.issued).issuer_jwt
    cases = [
        {**verify, "name": "valid"},
        {**verify, "name": "tampered", "presentation": tampered},
        {**verify, "name": "tampered, unbound", "presentation": _unbound(tampered), "nonce": None},
        {**verify, "name": "other nonce", "nonce": "another nonce"},
        {**verify, "name": "suspended", "statusListToken": suspended_list},
        {"kind": "status", "name": "list", "token": valid_list, "indices": indices},
        {"kind": "status", "name": "list suspended", "token": suspended_list, "indices": indices},
    ]
    for case in cases[-2:]:
        case["referencedJwt"] = referenced
    results = {result["name"]: result for result in _run(node, cases, tmp_path)}

    valid = results["valid"]
    assert valid["verified"] is True, valid
    # The sites were not disclosed: the array is there, empty (RFC 9901 §7.1 step 3.4).
    assert valid["claims"]["member"] == {
        "legalName": "Ensambles Electrónicos del Bravo, S.A. de C.V.",
        "location": [],
    }
    assert valid["claims"]["tier"] == "Validated"
    assert "sviNumber" not in valid["claims"]
    assert valid["kbAudience"] == AUDIENCE
    assert valid["typeMetadataVct"] == ctpat.vct
    for name, why in (("tampered", "sd_hash"), ("other nonce", "Nonce"), ("suspended", "Status")):
        assert results[name]["verified"] is False, results[name]
        assert why in results[name]["error"], results[name]
    # RFC 9901 §7.1 step 5 rejects an unreferenced Disclosure (as vcservice does); sd-jwt-js
    # 0.19 ignores it instead: either way the forged value never becomes a claim.
    unbound = results["tampered, unbound"]
    assert not unbound["verified"] or "legalName" not in unbound["claims"]["member"], unbound
    expected_reference = {"idx": ctpat.status_idx, "uri": ctpat.status_uri}
    assert results["list"] == {
        "name": "list",
        "bits": 2,
        "reference": expected_reference,
        "statuses": [0, 0],
    }
    assert results["list suspended"]["statuses"] == [2, 0]


def _sequence(uri: str) -> int:
    return int(uri.rsplit("/", 1)[1])


def _tampered(presentation: str) -> str:
    """The presentation with its Disclosure's claim value changed (its digest no longer
    matches any the Issuer signed)."""
    parts = split(presentation)
    disclosure = parts.disclosures[0]
    content = json.loads(base64url_decode(disclosure))
    content[2] = "Another Company, S.A. de C.V."
    forged = base64url_encode(json.dumps(content).encode())
    return presentation.replace(disclosure, forged)


def _unbound(presentation: str) -> str:
    """The SD-JWT of an SD-JWT+KB: without its Key Binding JWT."""
    return split(presentation).sd_jwt


def _run(node: str, cases: list[dict[str, Any]], work: Path) -> list[dict[str, Any]]:
    path = work / "cases.json"
    path.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    completed = subprocess.run(
        [node, str(SCRIPT), str(path)],
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    results: list[dict[str, Any]] = json.loads(completed.stdout)
    return results
