"""A presentation costs what it carries, and nothing before it has earned a look: one for no
challenge of ours is not verified at all, one with more credentials than a presentation may
carry is refused before any of them is checked, and each credential verified counts against
the caller's rate."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.builders import certificate_body
from tests.api.conftest import Issuer, LiveService
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
    body["certificate"]["subjectId"] = holder.did
    member = body["certificate"]["member"]
    member["legalName"] = f"{member['legalName']} {number}"
    member["location"][0]["name"] = f"Terminal {number}"
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
        "verifiableCredential": [credential] * 300,
    }
    elapsed, response = _verify_presentation(live_service.url, unsigned, "not-one-of-ours")
    assert response.status_code == 422, response.text
    assert elapsed < 0.5, f"{elapsed:.2f} s"
    result = response.json()
    assert result["verified"] is False
    assert outcomes(result)["challenge"] == "failed"
    assert {outcomes(result)[name] for name in ("structure", "proof", "credentials")} == {"skipped"}
    assert "credentialResults" not in result


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
