"""OpenID4VCI 1.0 over real HTTP: an officer's offer, redeemed by a wallet written here.

The wallet is this module's own minimal client (a key, proofs signed by hand, the
requests as the specification words them); an independent one (oid4vc-ts) is exercised in
``tests/interop``. SQLite only: no behaviour here depends on the backend, and the
repository's single-use transitions are tested on both in ``tests/contract``.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import create_engine, update

from tests.api.builders import CBP_TYPES, certificate_body
from tests.api.conftest import READ, Issuer, LiveService, assert_problem
from vcservice.dids.methods import did_jwk_from_public_key, did_key_from_public_key
from vcservice.jose.jws import decode_compact
from vcservice.keys import KeyPair, KeyType, base64url_encode
from vcservice.storage.engine import normalise_url
from vcservice.storage.schema import credential_offers

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP = "openid4vci-proof+jwt"
SD_JWT = "dc+sd-jwt"
FORMATS = (SD_JWT, "jwt_vc_json", "ldp_vc")
SUFFIXES = {SD_JWT: "sd_jwt_vc", "jwt_vc_json": "jwt_vc_json", "ldp_vc": "ldp_vc"}
TYPES = {"immex": "IMMEXCertificate", "oea": "OEACertificate", "ctpat": "CTPATCertificate"}
ALGORITHMS = {KeyType.ED25519: "EdDSA", KeyType.P256: "ES256", KeyType.P384: "ES384"}


@pytest.fixture(scope="module")
def backend() -> str:
    """SQLite only (see the module docstring)."""
    return "sqlite"


# ---------------------------------------------------------------- the wallet


@dataclass
class Wallet:
    """A holder's key, and the requests of the pre-authorized code flow."""

    http: httpx.Client
    issuer_url: str  # the Credential Issuer Identifier
    key: KeyPair = field(default_factory=lambda: KeyPair.generate(KeyType.P256))

    @property
    def path(self) -> str:
        """The issuer's path on the service (``/issuers/<name>``)."""
        return urlsplit(self.issuer_url).path

    def token(self, code: str, tx_code: str | None) -> httpx.Response:
        form = {"grant_type": PRE_AUTHORIZED, "pre-authorized_code": code}
        if tx_code is not None:
            form["tx_code"] = tx_code
        return self.http.post(f"{self.path}/token", data=form)

    def access_token(self, code: str, tx_code: str) -> str:
        response = self.token(code, tx_code)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert body["token_type"] == "Bearer" and body["expires_in"] > 0
        return str(body["access_token"])

    def nonce(self) -> str:
        response = self.http.post(f"{self.path}/nonce")
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        return str(response.json()["c_nonce"])

    def proof(
        self,
        *,
        nonce: str | None,
        audience: str | None = None,
        issued_at: float | None = None,
        header: dict[str, Any] | None = None,
        kid: str | None = None,
    ) -> str:
        protected: dict[str, Any] = {"typ": PROOF_TYP, "alg": ALGORITHMS[self.key.key_type]}
        protected |= {"kid": kid} if kid else {"jwk": self.key.public_key.to_jwk()}
        protected |= header or {}
        claims: dict[str, Any] = {
            "aud": self.issuer_url if audience is None else audience,
            "iat": int(time.time() if issued_at is None else issued_at),
        }
        if nonce is not None:
            claims["nonce"] = nonce
        parts = [_encoded(protected), _encoded(claims)]
        signature = self.key.sign(".".join(parts).encode("ascii"))
        return ".".join([*parts, base64url_encode(signature)])

    def request(self, token: str | None, body: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.post(f"{self.path}/credential", json=body, headers=headers)

    def credential(self, token: str, configuration: str, **proof: Any) -> Any:
        body = {
            "credential_configuration_id": configuration,
            "proofs": {"jwt": [self.proof(nonce=self.nonce(), **proof)]},
        }
        response = self.request(token, body)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        [issued] = response.json()["credentials"]
        return issued["credential"]

    @property
    def did(self) -> str:
        return did_jwk_from_public_key(self.key.public_key)


def _encoded(value: dict[str, Any]) -> str:
    return base64url_encode(json.dumps(value, separators=(",", ":")).encode())


@dataclass
class Offer:
    """What the officer got back: the offer, its code and transaction code."""

    body: dict[str, Any]

    @property
    def code(self) -> str:
        grant = self.body["credentialOffer"]["grants"][PRE_AUTHORIZED]
        return str(grant["pre-authorized_code"])

    @property
    def tx_code(self) -> str:
        return str(self.body["txCode"])


def _offer(
    live_service: LiveService, issuer: Issuer, slug: str, configurations: list[str]
) -> Offer:
    response = _create(live_service, issuer, slug, configurations)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return Offer(response.json())


def _create(
    live_service: LiveService, issuer: Issuer, slug: str, configurations: list[str], **extra: Any
) -> httpx.Response:
    body = certificate_body(slug) | {"credentialConfigurationIds": configurations} | extra
    return live_service.http.post(
        f"/issuers/{issuer.name}/offers", headers=issuer.headers, json=body
    )


def _wallet(live_service: LiveService, issuer: Issuer, **key: Any) -> Wallet:
    return Wallet(live_service.http, f"{live_service.url}/issuers/{issuer.name}", **key)


def _metadata(live_service: LiveService, issuer: Issuer) -> dict[str, Any]:
    response = live_service.http.get(f"/.well-known/openid-credential-issuer/issuers/{issuer.name}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    metadata: dict[str, Any] = response.json()
    return metadata


def _oauth_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert body["error"] == error, body
    assert body["error_description"].isascii() and '"' not in body["error_description"]
    return body


def _expire(live_service: LiveService, offer: Offer, column: str = "expires_at") -> None:
    """Move the offer's expiry (or its token's) into the past, as waiting would."""
    engine = create_engine(normalise_url(live_service.settings.resolved_database_url))
    try:
        with engine.begin() as connection:
            connection.execute(
                update(credential_offers)
                .where(credential_offers.c.id == offer.body["offerId"])
                .values({column: datetime.now(UTC) - timedelta(seconds=1)})
            )
    finally:
        engine.dispose()


def _entries(live_service: LiveService, newest: int = 1000) -> list[dict[str, Any]]:
    """The ``newest`` audit entries, oldest first."""
    read = live_service.http.get
    head = read("/admin/audit", headers=live_service.admin, params={"limit": 1}).json()["head"]
    after = max(0, head["sequence"] - newest)
    response = read(
        "/admin/audit", headers=live_service.admin, params={"limit": newest, "after": after}
    )
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def _audited(live_service: LiveService, offer: Offer) -> list[tuple[str, dict[str, Any]]]:
    """The audit entries about ``offer``: (action, details), oldest first."""
    return [
        (entry["action"], entry["details"])
        for entry in _entries(live_service)
        if entry["subject"] == offer.body["offerId"]
    ]


# ---------------------------------------------------------------- metadata


def test_each_authority_describes_its_certificate_types_in_each_format(
    live_service: LiveService, sat: Issuer
) -> None:
    metadata = _metadata(live_service, sat)
    issuer = f"{live_service.url}/issuers/{sat.name}"
    assert metadata["credential_issuer"] == issuer
    assert metadata["credential_endpoint"] == f"{issuer}/credential"
    assert metadata["nonce_endpoint"] == f"{issuer}/nonce"
    assert "authorization_servers" not in metadata  # the issuer is its own
    configurations = metadata["credential_configurations_supported"]
    expected = {
        f"{t}_{SUFFIXES[f]}" for t in ("IMMEXCertificate", "OEACertificate") for f in FORMATS
    }
    assert set(configurations) == expected  # SAT issues no C-TPAT
    for identifier, configuration in configurations.items():
        proofs = configuration["proof_types_supported"]
        assert proofs == {
            "jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256", "ES384"]}
        }
        display = configuration["credential_metadata"]["display"]
        assert [entry["locale"] for entry in display] == ["es", "en"]
        assert all(entry["name"] and entry["description"] for entry in display)
        if configuration["format"] == SD_JWT:
            assert configuration["vct"].startswith("http")
            assert configuration["cryptographic_binding_methods_supported"] == ["jwk"]
            continue
        name = identifier.split("_")[0]
        definition = configuration["credential_definition"]
        assert definition["type"] == ["VerifiableCredential", name]
        assert configuration["cryptographic_binding_methods_supported"] == ["did:jwk", "did:key"]
        if configuration["format"] == "ldp_vc":
            assert definition["@context"][0] == "https://www.w3.org/ns/credentials/v2"
            assert configuration["credential_signing_alg_values_supported"] == ["eddsa-rdfc-2022"]
        else:
            assert "@context" not in definition
            assert configuration["credential_signing_alg_values_supported"] == ["ES384"]
    immex = configurations["IMMEXCertificate_ldp_vc"]["credential_metadata"]["display"]
    assert immex[0]["name"] == "Constancia de Programa IMMEX"


def test_each_authority_is_its_own_authorization_server(
    live_service: LiveService, cbp: Issuer
) -> None:
    response = live_service.http.get(f"/.well-known/oauth-authorization-server/issuers/{cbp.name}")
    assert response.status_code == 200, response.text
    issuer = f"{live_service.url}/issuers/{cbp.name}"
    assert response.json() == {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/token",
        "grant_types_supported": [PRE_AUTHORIZED],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }
    for path in (
        "/.well-known/openid-credential-issuer/issuers/nobody",
        f"/.well-known/openid-credential-issuer/other/{cbp.name}",
        f"/.well-known/oauth-authorization-server/issuers/{cbp.name}/more",
    ):
        assert_problem(live_service.http.get(path), 404, "NOT_FOUND")


# ---------------------------------------------------------------- the whole flow


@pytest.mark.parametrize("slug", ["immex", "oea", "ctpat"])
def test_a_company_wallet_receives_its_certificate_in_every_format(
    live_service: LiveService, sat: Issuer, cbp: Issuer, slug: str
) -> None:
    issuer = cbp if slug == "ctpat" else sat
    configurations = [f"{TYPES[slug]}_{SUFFIXES[f]}" for f in FORMATS]
    offer = _offer(live_service, issuer, slug, configurations)
    wallet = _wallet(live_service, issuer)
    document = offer.body["credentialOffer"]
    assert document["credential_issuer"] == wallet.issuer_url
    assert document["credential_configuration_ids"] == configurations
    grant = document["grants"][PRE_AUTHORIZED]
    assert grant["tx_code"]["input_mode"] == "numeric" and grant["tx_code"]["length"] == 6
    assert offer.tx_code.isdigit() and len(offer.tx_code) == 6
    # The links and the QR code: by reference, and by value.
    link = urlsplit(offer.body["offerLink"])
    assert (link.scheme, parse_qs(link.query)) == (
        "openid-credential-offer",
        {"credential_offer_uri": [offer.body["credentialOfferUri"]]},
    )
    by_value = parse_qs(urlsplit(offer.body["offerLinkByValue"]).query)
    assert json.loads(by_value["credential_offer"][0]) == document
    assert offer.body["qrCodeSvg"].startswith("<svg")
    fetched = live_service.http.get(urlsplit(offer.body["credentialOfferUri"]).path)
    assert fetched.status_code == 200 and fetched.json() == document
    token = wallet.access_token(offer.code, offer.tx_code)
    for configuration, credential_format in zip(configurations, FORMATS, strict=True):
        credential = wallet.credential(token, configuration)
        _check_bound(live_service, issuer, wallet, credential, credential_format, TYPES[slug])
    # Each offered credential once; the offer is gone once redeemed.
    again = wallet.request(
        token,
        {
            "credential_configuration_id": configurations[0],
            "proofs": {"jwt": [wallet.proof(nonce=wallet.nonce())]},
        },
    )
    _oauth_error(again, 400, "credential_request_denied")
    assert live_service.http.get(urlsplit(offer.body["credentialOfferUri"]).path).status_code == 404
    actions = [action for action, _ in _audited(live_service, offer)]
    assert actions == ["credential_offer.created", "credential_offer.redeemed"]
    # Each credential is audited as issued, its actor the offer the wallet redeemed.
    issued = [
        entry["action"]
        for entry in _entries(live_service)
        if entry["actor"] == f"openid4vci:{offer.body['offerId']}"
    ]
    assert issued == ["credential.issued"] * len(FORMATS)


def _check_bound(
    live_service: LiveService,
    issuer: Issuer,
    wallet: Wallet,
    credential: Any,
    credential_format: str,
    name: str,
) -> None:
    """The credential is of its type, bound to the wallet's key, and verifies."""
    if credential_format == SD_JWT:
        assert isinstance(credential, str) and credential.endswith("~")
        issuer_jwt = decode_compact(credential.split("~")[0])
        claims = issuer_jwt.payload_json()
        assert issuer_jwt.header["typ"] == SD_JWT
        assert claims["cnf"]["jwk"] == wallet.key.public_key.to_jwk()
        metadata = _metadata(live_service, issuer)["credential_configurations_supported"]
        assert claims["vct"] == metadata[f"{name}_sd_jwt_vc"]["vct"]
        assert claims["iss"] == issuer.did
        return
    if credential_format == "jwt_vc_json":
        assert isinstance(credential, str)
        jws = decode_compact(credential)
        assert jws.header["typ"] == "vc+jwt" and jws.header["alg"] == "ES384"
        document = jws.payload_json()
    else:
        assert isinstance(credential, dict)
        assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        document = credential
    assert name in document["type"]
    assert document["credentialSubject"]["member"]["id"] == wallet.did
    verified = live_service.http.post(
        "/credentials/verify", json={"verifiableCredential": credential, "options": {}}
    )
    assert verified.status_code == 200, verified.text


def test_a_kid_naming_a_did_key_binds_the_credential_to_that_did(
    live_service: LiveService, cbp: Issuer
) -> None:
    offer = _offer(live_service, cbp, "ctpat", ["CTPATCertificate_jwt_vc_json"])
    wallet = _wallet(live_service, cbp, key=KeyPair.generate(KeyType.ED25519))
    did = did_key_from_public_key(wallet.key.public_key)
    token = wallet.access_token(offer.code, offer.tx_code)
    kid = f"{did}#{did.removeprefix('did:key:')}"
    credential = wallet.credential(token, "CTPATCertificate_jwt_vc_json", kid=kid)
    subject = decode_compact(credential).payload_json()["credentialSubject"]
    assert subject["member"]["id"] == did


# ---------------------------------------------------------------- the token endpoint


def test_a_pre_authorized_code_is_redeemed_once(live_service: LiveService, cbp: Issuer) -> None:
    offer = _offer(live_service, cbp, "ctpat", ["CTPATCertificate_ldp_vc"])
    wallet = _wallet(live_service, cbp)
    wallet.access_token(offer.code, offer.tx_code)
    _oauth_error(wallet.token(offer.code, offer.tx_code), 400, "invalid_grant")
    _oauth_error(wallet.token("no-such-code", offer.tx_code), 400, "invalid_grant")
    refused = [d for action, d in _audited(live_service, offer) if action.endswith("refused")]
    assert refused == [{"reason": "code_used"}]


def test_wrong_transaction_codes_count_and_lock_the_offer(
    live_service: LiveService, cbp: Issuer
) -> None:
    offer = _offer(live_service, cbp, "ctpat", ["CTPATCertificate_ldp_vc"])
    wallet = _wallet(live_service, cbp)
    wrong = str((int(offer.tx_code) + 1) % 1_000_000).zfill(6)
    _oauth_error(wallet.token(offer.code, None), 400, "invalid_request")
    attempts = live_service.settings.openid4vci_tx_code_attempts
    for _ in range(attempts):
        _oauth_error(wallet.token(offer.code, wrong), 400, "invalid_grant")
    # Locked: the right code no longer redeems it.
    _oauth_error(wallet.token(offer.code, offer.tx_code), 400, "invalid_grant")
    refused = [d for action, d in _audited(live_service, offer) if action.endswith("refused")]
    assert refused[0] == {"reason": "tx_code_missing"}
    assert [d["attempts"] for d in refused[1:-1]] == list(range(1, attempts + 1))
    assert refused[-2]["locked"] is True and refused[-1] == {"reason": "offer_locked"}


def test_an_expired_offer_is_refused(live_service: LiveService, cbp: Issuer) -> None:
    offer = _offer(live_service, cbp, "ctpat", ["CTPATCertificate_ldp_vc"])
    _expire(live_service, offer)
    wallet = _wallet(live_service, cbp)
    _oauth_error(wallet.token(offer.code, offer.tx_code), 400, "invalid_grant")
    assert live_service.http.get(urlsplit(offer.body["credentialOfferUri"]).path).status_code == 404
    assert _audited(live_service, offer)[-1] == (
        "credential_offer.refused",
        {"reason": "code_expired"},
    )


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"grant_type": PRE_AUTHORIZED}, "invalid_request"),
        ({"pre-authorized_code": "x"}, "invalid_request"),
    ],
)
def test_a_malformed_token_request_is_an_invalid_request(
    live_service: LiveService, cbp: Issuer, form: dict[str, str], error: str
) -> None:
    response = live_service.http.post(f"/issuers/{cbp.name}/token", data=form)
    _oauth_error(response, 400, error)


def test_a_token_request_is_a_form(live_service: LiveService, cbp: Issuer) -> None:
    response = live_service.http.post(
        f"/issuers/{cbp.name}/token",
        json={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": "x"},
    )
    _oauth_error(response, 400, "invalid_request")


# ---------------------------------------------------------------- the credential endpoint


@pytest.fixture(scope="module")
def redeemed(live_service: LiveService, cbp: Issuer) -> tuple[Wallet, str]:
    """A wallet holding the access token of an offer of a C-TPAT (Data Integrity)."""
    offer = _offer(live_service, cbp, "ctpat", ["CTPATCertificate_ldp_vc"])
    wallet = _wallet(live_service, cbp)
    return wallet, wallet.access_token(offer.code, offer.tx_code)


@pytest.mark.parametrize(
    ("proof", "error"),
    [
        ({"audience": "https://another-issuer.example"}, "invalid_proof"),
        ({"issued_at": time.time() - 3600}, "invalid_proof"),
        ({"issued_at": time.time() + 3600}, "invalid_proof"),
        ({"header": {"typ": "JWT"}}, "invalid_proof"),
        ({"header": {"alg": "ES384"}}, "invalid_proof"),
        ({"header": {"kid": "did:example:123#key-1"}}, "invalid_proof"),  # jwk and kid
        ({"nonce": None}, "invalid_proof"),
        ({"nonce": "a-nonce-this-issuer-never-gave"}, "invalid_nonce"),
    ],
    ids=["audience", "stale", "future", "typ", "alg", "two-keys", "no-nonce", "unknown-nonce"],
)
def test_a_key_proof_is_checked(
    redeemed: tuple[Wallet, str], proof: dict[str, Any], error: str
) -> None:
    wallet, token = redeemed
    fields = {"nonce": wallet.nonce()} | proof
    body = {
        "credential_configuration_id": "CTPATCertificate_ldp_vc",
        "proofs": {"jwt": [wallet.proof(**fields)]},
    }
    _oauth_error(wallet.request(token, body), 400, error)


def test_a_used_nonce_is_stale(live_service: LiveService, cbp: Issuer) -> None:
    offer = _offer(
        live_service, cbp, "ctpat", ["CTPATCertificate_ldp_vc", "CTPATCertificate_jwt_vc_json"]
    )
    wallet = _wallet(live_service, cbp)
    token = wallet.access_token(offer.code, offer.tx_code)
    nonce = wallet.nonce()
    proof = wallet.proof(nonce=nonce)
    body = {"credential_configuration_id": "CTPATCertificate_ldp_vc", "proofs": {"jwt": [proof]}}
    assert wallet.request(token, body).status_code == 200
    body = {
        "credential_configuration_id": "CTPATCertificate_jwt_vc_json",
        "proofs": {"jwt": [proof]},
    }
    _oauth_error(wallet.request(token, body), 400, "invalid_nonce")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"credential_configuration_id": "CTPATCertificate_ldp_vc"}, "invalid_proof"),
        (
            {"credential_configuration_id": "CTPATCertificate_ldp_vc", "proofs": {"di_vp": [{}]}},
            "invalid_proof",
        ),
        ({"proofs": {"jwt": ["x.y.z"]}}, "invalid_credential_request"),
        (
            {"credential_identifier": "x", "proofs": {"jwt": ["x.y.z"]}},
            "unknown_credential_identifier",
        ),
        (
            {"credential_configuration_id": "UniversityDegree", "proofs": {"jwt": ["x.y.z"]}},
            "unknown_credential_configuration",
        ),
        ([], "invalid_credential_request"),
    ],
    ids=["no-proof", "di-vp", "no-configuration", "identifier", "unknown", "not-an-object"],
)
def test_a_malformed_credential_request_is_refused(
    redeemed: tuple[Wallet, str], body: Any, error: str
) -> None:
    wallet, token = redeemed
    _oauth_error(wallet.request(token, body), 400, error)


def test_the_credential_endpoint_takes_the_offers_access_token(
    redeemed: tuple[Wallet, str], live_service: LiveService, cbp: Issuer
) -> None:
    wallet, token = redeemed
    body = {
        "credential_configuration_id": "CTPATCertificate_jwt_vc_json",
        "proofs": {"jwt": ["x.y.z"]},
    }
    missing = _oauth_error(wallet.request(None, body), 401, "invalid_token")
    assert missing and wallet.request(None, body).headers["www-authenticate"] == "Bearer"
    unknown = wallet.request("not-a-token", body)
    _oauth_error(unknown, 401, "invalid_token")
    assert unknown.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    # A configuration the offer did not name: the token does not grant it.
    _oauth_error(wallet.request(token, body), 403, "insufficient_scope")
    # The token is this issuer's only.
    other = live_service.issuer("cbp-other", CBP_TYPES)
    elsewhere = Wallet(live_service.http, f"{live_service.url}/issuers/{other.name}")
    _oauth_error(elsewhere.request(token, body), 401, "invalid_token")


def test_an_expired_access_token_is_an_invalid_token(
    live_service: LiveService, cbp: Issuer
) -> None:
    offer = _offer(live_service, cbp, "ctpat", ["CTPATCertificate_ldp_vc"])
    wallet = _wallet(live_service, cbp)
    token = wallet.access_token(offer.code, offer.tx_code)
    _expire(live_service, offer, "token_expires_at")
    body = {
        "credential_configuration_id": "CTPATCertificate_ldp_vc",
        "proofs": {"jwt": [wallet.proof(nonce=wallet.nonce())]},
    }
    _oauth_error(wallet.request(token, body), 401, "invalid_token")


# ---------------------------------------------------------------- the officer


def _profile_problem(
    response: httpx.Response, status: int, code: str, field: str | None = None
) -> None:
    """A problem under the organisation's API base: with the profile's ``message``."""
    problem = assert_problem(response, status, code, field)
    assert problem["message"], problem


def test_only_an_issuing_client_of_the_authority_makes_offers(
    live_service: LiveService, sat: Issuer, cbp: Issuer
) -> None:
    reader = live_service.issuer("reader", CBP_TYPES, scopes=(READ,), accredited=False)
    response = _create(live_service, reader, "ctpat", ["CTPATCertificate_ldp_vc"])
    _profile_problem(response, 403, "INSUFFICIENT_SCOPE")
    foreign = live_service.http.post(
        f"/issuers/{cbp.name}/offers",
        headers=sat.headers,
        json=certificate_body("ctpat")
        | {"credentialConfigurationIds": ["CTPATCertificate_ldp_vc"]},
    )
    _profile_problem(foreign, 403, "FORBIDDEN")
    not_its_type = _create(live_service, sat, "ctpat", ["CTPATCertificate_ldp_vc"])
    _profile_problem(not_its_type, 403, "FORBIDDEN", "credentialConfigurationIds")
    unauthenticated = live_service.http.post(f"/issuers/{cbp.name}/offers", json={})
    _profile_problem(unauthenticated, 401, "UNAUTHORIZED")


def test_an_offer_is_checked_as_its_certificate_would_be(
    live_service: LiveService, cbp: Issuer, sat: Issuer
) -> None:
    # Under the API base a body the service refuses is a 400, as the profile has it.
    unknown = _create(live_service, cbp, "ctpat", ["CTPATCertificate_mso_mdoc"])
    _profile_problem(unknown, 400, "MALFORMED_VALUE_ERROR", "credentialConfigurationIds")
    mixed = _create(
        live_service, sat, "immex", ["IMMEXCertificate_ldp_vc", "OEACertificate_ldp_vc"]
    )
    _profile_problem(mixed, 400, "MALFORMED_VALUE_ERROR", "credentialConfigurationIds")
    body = certificate_body("ctpat")
    body["certificate"]["tier"] = "Platinum"
    wrong = live_service.http.post(
        f"/issuers/{cbp.name}/offers",
        headers=cbp.headers,
        json=body | {"credentialConfigurationIds": ["CTPATCertificate_ldp_vc"]},
    )
    _profile_problem(wrong, 400, "MALFORMED_VALUE_ERROR", "certificate.tier")
    backwards = _create(
        live_service,
        cbp,
        "ctpat",
        ["CTPATCertificate_ldp_vc"],
        validFrom="2030-01-01T00:00:00Z",
        validUntil="2029-01-01T00:00:00Z",
    )
    _profile_problem(backwards, 400, "MALFORMED_VALUE_ERROR", "validUntil")
    missing = _create(live_service, cbp, "ctpat", [], validUntil="soon")
    _profile_problem(missing, 400, "MALFORMED_VALUE_ERROR")


def test_problems_of_the_wallet_endpoints_are_the_profiles(live_service: LiveService) -> None:
    for path in ("/issuers/nobody/token", "/issuers/nobody/nonce", "/issuers/nobody/credential"):
        response = live_service.http.post(
            path, data={"grant_type": PRE_AUTHORIZED, "pre-authorized_code": "x"}
        )
        _profile_problem(response, 404, "NOT_FOUND")
    _profile_problem(live_service.http.get("/issuers/nobody/offers/x"), 404, "NOT_FOUND")
