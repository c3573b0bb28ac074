"""Access tokens are short-lived and bound to this service; secrets compare in constant time;
no cross-origin access is granted (CORS is off)."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.builders import SAT_TYPES
from tests.api.conftest import READ, Issuer, LiveService, assert_problem
from vcservice.clock import FixedClock
from vcservice.custody import KeyEncryptionKey, SecretDigester, SecretPurpose
from vcservice.jose.jws import decode_compact
from vcservice.keys import load_key_file
from vcservice.model.records import Client, Scope
from vcservice.services import access
from vcservice.services.access import CLOCK_LEEWAY_SECONDS, TokenService

pytestmark = pytest.mark.shared
ORIGIN = "https://evil.example"
DIGESTS = SecretDigester.from_kek(KeyEncryptionKey(bytes(range(32))))


@pytest.fixture(scope="module")
def reader(live_service: LiveService) -> Issuer:
    return live_service.issuer("sat-reader", SAT_TYPES, scopes=(READ,))


def _forge(
    live: LiveService, issuer: Issuer, *, issued: datetime, audience: str | None = None, **kw: Any
) -> str:
    """A token signed with the service's own token key, with the given time and audience."""
    key = load_key_file(live.data_dir / "token-signing-key").key_pair
    tokens = TokenService(
        key,
        issuer_url=kw.get("issuer_url", live.url),
        audience=audience or live.url,
        clock=FixedClock(issued),
        lifetime_seconds=kw.get("lifetime_seconds", 300),
    )
    client = Client(
        client_id=issuer.client_id,
        authority=issuer.name,
        secret_hash="unused",
        scopes=frozenset({Scope.READ}),
        created_at=issued,
    )
    return tokens.issue(client)[0]


def _read(live: LiveService, token: str) -> Any:
    return live.http.get("/credentials", headers={"Authorization": f"Bearer {token}"})


# ---------------------------------------------------------------- short-lived


def test_tokens_live_five_minutes(live_service: LiveService, reader: Issuer) -> None:
    response = live_service.request_token(reader.client_id, reader.client_secret)
    body = response.json()
    claims = decode_compact(body["access_token"]).payload_json()
    assert body["expires_in"] == 300 == claims["exp"] - claims["iat"]
    assert abs(claims["iat"] - datetime.now(UTC).timestamp()) < 60


def test_a_token_past_its_expiry_is_refused(live_service: LiveService, reader: Issuer) -> None:
    """A 30-second token, issued so that its exp passed just beyond the clock leeway."""
    now = datetime.now(UTC)
    valid = _forge(live_service, reader, issued=now - timedelta(seconds=10), lifetime_seconds=30)
    assert _read(live_service, valid).status_code == 200  # the forging works
    lapsed = now - timedelta(seconds=30 + CLOCK_LEEWAY_SECONDS + 5)
    expired = _forge(live_service, reader, issued=lapsed, lifetime_seconds=30)
    problem = assert_problem(_read(live_service, expired), 401, "INVALID_TOKEN")
    assert "expired" in problem["detail"]


def test_the_lifetime_setting_is_bounded() -> None:
    from pydantic import ValidationError

    from vcservice.settings import Settings

    for seconds in (29, 3601):
        with pytest.raises(ValidationError):
            Settings(access_token_lifetime_seconds=seconds)


# ---------------------------------------------------------------- audience-bound


def test_a_token_for_another_audience_is_refused(live_service: LiveService, reader: Issuer) -> None:
    """Same key, same issuer, but minted for another public URL (say, a second deployment)."""
    now = datetime.now(UTC)
    foreign = _forge(live_service, reader, issued=now, audience="https://verificador.example")
    problem = assert_problem(_read(live_service, foreign), 401, "INVALID_TOKEN")
    assert "audience" in problem["detail"]


def test_a_token_from_another_issuer_is_refused(live_service: LiveService, reader: Issuer) -> None:
    now = datetime.now(UTC)
    foreign = _forge(live_service, reader, issued=now, issuer_url="https://emisor.example")
    problem = assert_problem(_read(live_service, foreign), 401, "INVALID_TOKEN")
    assert "issuer" in problem["detail"]


def test_tokens_name_this_service_as_audience_and_issuer(
    live_service: LiveService, reader: Issuer
) -> None:
    claims = decode_compact(reader.token).payload_json()
    assert claims["aud"] == live_service.url == claims["iss"]


# ---------------------------------------------------------------- constant time


@pytest.fixture
def compare_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    """Every ``hmac.compare_digest`` call the code under test makes."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return calls


def test_the_admin_token_is_compared_in_constant_time(
    compare_calls: list[tuple[bytes, bytes]],
) -> None:
    token = "a" * 43
    assert access.check_admin_token(token, token, digests=DIGESTS)
    assert not access.check_admin_token(token, token[:-1], digests=DIGESTS)
    # Digests of equal length, whatever the lengths of the tokens.
    assert [(len(a), len(b)) for a, b in compare_calls] == [(32, 32), (32, 32)]


def test_secrets_are_checked_through_keyed_digests_in_constant_time(
    compare_calls: list[tuple[bytes, bytes]],
) -> None:
    purpose = SecretPurpose.CLIENT_SECRET
    stored = DIGESTS.digest("correct horse", purpose=purpose, owner="sat-1")
    assert DIGESTS.check("correct horse", stored, purpose=purpose, owner="sat-1").matches
    assert not DIGESTS.check("correct hors", stored, purpose=purpose, owner="sat-1").matches
    assert len(compare_calls) == 2


# ---------------------------------------------------------------- CORS off


@pytest.mark.parametrize("path", ["/credentials/verify", "/oauth/token", "/credentials"])
def test_a_preflight_is_not_granted(live_service: LiveService, path: str) -> None:
    response = live_service.http.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code >= 400
    assert not any(name.startswith("access-control-") for name in response.headers)


def test_a_cross_origin_request_gets_no_cors_headers(
    live_service: LiveService, reader: Issuer
) -> None:
    for response in (
        live_service.http.get("/healthz", headers={"Origin": ORIGIN}),
        live_service.http.get("/credentials", headers={"Origin": ORIGIN, **reader.headers}),
        live_service.http.post("/challenges", json={}, headers={"Origin": ORIGIN}),
    ):
        assert response.is_success, response.text
        assert not any(name.startswith("access-control-") for name in response.headers)
