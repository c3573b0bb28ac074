"""The OpenID4VP 1.0 verifier over real HTTP: a broker asks with DCQL, a wallet answers once.

The wallet here is the test's own: it opens the link, fetches the Request Object at the
``request_uri`` and checks its signature with the key the ``client_id``'s did:jwk names
(decoded independently, verified with ``cryptography``), presents for the request's nonce
(challenge) and client id (domain or audience), and posts the VP Token to the Response URI
(``direct_post``, or encrypted: ``direct_post.jwt``). SQLite only: nothing here depends on
the backend (the single use of a request is one conditional UPDATE, as an exchange's).
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import update

from tests.api.browser import ARTIFACTS, screenshot
from tests.api.builders import certificate_body, example
from tests.api.conftest import ISSUE, READ, Issuer, LiveService, assert_problem
from tests.api.presenting import Holder, issue_certificate, present, suspend
from vcservice.jose.vc_jwt import VC_JWT, enveloped_id, secure_presentation
from vcservice.keys import (
    KeyFile,
    KeyPair,
    KeyPairSigner,
    KeyType,
    base64url_decode,
    base64url_encode,
    load_key_file,
)
from vcservice.messages import message_for
from vcservice.oid4vp.jwe import encrypt_response
from vcservice.sdjwt import bind
from vcservice.sdjwt import present as sd_jwt_present
from vcservice.services.container import build_services
from vcservice.services.core import Core
from vcservice.storage.schema import openid4vp_requests
from vcservice.storage.sql import open_store

V2 = "https://www.w3.org/ns/credentials/v2"
CTPAT_IRI = "https://w3id.org/traceability#CTPATCertificate"
REQUEST_OBJECT = "application/oauth-authz-req+jwt"


@pytest.fixture(scope="module")
def backend() -> str:
    """Nothing here depends on the database backend: SQLite."""
    return "sqlite"


@pytest.fixture(scope="module")
def holder() -> Holder:
    return Holder(KeyFile(KeyPair.generate(KeyType.ED25519)))


@pytest.fixture(scope="module")
def broker(live_service: LiveService) -> Issuer:
    """The customs broker's app: a client with a verify:credentials token."""
    return live_service.verifier_client("broker-vp")


@pytest.fixture(scope="module")
def workflows(live_service: LiveService) -> dict[str, str]:
    """A C-TPAT-or-OEA workflow for clients, and a public one for C-TPAT alone."""
    for workflow_id, types, public in (
        ("vp-ctpat-or-oea", ["CTPATCertificate", "OEACertificate"], False),
        ("vp-public-ctpat", ["CTPATCertificate"], True),
    ):
        body = {
            "id": workflow_id,
            "name": workflow_id,
            "acceptedCredentialTypes": types,
            "exchangeTtlSeconds": 300,
            "public": public,
        }
        response = live_service.http.post("/workflows", headers=live_service.admin, json=body)
        assert response.status_code == 201, response.text
    return {"clients": "vp-ctpat-or-oea", "public": "vp-public-ctpat"}


@pytest.fixture(scope="module")
def ctpat(live_service: LiveService, cbp: Issuer, holder: Holder) -> dict[str, Any]:
    """The holder's C-TPAT certificate (Data Integrity)."""
    credential: dict[str, Any] = issue_certificate(live_service, cbp, "ctpat", subject=holder.did)
    return credential


@pytest.fixture(scope="module")
def ctpat_jwt(live_service: LiveService, cbp: Issuer, holder: Holder) -> str:
    """The holder's C-TPAT certificate as a vc+jwt."""
    token: str = issue_certificate(
        live_service, cbp, "ctpat", subject=holder.did, securing_format="vc+jwt"
    )
    return token


@dataclass
class Opened:
    """A request as the wallet opened it: the link's parameters and the Request Object."""

    link: dict[str, str]
    header: dict[str, Any]
    claims: dict[str, Any]

    @property
    def response_path(self) -> str:
        return str(urlsplit(self.claims["response_uri"]).path)


def _create(live: LiveService, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = live.http.post("/openid4vp/requests", headers=headers, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert response.headers["location"] == f"/openid4vp/requests/{created['id']}"
    return created


def _link_parameters(link: str) -> dict[str, str]:
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("openid4vp", "")
    return dict(parse_qsl(parts.query, strict_parsing=True))


def _open(live: LiveService, created: dict[str, Any], **wallet: str) -> Opened:
    """The wallet: fetch the Request Object (GET, or POST with ``wallet``) and check it."""
    link = _link_parameters(created["authorizationRequest"])
    path = urlsplit(link["request_uri"]).path
    response = live.http.post(path, data=wallet) if wallet else live.http.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == REQUEST_OBJECT
    header, claims = _verified_request_object(response.text, link["client_id"])
    return Opened(link, header, claims)


def _verified_request_object(token: str, client_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a Request Object, once its signature verifies with the key
    its ``client_id``'s did:jwk holds (decoded here, not by the service's code)."""
    prefix, _, did = client_id.partition(":")
    assert prefix == "decentralized_identifier" and did.startswith("did:jwk:")
    jwk = json.loads(base64url_decode(did.removeprefix("did:jwk:")))
    assert (jwk["kty"], jwk["crv"]) == ("EC", "P-256")
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(base64url_decode(jwk["x"]), "big"),
        int.from_bytes(base64url_decode(jwk["y"]), "big"),
        ec.SECP256R1(),
    ).public_key()
    encoded_header, encoded_claims, signature = token.split(".")
    raw = base64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{encoded_header}.{encoded_claims}".encode(), ec.ECDSA(hashes.SHA256()))
    header = json.loads(base64url_decode(encoded_header))
    assert header == {"typ": "oauth-authz-req+jwt", "alg": "ES256", "kid": f"{did}#0"}
    claims: dict[str, Any] = json.loads(base64url_decode(encoded_claims))
    assert claims["client_id"] == client_id
    return header, claims


def _ldp_vp(core: Core, holder: Holder, credential: Any, opened: Opened) -> dict[str, Any]:
    return present(
        core,
        holder,
        [credential],
        challenge=opened.claims["nonce"],
        domain=opened.claims["client_id"],
    )


def _jwt_vp(holder: Holder, credential: str, *, nonce: str, audience: str) -> str:
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
        "verifiableCredential": [
            {
                "@context": [V2],
                "type": ["EnvelopedVerifiableCredential"],
                "id": enveloped_id(credential, VC_JWT),
            }
        ],
    }
    return secure_presentation(
        presentation, signer=holder.key.signer(), nonce=nonce, audience=audience
    )


def _post(
    live: LiveService, opened: Opened, vp_token: dict[str, Any], *, state: str | None = None
) -> httpx.Response:
    form = {"vp_token": json.dumps(vp_token), "state": state or opened.claims["state"]}
    return live.http.post(opened.response_path, data=form)


def _status(live: LiveService, broker: Issuer, created: dict[str, Any]) -> dict[str, Any]:
    response = live.http.get(f"/openid4vp/requests/{created['id']}", headers=broker.headers)
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


def _refused(response: httpx.Response, code: str) -> None:
    """The Response URI's refusal: 400 invalid_request, described by ``code``'s title."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "error": "invalid_request",
        "error_description": message_for(code).en,
    }


# ---------------------------------------------------------------- the request


def test_the_request_object_is_signed_with_the_verifiers_published_key(
    live_service: LiveService, broker: Issuer, workflows: dict[str, str]
) -> None:
    created = _create(live_service, broker.headers, workflow=workflows["clients"])
    assert created["status"] == "pending" and created["qrCode"].startswith("<svg")
    opened = _open(live_service, created)
    claims = opened.claims
    assert opened.link == {"client_id": claims["client_id"], "request_uri": created["requestUri"]}
    assert claims["client_id"] == created["clientId"]
    published = live_service.http.get("/openid4vp/verifier").json()
    assert published["clientId"] == claims["client_id"]
    [signing] = [key for key in published["jwks"]["keys"] if key["use"] == "sig"]
    assert signing["kid"] == opened.header["kid"]
    assert {name: claims[name] for name in ("response_type", "response_mode", "aud")} == {
        "response_type": "vp_token",
        "response_mode": "direct_post",
        "aud": "https://self-issued.me/v2",
    }
    assert claims["response_uri"] == created["responseUri"]
    assert len(claims["nonce"]) >= 22 and len(claims["state"]) >= 22  # ≥ 128 bits
    assert claims["exp"] - claims["iat"] <= 300
    query = claims["dcql_query"]
    assert [entry["id"] for entry in query["credentials"]] == [
        "ctpat_ldp_vc",
        "ctpat_jwt_vc_json",
        "ctpat_dc_sd_jwt",
        "oea_ldp_vc",
        "oea_jwt_vc_json",
        "oea_dc_sd_jwt",
    ]
    ldp, _, sd_jwt = query["credentials"][:3]
    assert ldp["meta"] == {"type_values": [[CTPAT_IRI]]}
    assert {"path": ["credentialSubject", "member", "legalName"]} in ldp["claims"]
    assert f"{live_service.url}/vct/ctpat" in sd_jwt["meta"]["vct_values"]
    assert sd_jwt["claims"] == [{"path": ["member", "legalName"]}, {"path": ["tier"]}]
    assert query["credential_sets"] == [
        {"options": [[entry["id"]] for entry in query["credentials"]]}
    ]
    assert set(claims["client_metadata"]["vp_formats_supported"]) == {
        "ldp_vc",
        "jwt_vc_json",
        "dc+sd-jwt",
    }
    # A wallet that POSTs gets its nonce back in the Request Object.
    posted = _open(live_service, created, wallet_nonce="qPmxiNFCR3QTm19POc8u")
    assert posted.claims["wallet_nonce"] == "qPmxiNFCR3QTm19POc8u"
    assert posted.claims["state"] == claims["state"]


def test_a_w3c_vp_posted_directly_verifies_and_satisfies_the_query(
    live_service: LiveService,
    core: Core,
    broker: Issuer,
    workflows: dict[str, str],
    holder: Holder,
    ctpat: dict[str, Any],
) -> None:
    created = _create(live_service, broker.headers, workflow=workflows["clients"])
    opened = _open(live_service, created)
    vp = _ldp_vp(core, holder, ctpat, opened)
    answered = _post(live_service, opened, {"ctpat_ldp_vc": [vp]})
    assert answered.status_code == 200, answered.text
    assert answered.json() == {}
    view = _status(live_service, broker, created)
    assert view["status"] == "complete" and "authorizationRequest" not in view
    result = view["result"]
    assert (result["accepted"], result["verdict"]) == (True, "verified")
    [presented] = result["presentations"]
    assert presented["credentialQueryId"] == "ctpat_ldp_vc" and presented["matched"]
    name = ctpat["credentialSubject"]["member"]["legalName"]
    assert {"path": ["credentialSubject", "member", "legalName"], "values": [name]} in presented[
        "disclosed"
    ]
    assert view["vpToken"] == {"ctpat_ldp_vc": [vp]}
    # The same answer again is a replay: refused, and the outcome stays.
    _refused(_post(live_service, opened, {"ctpat_ldp_vc": [vp]}), "EXCHANGE_NOT_PENDING")
    assert _status(live_service, broker, created)["result"] == result


def test_a_jwt_vp_with_the_nonce_and_audience_verifies(
    live_service: LiveService,
    broker: Issuer,
    workflows: dict[str, str],
    holder: Holder,
    ctpat_jwt: str,
) -> None:
    created = _create(live_service, broker.headers, workflow=workflows["clients"])
    opened = _open(live_service, created)
    vp = _jwt_vp(
        holder, ctpat_jwt, nonce=opened.claims["nonce"], audience=opened.claims["client_id"]
    )
    answered = _post(live_service, opened, {"ctpat_jwt_vc_json": [vp]})
    assert answered.status_code == 200, answered.text
    assert _status(live_service, broker, created)["result"]["accepted"] is True


@pytest.mark.parametrize(
    ("wrong", "code"),
    [("nonce", "INVALID_CHALLENGE_ERROR"), ("audience", "INVALID_DOMAIN_ERROR")],
)
def test_a_presentation_for_another_nonce_or_audience_is_refused(
    live_service: LiveService,
    core: Core,
    broker: Issuer,
    workflows: dict[str, str],
    holder: Holder,
    ctpat: dict[str, Any],
    ctpat_jwt: str,
    wrong: str,
    code: str,
) -> None:
    created = _create(live_service, broker.headers, workflow=workflows["clients"])
    opened = _open(live_service, created)
    nonce, audience = opened.claims["nonce"], opened.claims["client_id"]
    if wrong == "nonce":
        nonce = "another-verifiers-nonce-0123456789"
    else:
        audience = "decentralized_identifier:did:web:another-verifier.example"
    vp = present(core, holder, [ctpat], challenge=nonce, domain=audience)
    _refused(_post(live_service, opened, {"ctpat_ldp_vc": [vp]}), code)
    view = _status(live_service, broker, created)
    assert view["status"] == "invalid" and view["result"]["accepted"] is False
    assert view["result"]["verdict"] == "altered"
    # Used once: the right presentation now comes too late.
    jwt_vp = _jwt_vp(
        holder, ctpat_jwt, nonce=opened.claims["nonce"], audience=opened.claims["client_id"]
    )
    _refused(_post(live_service, opened, {"ctpat_jwt_vc_json": [jwt_vp]}), "EXCHANGE_NOT_PENDING")


def test_an_expired_request_is_refused(
    live_service: LiveService,
    core: Core,
    broker: Issuer,
    workflows: dict[str, str],
    holder: Holder,
    ctpat: dict[str, Any],
) -> None:
    created = _create(live_service, broker.headers, workflow=workflows["clients"])
    opened = _open(live_service, created)
    vp = _ldp_vp(core, holder, ctpat, opened)
    past = datetime.now(UTC) - timedelta(seconds=1)
    url = live_service.settings.resolved_database_url
    with open_store(url, migrate=False) as store, store.engine.begin() as connection:
        connection.execute(
            update(openid4vp_requests)
            .where(openid4vp_requests.c.id == created["id"])
            .values(expires_at=past)
        )
    _refused(_post(live_service, opened, {"ctpat_ldp_vc": [vp]}), "EXCHANGE_NOT_PENDING")
    refetched = live_service.http.get(urlsplit(opened.link["request_uri"]).path)
    assert refetched.status_code == 400 and refetched.json()["error"] == "invalid_request"
    view = _status(live_service, broker, created)
    assert (view["status"], view["expired"]) == ("pending", True)
    assert "result" not in view


def test_a_wrong_state_or_a_malformed_vp_token_uses_nothing(
    live_service: LiveService,
    core: Core,
    broker: Issuer,
    workflows: dict[str, str],
    holder: Holder,
    ctpat: dict[str, Any],
) -> None:
    created = _create(live_service, broker.headers, workflow=workflows["clients"])
    opened = _open(live_service, created)
    vp = _ldp_vp(core, holder, ctpat, opened)
    _refused(_post(live_service, opened, {"ctpat_ldp_vc": [vp]}, state="guessed"), "NOT_FOUND")
    _refused(_post(live_service, opened, {"no_such_query": [vp]}), "MALFORMED_VALUE_ERROR")
    _refused(_post(live_service, opened, {"ctpat_ldp_vc": vp}), "MALFORMED_VALUE_ERROR")
    _refused(_post(live_service, opened, {"ctpat_ldp_vc": [vp, vp]}), "MALFORMED_VALUE_ERROR")
    _refused(
        live_service.http.post(opened.response_path, data={"vp_token": '{"a": 1, "a": 2}'}),
        "PARSING_ERROR",
    )
    assert _status(live_service, broker, created)["status"] == "pending"
    assert _post(live_service, opened, {"ctpat_ldp_vc": [vp]}).status_code == 200


def test_a_wallet_that_declines_is_recorded(
    live_service: LiveService, broker: Issuer, workflows: dict[str, str]
) -> None:
    created = _create(live_service, broker.headers, workflow=workflows["clients"])
    opened = _open(live_service, created)
    form = {
        "error": "access_denied",
        "error_description": "declined",
        "state": opened.claims["state"],
    }
    response = live_service.http.post(opened.response_path, data=form)
    assert response.status_code == 200 and response.json() == {}
    view = _status(live_service, broker, created)
    assert view["status"] == "invalid"
    assert view["result"]["walletError"] == {
        "error": "access_denied",
        "errorDescription": "declined",
    }


def test_an_encrypted_answer_for_direct_post_jwt(
    live_service: LiveService,
    core: Core,
    broker: Issuer,
    workflows: dict[str, str],
    holder: Holder,
    ctpat: dict[str, Any],
) -> None:
    created = _create(
        live_service, broker.headers, workflow=workflows["clients"], responseMode="direct_post.jwt"
    )
    opened = _open(live_service, created)
    assert opened.claims["response_mode"] == "direct_post.jwt"
    metadata = opened.claims["client_metadata"]
    [key] = metadata["jwks"]["keys"]
    assert (key["alg"], key["use"], key["crv"]) == ("ECDH-ES", "enc", "P-256")
    vp = _ldp_vp(core, holder, ctpat, opened)
    payload = {"vp_token": {"ctpat_ldp_vc": [vp]}, "state": opened.claims["state"]}
    # In the clear it is refused, and nothing is used.
    _refused(_post(live_service, opened, payload["vp_token"]), "MALFORMED_VALUE_ERROR")
    jwe = encrypt_response(payload, recipient=key, encryption="A256GCM")
    response = live_service.http.post(opened.response_path, data={"response": jwe})
    assert response.status_code == 200, response.text
    assert _status(live_service, broker, created)["result"]["accepted"] is True


def test_an_unsigned_request_by_value_with_the_redirect_uri_prefix(
    live_service: LiveService,
    core: Core,
    broker: Issuer,
    workflows: dict[str, str],
    holder: Holder,
    ctpat: dict[str, Any],
) -> None:
    created = _create(
        live_service, broker.headers, workflow=workflows["clients"], clientIdPrefix="redirect_uri"
    )
    link = _link_parameters(created["authorizationRequest"])
    assert "request_uri" not in link and "requestUri" not in created
    assert link["client_id"] == f"redirect_uri:{link['response_uri']}"
    assert json.loads(link["dcql_query"])["credentials"][0]["id"] == "ctpat_ldp_vc"
    vp = present(core, holder, [ctpat], challenge=link["nonce"], domain=link["client_id"])
    form = {"vp_token": json.dumps({"ctpat_ldp_vc": [vp]}), "state": link["state"]}
    response = live_service.http.post(urlsplit(link["response_uri"]).path, data=form)
    assert response.status_code == 200, response.text
    assert _status(live_service, broker, created)["result"]["accepted"] is True


def test_a_client_s_own_dcql_query_and_what_does_not_answer_it(
    live_service: LiveService,
    core: Core,
    broker: Issuer,
    sat: Issuer,
    holder: Holder,
) -> None:
    oea = issue_certificate(live_service, sat, "oea", subject=holder.did)
    query = {
        "credentials": [
            {
                "id": "carrier",
                "format": "ldp_vc",
                "meta": {"type_values": [[CTPAT_IRI]]},
                "claims": [{"path": ["credentialSubject", "tier"], "values": ["Validated"]}],
            }
        ]
    }
    created = _create(live_service, broker.headers, dcqlQuery=query)
    opened = _open(live_service, created)
    assert opened.claims["dcql_query"] == query
    vp = _ldp_vp(core, holder, oea, opened)
    _refused(_post(live_service, opened, {"carrier": [vp]}), "REQUIRED_CREDENTIAL_MISSING")
    result = _status(live_service, broker, created)["result"]
    assert result["verdict"] == "verified" and result["accepted"] is False
    assert "not of the types asked for" in result["presentations"][0]["mismatch"]


@pytest.mark.parametrize(
    ("role", "accepted"), [("MraRoleManufacturerExporter", True), ("MraRoleImporter", False)]
)
def test_an_oea_counts_only_under_the_recognition_the_workflow_names(
    live_service: LiveService,
    core: Core,
    broker: Issuer,
    sat: Issuer,
    holder: Holder,
    role: str,
    accepted: bool,
) -> None:
    """The workflow's policy, as an exchange checks it: the OEA's signed mutual recognition
    must cover the role (the sample's covers manufacturer/exporter only)."""
    workflow = f"vp-mra-{role.lower()}"
    recognition = {
        "credentialType": "OEACertificate",
        "recognizedBy": "AuthorityCBP",
        "recognizedRole": role,
        "arrangement": "MraUsMx2014",
    }
    body = {
        "id": workflow,
        "name": workflow,
        "acceptedCredentialTypes": ["CTPATCertificate"],
        "acceptedRecognitions": [recognition],
    }
    assert live_service.http.post("/workflows", headers=live_service.admin, json=body).is_success
    oea = issue_certificate(live_service, sat, "oea", subject=holder.did)
    created = _create(live_service, broker.headers, workflow=workflow, formats=["ldp_vc"])
    opened = _open(live_service, created)
    [ctpat_query, oea_query] = opened.claims["dcql_query"]["credentials"]
    assert (ctpat_query["id"], oea_query["id"]) == ("ctpat_ldp_vc", "oea_mra1_ldp_vc")
    entry = ["credentialSubject", "mutualRecognition", None]
    assert {"path": [*entry, "recognizedRole", None], "values": [role]} in oea_query["claims"]
    answered = _post(
        live_service, opened, {"oea_mra1_ldp_vc": [_ldp_vp(core, holder, oea, opened)]}
    )
    result = _status(live_service, broker, created)["result"]
    assert result["accepted"] is accepted
    if accepted:
        assert answered.status_code == 200
        policy = next(check for check in result["checks"] if check["check"] == "credentialTypes")
        assert "recognizedBy AuthorityCBP" in policy["detail"]
    else:
        _refused(answered, "REQUIRED_CREDENTIAL_MISSING")
        assert "credentialSubject/mutualRecognition/*/recognizedRole/*" in str(
            result["presentations"][0]["mismatch"]
        )


def test_who_may_ask_and_read(
    live_service: LiveService, broker: Issuer, workflows: dict[str, str]
) -> None:
    query = {"credentials": [{"id": "a", "format": "ldp_vc", "meta": {"type_values": [["X"]]}}]}
    assert_problem(live_service.http.post("/openid4vp/requests", json={"dcqlQuery": query}), 401)
    assert_problem(
        live_service.http.post("/openid4vp/requests", json={"workflow": workflows["clients"]}), 401
    )
    created = _create(live_service, {}, workflow=workflows["public"])
    assert created["expires"] <= (datetime.now(UTC) + timedelta(minutes=5, seconds=5)).isoformat()
    assert_problem(
        live_service.http.post("/openid4vp/requests", json={"workflow": "no-such-workflow"}),
        404,
        "NOT_FOUND",
    )
    # A client's request is read with its own token only; a page's by its handle.
    theirs = _create(live_service, broker.headers, workflow=workflows["clients"])
    other = live_service.verifier_client("other-broker")
    for headers in (other.headers, {}):
        response = live_service.http.get(f"/openid4vp/requests/{theirs['id']}", headers=headers)
        assert_problem(response, 404, "NOT_FOUND")
    assert live_service.http.get(f"/openid4vp/requests/{created['id']}").status_code == 200


# ---------------------------------------------------------------- SD-JWT VC


@dataclass
class SdJwtHolder:
    """A wallet's P-256 key (the credentials' ``cnf``), and what was issued to it."""

    key: KeyPair
    good: str
    suspended: str


@pytest.fixture(scope="module")
def sd_jwt(live_service: LiveService) -> SdJwtHolder:
    """Two C-TPAT certificates as SD-JWT VCs, bound to the wallet's key; the second one
    suspended. Issued by the same service, through its own SD-JWT VC issuer (what its
    OpenID4VCI credential endpoint calls), over the same database and keys."""
    issuer = live_service.issuer(
        "cbp-sd", ["CTPATCertificate"], scopes=(ISSUE, READ, "update:credentials")
    )
    key = KeyPair.generate(KeyType.P256)
    services = build_services(live_service.settings)
    try:
        issued = [
            services.sd_jwt_vc.issue(
                authority=issuer.name,
                slug="ctpat",
                body=certificate_body("ctpat"),
                holder_jwk=key.public_key.to_jwk(),
            )
            for _ in range(2)
        ]
    finally:
        services.close()
    suspend(live_service, issuer, issued[1].credential_id)
    return SdJwtHolder(key, issued[0].compact, issued[1].compact)


def _sd_jwt_vp(
    holder: SdJwtHolder, compact: str, *, nonce: str, audience: str, forged: bool = False
) -> str:
    """What the wallet presents: the company's name and the tier, no identifier."""
    chosen = sd_jwt_present(compact, disclose=[("member", "legalName"), ("tier",)])
    if forged:  # a Disclosure the issuer never signed, in place of the name's
        parts = chosen.split("~")
        fake = json.dumps(["c2FsdA", "legalName", "Another Company"]).encode()
        parts[1] = base64url_encode(fake)
        chosen = "~".join(parts)
    signer = KeyPairSigner(holder.key, "wallet-key")
    return bind(chosen, signer=signer, nonce=nonce, audience=audience, issued_at=datetime.now(UTC))


def test_an_sd_jwt_vc_with_key_binding_discloses_only_what_was_asked(
    live_service: LiveService, broker: Issuer, workflows: dict[str, str], sd_jwt: SdJwtHolder
) -> None:
    created = _create(live_service, broker.headers, workflow=workflows["clients"])
    opened = _open(live_service, created)
    nonce, audience = opened.claims["nonce"], opened.claims["client_id"]
    vp = _sd_jwt_vp(sd_jwt, sd_jwt.good, nonce=nonce, audience=audience)
    answered = _post(live_service, opened, {"ctpat_dc_sd_jwt": [vp]})
    assert answered.status_code == 200, answered.text
    result = _status(live_service, broker, created)["result"]
    assert (result["accepted"], result["verdict"]) == (True, "verified")
    [presented] = result["presentations"]
    assert presented["disclosed"] == [
        {"path": ["member", "legalName"], "values": [example("ctpat")["member"]["legalName"]]},
        {"path": ["tier"], "values": ["Validated"]},
    ]
    checks = {check["check"]: check["outcome"] for check in presented["result"]["checks"]}
    assert checks["holderBinding"] == checks["status"] == "passed"


@pytest.mark.parametrize(
    ("case", "code", "verdict"),
    [
        ("nonce", "INVALID_CHALLENGE_ERROR", "altered"),
        ("audience", "INVALID_DOMAIN_ERROR", "altered"),
        ("forged", "VERIFICATION_FAILED", "altered"),
        ("suspended", "VERIFICATION_FAILED", "suspended"),
    ],
)
def test_an_sd_jwt_vc_refused(
    live_service: LiveService,
    broker: Issuer,
    workflows: dict[str, str],
    sd_jwt: SdJwtHolder,
    case: str,
    code: str,
    verdict: str,
) -> None:
    created = _create(live_service, broker.headers, workflow=workflows["clients"])
    opened = _open(live_service, created)
    nonce, audience = opened.claims["nonce"], opened.claims["client_id"]
    vp = _sd_jwt_vp(
        sd_jwt,
        sd_jwt.suspended if case == "suspended" else sd_jwt.good,
        nonce="a-nonce-of-another-request" if case == "nonce" else nonce,
        audience="decentralized_identifier:did:web:other.example"
        if case == "audience"
        else audience,
        forged=case == "forged",
    )
    _refused(_post(live_service, opened, {"ctpat_dc_sd_jwt": [vp]}), code)
    result = _status(live_service, broker, created)["result"]
    assert (result["accepted"], result["verdict"]) == (False, verdict)


# ---------------------------------------------------------------- the broker's page


def _page_request(live: LiveService, workflow: str, lang: str = "en") -> str:
    """Start a request from the page's form: the page of the request it redirects to."""
    response = live.http.post(f"/verify/wallet?lang={lang}", data={"workflow": workflow})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/verify/wallet/") and location.endswith(f"?lang={lang}")
    return location


def _answer_from_page(
    live: LiveService, core: Core, holder: Holder, credential: Any, html: str
) -> None:
    """The wallet scans the page's link (its href), then answers."""
    href = html.split('id="wallet-link" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    opened = _open(live, {"authorizationRequest": href})
    query_id = opened.claims["dcql_query"]["credentials"][0]["id"]
    assert (
        _post(live, opened, {query_id: [_ldp_vp(core, holder, credential, opened)]}).status_code
        == 200
    )


def test_the_page_shows_the_qr_code_and_then_the_answer(
    live_service: LiveService,
    core: Core,
    workflows: dict[str, str],
    holder: Holder,
    ctpat: dict[str, Any],
) -> None:
    form = live_service.http.get("/verify/wallet?lang=es")
    assert form.status_code == 200
    assert "connect-src 'self'" in form.headers["content-security-policy"]
    assert f'<option value="{workflows["public"]}"' in form.text
    assert f'value="{workflows["clients"]}"' not in form.text  # not public
    assert 'href="/verify/wallet?lang=es"' in live_service.http.get("/verify?lang=es").text
    page = _page_request(live_service, workflows["public"], "es")
    shown = live_service.http.get(page)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert '<figure class="wallet-qr" id="wallet-qr"><svg' in shown.text
    assert "Esperando la respuesta de la cartera" in shown.text
    status_url = page.split("?")[0] + "/status"
    assert live_service.http.get(status_url).json() == {"status": "pending", "expired": False}
    _answer_from_page(live_service, core, holder, ctpat, shown.text)
    assert live_service.http.get(status_url).json() == {"status": "complete", "expired": False}
    answered = live_service.http.get(page).text
    assert 'data-accepted="true"' in answered and 'data-verdict="verified"' in answered
    assert "Aceptado: la cartera presentó lo que se solicita." in answered
    assert ctpat["credentialSubject"]["member"]["legalName"] in answered
    assert live_service.http.get("/verify/wallet/no-such-request").status_code == 404
    assert live_service.http.get("/verify/wallet-assets/wallet.js").status_code == 200


@pytest.mark.browser
@pytest.mark.slow
def test_the_page_updates_by_itself_when_the_wallet_answers(
    live_service: LiveService,
    core: Core,
    workflows: dict[str, str],
    holder: Holder,
    ctpat: dict[str, Any],
    browser: Any,
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    browser.get(f"{live_service.url}/verify/wallet?lang=en")
    browser.find_element(By.ID, "wallet-start").click()
    WebDriverWait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "#wallet-qr svg"))
    )
    shots = ARTIFACTS / "browser" / "openid4vp"
    print(f"screenshots: {screenshot(browser, shots, 'waiting')}")
    _answer_from_page(live_service, core, holder, ctpat, browser.page_source)
    WebDriverWait(browser, 10).until(
        expected_conditions.presence_of_element_located((By.ID, "accepted"))
    )
    assert browser.find_element(By.ID, "result-heading").text.endswith("Verified — in force")
    screenshot(browser, shots, "answered")
    refused = [
        entry["message"]
        for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]
    ]
    assert refused == []  # nothing the Content-Security-Policy refused, no script error


def test_the_verifiers_keys_are_owner_only_and_never_sent(live_service: LiveService) -> None:
    """Runs last: no response of this module carried a private part of either key."""
    for name in ("openid4vp-signing-key", "openid4vp-encryption-key"):
        path = live_service.data_dir / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        secret = load_key_file(path).key_pair.to_private_jwk()["d"]
        assert not [r.url for r in live_service.responses if secret in r.text]
    assert len(live_service.responses) > 20
