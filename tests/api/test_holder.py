"""The holder over real HTTP: keep credentials issued to its DID, present them to a verifier."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from tests.api.builders import certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem

DOMAIN = "aduana-nuevo-laredo.example"


@dataclass
class Wallet:
    """A holder created through the admin API, with its access token."""

    name: str
    did: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _wallet(live_service: LiveService, prefix: str) -> Wallet:
    name = live_service.unique_name(prefix)
    response = live_service.http.post(
        "/admin/holders", headers=live_service.admin, json={"name": name}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == name and body["did"].startswith("did:key:z6Mk")
    return Wallet(name, body["did"], body["accessToken"])


@pytest.fixture(scope="module")
def shipper(live_service: LiveService) -> Wallet:
    return _wallet(live_service, "shipper")


@pytest.fixture(scope="module")
def rival(live_service: LiveService) -> Wallet:
    return _wallet(live_service, "rival")


def _issue(
    live_service: LiveService, issuer: Issuer, slug: str, subject: str, fmt: str = "eddsa-rdfc-2022"
) -> Any:
    body = certificate_body(slug, securing_format=fmt)
    body["certificate"]["subjectId"] = subject
    response = live_service.http.post(f"/certificates/{slug}", headers=issuer.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def _store(live_service: LiveService, wallet: Wallet, credential: Any) -> Any:
    return live_service.http.post(
        "/holder/credentials", headers=wallet.headers, json={"verifiableCredential": credential}
    )


def _held_ids(live_service: LiveService, wallet: Wallet) -> list[str]:
    response = live_service.http.get("/holder/credentials", headers=wallet.headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def _challenge(live_service: LiveService) -> str:
    response = live_service.http.post("/challenges", json={"domain": DOMAIN})
    assert response.status_code == 201, response.text
    return str(response.json()["challenge"])


def _prove(
    live_service: LiveService, wallet: Wallet, ids: list[str], challenge: str, fmt: str
) -> Any:
    body = {"credentialIds": ids, "challenge": challenge, "domain": DOMAIN, "format": fmt}
    return live_service.http.post("/presentations/prove", headers=wallet.headers, json=body)


def _verify(live_service: LiveService, presentation: Any, challenge: str) -> dict[str, Any]:
    response = live_service.http.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": presentation,
            "options": {"challenge": challenge, "domain": DOMAIN},
        },
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _outcomes(result: dict[str, Any]) -> dict[str, str]:
    return {check["check"]: check["outcome"] for check in result["checks"]}


def test_holder_endpoints_need_the_holders_token(live_service: LiveService) -> None:
    assert_problem(live_service.http.get("/holder/credentials"), 401, "UNAUTHORIZED")
    bad = {"Authorization": "Bearer nobody.secret"}
    assert_problem(live_service.http.get("/holder/credentials", headers=bad), 401, "INVALID_TOKEN")
    response = live_service.http.post("/admin/holders", json={"name": "x"})
    assert_problem(response, 401)


def test_a_holder_name_is_taken_once(live_service: LiveService, shipper: Wallet) -> None:
    response = live_service.http.post(
        "/admin/holders", headers=live_service.admin, json={"name": shipper.name}
    )
    assert_problem(response, 409, "CONFLICT")


def test_store_prove_verify_and_delete(
    live_service: LiveService, sat: Issuer, cbp: Issuer, shipper: Wallet, rival: Wallet
) -> None:
    immex = _issue(live_service, sat, "immex", shipper.did)
    ctpat_jwt = _issue(live_service, cbp, "ctpat", shipper.did, fmt="vc+jwt")
    assert isinstance(ctpat_jwt, str)

    # refused: tampered, and issued to someone else
    tampered = copy.deepcopy(immex)
    tampered["credentialSubject"]["id"] = rival.did
    problem = assert_problem(_store(live_service, rival, tampered), 422, "CREDENTIAL_NOT_ACCEPTED")
    assert "does not verify" in problem["detail"]
    problem = assert_problem(_store(live_service, rival, immex), 422, "CREDENTIAL_NOT_ACCEPTED")
    assert "subject" in problem["detail"]

    stored = _store(live_service, shipper, immex)
    assert stored.status_code == 201, stored.text
    assert stored.json()["id"] == immex["id"] and stored.json()["format"] == "data-integrity"
    stored_jwt = _store(live_service, shipper, ctpat_jwt)
    assert stored_jwt.status_code == 201, stored_jwt.text
    assert stored_jwt.json()["format"] == "vc+jwt"
    assert_problem(_store(live_service, shipper, immex), 409, "CONFLICT")
    ids = [immex["id"], stored_jwt.json()["id"]]
    assert _held_ids(live_service, shipper) == ids
    assert _held_ids(live_service, rival) == []

    # Data Integrity presentation: verified once, then a replay is refused
    challenge = _challenge(live_service)
    response = _prove(live_service, shipper, ids, challenge, "data-integrity")
    assert response.status_code == 201, response.text
    presentation = response.json()["verifiablePresentation"]
    assert presentation["holder"] == shipper.did
    assert presentation["proof"]["proofPurpose"] == "authentication"
    assert presentation["proof"]["challenge"] == challenge
    result = _verify(live_service, presentation, challenge)
    assert result["verified"] is True, result
    assert _outcomes(result)["holderBinding"] == "passed"
    assert len(result["credentialResults"]) == 2
    replay = _verify(live_service, presentation, challenge)
    assert replay["verified"] is False
    assert [p["code"] for p in replay["problemDetails"]] == ["INVALID_CHALLENGE_ERROR"]

    # vp+jwt presentation
    challenge = _challenge(live_service)
    response = _prove(live_service, shipper, ids, challenge, "vp+jwt")
    assert response.status_code == 201, response.text
    enveloped = response.json()["verifiablePresentation"]
    assert enveloped["type"] == "EnvelopedVerifiablePresentation"
    assert enveloped["id"].startswith("data:application/vp+jwt,")
    result = _verify(live_service, enveloped, challenge)
    assert result["verified"] is True, result
    assert _outcomes(result)["holderBinding"] == "passed"

    # another holder can neither prove nor delete these
    assert_problem(_prove(live_service, rival, ids, _challenge(live_service), "vp+jwt"), 404)
    path = f"/holder/credentials/{quote(immex['id'], safe=':')}"
    assert_problem(live_service.http.delete(path, headers=rival.headers), 404, "NOT_FOUND")

    assert live_service.http.delete(path, headers=shipper.headers).status_code == 204
    assert _held_ids(live_service, shipper) == ids[1:]
    assert_problem(live_service.http.delete(path, headers=shipper.headers), 404, "NOT_FOUND")
