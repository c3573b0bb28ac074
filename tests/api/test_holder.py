"""The holder over real HTTP: keep credentials issued to its DID, present them to a verifier.

Holders have a did:key or a did:web under the service's URL; the admin lists, rotates
the token of, and removes them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.api.builders import certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem
from tests.api.presenting import outcomes, verification_result
from tests.factories import held_by, holder_of
from vcservice.dids.document import DidDocument
from vcservice.dids.methods.web import did_web_for_url

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


def _wallet(live_service: LiveService, prefix: str, did_method: str | None = None) -> Wallet:
    name = live_service.unique_name(prefix)
    request = {"name": name} if did_method is None else {"name": name, "didMethod": did_method}
    response = live_service.http.post("/admin/holders", headers=live_service.admin, json=request)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == name
    if did_method == "web":
        assert body["did"] == did_web_for_url(live_service.url, ("holders", name))
    else:
        assert body["did"].startswith("did:key:z6Mk")
    return Wallet(name, body["did"], body["accessToken"])


@pytest.fixture(scope="module")
def shipper(live_service: LiveService) -> Wallet:
    return _wallet(live_service, "shipper")


@pytest.fixture(scope="module")
def rival(live_service: LiveService) -> Wallet:
    return _wallet(live_service, "rival")


@pytest.fixture(scope="module")
def web_shipper(live_service: LiveService) -> Wallet:
    return _wallet(live_service, "web-shipper", "web")


def _issue(
    live_service: LiveService, issuer: Issuer, slug: str, subject: str, fmt: str = "eddsa-rdfc-2022"
) -> Any:
    body = certificate_body(slug, securing_format=fmt)
    body["certificate"]["member"]["id"] = subject
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
    return verification_result(response)


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
    held_by(tampered, rival.did)
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
    assert outcomes(result)["holderBinding"] == "passed"
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
    assert outcomes(result)["holderBinding"] == "passed"

    # another holder can neither prove nor delete these
    assert_problem(_prove(live_service, rival, ids, _challenge(live_service), "vp+jwt"), 404)
    path = f"/holder/credentials/{quote(immex['id'], safe=':')}"
    assert_problem(live_service.http.delete(path, headers=rival.headers), 404, "NOT_FOUND")

    assert live_service.http.delete(path, headers=shipper.headers).status_code == 204
    assert _held_ids(live_service, shipper) == ids[1:]
    assert_problem(live_service.http.delete(path, headers=shipper.headers), 404, "NOT_FOUND")


# ---------------------------------------------------------------- did:web holders


def test_a_did_web_holders_document_is_served(
    live_service: LiveService, web_shipper: Wallet, shipper: Wallet
) -> None:
    port = httpx.URL(live_service.url).port
    assert web_shipper.did == f"did:web:localhost%3A{port}:holders:{web_shipper.name}"
    response = live_service.http.get(f"/holders/{web_shipper.name}/did.json")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/did+json"
    document = DidDocument(response.json())
    assert document.id == web_shipper.did
    [method_id] = [vm["id"] for vm in document.data["verificationMethod"]]
    assert method_id.startswith(f"{web_shipper.did}#z6Mk")
    method = document.verification_method(method_id)
    assert (method.type, method.controller) == ("Multikey", web_shipper.did)
    assert document.authorizes(method_id, "authentication")
    assert document.authorizes(method_id, "assertionMethod")

    # no document for a did:key holder or for nobody
    for name in (shipper.name, "nobody"):
        problem = assert_problem(live_service.http.get(f"/holders/{name}/did.json"), 404)
        assert problem["code"] == "NOT_FOUND" and problem["field"] == "name"


def test_a_did_web_holder_keeps_a_credential_issued_to_it(
    live_service: LiveService, sat: Issuer, web_shipper: Wallet, shipper: Wallet
) -> None:
    oea = _issue(live_service, sat, "oea", web_shipper.did)
    assert holder_of(oea) == web_shipper.did
    problem = assert_problem(_store(live_service, shipper, oea), 422, "CREDENTIAL_NOT_ACCEPTED")
    assert "subject" in problem["detail"]
    stored = _store(live_service, web_shipper, oea)
    assert stored.status_code == 201, stored.text
    assert oea["id"] in _held_ids(live_service, web_shipper)


def test_a_did_web_holders_presentations_verify(
    live_service: LiveService, sat: Issuer, cbp: Issuer, web_shipper: Wallet
) -> None:
    # The verifier resolves the service's own did:web holders without the network (the
    # service's URL is plain http on loopback, which the guarded client would refuse).
    immex = _issue(live_service, sat, "immex", web_shipper.did)
    ctpat_jwt = _issue(live_service, cbp, "ctpat", web_shipper.did, fmt="vc+jwt")
    ids = [_store(live_service, web_shipper, c).json()["id"] for c in (immex, ctpat_jwt)]
    for fmt in ("data-integrity", "vp+jwt"):
        challenge = _challenge(live_service)
        response = _prove(live_service, web_shipper, ids, challenge, fmt)
        assert response.status_code == 201, response.text
        presentation = response.json()["verifiablePresentation"]
        if fmt == "data-integrity":
            assert presentation["holder"] == web_shipper.did
            assert presentation["proof"]["verificationMethod"].startswith(f"{web_shipper.did}#")
        result = _verify(live_service, presentation, challenge)
        assert result["verified"] is True, result
        assert outcomes(result)["holderBinding"] == "passed"
        assert len(result["credentialResults"]) == 2


# ---------------------------------------------------------------- administration


def test_holder_administration_needs_the_admin_token(
    live_service: LiveService, shipper: Wallet
) -> None:
    calls = [
        ("GET", "/admin/holders"),
        ("GET", f"/admin/holders/{shipper.name}"),
        ("POST", f"/admin/holders/{shipper.name}/token"),
        ("DELETE", f"/admin/holders/{shipper.name}"),
    ]
    for method, path in calls:
        assert_problem(live_service.http.request(method, path), 401, "UNAUTHORIZED")
        response = live_service.http.request(method, path, headers=shipper.headers)
        assert_problem(response, 401, "INVALID_TOKEN")
    assert live_service.http.get("/holder/credentials", headers=shipper.headers).status_code == 200


def test_holders_are_listed_and_shown(
    live_service: LiveService, shipper: Wallet, web_shipper: Wallet
) -> None:
    response = live_service.http.get("/admin/holders", headers=live_service.admin)
    assert response.status_code == 200, response.text
    listed = response.json()
    names = [view["name"] for view in listed]
    assert names == sorted(names)
    by_name = {view["name"]: view for view in listed}
    for wallet in (shipper, web_shipper):
        view = by_name[wallet.name]
        assert set(view) == {"name", "did", "createdAt"}
        assert view["did"] == wallet.did
        one = live_service.http.get(f"/admin/holders/{wallet.name}", headers=live_service.admin)
        assert one.status_code == 200, one.text
        assert one.json() == view
    assert shipper.token not in response.text


@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("POST", "/token"), ("DELETE", "")])
def test_an_unknown_holder_is_not_found(
    live_service: LiveService, method: str, suffix: str
) -> None:
    response = live_service.http.request(
        method, f"/admin/holders/nobody{suffix}", headers=live_service.admin
    )
    assert_problem(response, 404, "NOT_FOUND", field="name")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Maquiladora"}, "name"),
        ({"name": "-maquila"}, "name"),
        ({"name": "maquila\n"}, "name"),
        ({"name": "m" * 64}, "name"),
        ({"name": "maquila", "didMethod": "jwk"}, "didMethod"),
        ({"name": "maquila", "extra": 1}, "extra"),
    ],
)
def test_a_bad_holder_is_refused_naming_the_field(
    live_service: LiveService, body: dict[str, Any], field: str
) -> None:
    response = live_service.http.post("/admin/holders", headers=live_service.admin, json=body)
    assert_problem(response, 422, field=field)
    listed = live_service.http.get("/admin/holders", headers=live_service.admin).json()
    assert body["name"] not in [view["name"] for view in listed]


def test_a_did_web_name_is_taken_once(live_service: LiveService, web_shipper: Wallet) -> None:
    response = live_service.http.post(
        "/admin/holders",
        headers=live_service.admin,
        json={"name": web_shipper.name, "didMethod": "web"},
    )
    assert_problem(response, 409, "CONFLICT")


def test_rotating_a_token_retires_the_old_one_at_once(live_service: LiveService) -> None:
    wallet = _wallet(live_service, "rotating")
    assert live_service.http.get("/holder/credentials", headers=wallet.headers).status_code == 200
    response = live_service.http.post(
        f"/admin/holders/{wallet.name}/token", headers=live_service.admin
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["name"], body["did"]) == (wallet.name, wallet.did)
    rotated = Wallet(wallet.name, wallet.did, body["accessToken"])
    assert rotated.token != wallet.token

    old = live_service.http.get("/holder/credentials", headers=wallet.headers)
    assert_problem(old, 401, "INVALID_TOKEN")
    assert live_service.http.get("/holder/credentials", headers=rotated.headers).json() == {
        "items": []
    }
    # the new token is shown once: neither listing nor lookup repeats it
    shown = live_service.http.get(f"/admin/holders/{wallet.name}", headers=live_service.admin)
    assert rotated.token not in shown.text


def test_deleting_a_holder_removes_its_credentials(live_service: LiveService, sat: Issuer) -> None:
    wallet = _wallet(live_service, "leaving", "web")
    immex = _issue(live_service, sat, "immex", wallet.did)
    assert _store(live_service, wallet, immex).status_code == 201
    assert _held_ids(live_service, wallet) == [immex["id"]]

    response = live_service.http.delete(f"/admin/holders/{wallet.name}", headers=live_service.admin)
    assert response.status_code == 204, response.text
    for path in (f"/admin/holders/{wallet.name}", f"/holders/{wallet.name}/did.json"):
        assert_problem(live_service.http.get(path, headers=live_service.admin), 404, "NOT_FOUND")
    assert_problem(
        live_service.http.get("/holder/credentials", headers=wallet.headers), 401, "INVALID_TOKEN"
    )
    listed = live_service.http.get("/admin/holders", headers=live_service.admin).json()
    assert wallet.name not in [view["name"] for view in listed]

    # the did:web is never given again: its new holder would control the old one's credentials
    reused = live_service.http.post(
        "/admin/holders", headers=live_service.admin, json={"name": wallet.name, "didMethod": "web"}
    )
    assert_problem(reused, 409, "CONFLICT")
    # the name can be given again with a did:key, and nothing of the old holder's is left
    response = live_service.http.post(
        "/admin/holders", headers=live_service.admin, json={"name": wallet.name}
    )
    assert response.status_code == 201, response.text
    again = Wallet(wallet.name, response.json()["did"], response.json()["accessToken"])
    assert _held_ids(live_service, again) == []
