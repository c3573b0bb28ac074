"""Rate limits on the token endpoint and on issuance, over real HTTP.

``TOKEN_RATE_PER_MINUTE`` bounds token grants per client and failed authentications per
address (client secrets here; every kind of token in test_token_checks.py);
``ISSUE_RATE_PER_MINUTE`` bounds issuance and status changes per client. A limit answers
429 ``RATE_LIMITED`` with ``Retry-After``; buckets hold ten seconds' worth, so a rate of 12
a minute allows bursts of two.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.builders import SAT_TYPES, certificate_body, issue_body, unsigned_credential
from tests.api.conftest import ISSUE, READ, LiveService, assert_problem, serve

pytestmark = pytest.mark.shared
UPDATE = "update:credentials"


def _limited(
    tmp_path_factory: pytest.TempPathFactory, name: str, store: Path, **rates: int
) -> Iterator[LiveService]:
    with serve(tmp_path_factory.mktemp(name), None, store, **rates) as live:
        yield live


@pytest.fixture(scope="module")
def token_limited(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """Token grants limited to 12 a minute per client (bursts of two)."""
    yield from _limited(tmp_path_factory, "tokens", context_store_dir, token_rate_per_minute=12)


@pytest.fixture(scope="module")
def issue_limited(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """Issuance and status changes limited to 12 a minute per client (bursts of two)."""
    yield from _limited(tmp_path_factory, "issuance", context_store_dir, issue_rate_per_minute=12)


def _assert_limited(response: httpx.Response) -> None:
    problem = assert_problem(response, 429, "RATE_LIMITED")
    assert int(response.headers["retry-after"]) >= 1
    assert "retry after" in problem["detail"]


# ---------------------------------------------------------------- the token endpoint


def test_token_grants_are_limited_per_client(token_limited: LiveService) -> None:
    live = token_limited
    authority = live.unique_name("sat")
    live.create_authority(authority, SAT_TYPES)
    greedy, modest = live.create_client(authority, [READ]), live.create_client(authority, [READ])
    statuses = [live.request_token(*greedy).status_code for _ in range(2)]
    assert statuses == [200, 200]
    _assert_limited(live.request_token(*greedy))
    assert live.request_token(*modest).status_code == 200  # its own bucket


def test_failed_authentications_are_limited_per_address(
    context_store_dir: Path, tmp_path: Path
) -> None:
    """Once an address has failed its burst, even the right secret is refused (unchecked)."""
    with serve(tmp_path, None, context_store_dir, token_rate_per_minute=12) as live:
        live.create_authority("sat", SAT_TYPES)
        client_id, secret = live.create_client("sat", [READ])
        for attempt in ("guess-1", "guess-2"):
            assert_problem(live.request_token(client_id, attempt), 401, "INVALID_CLIENT")
        _assert_limited(live.request_token(client_id, "guess-3"))
        _assert_limited(live.request_token(client_id, secret))
        _assert_limited(live.request_token("nobody-0000", "guess"))


def test_malformed_client_credentials_count_as_failures(
    context_store_dir: Path, tmp_path: Path
) -> None:
    with serve(tmp_path, None, context_store_dir, token_rate_per_minute=6) as live:
        garbage = {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe").decode()}
        form = {"grant_type": "client_credentials"}
        response = live.http.post("/oauth/token", data=form, headers=garbage)
        assert_problem(response, 401, "INVALID_CLIENT")
        _assert_limited(live.http.post("/oauth/token", data=form, headers=garbage))


def test_successful_grants_do_not_spend_the_address_budget(token_limited: LiveService) -> None:
    live = token_limited
    authority = live.unique_name("cbp")
    live.create_authority(authority, ["CTPATCertificate"])
    for _ in range(4):  # four clients, two grants each: well past the address's burst of two
        client = live.create_client(authority, [READ])
        assert [live.request_token(*client).status_code for _ in range(2)] == [200, 200]


# ---------------------------------------------------------------- issuance


def test_issuance_is_limited_per_client(issue_limited: LiveService) -> None:
    live = issue_limited
    sat = live.issuer("sat", SAT_TYPES, scopes=(ISSUE, READ))
    other = live.create_client(sat.name, [ISSUE])
    other_headers = {"Authorization": f"Bearer {live.token(*other)}"}
    first = live.http.post(
        "/certificates/immex", headers=sat.headers, json=certificate_body("immex")
    )
    assert first.status_code == 201, first.text
    body = issue_body(unsigned_credential("immex", sat.did))
    second = live.http.post("/credentials/issue", headers=sat.headers, json=body)
    assert second.status_code == 201, second.text
    _assert_limited(
        live.http.post("/certificates/oea", headers=sat.headers, json=certificate_body("oea"))
    )
    assert live.registry(sat)["total"] == 2  # the refused request stored nothing
    third = live.http.post("/certificates/oea", headers=other_headers, json=certificate_body("oea"))
    assert third.status_code == 201, third.text  # another client of the same authority
    assert live.http.get("/credentials", headers=sat.headers).status_code == 200  # reads are not


def test_status_changes_are_limited_per_client(issue_limited: LiveService) -> None:
    live = issue_limited
    sat = live.issuer("sat", SAT_TYPES, scopes=(ISSUE, READ))
    updater = live.create_client(sat.name, [UPDATE])
    headers = {"Authorization": f"Bearer {live.token(*updater)}"}
    issued = live.http.post(
        "/certificates/immex", headers=sat.headers, json=certificate_body("immex")
    )
    assert issued.status_code == 201, issued.text
    credential_id = issued.json()["verifiableCredential"]["id"]

    def change(status: str) -> httpx.Response:
        body = {
            "credentialId": credential_id,
            "credentialStatus": [{"statusPurpose": "suspension", "status": status}],
            "reason": "rate limit test",
        }
        return live.http.post("/credentials/status", headers=headers, json=body)

    assert [change("0x1").status_code, change("0x0").status_code] == [200, 200]
    _assert_limited(change("0x1"))
    record = live.http.get(f"/credentials/{credential_id}", headers=sat.headers).json()
    assert len(record["statusHistory"]) == 2  # the refused change was not applied


def test_an_unauthenticated_request_is_401_not_429(issue_limited: LiveService) -> None:
    for _ in range(4):
        response = issue_limited.http.post("/certificates/immex", json=certificate_body("immex"))
        assert_problem(response, 401, "UNAUTHORIZED")


def test_the_limits_are_settings_with_defaults() -> None:
    from vcservice.settings import Settings

    defaults = Settings()
    assert (defaults.token_rate_per_minute, defaults.issue_rate_per_minute) == (60, 600)
