"""The verifier over real HTTP: challenges, credentials and presentations verified.

Credentials are issued by the running service (their ``credentialStatus`` points back
at it, which it resolves locally); presentations are signed by a holder's ``did:key``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.builders import certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem
from tests.api.presenting import (
    DOMAIN,
    V2,
    Holder,
    codes,
    issue_certificate,
    outcomes,
    present,
    suspend,
    verification_result,
)
from tests.factories import holder_of
from vcservice.clock import Clock
from vcservice.errors import RetryLaterError
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.model.datetimes import parse_datetime
from vcservice.model.requester import Requester
from vcservice.net.waiting import WouldWait
from vcservice.services.core import Core
from vcservice.services.quotas import Quotas
from vcservice.services.verifier import VerifierService
from vcservice.storage.sql import open_store
from vcservice.trust.registry import TrustRegistry

UPDATE = "update:credentials"


@pytest.fixture(scope="module")
def holder() -> Holder:
    return Holder(KeyFile(KeyPair.generate(KeyType.ED25519)))


@pytest.fixture(scope="module")
def customs(live_service: LiveService) -> Issuer:
    """CBP with the right to suspend."""
    return live_service.issuer(
        "cbp-verify", ["CTPATCertificate"], scopes=("issue:credentials", UPDATE)
    )


def _verify_credential(
    live_service: LiveService, credential: Any, *, verified: bool = True
) -> dict[str, Any]:
    response = live_service.http.post(
        "/credentials/verify", json={"verifiableCredential": credential, "options": {}}
    )
    return verification_result(response, verified=verified)


def _challenge(live_service: LiveService, domain: str | None = DOMAIN) -> dict[str, Any]:
    body = {} if domain is None else {"domain": domain}
    response = live_service.http.post("/challenges", json=body)
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


def _verify_presentation(
    live_service: LiveService,
    presentation: Any,
    *,
    challenge: str,
    domain: str | None = DOMAIN,
    verified: bool = True,
) -> dict[str, Any]:
    options = {"challenge": challenge} | ({} if domain is None else {"domain": domain})
    response = live_service.http.post(
        "/presentations/verify",
        json={"verifiablePresentation": presentation, "options": options},
    )
    return verification_result(response, verified=verified)


# ---------------------------------------------------------------- challenges


def test_a_challenge_is_issued_with_its_domain_and_expiry(live_service: LiveService) -> None:
    before = datetime.now(UTC)
    first, second = _challenge(live_service), _challenge(live_service, None)
    assert first["domain"] == DOMAIN and second["domain"] is None
    assert first["challenge"] != second["challenge"] and len(first["challenge"]) >= 32
    expires = parse_datetime(first["expires"], field="expires")  # an anonymous caller's
    assert before + timedelta(seconds=110) < expires <= datetime.now(UTC) + timedelta(minutes=2)


def test_a_verifier_clients_challenge_lives_longer(live_service: LiveService) -> None:
    officer = live_service.verifier_client("officer")
    before = datetime.now(UTC)
    response = live_service.http.post("/challenges", json={}, headers=officer.headers)
    assert response.status_code == 201, response.text
    expires = parse_datetime(response.json()["expires"], field="expires")
    assert before + timedelta(minutes=4) < expires <= datetime.now(UTC) + timedelta(minutes=5)


def test_a_challenge_needs_no_body(live_service: LiveService) -> None:
    response = live_service.http.post("/challenges")
    assert response.status_code == 201, response.text
    assert response.json()["domain"] is None


def test_malformed_challenge_requests_are_problems(live_service: LiveService) -> None:
    assert_problem(
        live_service.http.post("/challenges", json={"domain": ""}), 422, "MALFORMED_VALUE_ERROR"
    )
    assert_problem(
        live_service.http.post("/challenges", json={"domain": "a", "other": 1}),
        422,
        "MALFORMED_VALUE_ERROR",
        field="other",
    )


# ---------------------------------------------------------------- credentials


def test_a_credential_issued_here_verifies(live_service: LiveService, sat: Issuer) -> None:
    credential = issue_certificate(live_service, sat, "immex")
    result = _verify_credential(live_service, credential)
    assert result["verified"] is True, result
    assert result["kind"] == "VerifiableCredential"
    assert outcomes(result) == {
        "structure": "passed",
        "proof": "passed",
        "issuer": "passed",
        "issuerTrust": "passed",
        "validityPeriod": "passed",
        "credentialSchema": "passed",
        "status": "passed",
    }
    assert result["problemDetails"] == []


def test_a_tampered_credential_does_not_verify(live_service: LiveService, sat: Issuer) -> None:
    credential = issue_certificate(live_service, sat, "oea")
    credential["credentialSubject"]["name"] = "Otra Empresa S.A. de C.V."
    result = _verify_credential(live_service, credential, verified=False)
    assert result["verified"] is False
    assert outcomes(result)["proof"] == "failed"
    assert "PROOF_VERIFICATION_ERROR" in codes(result)


def test_a_vc_jwt_verifies(live_service: LiveService, cbp: Issuer) -> None:
    token = issue_certificate(live_service, cbp, "ctpat", securing_format="vc+jwt")
    assert isinstance(token, str)
    result = _verify_credential(live_service, token)
    assert result["verified"] is True, result
    assert result["format"] == "vc+jwt"
    assert outcomes(result)["status"] == "passed"


def test_malformed_verify_requests_are_problems(live_service: LiveService) -> None:
    http = live_service.http
    assert_problem(http.post("/credentials/verify", json={}), 422, "MALFORMED_VALUE_ERROR")
    assert_problem(
        http.post("/credentials/verify", json={"verifiableCredential": "not a jwt"}),
        422,
        "MALFORMED_VALUE_ERROR",
    )
    assert_problem(
        http.post("/credentials/verify", json={"verifiableCredential": {}, "x": 1}),
        422,
        "MALFORMED_VALUE_ERROR",
        field="x",
    )
    assert_problem(
        http.post(
            "/credentials/verify", json={"verifiableCredential": {}, "options": {"checks": "all"}}
        ),
        422,
        "MALFORMED_VALUE_ERROR",
        field="options.checks",
    )
    assert_problem(
        http.post(
            "/presentations/verify",
            json={"verifiablePresentation": {}, "options": {"challenge": ""}},
        ),
        422,
        "MALFORMED_VALUE_ERROR",
        field="options.challenge",
    )
    assert_problem(
        http.post(
            "/credentials/verify",
            content=b"{not json",
            headers={"content-type": "application/json"},
        ),
        400,
        "PARSING_ERROR",
    )


def test_the_verify_endpoints_are_open(live_service: LiveService) -> None:
    response = live_service.http.post(
        "/credentials/verify", json={"verifiableCredential": {"@context": [V2]}}
    )
    result = verification_result(
        response, verified=False
    )  # answered, not refused for want of a token
    assert outcomes(result)["structure"] == "failed"


# ---------------------------------------------------------------- presentations


def test_a_presentation_for_our_challenge_verifies_once(
    live_service: LiveService, sat: Issuer, holder: Holder, core: Core
) -> None:
    credential = issue_certificate(live_service, sat, "immex", subject=holder.did)
    assert holder_of(credential) == holder.did
    challenge = _challenge(live_service)["challenge"]
    presentation = present(core, holder, [credential], challenge=challenge, domain=DOMAIN)

    result = _verify_presentation(live_service, presentation, challenge=challenge)
    assert result["verified"] is True, result
    assert result["kind"] == "VerifiablePresentation"
    assert outcomes(result) == {
        "challenge": "passed",
        "domain": "passed",
        "structure": "passed",
        "proof": "passed",
        "holder": "passed",
        "credentials": "passed",
        "holderBinding": "passed",
    }
    [nested] = result["credentialResults"]
    assert nested["verified"] is True and outcomes(nested)["status"] == "passed"

    replay = _verify_presentation(live_service, presentation, challenge=challenge, verified=False)
    assert replay["verified"] is False
    assert outcomes(replay)["challenge"] == "failed"
    assert codes(replay) == ["INVALID_CHALLENGE_ERROR"]
    assert "already used" in replay["problemDetails"][0]["detail"]


def test_a_challenge_issued_without_a_domain_needs_none(
    live_service: LiveService, sat: Issuer, holder: Holder, core: Core
) -> None:
    credential = issue_certificate(live_service, sat, "immex", subject=holder.did)
    challenge = _challenge(live_service, None)["challenge"]
    presentation = present(core, holder, [credential], challenge=challenge, domain=None)
    result = _verify_presentation(live_service, presentation, challenge=challenge, domain=None)
    assert result["verified"] is True, result
    assert "domain" not in outcomes(result)


def test_an_unknown_challenge_is_refused(
    live_service: LiveService, sat: Issuer, holder: Holder, core: Core
) -> None:
    credential = issue_certificate(live_service, sat, "immex", subject=holder.did)
    presentation = present(core, holder, [credential], challenge="made-up", domain=DOMAIN)
    result = _verify_presentation(live_service, presentation, challenge="made-up", verified=False)
    assert result["verified"] is False
    assert codes(result) == ["INVALID_CHALLENGE_ERROR"]
    assert "not issued by this verifier" in result["problemDetails"][0]["detail"]
    # Cheap first: a presentation for no challenge of ours is not looked into further.
    assert outcomes(result)["proof"] == "skipped"
    assert "credentialResults" not in result


def test_a_presentation_for_another_domain_is_refused(
    live_service: LiveService, sat: Issuer, holder: Holder, core: Core
) -> None:
    credential = issue_certificate(live_service, sat, "immex", subject=holder.did)
    challenge = _challenge(live_service)["challenge"]
    presentation = present(core, holder, [credential], challenge=challenge, domain=DOMAIN)
    result = _verify_presentation(
        live_service,
        presentation,
        challenge=challenge,
        domain="otra-aduana.example",
        verified=False,
    )
    assert result["verified"] is False
    assert outcomes(result)["domain"] == "failed"
    assert "INVALID_DOMAIN_ERROR" in codes(result)
    assert "INVALID_CHALLENGE_ERROR" not in codes(result)


def test_a_presentation_signed_for_another_domain_is_refused(
    live_service: LiveService, sat: Issuer, holder: Holder, core: Core
) -> None:
    credential = issue_certificate(live_service, sat, "immex", subject=holder.did)
    challenge = _challenge(live_service)["challenge"]
    presentation = present(
        core, holder, [credential], challenge=challenge, domain="otra-aduana.example"
    )
    result = _verify_presentation(
        live_service, presentation, challenge=challenge, domain=None, verified=False
    )
    assert result["verified"] is False
    assert outcomes(result)["proof"] == "failed"
    assert "INVALID_DOMAIN_ERROR" in codes(result)


def test_a_suspended_credential_inside_fails_the_presentation(
    live_service: LiveService, customs: Issuer, holder: Holder, core: Core
) -> None:
    credential = issue_certificate(live_service, customs, "ctpat", subject=holder.did)
    suspend(live_service, customs, credential["id"])
    challenge = _challenge(live_service)["challenge"]
    presentation = present(core, holder, [credential], challenge=challenge, domain=DOMAIN)
    result = _verify_presentation(live_service, presentation, challenge=challenge, verified=False)
    assert result["verified"] is False
    assert outcomes(result)["challenge"] == "passed"
    assert outcomes(result)["credentials"] == "failed"
    [nested] = result["credentialResults"]
    assert nested["verified"] is False
    assert codes(nested) == ["CREDENTIAL_SUSPENDED"]


def test_a_presentation_by_a_key_not_controlling_the_subject_is_refused(
    live_service: LiveService, sat: Issuer, holder: Holder, core: Core
) -> None:
    credential = issue_certificate(live_service, sat, "oea", subject=holder.did)
    thief = Holder(KeyFile(KeyPair.generate(KeyType.ED25519)))
    challenge = _challenge(live_service)["challenge"]
    presentation = present(core, thief, [credential], challenge=challenge, domain=DOMAIN)
    result = _verify_presentation(live_service, presentation, challenge=challenge, verified=False)
    assert result["verified"] is False
    assert outcomes(result)["proof"] == "passed"  # the thief's own signature is fine
    assert outcomes(result)["credentials"] == "passed"  # and so is the credential
    assert outcomes(result)["holderBinding"] == "failed"
    assert codes(result) == ["HOLDER_BINDING_ERROR"]


def test_a_credential_from_an_untrusted_issuer_fails_the_presentation(
    live_service: LiveService, holder: Holder, core: Core
) -> None:
    impostor = live_service.issuer("notaria-apocrifa", ["IMMEXCertificate"], accredited=False)
    credential = issue_certificate(live_service, impostor, "immex", subject=holder.did)
    challenge = _challenge(live_service)["challenge"]
    presentation = present(core, holder, [credential], challenge=challenge, domain=DOMAIN)
    result = _verify_presentation(live_service, presentation, challenge=challenge, verified=False)
    assert result["verified"] is False
    [nested] = result["credentialResults"]
    assert outcomes(nested)["proof"] == "passed"
    assert outcomes(nested)["issuerTrust"] == "failed"
    assert codes(nested) == ["ISSUER_NOT_TRUSTED"]
    assert impostor.did in nested["problemDetails"][0]["detail"]


def test_an_expired_credential_fails_the_presentation(
    live_service: LiveService, sat: Issuer, holder: Holder, core: Core
) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=2)
    body = certificate_body("immex", valid_until=soon.isoformat().replace("+00:00", "Z"))
    body["certificate"]["member"]["id"] = holder.did
    response = live_service.http.post("/certificates/immex", headers=sat.headers, json=body)
    assert response.status_code == 201, response.text
    credential = response.json()["verifiableCredential"]
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 1.1)
    challenge = _challenge(live_service)["challenge"]
    presentation = present(core, holder, [credential], challenge=challenge, domain=DOMAIN)
    result = _verify_presentation(live_service, presentation, challenge=challenge, verified=False)
    assert result["verified"] is False
    [nested] = result["credentialResults"]
    assert outcomes(nested)["validityPeriod"] == "failed"
    assert codes(nested) == ["CREDENTIAL_EXPIRED"]


def test_a_tampered_credential_inside_a_valid_presentation_fails_it(
    live_service: LiveService, cbp: Issuer, holder: Holder, core: Core
) -> None:
    credential = issue_certificate(live_service, cbp, "ctpat", subject=holder.did)
    assert credential["credentialSubject"]["tier"] == "Validated"
    credential["credentialSubject"]["tier"] = "Exceeding"  # a better partner than it is
    challenge = _challenge(live_service)["challenge"]
    presentation = present(core, holder, [credential], challenge=challenge, domain=DOMAIN)
    result = _verify_presentation(live_service, presentation, challenge=challenge, verified=False)
    assert result["verified"] is False
    assert outcomes(result)["proof"] == "passed"  # the holder signed what it sent
    assert outcomes(result)["credentials"] == "failed"
    [nested] = result["credentialResults"]
    assert outcomes(nested)["proof"] == "failed"
    assert codes(nested) == ["PROOF_VERIFICATION_ERROR"]


def test_concurrent_replays_of_one_challenge_verify_once(
    live_service: LiveService, sat: Issuer, holder: Holder, core: Core
) -> None:
    credential = issue_certificate(live_service, sat, "immex", subject=holder.did)
    challenge = _challenge(live_service)["challenge"]
    presentation = present(core, holder, [credential], challenge=challenge, domain=DOMAIN)
    body = {"verifiablePresentation": presentation, "options": {"challenge": challenge}}

    def post(_: int) -> bool:
        with live_service.client() as client:
            response: httpx.Response = client.post("/presentations/verify", json=body)
        verified = response.status_code == 200
        result = verification_result(response, verified=verified)
        assert verified or codes(result) == ["INVALID_CHALLENGE_ERROR"], result
        return verified

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(post, range(4)))
    assert outcomes.count(True) == 1


# ---------------------------------------------------------------- the service, with time moved


class _Clock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


@pytest.fixture
def stepped(tmp_path: Path, core: Core) -> Iterator[tuple[VerifierService, _Clock]]:
    clock = _Clock()
    store = open_store(f"sqlite:///{tmp_path / 'verifier.db'}")
    service_clock: Clock = clock
    try:
        yield (
            VerifierService(
                core=core,
                store=store,
                clock=service_clock,
                trust=TrustRegistry(()),
                quotas=Quotas(
                    per_address=2,
                    per_client=2,
                    anonymous_total=3,
                    anonymous_challenge=timedelta(minutes=2),
                    anonymous_exchange=timedelta(minutes=5),
                ),
            ),
            clock,
        )
    finally:
        store.close()


ALICE, BOB = Requester.address("192.0.2.1"), Requester.address("192.0.2.2")
CAROL = Requester.address("192.0.2.3")
BROKER = Requester.client("broker-1")


class _Fetching:
    """A core verifier whose presentation's issuer must be fetched, on an event loop."""

    def verify_presentation(self, *arguments: Any, **options: Any) -> None:
        raise WouldWait("https://aduanas.example/issuers/sat/did.json")


def test_a_verification_stopped_for_the_network_leaves_its_challenge_open(
    stepped: tuple[VerifierService, _Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, _ = stepped
    challenge, _ = service.new_challenge("aduana.example", requester=BROKER)
    with monkeypatch.context() as patched:
        patched.setattr(service, "_verifier", _Fetching())
        with pytest.raises(WouldWait):
            service.verify_presentation({}, challenge=challenge, domain=None, requester=BROKER)
    again = service.verify_presentation({}, challenge=challenge, domain=None, requester=BROKER)
    [challenge_check] = [check for check in again.checks if check.name == "challenge"]
    assert challenge_check.problems == ()  # open for the attempt that can finish: used now
    replay = service.verify_presentation({}, challenge=challenge, domain=None, requester=BROKER)
    assert "INVALID_CHALLENGE_ERROR" in [problem.code for problem in replay.problems]


def test_an_expired_challenge_is_refused(stepped: tuple[VerifierService, _Clock]) -> None:
    service, clock = stepped
    challenge, expires = service.new_challenge("aduana.example", requester=BROKER)
    assert expires == clock.moment + timedelta(minutes=5)
    clock.moment = expires
    result = service.verify_presentation({}, challenge=challenge, domain="aduana.example")
    assert not result.verified
    [problem] = [p for p in result.problems if p.code == "INVALID_CHALLENGE_ERROR"]
    assert "expired" in problem.detail


def test_open_challenges_are_bounded_per_caller(stepped: tuple[VerifierService, _Clock]) -> None:
    service, clock = stepped
    first, expires = service.new_challenge(None, requester=ALICE)
    assert expires == clock.moment + timedelta(minutes=2)  # an anonymous caller's
    service.new_challenge(None, requester=ALICE)
    with pytest.raises(RetryLaterError) as excinfo:
        service.new_challenge(None, requester=ALICE)
    assert (excinfo.value.code, excinfo.value.retry_after) == ("TOO_MANY_CHALLENGES", 120)
    assert "its quota" in excinfo.value.message
    service.verify_presentation({}, challenge=first, domain=None)  # used: no longer open
    clock.moment += timedelta(seconds=30)
    service.new_challenge(None, requester=ALICE)
    service.new_challenge(None, requester=BOB)
    with pytest.raises(RetryLaterError) as excinfo:  # three anonymous ones open in all
        service.new_challenge(None, requester=CAROL)
    assert (excinfo.value.code, excinfo.value.retry_after) == ("TOO_MANY_CHALLENGES", 90)
    assert "anonymous callers together" in excinfo.value.message
    service.new_challenge(None, requester=BROKER)  # a client is never in the pool
    service.new_challenge(None, requester=BROKER)
    clock.moment += timedelta(minutes=2)  # every anonymous one expired
    service.new_challenge(None, requester=CAROL)
