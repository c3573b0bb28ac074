"""Verifier access over real HTTP: a required ``verify:credentials`` token, and rate limits."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import LiveService, assert_problem, serve

VERIFY = "verify:credentials"
BODY = {"verifiableCredential": {"@context": ["https://www.w3.org/ns/credentials/v2"]}}
# The credential is malformed: each answered request is 422 VERIFICATION_FAILED (not 429).
ANSWERED = 422


@pytest.fixture(scope="module")
def guarded(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """A verifier that requires a token, allowing 60 requests a minute per client."""
    directory = tmp_path_factory.mktemp("guarded")
    with serve(
        directory, None, context_store_dir, verify_requires_token=True, verify_rate_per_minute=60
    ) as live:
        yield live


def test_a_verify_token_is_required_when_configured(guarded: LiveService) -> None:
    assert_problem(guarded.http.post("/credentials/verify", json=BODY), 401, "UNAUTHORIZED")
    assert_problem(guarded.http.post("/challenges", json={}), 401, "UNAUTHORIZED")
    issuer = guarded.issuer("cbp-officers", ["CTPATCertificate"], scopes=(VERIFY,))
    response = guarded.http.post("/credentials/verify", json=BODY, headers=issuer.headers)
    assert_problem(response, 422, "VERIFICATION_FAILED")
    assert response.json()["verified"] is False


def test_a_token_without_the_verify_scope_is_refused(guarded: LiveService) -> None:
    issuer = guarded.issuer("sat-issuing", ["OEACertificate"])
    response = guarded.http.post("/credentials/verify", json=BODY, headers=issuer.headers)
    assert_problem(response, 403, "INSUFFICIENT_SCOPE")


def test_each_client_has_its_own_rate(guarded: LiveService) -> None:
    greedy = guarded.issuer("greedy", ["OEACertificate"], scopes=(VERIFY,))
    modest = guarded.issuer("modest", ["OEACertificate"], scopes=(VERIFY,))
    statuses = [
        guarded.http.post("/credentials/verify", json=BODY, headers=greedy.headers).status_code
        for _ in range(15)
    ]
    assert statuses[:10] == [ANSWERED] * 10  # a burst of ten seconds' worth
    assert 429 in statuses[10:]
    refused = guarded.http.post("/credentials/verify", json=BODY, headers=greedy.headers)
    problem = assert_problem(refused, 429, "RATE_LIMITED")
    assert int(refused.headers["retry-after"]) >= 1
    assert "retry after" in problem["detail"]
    answered = guarded.http.post("/credentials/verify", json=BODY, headers=modest.headers)
    assert answered.status_code == ANSWERED, answered.text


@pytest.fixture(scope="module")
def open_but_limited(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """An open verifier allowing 12 requests a minute per address."""
    directory = tmp_path_factory.mktemp("limited")
    with serve(directory, None, context_store_dir, verify_rate_per_minute=12) as live:
        yield live


def test_open_endpoints_are_limited_per_address(open_but_limited: LiveService) -> None:
    statuses = [open_but_limited.http.post("/challenges", json={}).status_code for _ in range(4)]
    assert statuses == [201, 201, 429, 429]
    issued = open_but_limited.http.get("/healthz")
    assert issued.status_code == 200  # only the verifier's endpoints are limited


@pytest.fixture(scope="module")
def clients_first(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """An open verifier allowing 12 requests a minute per address, 600 per client."""
    directory = tmp_path_factory.mktemp("clients-first")
    with serve(
        directory,
        None,
        context_store_dir,
        verify_rate_per_minute=12,
        client_verify_rate_per_minute=600,
    ) as live:
        yield live


def test_clients_may_have_a_higher_rate_than_anonymous_addresses(
    clients_first: LiveService,
) -> None:
    broker = clients_first.issuer("broker", ["OEACertificate"], scopes=(VERIFY,))
    anonymous = [
        clients_first.http.post("/credentials/verify", json=BODY).status_code for _ in range(4)
    ]
    assert anonymous == [ANSWERED, ANSWERED, 429, 429]
    with_token = [
        clients_first.http.post("/credentials/verify", json=BODY, headers=broker.headers)
        for _ in range(20)
    ]  # from the same address, past its anonymous burst
    assert [response.status_code for response in with_token] == [ANSWERED] * 20


def test_a_refusal_before_the_body_is_answered_after_the_refusal_delay(
    open_but_limited: LiveService, tmp_path_factory: pytest.TempPathFactory, context_store_dir: Path
) -> None:
    """A caller past its rate that resends at once (as a flood does) waits
    REFUSAL_DELAY_SECONDS (1 s by default) for each 429; with 0 it is answered at once."""
    assert open_but_limited.settings.refusal_delay_seconds == 1.0
    with serve(
        tmp_path_factory.mktemp("no-delay"),
        None,
        context_store_dir,
        verify_rate_per_minute=12,
        refusal_delay_seconds=0,
    ) as undelayed:
        for live, least, most in ((open_but_limited, 1.0, 5.0), (undelayed, 0.0, 0.5)):
            spent = [live.http.post("/challenges", json={}).status_code for _ in range(3)]
            assert 429 in spent  # the address's burst (two) is spent
            started = time.monotonic()
            refused = live.http.post("/challenges", json={})
            elapsed = time.monotonic() - started
            assert_problem(refused, 429, "RATE_LIMITED")
            assert least <= elapsed < most, f"{elapsed:.2f} s"
