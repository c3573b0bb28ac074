"""Who may call what: Bearer tokens, scopes, authorities, the token endpoint, the admin token."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.builders import SAT_TYPES, certificate_body
from tests.api.conftest import ISSUE, READ, Issuer, LiveService, assert_problem
from vcservice.clock import FixedClock
from vcservice.keys import load_key_file
from vcservice.model.records import Client, Scope
from vcservice.services.access import TokenService

pytestmark = pytest.mark.shared

ISSUER_ROUTES = [
    ("POST", "/certificates/immex"),
    ("POST", "/credentials/issue"),
    ("GET", "/credentials"),
    ("GET", "/credentials/urn:uuid:00000000-0000-4000-8000-000000000000"),
]
ADMIN_ROUTES = [
    ("GET", "/admin/authorities"),
    ("POST", "/admin/authorities"),
    ("GET", "/admin/authorities/sat"),
    ("POST", "/admin/authorities/sat/keys/rotate"),
    ("GET", "/admin/authorities/sat/clients"),
    ("POST", "/admin/authorities/sat/clients"),
    ("DELETE", "/admin/clients/sat-0"),
]


@pytest.mark.parametrize(("method", "path"), ISSUER_ROUTES)
def test_no_token_is_401_with_a_challenge(
    live_service: LiveService, method: str, path: str
) -> None:
    response = live_service.http.request(method, path, json={})
    assert_problem(response, 401, "UNAUTHORIZED", "Authorization")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer garbage",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",  # unsigned (alg none)
        "Bearer a.b.c",
        "Basic c2F0OnNlY3JldA==",  # not a Bearer token at all
        "Bearer",
    ],
)
def test_a_garbage_token_is_401(live_service: LiveService, authorization: str) -> None:
    response = live_service.http.get("/credentials", headers={"Authorization": authorization})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_tampered_token_is_401(live_service: LiveService, sat_reader: Issuer) -> None:
    header, payload, signature = sat_reader.token.split(".")
    flipped = signature[:-2] + ("AA" if not signature.endswith("AA") else "BB")
    response = live_service.http.get(
        "/credentials", headers={"Authorization": f"Bearer {header}.{payload}.{flipped}"}
    )
    assert_problem(response, 401, "INVALID_TOKEN")


def _token_at(live_service: LiveService, issuer: Issuer, issued: datetime) -> str:
    """A token signed with the service's own token key, as if issued at ``issued``."""
    key = load_key_file(live_service.data_dir / "token-signing-key").key_pair
    tokens = TokenService(
        key,
        issuer_url=live_service.url,
        audience=live_service.url,
        clock=FixedClock(issued),
        lifetime_seconds=300,
    )
    client = Client(
        client_id=issuer.client_id,
        authority=issuer.name,
        secret_hash="unused",
        scopes=frozenset({Scope.ISSUE, Scope.READ}),
        created_at=issued,
    )
    return tokens.issue(client)[0]


def test_an_expired_token_is_401(live_service: LiveService, sat: Issuer) -> None:
    now = datetime.now(UTC)
    fresh = _token_at(live_service, sat, now)
    assert live_service.http.get(
        "/credentials", headers={"Authorization": f"Bearer {fresh}"}
    ).is_success  # the forging works: only the time differs below
    expired = _token_at(live_service, sat, now - timedelta(hours=1))
    response = live_service.http.get("/credentials", headers={"Authorization": f"Bearer {expired}"})
    problem = assert_problem(response, 401, "INVALID_TOKEN")
    assert "expired" in problem["detail"]
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.fixture(scope="module")
def sat_reader(live_service: LiveService, sat: Issuer) -> Issuer:
    """A second SAT client that may only read."""
    client_id, secret = live_service.create_client(sat.name, [READ])
    return Issuer(sat.name, sat.did, client_id, secret, live_service.token(client_id, secret))


def test_a_token_without_the_issue_scope_cannot_issue(
    live_service: LiveService, sat: Issuer, sat_reader: Issuer
) -> None:
    before = live_service.registry(sat)["total"]
    response = live_service.http.post(
        "/certificates/immex", headers=sat_reader.headers, json=certificate_body("immex")
    )
    assert_problem(response, 403, "INSUFFICIENT_SCOPE")
    response = live_service.http.post(
        "/credentials/issue", headers=sat_reader.headers, json={"credential": {}}
    )
    assert_problem(response, 403, "INSUFFICIENT_SCOPE")
    assert live_service.registry(sat_reader)["total"] == before


def test_a_token_narrowed_to_read_cannot_issue(live_service: LiveService, sat: Issuer) -> None:
    response = live_service.request_token(sat.client_id, sat.client_secret, READ)
    assert response.status_code == 200 and response.json()["scope"] == READ
    narrowed = {"Authorization": f"Bearer {response.json()['access_token']}"}
    response = live_service.http.post(
        "/certificates/oea", headers=narrowed, json=certificate_body("oea")
    )
    assert_problem(response, 403, "INSUFFICIENT_SCOPE")


def test_a_client_cannot_ask_for_a_scope_it_lacks(
    live_service: LiveService, sat_reader: Issuer
) -> None:
    response = live_service.request_token(sat_reader.client_id, sat_reader.client_secret, ISSUE)
    assert_problem(response, 400, "INVALID_SCOPE")


def test_an_issue_only_token_cannot_read(live_service: LiveService, sat: Issuer) -> None:
    client_id, secret = live_service.create_client(sat.name, [ISSUE])
    headers = {"Authorization": f"Bearer {live_service.token(client_id, secret)}"}
    assert_problem(
        live_service.http.get("/credentials", headers=headers), 403, "INSUFFICIENT_SCOPE"
    )


def test_another_authoritys_credential_is_not_found(live_service: LiveService, sat: Issuer) -> None:
    other = live_service.issuer("sat", SAT_TYPES)
    response = live_service.http.post(
        "/certificates/immex", headers=other.headers, json=certificate_body("immex")
    )
    assert response.status_code == 201, response.text
    credential_id = response.json()["verifiableCredential"]["id"]
    assert live_service.http.get(f"/credentials/{credential_id}", headers=other.headers).is_success

    foreign = live_service.http.get(f"/credentials/{credential_id}", headers=sat.headers)
    unknown = live_service.http.get(
        "/credentials/urn:uuid:00000000-0000-4000-8000-000000000000", headers=sat.headers
    )
    assert_problem(foreign, 404, "NOT_FOUND")
    assert_problem(unknown, 404, "NOT_FOUND")
    # Nothing tells a foreign credential from a missing one, nor shows whose it is.
    assert foreign.json()["title"] == unknown.json()["title"]
    assert other.name not in foreign.text
    assert credential_id not in [item["id"] for item in live_service.registry(sat)["items"]]


@pytest.mark.parametrize("how", ["wrong-secret", "unknown-client", "no-credentials", "bad-basic"])
def test_the_token_endpoint_refuses_bad_client_credentials(
    live_service: LiveService, sat: Issuer, how: str
) -> None:
    form = {"grant_type": "client_credentials"}
    if how == "wrong-secret":
        response = live_service.http.post("/oauth/token", data=form, auth=(sat.client_id, "x" * 43))
    elif how == "unknown-client":
        response = live_service.http.post(
            "/oauth/token", data=form, auth=("nobody-0000", sat.client_secret)
        )
    elif how == "no-credentials":
        response = live_service.http.post("/oauth/token", data=form)
    else:
        response = live_service.http.post(
            "/oauth/token", data=form, headers={"Authorization": "Basic %%%not-base64"}
        )
    assert_problem(response, 401, "INVALID_CLIENT")
    assert "access_token" not in response.text


def test_the_token_endpoint_accepts_form_credentials(
    live_service: LiveService, sat: Issuer
) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": sat.client_id,
        "client_secret": sat.client_secret,
    }
    response = live_service.http.post("/oauth/token", data=form)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    assert set(body["scope"].split()) == {ISSUE, READ}


def test_the_token_endpoint_wants_the_client_credentials_grant(
    live_service: LiveService, sat: Issuer
) -> None:
    credentials = base64.b64encode(f"{sat.client_id}:{sat.client_secret}".encode()).decode()
    response = live_service.http.post(
        "/oauth/token",
        data={"grant_type": "password", "username": "x", "password": "y"},
        headers={"Authorization": f"Basic {credentials}"},
    )
    assert_problem(response, 400, "PARSING_ERROR", "grant_type")


def test_a_deleted_clients_token_stops_working(live_service: LiveService, sat: Issuer) -> None:
    client_id, secret = live_service.create_client(sat.name, [ISSUE, READ])
    headers = {"Authorization": f"Bearer {live_service.token(client_id, secret)}"}
    assert live_service.http.get("/credentials", headers=headers).status_code == 200

    deleted = live_service.http.delete(f"/admin/clients/{client_id}", headers=live_service.admin)
    assert deleted.status_code == 204

    response = live_service.http.get("/credentials", headers=headers)
    assert_problem(response, 401, "INVALID_TOKEN")
    assert response.headers["www-authenticate"] == "Bearer"
    response = live_service.http.post(
        "/certificates/immex", headers=headers, json=certificate_body("immex")
    )
    assert_problem(response, 401, "INVALID_TOKEN")
    assert_problem(live_service.request_token(client_id, secret), 401, "INVALID_CLIENT")
    again = live_service.http.delete(f"/admin/clients/{client_id}", headers=live_service.admin)
    assert_problem(again, 404, "NOT_FOUND")


@pytest.mark.parametrize(("method", "path"), ADMIN_ROUTES)
@pytest.mark.parametrize("who", ["nobody", "client", "wrong-admin-token"])
def test_admin_endpoints_need_the_admin_token(
    live_service: LiveService, sat: Issuer, method: str, path: str, who: str
) -> None:
    headers = {
        "nobody": {},
        "client": sat.headers,
        "wrong-admin-token": {"Authorization": f"Bearer {live_service.admin_token[:-1]}x"},
    }[who]
    before = live_service.http.get("/admin/authorities", headers=live_service.admin).json()
    response = live_service.http.request(
        method, path, headers=headers, json={"name": "intruder", "displayName": "x"}
    )
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"
    assert live_service.http.get("/admin/authorities", headers=live_service.admin).json() == before
