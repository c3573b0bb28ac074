"""v1 certificates issued before "certificate data v2" still verify (issue 16).

The fixtures in ``tests/vectors/certificates-v1`` were issued once, by the service at commit
47d7f27, and are never regenerated (see their README and ``generate.py``). Each is verified
here as this code's verification service verifies a credential: the proof, the issuer
binding, the issuer's accreditation in a configured trust registry file, the v1 JSON
Schema its ``credentialSchema`` names, the validity period and every status entry.

Offline, as ``vcservice verify --status-list`` works: the issuers are did:keys, and the
signed status list credentials published at issuance are given to the core as its local
status lists (no fetch; the network is refused). The clock is fixed at the manifest's
``verifyAt``, a day after issuance: inside the certificates' validity (to 2035) and the
status lists' (seven days).
"""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from vcservice.clock import FixedClock
from vcservice.model.datetimes import parse_datetime
from vcservice.services.core import Core, CoreConfig, build_core
from vcservice.services.freshness import Freshness
from vcservice.services.quotas import Quotas
from vcservice.services.trust import TrustRegistryService
from vcservice.services.verifier import VerifierService
from vcservice.storage.repository import Store
from vcservice.storage.sql import open_store
from vcservice.trust.registry import TrustRegistry
from vcservice.verification.result import VerificationResult

pytestmark = pytest.mark.shared

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "certificates-v1"
MANIFEST: dict[str, Any] = json.loads((VECTORS / "manifest.json").read_text(encoding="utf-8"))
FIXTURES: list[dict[str, Any]] = MANIFEST["fixtures"]
CLOCK = FixedClock(parse_datetime(MANIFEST["verifyAt"], field="verifyAt"))
REGISTRY_FILE = VECTORS / MANIFEST["trustRegistry"]
CHECKS = (
    "structure",
    "proof",
    "issuer",
    "issuerTrust",
    "validityPeriod",
    "credentialSchema",
    "status",
)
# A subject value of each type to change by one character.
SUBJECT_VALUE = {
    "immex": ("legalName",),
    "oea": ("oeaRegistrationNumber",),
    "ctpat": ("member", "legalName"),
}


def _read(name: str) -> dict[str, Any] | str:
    text = (VECTORS / name).read_text(encoding="utf-8")
    if name.endswith(".jwt"):
        return text.strip()
    document: dict[str, Any] = json.loads(text)
    return document


def _status_lists() -> dict[str, dict[str, Any]]:
    """The published status list credentials, by URL (the URL is each one's id)."""
    lists = {}
    for name, url in MANIFEST["statusLists"].items():
        document = _read(name)
        assert isinstance(document, dict) and document["id"] == url
        lists[url] = document
    return lists


@pytest.fixture
def offline(
    tmp_path: Path, context_store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Core, Store]]:
    """The core at ``verifyAt`` with the fixtures' status lists local (as ``vcservice verify
    --status-list`` gives them), a verifier's store, and the network refused."""
    lists = _status_lists()

    def given_lists(urls: Sequence[str]) -> dict[str, dict[str, Any]]:
        return {url: lists[url] for url in urls if url in lists}

    def refuse(host: Any, *args: Any, **kwargs: Any) -> Any:
        raise OSError(f"network refused in this test (lookup of {host!r})")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    core = build_core(
        CoreConfig(store_dir=context_store_dir, jsonld_path="checked"),
        clock=CLOCK,
        local_status_lists=given_lists,
    )
    store = open_store(f"sqlite:///{tmp_path / 'verifier.db'}")
    try:
        yield core, store
    finally:
        store.close()
        core.http.close()


def _service(offline: tuple[Core, Store], registry: TrustRegistry) -> VerifierService:
    """The verification service, trusting the issuers of ``registry`` (its configured file)."""
    core, store = offline
    return VerifierService(
        core=core,
        store=store,
        clock=CLOCK,
        trust=TrustRegistryService(
            entries=store.trust,
            clock=CLOCK,
            freshness=Freshness(store.generation.current),
            configured=registry,
        ),
        quotas=Quotas(
            per_address=2,
            per_client=2,
            anonymous_total=3,
            anonymous_challenge=timedelta(minutes=2),
            anonymous_exchange=timedelta(minutes=5),
        ),
    )


@pytest.fixture
def verifier(offline: tuple[Core, Store]) -> VerifierService:
    """The verification service configured with the fixtures' trust registry file."""
    return _service(offline, TrustRegistry.load(REGISTRY_FILE))


def _outcomes(result: VerificationResult) -> dict[str, str]:
    return {check.name: check.outcome.value for check in result.checks}


def _codes(result: VerificationResult) -> list[str]:
    return [problem.code for problem in result.problems]


def _detail(result: VerificationResult, name: str) -> str | None:
    check = result.check(name)
    assert check is not None, name
    return check.detail


def _jwt_payload(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def _with_payload(token: str, claims: dict[str, Any]) -> str:
    header, _, signature = token.split(".")
    payload = base64.urlsafe_b64encode(
        json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode()
    ).rstrip(b"=")
    return f"{header}.{payload.decode()}.{signature}"


def _credential(document: dict[str, Any] | str) -> dict[str, Any]:
    """The credential itself (a vc+jwt's payload)."""
    return _jwt_payload(document) if isinstance(document, str) else document


def _one_character_changed(fixture: dict[str, Any]) -> dict[str, Any] | str:
    """The fixture with the last character of one subject value replaced (unsigned again)."""
    document = _read(fixture["file"])
    credential = _credential(document)
    *path, member = SUBJECT_VALUE[fixture["certificate"]]
    holder = credential["credentialSubject"]
    for step in path:
        holder = holder[step]
    value = holder[member]
    holder[member] = value[:-1] + ("X" if value[-1] != "X" else "Y")
    return _with_payload(document, credential) if isinstance(document, str) else credential


def test_the_fixtures_cover_each_certificate_type_and_format() -> None:
    assert {fixture["type"] for fixture in FIXTURES} == {
        "IMMEXCertificate",
        "OEACertificate",
        "CTPATCertificate",
    }
    assert {fixture["securingFormat"] for fixture in FIXTURES} == {
        "eddsa-rdfc-2022",
        "ecdsa-rdfc-2019",
        "vc+jwt",
    }
    assert MANIFEST["commit"].startswith("47d7f27")


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture["file"])
def test_a_v1_fixture_verifies(verifier: VerifierService, fixture: dict[str, Any]) -> None:
    document = _read(fixture["file"])
    credential = _credential(document)
    assert credential["type"] == ["VerifiableCredential", fixture["type"]]
    assert credential["issuer"]["id"] == fixture["issuer"]
    assert credential["credentialSchema"] == {"id": fixture["schema"], "type": "JsonSchema"}
    assert fixture["schema"].endswith(f"/{fixture['certificate']}-v1.json")
    assert {entry["statusPurpose"] for entry in credential["credentialStatus"]} == {
        "revocation",
        "suspension",
        "message",
    }

    result = verifier.verify_credential(document)

    assert result.verified, result.to_json()
    if fixture["securingFormat"] == "vc+jwt":
        assert result.format == "vc+jwt"
    outcomes = _outcomes(result)
    assert {name: outcomes.get(name) for name in CHECKS} == dict.fromkeys(CHECKS, "passed"), (
        result.to_json()
    )
    assert result.to_json()["warnings"] == []
    status = _detail(result, "status") or ""
    assert "revocation: not revoked" in status and "suspension: not suspended" in status
    assert "message: active" in status
    accredited = TrustRegistry.load(REGISTRY_FILE)
    assert _detail(result, "issuerTrust") == (
        f"accredited issuer {accredited.display_name(fixture['issuer'])}"
    )


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture["file"])
def test_a_one_character_change_to_a_subject_value_fails(
    verifier: VerifierService, fixture: dict[str, Any]
) -> None:
    result = verifier.verify_credential(_one_character_changed(fixture))

    assert not result.verified
    assert _outcomes(result)["proof"] == "failed", result.to_json()
    assert "PROOF_VERIFICATION_ERROR" in _codes(result), result.to_json()


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda fixture: fixture["file"])
def test_an_issuer_accredited_for_other_types_only_is_not_trusted(
    offline: tuple[Core, Store], fixture: dict[str, Any]
) -> None:
    others = {"IMMEXCertificate", "OEACertificate", "CTPATCertificate"} - {fixture["type"]}
    registry = TrustRegistry.from_json(
        {
            "issuers": [
                {"id": fixture["issuer"], "name": "elsewhere", "credentialTypes": sorted(others)}
            ]
        }
    )
    result = _service(offline, registry).verify_credential(_read(fixture["file"]))

    assert not result.verified
    assert _outcomes(result)["proof"] == "passed"
    assert _codes(result) == ["ISSUER_NOT_TRUSTED"], result.to_json()
