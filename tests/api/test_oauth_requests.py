"""The token endpoint's request forms: an explicit empty scope, JSON bodies, ``audience``."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.builders import SAT_TYPES, certificate_body
from tests.api.conftest import ISSUE, READ, Issuer, LiveService, assert_problem

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def org(live_service: LiveService) -> Issuer:
    """An organisation whose client may issue and read."""
    return live_service.issuer("org", SAT_TYPES, scopes=(ISSUE, READ))


def grant(live_service: LiveService, org: Issuer, **kwargs: Any) -> dict[str, Any]:
    response = live_service.http.post("/oauth/token", **kwargs)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] > 0
    return body


def credentials(org: Issuer) -> dict[str, str]:
    return {
        "client_id": org.client_id,
        "client_secret": org.client_secret,
        "grant_type": "client_credentials",
    }


def test_an_explicit_empty_scope_grants_no_scope(live_service: LiveService, org: Issuer) -> None:
    token = grant(live_service, org, data=credentials(org) | {"scope": ""})

    assert token["scope"] == ""
    response = live_service.http.post(
        "/certificates/oea",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        json=certificate_body("oea"),
    )
    assert_problem(response, 403, "INSUFFICIENT_SCOPE")


def test_without_scope_the_token_carries_every_scope_of_the_client(
    live_service: LiveService, org: Issuer
) -> None:
    assert grant(live_service, org, data=credentials(org))["scope"] == f"{ISSUE} {READ}"


def test_audience_is_accepted_and_ignored(live_service: LiveService, org: Issuer) -> None:
    token = grant(
        live_service, org, data=credentials(org) | {"audience": "https://elsewhere.example"}
    )

    response = live_service.http.get(
        "/credentials", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(("scope", "granted"), [(None, f"{ISSUE} {READ}"), ("", ""), (READ, READ)])
def test_a_json_token_request_is_a_form_request(
    live_service: LiveService, org: Issuer, scope: str | None, granted: str
) -> None:
    members = credentials(org) | {"audience": "https://elsewhere.example"}
    if scope is not None:
        members["scope"] = scope

    assert grant(live_service, org, json=members)["scope"] == granted


def test_a_json_token_request_authenticates_the_client(
    live_service: LiveService, org: Issuer
) -> None:
    response = live_service.http.post(
        "/oauth/token", json=credentials(org) | {"client_secret": "wrong"}
    )

    assert_problem(response, 401, "INVALID_CLIENT")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ("client_credentials", "body"),
        ({"grant_type": "client_credentials", "scope": ["read:credentials"]}, "scope"),
        ({"grant_type": 1}, "grant_type"),
    ],
    ids=str,
)
def test_a_malformed_json_token_request_is_400(
    live_service: LiveService, body: Any, field: str
) -> None:
    response = live_service.http.post("/oauth/token", json=body)

    assert_problem(response, 400, "PARSING_ERROR", field)


def test_a_token_request_of_another_media_type_is_415(live_service: LiveService) -> None:
    response = live_service.http.post(
        "/oauth/token",
        content=b"grant_type=client_credentials",
        headers={"content-type": "text/plain"},
    )

    assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type")
