"""The guarded client over real HTTP: the service, asked to verify, is made to fetch for an
attacker's server that redirects to internal addresses. Nothing internal is ever reached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import LiveService, serve
from tests.api.presenting import verification_result
from tests.factories import NOW, certificate, key_file
from tests.unit.net.local_server import LocalServer, Route
from vcservice.keys import KeyType
from vcservice.services.core import Core
from vcservice.status import status_entry

ISSUER = key_file(KeyType.ED25519, seed=77)
INTERNAL_TARGETS = [
    pytest.param("https://169.254.169.254/latest/meta-data/", "link-local", id="cloud-metadata"),
    pytest.param("https://[fe80::1]/", "link-local", id="ipv6-link-local"),
    pytest.param("http://127.0.0.1:{port}/internal", "not allowed", id="plain-http-to-an-ip"),
    pytest.param("file:///etc/passwd", "scheme 'file'", id="file"),
    pytest.param("gopher://localhost:{port}/_", "scheme 'gopher'", id="gopher"),
]


@pytest.fixture(scope="module")
def attacker() -> Iterator[LocalServer]:
    server = LocalServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def development(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """A service allowed to fetch from localhost over http and from private networks."""
    with serve(
        tmp_path_factory.mktemp("ssrf-dev"),
        None,
        context_store_dir,
        allow_http_hosts=frozenset({"localhost"}),
        allow_private_networks=True,
    ) as live:
        yield live


@pytest.fixture(scope="module")
def production(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """A service with the default policy: https only, public addresses only."""
    with serve(tmp_path_factory.mktemp("ssrf-prod"), None, context_store_dir) as live:
        yield live


def _verify(live: LiveService, credential: dict[str, Any]) -> dict[str, Any]:
    """The result of a credential that does not verify: a 422 VERIFICATION_FAILED problem."""
    response = live.http.post("/credentials/verify", json={"verifiableCredential": credential})
    return verification_result(response, verified=False)


def _with_status_at(core: Core, url: str) -> dict[str, Any]:
    credential = certificate("ctpat", issuer=ISSUER)
    credential["credentialStatus"] = status_entry(url, 42, "revocation")
    return core.data_integrity.add_proof(
        credential, signer=ISSUER.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
    )


def _claiming_did_web(port: int) -> dict[str, Any]:
    credential = certificate("ctpat")
    did = f"did:web:localhost%3A{port}:issuers:evil"
    credential["issuer"]["id"] = did
    credential["proof"] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-11-28T12:00:00Z",
        "verificationMethod": f"{did}#key-1",
        "proofPurpose": "assertionMethod",
        "proofValue": "z" + "1" * 86,
    }
    return credential


def _details(result: dict[str, Any]) -> str:
    return " ".join(str(problem.get("detail")) for problem in result["problemDetails"])


@pytest.mark.parametrize(("target", "refusal"), INTERNAL_TARGETS)
def test_a_status_list_redirect_to_an_internal_address_is_refused(
    development: LiveService, attacker: LocalServer, core: Core, target: str, refusal: str
) -> None:
    path = f"/lists/{abs(hash(target))}"
    attacker.routes[path] = Route(
        status=302, headers={"Location": target.format(port=attacker.port)}
    )
    credential = _with_status_at(core, attacker.url(path, host="localhost"))
    result = _verify(development, credential)
    assert result["verified"] is False
    codes = [problem["code"] for problem in result["problemDetails"]]
    assert codes == ["ISSUER_NOT_TRUSTED", "STATUS_RETRIEVAL_ERROR"]  # the key is nobody's
    assert refusal in _details(result)
    assert attacker.hits(path) == 1  # the attacker's URL was fetched; the target never was
    assert attacker.hits("/internal") == 0


@pytest.mark.parametrize(("target", "refusal"), INTERNAL_TARGETS[:2])
def test_a_did_web_redirect_to_an_internal_address_is_refused(
    development: LiveService, attacker: LocalServer, target: str, refusal: str
) -> None:
    attacker.routes["/issuers/evil/did.json"] = Route(status=302, headers={"Location": target})
    result = _verify(development, _claiming_did_web(attacker.port))
    assert result["verified"] is False
    assert refusal in _details(result)
    assert attacker.hits("/issuers/evil/did.json") >= 1


def test_by_default_loopback_is_not_even_asked(
    production: LiveService, attacker: LocalServer, core: Core
) -> None:
    before = len(attacker.requests)
    did_web = _verify(production, _claiming_did_web(attacker.port))
    status = _verify(production, _with_status_at(core, attacker.url("/lists/x", host="localhost")))
    assert did_web["verified"] is False and status["verified"] is False
    assert "STATUS_RETRIEVAL_ERROR" in [problem["code"] for problem in status["problemDetails"]]
    assert "scheme 'http' is not allowed" in _details(status)
    assert len(attacker.requests) == before  # no request reached the loopback server
