"""A presentation costs what it carries, and nothing before it has earned a look: one for no
challenge of ours is not verified at all, one with more credentials than a presentation may
carry is refused before any of them is checked, and each credential verified counts against
the caller's rate."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.builders import certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem
from tests.api.presenting import DOMAIN, Holder, issue_certificate, outcomes, present
from tests.integration.serving import issuer_headers, serve_process
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.services.core import Core
from vcservice.verification.verifier import MAX_PRESENTED_CREDENTIALS

pytestmark = [pytest.mark.slow, pytest.mark.shared]


@pytest.fixture(scope="module")
def holder() -> Holder:
    return Holder(KeyFile(KeyPair.generate(KeyType.ED25519)))


def _ctpat_body(holder: Holder, number: int) -> dict[str, Any]:
    """A C-TPAT certificate of its own: alike ones side by side are RDFC-1.0's worst case."""
    body = certificate_body("ctpat")
    body["certificate"]["member"]["id"] = holder.did
    member = body["certificate"]["member"]
    member["legalName"] = f"{member['legalName']} {number}"
    member["location"][0]["address"]["name"] = f"Terminal {number}"
    member["location"][0]["address"]["streetAddress"] = f"{number} Mines Rd"
    return body


def _ctpat(live_service: LiveService, cbp: Issuer, holder: Holder, number: int) -> Any:
    response = live_service.http.post(
        "/certificates/ctpat", headers=cbp.headers, json=_ctpat_body(holder, number)
    )
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def _verify_presentation(
    url: str, presentation: Any, challenge: str, timeout: float = 30
) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    response = httpx.post(
        f"{url}/presentations/verify",
        json={
            "verifiablePresentation": presentation,
            "options": {"challenge": challenge, "domain": DOMAIN},
        },
        timeout=timeout,
    )
    return time.monotonic() - started, response


def test_a_presentation_for_no_challenge_of_ours_is_not_looked_into(
    live_service: LiveService, cbp: Issuer, holder: Holder
) -> None:
    credential = issue_certificate(live_service, cbp, "ctpat", subject=holder.did)
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [credential] * 20,
    }
    elapsed, response = _verify_presentation(live_service.url, unsigned, "not-one-of-ours")
    assert response.status_code == 422, response.text
    assert elapsed < 0.5, f"{elapsed:.2f} s"
    result = response.json()
    assert result["verified"] is False
    assert outcomes(result)["challenge"] == "failed"
    assert {outcomes(result)[name] for name in ("structure", "proof", "credentials")} == {"skipped"}
    assert "credentialResults" not in result


def test_an_anonymous_callers_large_body_is_refused_unread(
    live_service: LiveService, cbp: Issuer, holder: Holder
) -> None:
    """Without a token, a verifier endpoint takes at most ANONYMOUS_MAX_BODY_BYTES: a
    300-credential presentation is refused (413) before it is read or parsed."""
    credential = issue_certificate(live_service, cbp, "ctpat", subject=holder.did)
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [credential] * 300,
    }
    elapsed, response = _verify_presentation(live_service.url, unsigned, "not-one-of-ours")
    problem = assert_problem(response, 413, "PAYLOAD_TOO_LARGE", "body")
    assert str(live_service.settings.anonymous_max_body_bytes) in problem["detail"]
    assert elapsed < 0.5, f"{elapsed:.2f} s"


def test_a_presentation_of_too_many_credentials_is_refused_unchecked(
    live_service: LiveService, cbp: Issuer, holder: Holder, core: Core
) -> None:
    count = MAX_PRESENTED_CREDENTIALS + 5
    credentials = [_ctpat(live_service, cbp, holder, n) for n in range(count)]
    challenge = live_service.http.post("/challenges", json={"domain": DOMAIN}).json()["challenge"]
    presentation = present(core, holder, credentials, challenge=challenge, domain=DOMAIN)
    _, response = _verify_presentation(live_service.url, presentation, challenge)
    result = response.json()
    assert result["verified"] is False
    assert outcomes(result)["proof"] == "passed"
    assert outcomes(result)["credentials"] == "failed"
    assert f"{count} credentials" in result["problemDetails"][0]["detail"]
    assert "credentialResults" not in result


def test_each_credential_of_a_presentation_counts_against_the_callers_rate(
    tmp_path: Path, context_store_dir: Path, holder: Holder, core: Core
) -> None:
    # Sixty a minute: bursts of ten.
    with serve_process(
        tmp_path,
        context_store_dir,
        database_url=f"sqlite:///{tmp_path / 'vcservice.db'}",
        environment={"VCSERVICE_VERIFY_RATE_PER_MINUTE": "60"},
    ) as served:
        headers = issuer_headers(served.url, served.admin_token)
        credentials = [
            httpx.post(
                f"{served.url}/certificates/ctpat", json=_ctpat_body(holder, n), headers=headers
            )
            .raise_for_status()
            .json()["verifiableCredential"]
            for n in range(9)
        ]
        with httpx.Client(base_url=served.url, timeout=30) as http:
            challenge = http.post("/challenges", json={"domain": DOMAIN}).json()["challenge"]
            presentation = present(core, holder, credentials, challenge=challenge, domain=DOMAIN)
            verified = http.post(
                "/presentations/verify",
                json={
                    "verifiablePresentation": presentation,
                    "options": {"challenge": challenge, "domain": DOMAIN},
                },
            )
            # Each credential was checked (and found untrusted: this service has no registry).
            assert verified.status_code == 422, verified.text
            results = verified.json()["credentialResults"]
            assert [outcomes(result)["issuerTrust"] for result in results] == ["failed"] * 9
            # Two requests and nine credentials: the burst of ten is spent, and more.
            refused = http.post("/challenges", json={})
            assert refused.status_code == 429, refused.text
            assert int(refused.headers["Retry-After"]) >= 1


def test_a_client_may_send_what_an_anonymous_caller_may_not(
    live_service: LiveService, cbp: Issuer, holder: Holder
) -> None:
    """The cap is for callers without a token: a verifier's client sends the same body, in
    one piece or chunked, and gets an answer; anonymously, chunked, it is refused unread."""
    credential = issue_certificate(live_service, cbp, "ctpat", subject=holder.did)
    body = json.dumps(
        {
            "verifiablePresentation": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [credential] * 60,
            },
            "options": {"challenge": "the-clients-own", "domain": DOMAIN},
        }
    ).encode()
    assert len(body) > live_service.settings.anonymous_max_body_bytes
    broker = live_service.verifier_client("broker-large")
    headers = {**broker.headers, "content-type": "application/json"}

    def chunked() -> Iterator[bytes]:
        yield from (body[start : start + 8192] for start in range(0, len(body), 8192))

    for content in (body, chunked()):
        answered = live_service.http.post("/presentations/verify", content=content, headers=headers)
        assert answered.status_code == 422, answered.text
        assert answered.json()["code"] == "VERIFICATION_FAILED"
    for anonymous in (
        {"content-type": "application/json"},
        # not a Bearer token: the verifier reads it as no credentials, and so does the cap
        {"content-type": "application/json", "authorization": "Basic Zm9vOmJhcg=="},
    ):
        refused = live_service.http.post(
            "/presentations/verify", content=chunked(), headers=anonymous
        )
        assert_problem(refused, 413, "PAYLOAD_TOO_LARGE", "body")
