"""Availability under hostile load, over real HTTP on both databases: per-caller quotas of
open challenges and exchanges, exchanges only for the verifier's clients unless a workflow
is public, presentations kept once and capped, and expired records purged on a schedule.

The flood comes from many loopback source addresses (127.0.3.x; the service listens on
127.0.0.1, and every 127/8 address reaches it), each its own anonymous caller.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import LiveService, assert_problem, database_for, serve
from tests.api.presenting import DOMAIN, Holder, issue_certificate, present
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.model.datetimes import parse_datetime
from vcservice.services.core import Core

RATES_OFF = {"verify_rate_per_minute": 0, "token_rate_per_minute": 0, "issue_rate_per_minute": 0}
PER_ADDRESS, PER_CLIENT = 3, 5
FLOODERS = [f"127.0.3.{n}" for n in range(1, 21)]
POOL = PER_ADDRESS * len(FLOODERS)  # every anonymous caller together: full after the flood
ATTEMPTS = 5  # per flooding address and kind
WORKFLOW_SECONDS = 600
KINDS = {  # what a flood asks for: its path, the code refusing it, an anonymous one's lifetime
    "challenges": ("/challenges", "TOO_MANY_CHALLENGES", 120),
    "exchanges": ("/workflows/kiosk/exchanges", "TOO_MANY_EXCHANGES", 300),
}


def _serving(
    backend: str,
    context_store_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    **settings: Any,
) -> Iterator[LiveService]:
    with (
        database_for(backend) as database_url,
        serve(
            tmp_path_factory.mktemp(f"{name}-{backend}"),
            database_url,
            context_store_dir,
            **RATES_OFF,
            **settings,
        ) as live,
    ):
        _workflow(live, "kiosk", public=True)
        _workflow(live, "crossing", public=False)
        yield live


@pytest.fixture(scope="module")
def flooded(
    backend: str, context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """Small quotas, default lifetimes: nothing expires while the flood is counted."""
    yield from _serving(
        backend,
        context_store_dir,
        tmp_path_factory,
        "flood",
        anonymous_open_quota=PER_ADDRESS,
        anonymous_open_limit=POOL,
        client_open_quota=PER_CLIENT,
    )


@pytest.fixture(scope="module")
def short_lived(
    backend: str, context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """Anonymous challenges and exchanges that live a second, kept a second after, and a
    purge five times a second."""
    yield from _serving(
        backend,
        context_store_dir,
        tmp_path_factory,
        "purge",
        anonymous_challenge_seconds=1,
        anonymous_exchange_seconds=1,
        exchange_retention_seconds=1,
        purge_interval_seconds=0.2,
    )


def _workflow(live: LiveService, workflow_id: str, *, public: bool) -> None:
    body = {
        "id": workflow_id,
        "name": workflow_id,
        "acceptedCredentialTypes": ["CTPATCertificate"],
        "domain": DOMAIN,
        "exchangeTtlSeconds": WORKFLOW_SECONDS,
        "public": public,
    }
    response = live.http.post("/workflows", headers=live.admin, json=body)
    assert response.status_code == 201, response.text
    assert response.json()["public"] is public


def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _lifetime(exchange: dict[str, Any]) -> timedelta:
    created = parse_datetime(exchange["created"], field="created")
    return parse_datetime(exchange["expires"], field="expires") - created


# ---------------------------------------------------------------- quotas under a flood


def test_a_flood_from_many_addresses_leaves_each_its_quota_and_verifiers_theirs(
    flooded: LiveService,
) -> None:
    clients = {address: flooded.client(source=address) for address in FLOODERS}
    asks = [(address, kind) for address in FLOODERS for kind in KINDS for _ in range(ATTEMPTS)]

    def ask(address: str, kind: str) -> httpx.Response:
        return clients[address].post(KINDS[kind][0], json={})

    try:
        with ThreadPoolExecutor(max_workers=16) as pool:  # many at once, per address too
            answers = list(pool.map(lambda pair: ask(*pair), asks))
    finally:
        for client in clients.values():
            client.close()

    for address in FLOODERS:
        for kind, (_, code, lifetime) in KINDS.items():
            mine = [a for ask_, a in zip(asks, answers, strict=True) if ask_ == (address, kind)]
            created = [answer for answer in mine if answer.status_code == 201]
            refused = [answer for answer in mine if answer.status_code != 201]
            assert len(created) == PER_ADDRESS, (address, kind, [a.text for a in refused])
            for answer in refused:
                problem = assert_problem(answer, 429, code)
                assert "its quota" in problem["detail"]
                assert 1 <= int(answer.headers["retry-after"]) <= lifetime
            if kind == "exchanges":  # capped for an anonymous caller, whatever the workflow says
                assert {_lifetime(a.json()) for a in created} == {timedelta(seconds=lifetime)}

    with flooded.client(source="127.0.4.1") as newcomer:  # every anonymous place is taken
        for path, code, lifetime in KINDS.values():
            refused = newcomer.post(path, json={})
            problem = assert_problem(refused, 429, code)
            assert "anonymous callers together" in problem["detail"]
            assert 1 <= int(refused.headers["retry-after"]) <= lifetime

    broker = flooded.verifier_client("broker")
    _created(flooded.http.post("/challenges", json={}, headers=broker.headers))
    crossing = _created(flooded.http.post("/workflows/crossing/exchanges", headers=broker.headers))
    assert _lifetime(crossing) == timedelta(seconds=WORKFLOW_SECONDS)  # the workflow's
    with flooded.client(source=FLOODERS[0]) as flooding_address:  # the client counts, not where
        _created(flooding_address.post("/workflows/kiosk/exchanges", headers=broker.headers))
        for _ in range(PER_CLIENT - 2):
            _created(flooding_address.post("/workflows/crossing/exchanges", headers=broker.headers))
        over = flooding_address.post("/workflows/crossing/exchanges", headers=broker.headers)
    problem = assert_problem(over, 429, "TOO_MANY_EXCHANGES")
    assert "its quota" in problem["detail"]
    other = flooded.verifier_client("other-broker")  # a quota of its own
    _created(flooded.http.post("/workflows/crossing/exchanges", headers=other.headers))


# ---------------------------------------------------------------- who may start an exchange


def test_only_a_verifier_starts_exchanges_of_a_workflow_that_is_not_public(
    short_lived: LiveService,
) -> None:
    anonymous = short_lived.http.post("/workflows/crossing/exchanges")
    assert_problem(anonymous, 401, "UNAUTHORIZED", field="Authorization")
    assert anonymous.headers["www-authenticate"] == "Bearer"
    issuing = short_lived.issuer("issuing-only", ["CTPATCertificate"])  # no verify scope
    assert_problem(
        short_lived.http.post("/workflows/crossing/exchanges", headers=issuing.headers),
        403,
        "INSUFFICIENT_SCOPE",
    )
    forged = {"Authorization": "Bearer not-a-token"}
    assert_problem(short_lived.http.post("/workflows/kiosk/exchanges", headers=forged), 401)
    public = _created(short_lived.http.post("/workflows/kiosk/exchanges"))
    assert _lifetime(public) == timedelta(seconds=1)  # short_lived's anonymous cap
    broker = short_lived.verifier_client("broker-crossing")
    exchange = _created(
        short_lived.http.post("/workflows/crossing/exchanges", headers=broker.headers)
    )
    with short_lived.client(source="127.0.5.1") as wallet:  # no token: the URL is the capability
        asked = wallet.post(httpx.URL(exchange["url"]).path, json={})
    assert asked.status_code == 200, asked.text
    assert (
        asked.json()["verifiablePresentationRequest"] == exchange["verifiablePresentationRequest"]
    )


# ---------------------------------------------------------------- what an exchange keeps


def test_a_presentation_too_large_to_keep_is_refused_before_it_is_verified(
    short_lived: LiveService, core: Core
) -> None:
    cbp = short_lived.issuer("cbp-kept", ["CTPATCertificate"])
    holder = Holder(KeyFile(KeyPair.generate(KeyType.ED25519)))
    credential = issue_certificate(short_lived, cbp, "ctpat", subject=holder.did)
    broker = short_lived.verifier_client("broker-kept")
    exchange = _created(
        short_lived.http.post("/workflows/crossing/exchanges", headers=broker.headers)
    )
    path = httpx.URL(exchange["url"]).path
    request = exchange["verifiablePresentationRequest"]
    presentation = present(
        core, holder, [credential], challenge=request["challenge"], domain=request["domain"]
    )
    padded = presentation | {"padding": "x" * 300_000}  # past 256 KiB, under the body cap

    refused = short_lived.http.post(path, json={"verifiablePresentation": padded})
    problem = assert_problem(refused, 413, "PRESENTATION_TOO_LARGE", "verifiablePresentation")
    assert "262144" in problem["detail"]
    seen = short_lived.http.get(path, headers=broker.headers).json()
    assert seen["state"] == "pending"  # nothing kept, the challenge not spent
    assert "result" not in seen and "verifiablePresentation" not in seen

    answered = short_lived.http.post(path, json={"verifiablePresentation": presentation})
    assert answered.status_code == 200, answered.text
    assert answered.json()["verified"] is True
    seen = short_lived.http.get(path, headers=broker.headers).json()
    assert seen["state"] == "complete"
    assert seen["verifiablePresentation"] == presentation  # kept once, as sent
    assert "document" not in seen["result"]
    assert all("document" not in nested for nested in seen["result"]["credentialResults"])


# ---------------------------------------------------------------- purged on a schedule


def test_expired_challenges_and_old_exchanges_are_purged_without_new_requests(
    short_lived: LiveService,
) -> None:
    broker = short_lived.verifier_client("broker-purge")
    kept = _created(short_lived.http.post("/workflows/crossing/exchanges", headers=broker.headers))
    with short_lived.client(source="127.0.6.1") as passer_by:
        challenge = _created(passer_by.post("/challenges", json={}))["challenge"]
        brief = _created(passer_by.post("/workflows/kiosk/exchanges"))
    brief_path, kept_path = httpx.URL(brief["url"]).path, httpx.URL(kept["url"]).path
    assert short_lived.http.get(brief_path).status_code == 200

    deadline = time.monotonic() + 20
    while short_lived.http.get(brief_path).status_code != 404:  # expired, then retained 1 s
        assert time.monotonic() < deadline, "the expired exchange was never purged"
        time.sleep(0.2)
    assert_problem(short_lived.http.get(brief_path), 404, "NOT_FOUND", "exchangeId")
    verified = short_lived.http.post(
        "/presentations/verify",
        json={"verifiablePresentation": {}, "options": {"challenge": challenge}},
    ).json()
    [problem] = [p for p in verified["problemDetails"] if p["code"] == "INVALID_CHALLENGE_ERROR"]
    # gone (not merely expired, which would say when), yet known as this verifier's by its form
    assert problem["detail"] == "the challenge is this verifier's, and no longer open"
    assert short_lived.http.get(kept_path).json()["state"] == "pending"  # still open: kept
