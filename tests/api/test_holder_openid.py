"""The service's own wallet over OpenID4VCI and OpenID4VP, over real HTTP.

An officer offers each certificate type; the holder's wallet (``/holder/openid4vci/offers``)
redeems the offer with its transaction code and keeps the SD-JWT VC; a broker asks with
DCQL and the wallet (``/holder/openid4vp/authorizations``) presents only what was asked:
the verifier's own record of the VP Token holds exactly the requested Disclosures. The
wallet reaches the issuer and the verifier through the service's guarded HTTP client, as
it would reach another service: here they are the same one, at ``http://localhost``, which
this module's service allows (``allow_http_hosts``, ``allow_private_networks``). SQLite
only: nothing here depends on the backend.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from tests.api.builders import CBP_TYPES, SAT_TYPES, certificate_body
from tests.api.conftest import (
    SHARED_TOKEN_RATE_PER_MINUTE,
    Issuer,
    LiveService,
    assert_problem,
    serve,
)
from vcservice.dids.methods import did_jwk_from_public_key
from vcservice.keys import KeyPair, KeyType
from vcservice.sdjwt import Disclosure, split

TYPES = {"immex": "IMMEXCertificate", "oea": "OEACertificate", "ctpat": "CTPATCertificate"}
# What the broker asks of each: the company's name, and the programme's number or standing.
ASKED = {
    "immex": ["immexProgramNumber"],
    "oea": ["oeaRegistrationNumber"],
    "ctpat": ["tier"],  # always visible: "C-TPAT, validated", no number
}
# The oea case's request: by POST to the request_uri, the answer encrypted.
ENCRYPTED = {"responseMode": "direct_post.jwt", "requestUriMethod": "post"}


@pytest.fixture(scope="module")
def backend() -> str:
    """SQLite only (see the module docstring)."""
    return "sqlite"


@pytest.fixture(scope="module")
def live_service(
    backend: str, context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """The service, whose wallet may reach it over http on loopback."""
    with serve(
        tmp_path_factory.mktemp("holder-openid"),
        None,
        context_store_dir,
        token_rate_per_minute=SHARED_TOKEN_RATE_PER_MINUTE,
        allow_http_hosts=frozenset({"localhost"}),
        allow_private_networks=True,
    ) as live:
        yield live


@pytest.fixture(scope="module")
def officers(live_service: LiveService) -> dict[str, Issuer]:
    """The officers of SAT (IMMEX, OEA) and CBP (C-TPAT), accredited by the verifier."""
    sat = live_service.issuer("sat", SAT_TYPES)
    cbp = live_service.issuer("cbp", CBP_TYPES)
    return {"immex": sat, "oea": sat, "ctpat": cbp}


@pytest.fixture(scope="module")
def broker(live_service: LiveService) -> Issuer:
    return live_service.verifier_client("broker")


def _holder(live: LiveService, name: str, did_method: str) -> tuple[str, dict[str, str]]:
    response = live.http.post(
        "/admin/holders", headers=live.admin, json={"name": name, "didMethod": did_method}
    )
    assert response.status_code == 201, response.text
    created = response.json()
    return str(created["did"]), {"Authorization": f"Bearer {created['accessToken']}"}


@pytest.fixture(scope="module")
def wallet(live_service: LiveService) -> dict[str, str]:
    """A company's wallet with a did:web (as the demo's)."""
    return _holder(live_service, "ensambles-bravo", "web")[1]


def _offer(live: LiveService, officer: Issuer, slug: str, configurations: list[str]) -> Any:
    body = certificate_body(slug) | {"credentialConfigurationIds": configurations}
    response = live.http.post(f"/issuers/{officer.name}/offers", headers=officer.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _receive(live: LiveService, wallet: dict[str, str], **body: Any) -> Any:
    return live.http.post("/holder/openid4vci/offers", headers=wallet, json=body)


def _request(live: LiveService, broker: Issuer, **body: Any) -> dict[str, Any]:
    response = live.http.post("/openid4vp/requests", headers=broker.headers, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _sd_jwt_query(live: LiveService, slug: str) -> dict[str, Any]:
    claims = [{"path": ["member", "legalName"]}, *({"path": [name]} for name in ASKED[slug])]
    return {
        "credentials": [
            {
                "id": slug,
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [f"{live.url}/vct/{slug}"]},
                "claims": claims,
            }
        ]
    }


def _authorize(live: LiveService, wallet: dict[str, str], link: str, **body: Any) -> Any:
    return live.http.post(
        "/holder/openid4vp/authorizations", headers=wallet, json={"request": link} | body
    )


def _outcome(live: LiveService, broker: Issuer, created: dict[str, Any]) -> dict[str, Any]:
    response = live.http.get(f"/openid4vp/requests/{created['id']}", headers=broker.headers)
    assert response.status_code == 200, response.text
    seen: dict[str, Any] = response.json()
    return seen


@pytest.mark.parametrize(
    ("slug", "by", "request_options"),
    [
        ("immex", "offerLink", {}),
        (
            "oea",
            "offerLinkByValue",
            {"responseMode": "direct_post.jwt", "requestUriMethod": "post"},
        ),
        ("ctpat", "offerLink", {"clientIdPrefix": "redirect_uri"}),
    ],
)
def test_the_wallet_receives_each_type_and_discloses_only_what_is_asked(
    live_service: LiveService,
    officers: dict[str, Issuer],
    broker: Issuer,
    wallet: dict[str, str],
    slug: str,
    by: str,
    request_options: dict[str, str],
) -> None:
    officer = officers[slug]
    offer = _offer(live_service, officer, slug, [f"{TYPES[slug]}_sd_jwt_vc"])
    received = _receive(live_service, wallet, offer=offer[by], txCode=offer["txCode"])
    assert received.status_code == 201, received.text
    body = received.json()
    assert body["credentialIssuer"] == f"{live_service.url}/issuers/{officer.name}"
    [kept] = body["credentials"]
    assert kept["format"] == "dc+sd-jwt" and kept["id"].startswith("ni:///sha-256;")
    assert kept["credentialConfigurationId"] == f"{TYPES[slug]}_sd_jwt_vc"
    listed = live_service.http.get("/holder/credentials", headers=wallet).json()["items"]
    assert kept["id"] in {item["id"] for item in listed}

    created = _request(
        live_service, broker, dcqlQuery=_sd_jwt_query(live_service, slug), **request_options
    )
    answered = _authorize(live_service, wallet, created["authorizationRequest"])
    assert answered.status_code == 200, answered.text
    answer = answered.json()
    assert (answer["accepted"], answer["verifierStatus"], answer["declined"]) == (True, 200, False)
    assert answer["signedRequest"] is ("clientIdPrefix" not in request_options)
    assert answer["responseMode"] == request_options.get("responseMode", "direct_post")
    [presented] = answer["presented"]
    assert presented["credentialQueryId"] == slug and presented["selectiveDisclosure"]
    assert presented["requested"] == ["member.legalName", *ASKED[slug]]
    selectively = {"immex": ["immexProgramNumber"], "oea": ["oeaRegistrationNumber"]}
    assert presented["disclosed"] == sorted(["member.legalName", *selectively.get(slug, [])])
    assert {"member.rfc", "member.location[]", "member.id"} <= set(presented["withheld"])

    # The verifier's own record: accepted, and the VP Token holds those Disclosures only.
    seen = _outcome(live_service, broker, created)
    assert seen["status"] == "complete" and seen["result"]["accepted"] is True
    [vp] = seen["vpToken"][slug]
    names = {Disclosure.parse(encoded).name for encoded in split(vp).disclosures}
    assert names == {"legalName", *selectively.get(slug, [])}
    assert split(vp).key_binding_jwt is not None


def test_the_wallet_receives_and_presents_w3c_formats_with_a_did_key(
    live_service: LiveService, officers: dict[str, Issuer], broker: Issuer
) -> None:
    """A did:key holder gets both W3C formats (its DID is member.id) and presents the one
    the verifier prefers, signed for the nonce and the client_id."""
    did, wallet = _holder(live_service, "maquiladora-key", "key")
    configurations = ["CTPATCertificate_ldp_vc", "CTPATCertificate_jwt_vc_json"]
    offer = _offer(live_service, officers["ctpat"], "ctpat", configurations)
    received = _receive(
        live_service, wallet, offer=offer["credentialOffer"], txCode=offer["txCode"]
    )
    assert received.status_code == 201, received.text
    kept = {c["credentialConfigurationId"]: c for c in received.json()["credentials"]}
    assert [kept[c]["format"] for c in configurations] == ["data-integrity", "vc+jwt"]
    ldp = kept["CTPATCertificate_ldp_vc"]["verifiableCredential"]
    assert ldp["credentialSubject"]["member"]["id"] == did

    iri = "https://w3id.org/traceability#CTPATCertificate"
    queries = [
        {"id": fmt.replace("_", "-"), "format": fmt, "meta": {"type_values": [[iri]]}}
        for fmt in ("ldp_vc", "jwt_vc_json")
    ]
    options = {"credential_sets": [{"options": [["ldp-vc"], ["jwt-vc-json"]]}]}
    created = _request(live_service, broker, dcqlQuery={"credentials": queries} | options)
    answer = _authorize(live_service, wallet, created["authorizationRequest"]).json()
    assert answer["accepted"] is True, answer
    [presented] = answer["presented"]
    assert (presented["credentialQueryId"], presented["selectiveDisclosure"]) == ("ldp-vc", False)
    assert list(_outcome(live_service, broker, created)["vpToken"]) == ["ldp-vc"]

    created = _request(live_service, broker, dcqlQuery={"credentials": queries[1:]})
    answer = _authorize(live_service, wallet, created["authorizationRequest"]).json()
    assert answer["accepted"] is True, answer
    [vp] = _outcome(live_service, broker, created)["vpToken"]["jwt-vc-json"]
    assert isinstance(vp, str) and vp.count(".") == 2


def test_what_the_wallet_refuses_and_what_the_issuer_refuses(
    live_service: LiveService, officers: dict[str, Issuer], wallet: dict[str, str]
) -> None:
    offer = _offer(live_service, officers["ctpat"], "ctpat", ["CTPATCertificate_sd_jwt_vc"])
    missing = _receive(live_service, wallet, offer=offer["offerLink"])
    assert_problem(missing, 422, "MALFORMED_VALUE_ERROR", field="txCode")
    wrong = str((int(offer["txCode"]) + 1) % 1_000_000).zfill(6)
    refused = _receive(live_service, wallet, offer=offer["offerLink"], txCode=wrong)
    assert "invalid_grant" in assert_problem(refused, 422, "ISSUER_REFUSED")["detail"]
    # A wrong code counts but does not spend the offer; the right one then does.
    first = _receive(live_service, wallet, offer=offer["offerLink"], txCode=offer["txCode"])
    assert first.status_code == 201, first.text
    # An SD-JWT VC is presented with its own Key Binding JWT, never inside a W3C VP.
    [kept] = first.json()["credentials"]
    body = {"credentialIds": [kept["id"]], "challenge": "c"}
    proved = live_service.http.post("/presentations/prove", headers=wallet, json=body)
    assert_problem(proved, 422, "MALFORMED_VALUE_ERROR", field="credentialIds")
    again = _receive(live_service, wallet, offer=offer["offerLink"], txCode=offer["txCode"])
    assert "HTTP 404" in assert_problem(again, 422, "ISSUER_REFUSED")["detail"]
    replayed = _receive(
        live_service, wallet, offer=offer["offerLinkByValue"], txCode=offer["txCode"]
    )
    assert "invalid_grant" in assert_problem(replayed, 422, "ISSUER_REFUSED")["detail"]
    # A did:web holder cannot be the DID of a W3C certificate this issuer binds: nothing is
    # redeemed, so the offer stays open for a wallet that can.
    w3c = _offer(live_service, officers["ctpat"], "ctpat", ["CTPATCertificate_ldp_vc"])
    unbindable = _receive(live_service, wallet, offer=w3c["offerLink"], txCode=w3c["txCode"])
    problem = assert_problem(unbindable, 422, "MALFORMED_VALUE_ERROR", field="offer")
    assert "not to the holder's did:web" in problem["detail"]
    assert live_service.http.get(urlsplit(w3c["credentialOfferUri"]).path).status_code == 200
    for bad in (
        "https://example.com/?nothing=here",
        "openid-credential-offer://?credential_offer=[1]",
    ):
        assert _receive(live_service, wallet, offer=bad, txCode="123456").status_code in (400, 422)


def test_a_request_the_wallet_cannot_or_will_not_answer(
    live_service: LiveService, officers: dict[str, Issuer], broker: Issuer
) -> None:
    _, wallet = _holder(live_service, "empty-wallet", "web")
    query = _sd_jwt_query(live_service, "oea")
    created = _request(live_service, broker, dcqlQuery=query)
    link = created["authorizationRequest"]
    # Nothing held answers it: nothing is sent, the request stays open.
    nothing = _authorize(live_service, wallet, link)
    problem = assert_problem(nothing, 422, "REQUIRED_CREDENTIAL_MISSING")
    assert "oea: no dc+sd-jwt credential held" in problem["detail"]
    assert _outcome(live_service, broker, created)["status"] == "pending"
    # A link whose client_id names another DID than the Request Object's signer.
    parameters = dict(parse_qsl(urlsplit(link).query))
    other = did_jwk_from_public_key(KeyPair.generate(KeyType.P256).public_key)
    forged = "openid4vp://?" + urlencode(
        parameters | {"client_id": f"decentralized_identifier:{other}"}
    )
    assert_problem(_authorize(live_service, wallet, forged), 422, "PROOF_VERIFICATION_ERROR")
    # The holder declines: the verifier is told access_denied.
    declined = _authorize(live_service, wallet, link, decline=True)
    assert declined.status_code == 200, declined.text
    answer = declined.json()
    assert (answer["declined"], answer["accepted"], answer["presented"]) == (True, False, [])
    seen = _outcome(live_service, broker, created)
    assert seen["status"] == "invalid"
    assert seen["result"]["walletError"] == {
        "error": "access_denied",
        "errorDescription": "the holder declined",
    }
    assert json.dumps(seen).count("vpToken") == 0
