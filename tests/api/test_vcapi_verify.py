"""VC API verify semantics over real HTTP, on both databases.

What verifies answers 200 with the result; what does not, a 422 VERIFICATION_FAILED
problem carrying the whole result. ``options.checks`` picks the checks (``proof`` always
runs), ``options.expectedProofPurpose`` the proof purpose; unknown options are ignored with
a warning. An authenticated verifier may bring its own presentation challenge; an anonymous
caller answers only one issued by ``POST /challenges``.
"""

from __future__ import annotations

import copy
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.api.builders import certificate_body
from tests.api.conftest import Issuer, LiveService, assert_problem
from tests.api.presenting import DOMAIN, V2, Holder, issue_certificate, outcomes, present
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.services.core import Core

pytestmark = pytest.mark.shared

VERIFY_VC, VERIFY_VP = "/credentials/verify", "/presentations/verify"
BATCH = "/credentials/verify/batch"
NOT_REQUESTED = "not requested (options.checks)"
# structure, proof and issuer always run; options.checks selects among the others
SELECTABLE = ["issuerTrust", "validityPeriod", "credentialSchema", "status"]
VC_CHECKS = ["structure", "proof", "issuer", *SELECTABLE]
VP_CHECKS = ["challenge", "structure", "proof", "holder", "credentials", "holderBinding"]
OWN_CHALLENGE = {
    "check": "challenge",
    "outcome": "passed",
    "detail": "the caller's own, not consumed here: the proof check compares it",
}


def _new_holder() -> Holder:
    return Holder(KeyFile(KeyPair.generate(KeyType.ED25519)))


@pytest.fixture(scope="module")
def holder() -> Holder:
    return _new_holder()


@pytest.fixture(scope="module")
def officer(live_service: LiveService) -> Issuer:
    """A customs broker's verifier app: a ``verify:credentials`` token."""
    return live_service.verifier_client("broker")


def _revoke(live_service: LiveService, issuer: Issuer, credential_id: str) -> None:
    entry = {"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "status": "0x1"}
    response = live_service.http.post(
        "/credentials/status",
        headers=issuer.headers,
        json={"credentialId": credential_id, "credentialStatus": [entry], "reason": "cancelled"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["summary"] == "revoked"


@pytest.fixture(scope="module")
def certificates(
    live_service: LiveService, sat: Issuer, cbp: Issuer, holder: Holder
) -> dict[str, Any]:
    """Credentials by what is (or is not) wrong with them; ``bound*`` are about ``holder``."""
    soon = datetime.now(UTC) + timedelta(seconds=2)
    body = certificate_body("oea", valid_until=soon.isoformat().replace("+00:00", "Z"))
    response = live_service.http.post("/certificates/oea", headers=sat.headers, json=body)
    assert response.status_code == 201, response.text
    customs = live_service.issuer(
        "cbp-revoking", ["CTPATCertificate"], scopes=("issue:credentials", "update:credentials")
    )
    impostor = live_service.issuer("notaria-apocrifa", ["IMMEXCertificate"], accredited=False)
    found: dict[str, Any] = {
        "expired": response.json()["verifiableCredential"],
        "valid": issue_certificate(live_service, sat, "immex"),
        "jwt": issue_certificate(live_service, cbp, "ctpat", securing_format="vc+jwt"),
        "revoked": issue_certificate(live_service, customs, "ctpat"),
        "untrusted": issue_certificate(live_service, impostor, "immex"),
        "bound": issue_certificate(live_service, sat, "immex", subject=holder.did),
        "bound-revoked": issue_certificate(live_service, customs, "ctpat", subject=holder.did),
    }
    found["tampered"] = copy.deepcopy(found["valid"])
    found["tampered"]["credentialSubject"]["member"]["legalName"] = "Otra Empresa S.A. de C.V."
    for name in ("revoked", "bound-revoked"):
        _revoke(live_service, customs, found[name]["id"])
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 1.1)
    return found


@dataclass
class Presenter:
    """Presentations of the module's certificates, signed by the holder (or another key)."""

    core: Core
    holder: Holder
    certificates: dict[str, Any]

    def __call__(
        self, name: str, challenge: str, domain: str | None = DOMAIN, signer: Holder | None = None
    ) -> dict[str, Any]:
        credentials = [self.certificates[name]]
        signer = signer or self.holder
        return present(self.core, signer, credentials, challenge=challenge, domain=domain)


@pytest.fixture(scope="module")
def vp(core: Core, holder: Holder, certificates: dict[str, Any]) -> Presenter:
    return Presenter(core, holder, certificates)


# ---------------------------------------------------------------- how results are answered


def _verify(
    live_service: LiveService, credential: Any, options: dict[str, Any] | None = None
) -> httpx.Response:
    body = {"verifiableCredential": credential, "options": options or {}}
    return live_service.http.post(VERIFY_VC, json=body)


def _verify_vp(
    live_service: LiveService,
    presentation: Any,
    options: dict[str, Any],
    caller: Issuer | None = None,
) -> httpx.Response:
    body = {"verifiablePresentation": presentation, "options": options}
    return live_service.http.post(VERIFY_VP, json=body, headers=caller.headers if caller else None)


def _verified(response: httpx.Response) -> dict[str, Any]:
    """A 200 JSON result that verified: each check passed or skipped, with warnings."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    result: dict[str, Any] = response.json()
    assert result["verified"] is True and result["problemDetails"] == []
    assert {check["outcome"] for check in result["checks"]} <= {"passed", "skipped"}
    assert isinstance(result["warnings"], list)
    return result


def _failed(response: httpx.Response, *codes: str, kind: str = "credential") -> dict[str, Any]:
    """A 422 VERIFICATION_FAILED problem naming ``codes``, with the whole result in it."""
    problem = assert_problem(response, 422, "VERIFICATION_FAILED")
    assert problem["type"].endswith("#VERIFICATION_FAILED")
    assert problem["detail"] == f"the {kind} did not verify: {', '.join(codes)}"
    assert problem["i18n"]["en"]["title"] == problem["title"]
    assert problem["i18n"]["es"]["title"] not in ("", problem["title"])
    assert problem["verified"] is False
    assert problem["kind"] == f"Verifiable{kind.capitalize()}"
    assert {check["outcome"] for check in problem["checks"]} <= {"passed", "failed", "skipped"}
    per_check = [code for check in problem["checks"] for code in check.get("codes", [])]
    assert per_check == [detail["code"] for detail in problem["problemDetails"]]
    assert list(dict.fromkeys(per_check)) == list(codes)
    assert isinstance(problem["warnings"], list)
    return problem


def _vp_failed(response: httpx.Response, *codes: str) -> dict[str, Any]:
    return _failed(response, *codes, kind="presentation")


def _not_requested(result: dict[str, Any]) -> list[str]:
    """The checks skipped because ``options.checks`` left them out, each entry exact."""
    skipped = [check for check in result["checks"] if check.get("detail") == NOT_REQUESTED]
    for check in skipped:
        assert check == {"check": check["check"], "outcome": "skipped", "detail": NOT_REQUESTED}
        assert {"check": check["check"], "detail": NOT_REQUESTED} in result["warnings"]
    return [check["check"] for check in skipped]


def _option_warnings(result: dict[str, Any]) -> list[str]:
    return [warning["detail"] for warning in result["warnings"] if warning["check"] == "options"]


# ---------------------------------------------------------------- POST /credentials/verify


@pytest.mark.parametrize("name", ["valid", "jwt"])
def test_a_credential_that_verifies_answers_200(
    live_service: LiveService, certificates: dict[str, Any], name: str
) -> None:
    result = _verified(_verify(live_service, certificates[name]))
    assert result["kind"] == "VerifiableCredential"
    assert outcomes(result) == dict.fromkeys(VC_CHECKS, "passed")
    assert result["warnings"] == []


@pytest.mark.parametrize(
    ("name", "check", "code"),
    [
        ("tampered", "proof", "PROOF_VERIFICATION_ERROR"),
        ("revoked", "status", "CREDENTIAL_REVOKED"),
        ("expired", "validityPeriod", "CREDENTIAL_EXPIRED"),
        ("untrusted", "issuerTrust", "ISSUER_NOT_TRUSTED"),
    ],
)
def test_a_credential_that_does_not_verify_is_a_422_with_its_result(
    live_service: LiveService, certificates: dict[str, Any], name: str, check: str, code: str
) -> None:
    problem = _failed(_verify(live_service, certificates[name]), code)
    assert [c["check"] for c in problem["checks"]] == VC_CHECKS
    failed = [(c["check"], c["codes"]) for c in problem["checks"] if c["outcome"] == "failed"]
    assert failed == [(check, [code])]
    assert problem["format"] == "data-integrity"
    assert problem["document"] == certificates[name]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (VERIFY_VC, {"options": {}}, "verifiableCredential"),
        (VERIFY_VC, {"verifiableCredential": 5}, "verifiableCredential"),
        (VERIFY_VC, {"verifiableCredential": {"@context": [V2]}, "options": []}, "options"),
        (VERIFY_VC, {"verifiableCredential": {}, "options": {"checks": "proof"}}, "options.checks"),
        (VERIFY_VC, {"verifiableCredential": {}, "options": {"checks": [1]}}, "options.checks[0]"),
        (
            VERIFY_VC,
            {"verifiableCredential": {}, "options": {"expectedProofPurpose": "keyAgreement"}},
            "options.expectedProofPurpose",
        ),
        (
            BATCH,
            {"verifiableCredentials": [{}], "options": {"expectedProofPurpose": "capability"}},
            "options.expectedProofPurpose",
        ),
        (VERIFY_VP, {"options": {"challenge": "c"}}, "verifiablePresentation"),
        (
            VERIFY_VP,
            {"verifiablePresentation": {}, "options": {"challenge": 5}},
            "options.challenge",
        ),
        (VERIFY_VP, {"verifiablePresentation": {}, "options": {"domain": ""}}, "options.domain"),
    ],
)
def test_a_malformed_request_is_not_a_verification_failure(
    live_service: LiveService, path: str, body: dict[str, Any], field: str
) -> None:
    problem = assert_problem(live_service.http.post(path, json=body), 422, "MALFORMED_VALUE_ERROR")
    assert problem["field"] == field
    assert "verified" not in problem and "checks" not in problem


@pytest.mark.parametrize("path", [VERIFY_VC, BATCH, VERIFY_VP])
def test_a_body_that_is_no_json_is_a_parsing_error(live_service: LiveService, path: str) -> None:
    response = live_service.http.post(
        path, content=b'{"options": {', headers={"content-type": "application/json"}
    )
    assert "verified" not in assert_problem(response, 400, "PARSING_ERROR")


# ---------------------------------------------------------------- options.checks


@pytest.mark.parametrize(
    ("name", "checks", "failure", "ran"),
    [
        # Without issuerTrust, an unaccredited issuer's certificate is good.
        ("untrusted", "proof status validityPeriod", None, "validityPeriod status"),
        ("untrusted", "issuer issuerTrust", "ISSUER_NOT_TRUSTED", "issuer issuerTrust"),
        # A revoked certificate passes unless its status is asked for (by either name).
        ("revoked", "proof", None, ""),
        ("revoked", "status", "CREDENTIAL_REVOKED", "status"),
        ("revoked", "credentialStatus", "CREDENTIAL_REVOKED", "status"),
        ("expired", "status issuer", None, "issuer status"),
        ("expired", "expiration", "CREDENTIAL_EXPIRED", "validityPeriod"),
        ("valid", "", None, ""),
    ],
)
def test_options_checks_decide_which_checks_run(
    live_service: LiveService,
    certificates: dict[str, Any],
    name: str,
    checks: str,
    failure: str | None,
    ran: str,
) -> None:
    response = _verify(live_service, certificates[name], {"checks": checks.split()})
    result = _verified(response) if failure is None else _failed(response, failure)
    skipped = [check for check in SELECTABLE if check not in ran.split()]
    assert _not_requested(result) == skipped  # and the checks that ran passed or failed:
    assert [c["check"] for c in result["checks"] if c["outcome"] == "skipped"] == skipped
    assert [w for w in result["warnings"] if w["detail"] != NOT_REQUESTED] == []


def test_unknown_options_and_check_names_are_ignored_with_a_warning(
    live_service: LiveService, certificates: dict[str, Any]
) -> None:
    options = {"checks": ["proof", "bogus", "status"], "challenge": "x", "zzz": {"a": 1}}
    ignored = [
        "options.challenge is not supported: ignored",
        "options.zzz is not supported: ignored",
        "options.checks: no check is called 'bogus': ignored",
    ]
    result = _verified(_verify(live_service, certificates["valid"], options))
    assert outcomes(result)["status"] == "passed"
    assert _option_warnings(result) == ignored
    # A failure carries them too, in its problem.
    problem = _failed(_verify(live_service, certificates["revoked"], options), "CREDENTIAL_REVOKED")
    assert _option_warnings(problem) == ignored


@pytest.mark.parametrize(
    "checks", [None, ["proof"], ["proof", "status"], ["issuerTrust", "status"], ["issuer"]]
)
def test_no_choice_of_checks_lets_a_credential_its_issuer_did_not_sign_verify(
    live_service: LiveService, certificates: dict[str, Any], core: Core, checks: list[str] | None
) -> None:
    """The issuer binding always runs: a certificate re-signed by another key is refused
    INVALID_ISSUER whatever ``options.checks`` asks (and nothing read from it is trusted)."""
    forged = copy.deepcopy(certificates["valid"])
    del forged["proof"]
    forged["credentialSubject"]["member"]["legalName"] = "Contrabando del Norte S.A. de C.V."
    forged = core.data_integrity.add_proof(
        forged,
        signer=_new_holder().key.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=datetime.now(UTC),
        purpose="assertionMethod",
    )
    options = {} if checks is None else {"checks": checks}
    result = _failed(_verify(live_service, forged, options), "INVALID_ISSUER")
    assert outcomes(result)["issuer"] == "failed"
    assert {outcomes(result)[name] for name in SELECTABLE} == {"skipped"}


# ---------------------------------------------------------------- options.expectedProofPurpose


@pytest.mark.parametrize("purpose", [None, "assertionMethod", "authentication"])
def test_the_expected_proof_purpose_is_checked(
    live_service: LiveService, certificates: dict[str, Any], purpose: str | None
) -> None:
    options = {} if purpose is None else {"expectedProofPurpose": purpose}
    response = _verify(live_service, certificates["valid"], options)
    if purpose == "authentication":  # the issuer signed for assertionMethod
        problem = _failed(response, "INVALID_PROOF_PURPOSE")
        assert outcomes(problem)["proof"] == "failed"
        assert problem["problemDetails"][0]["field"] == "proof.proofPurpose"
    else:
        assert outcomes(_verified(response))["proof"] == "passed"


# ---------------------------------------------------------------- POST /credentials/verify/batch


@pytest.mark.parametrize(
    ("checks", "verified"),
    [(None, [False, False, False, True]), (["validityPeriod", "bogus"], [True, True, False, True])],
)
def test_the_batch_applies_options_to_each_credential(
    live_service: LiveService,
    certificates: dict[str, Any],
    checks: list[str] | None,
    verified: list[bool],
) -> None:
    names = ["revoked", "untrusted", "tampered", "valid"]
    options: dict[str, Any] = {"unknownThing": True}
    if checks is not None:
        options["checks"] = checks
    body = {"verifiableCredentials": [certificates[n] for n in names], "options": options}
    response = live_service.http.post(BATCH, json=body)
    assert response.status_code == 200, response.text
    batch = response.json()
    assert batch["verified"] is False
    assert [result["verified"] for result in batch["results"]] == verified
    assert outcomes(batch["results"][2])["proof"] == "failed"  # requested or not
    expected = ["options.unknownThing is not supported: ignored"]
    if checks is not None:
        expected.append("options.checks: no check is called 'bogus': ignored")
        for result in (batch["results"][i] for i in (0, 1, 3)):
            assert _not_requested(result) == ["issuerTrust", "credentialSchema", "status"]
    assert batch["warnings"] == [{"check": "options", "detail": detail} for detail in expected]


# ---------------------------------------------------------------- POST /presentations/verify


def _issued_challenge(live_service: LiveService) -> str:
    response = live_service.http.post("/challenges", json={"domain": DOMAIN})
    assert response.status_code == 201, response.text
    return str(response.json()["challenge"])


@pytest.mark.parametrize(
    ("options", "why"),
    [
        (
            {"challenge": "my-nonce", "domain": DOMAIN},
            "the challenge was not issued by this verifier",
        ),
        ({"domain": DOMAIN}, "options.challenge is required (POST /challenges)"),
    ],
)
def test_an_anonymous_caller_must_answer_a_challenge_issued_here(
    live_service: LiveService, vp: Presenter, options: dict[str, Any], why: str
) -> None:
    response = _verify_vp(live_service, vp("bound", "my-nonce"), options)
    problem = _vp_failed(response, "INVALID_CHALLENGE_ERROR")
    refused = {"check": "challenge", "outcome": "failed", "codes": ["INVALID_CHALLENGE_ERROR"]}
    assert problem["checks"][0] == refused
    assert {c["outcome"] for c in problem["checks"][1:]} == {"skipped"}  # nothing else looked at
    assert [(p["detail"], p["field"]) for p in problem["problemDetails"]] == [
        (why, "options.challenge")
    ]
    assert "credentialResults" not in problem


def test_an_issued_challenge_is_answered_once(live_service: LiveService, vp: Presenter) -> None:
    challenge = _issued_challenge(live_service)
    presentation = vp("bound", challenge)
    result = _verified(_verify_vp(live_service, presentation, {"challenge": challenge}))
    assert result["kind"] == "VerifiablePresentation"
    assert result["checks"][0]["detail"].startswith("issued by this verifier at ")
    response = _verify_vp(live_service, presentation, {"challenge": challenge})
    replay = _vp_failed(response, "INVALID_CHALLENGE_ERROR")
    assert replay["problemDetails"][0]["detail"].startswith("the challenge was already used at ")


def test_a_verifier_client_brings_its_own_challenge_and_domain(
    live_service: LiveService, vp: Presenter, officer: Issuer
) -> None:
    challenge = secrets.token_urlsafe(16)
    presentation = vp("bound", challenge)
    options = {"challenge": challenge, "domain": DOMAIN}
    for _ in range(2):  # matched, not consumed: the client keeps track of its own
        result = _verified(_verify_vp(live_service, presentation, options, officer))
        assert result["checks"][0] == OWN_CHALLENGE
        assert outcomes(result) == dict.fromkeys(VP_CHECKS, "passed")
        assert [r["verified"] for r in result["credentialResults"]] == [True]
    # The same request without the client's token is an anonymous caller's.
    _vp_failed(_verify_vp(live_service, presentation, options), "INVALID_CHALLENGE_ERROR")


def test_a_challenge_of_this_verifiers_is_never_taken_for_a_clients_own(
    live_service: LiveService, vp: Presenter, officer: Issuer
) -> None:
    """Once used (and even once purged from storage), a challenge this verifier issued is
    refused, not matched as the client's own: its form says whose it is."""
    issued = live_service.http.post("/challenges", json={}, headers=officer.headers)
    assert issued.status_code == 201, issued.text
    challenge = issued.json()["challenge"]
    assert challenge.startswith("vcs.")
    presentation = vp("bound", challenge)
    _verified(_verify_vp(live_service, presentation, {"challenge": challenge}, officer))
    replay = _vp_failed(
        _verify_vp(live_service, presentation, {"challenge": challenge}, officer),
        "INVALID_CHALLENGE_ERROR",
    )
    assert replay["problemDetails"][0]["detail"].startswith("the challenge was already used")
    forgotten = "vcs." + secrets.token_urlsafe(24)  # what a purged one looks like
    refused = _vp_failed(
        _verify_vp(live_service, vp("bound", forgotten), {"challenge": forgotten}, officer),
        "INVALID_CHALLENGE_ERROR",
    )
    assert refused["problemDetails"][0]["detail"] == (
        "the challenge is this verifier's, and no longer open"
    )


@pytest.mark.parametrize(
    ("options", "code", "field"),
    [
        ({"challenge": "other", "domain": DOMAIN}, "INVALID_CHALLENGE_ERROR", "proof.challenge"),
        ({"challenge": "n", "domain": "otra.example"}, "INVALID_DOMAIN_ERROR", "proof.domain"),
        (
            {"challenge": "n", "expectedProofPurpose": "assertionMethod"},
            "INVALID_PROOF_PURPOSE",
            "proof.proofPurpose",
        ),
    ],
)
def test_a_presentation_not_made_for_the_clients_options_fails(
    live_service: LiveService,
    vp: Presenter,
    officer: Issuer,
    options: dict[str, Any],
    code: str,
    field: str,
) -> None:
    response = _verify_vp(live_service, vp("bound", "n"), options, officer)
    problem = _vp_failed(response, code)
    # The client's challenge is taken as given; the proof is what does not match it.
    assert problem["checks"][0] == OWN_CHALLENGE
    assert outcomes(problem)["proof"] == "failed"
    assert [p["field"] for p in problem["problemDetails"]] == [field]
    assert "credentialResults" not in problem


def test_a_verifier_client_may_omit_the_challenge(
    live_service: LiveService, vp: Presenter, officer: Issuer
) -> None:
    result = _verified(_verify_vp(live_service, vp("bound", "n", None), {}, officer))
    skipped = {
        "check": "challenge",
        "detail": "no options.challenge: the presentation may be a replay",
    }
    assert result["checks"][0] == skipped | {"outcome": "skipped"}
    assert result["warnings"] == [skipped]


@pytest.mark.parametrize(
    ("thief", "credential", "checks", "failure"),
    [
        (True, "bound", None, ("holderBinding", "HOLDER_BINDING_ERROR")),
        (True, "bound", ["proof", "status"], None),
        (False, "bound-revoked", None, ("credentials", "INVALID_CREDENTIAL")),
        (False, "bound-revoked", ["holderBinding", "validityPeriod"], None),
    ],
)
def test_options_checks_apply_to_a_presentation_and_its_credentials(
    live_service: LiveService,
    vp: Presenter,
    officer: Issuer,
    thief: bool,
    credential: str,
    checks: list[str] | None,
    failure: tuple[str, str] | None,
) -> None:
    presentation = vp(credential, "n", None, _new_holder() if thief else None)
    options: dict[str, Any] = {"challenge": "n"}
    if checks is not None:
        options["checks"] = checks
    response = _verify_vp(live_service, presentation, options, officer)
    if failure is None:
        assert checks is not None
        result = _verified(response)
        assert ("holderBinding" in _not_requested(result)) is thief
        [nested] = result["credentialResults"]
        assert nested["verified"] is True
        assert _not_requested(nested) == [c for c in SELECTABLE if c not in checks]
    else:
        problem = _vp_failed(response, failure[1])
        assert outcomes(problem)[failure[0]] == "failed"
        assert problem["document"] == presentation
        [nested] = problem["credentialResults"]
        assert nested["verified"] is thief  # the thief's credential is fine; the revoked is not


def test_a_presentations_own_check_names_are_not_called_unknown(
    live_service: LiveService, vp: Presenter
) -> None:
    challenge = _issued_challenge(live_service)
    checks = ["holder", "credentials", "challenge", "domain", "holderBinding"]
    options = {"challenge": challenge, "checks": checks}
    result = _verified(_verify_vp(live_service, vp("bound", challenge), options))
    reported = set(outcomes(result))
    assert reported >= set(checks)
    assert [w for w in _option_warnings(result) if any(f"'{n}'" in w for n in reported)] == []
