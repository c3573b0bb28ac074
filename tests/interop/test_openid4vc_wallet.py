"""A wallet this project did not write, against the service's OpenID4VCI issuer and OpenID4VP
verifier over real HTTP (issue #18's acceptance).

The wallet is ``oid4vc/wallet.mjs``: the OpenWallet Foundation's ``@openid4vc/openid4vci``,
``@openid4vc/openid4vp`` and ``@openid4vc/oauth2``, SD-JWT VC from ``@sd-jwt/sd-jwt-vc`` (and
its Token Status List decoder), DCQL matching from ``dcql``, all pinned in
``oid4vc/package-lock.json``. One Node process serves the whole module (a JSON request a
line on stdin, a JSON answer a line on stdout); its holder key is a P-256 key it generated.

For each certificate type an officer offers the certificate (``dc+sd-jwt``); the wallet
redeems the offer with the pre-authorized code and the transaction code, proves its key
over a fresh ``c_nonce``, receives the SD-JWT VC and verifies it with ``@sd-jwt/sd-jwt-vc``'s
own verifier (signature, disclosures, Token Status List, type metadata). A broker's app then
asks for a few claims with a DCQL query; the wallet resolves the signed Request Object by
``request_uri``, discloses only what the query matched, binds the presentation to the
verifier's ``client_id`` and ``nonce`` and answers by ``direct_post``; the verifier's
recorded outcome is read back. Each refusal the specifications name is provoked on purpose.

Needs ``node``/``npm`` and the npm registry (or npm's cache) for ``npm ci``; otherwise skipped.
"""

from __future__ import annotations

import fcntl
import json
import os
import queue
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests.api.builders import CBP_TYPES, SAT_TYPES, certificate_body
from tests.api.conftest import (
    ISSUE,
    READ,
    SHARED_TOKEN_RATE_PER_MINUTE,
    Issuer,
    LiveService,
    serve,
)
from tests.api.presenting import suspend
from tests.npm import npm_ci
from vcservice.keys import base64url_decode
from vcservice.services.sd_jwt_vc import CHECK_ORDER  # the checks recorded for an SD-JWT VC

pytestmark = [pytest.mark.interop, pytest.mark.slow, pytest.mark.shared]

WALLET_DIR = Path(__file__).resolve().parent / "oid4vc"
SCRIPT = WALLET_DIR / "wallet.mjs"
CALL_TIMEOUT = 30.0  # seconds for one wallet operation (several HTTP round trips)

TYPES = {"immex": "IMMEXCertificate", "oea": "OEACertificate", "ctpat": "CTPATCertificate"}
# What the broker asks of each certificate (claims paths), and what it must then not learn.
ASKED: dict[str, list[list[str]]] = {
    "immex": [["immexModality"], ["immexProgramNumber"], ["member", "name"]],
    "oea": [["oeaRubro"], ["oeaRegistrationNumber"], ["member", "rfc"]],
    # "C-TPAT certified, validated, active": the tier and validation, and who it is.
    "ctpat": [["tier"], ["lastValidationDate"], ["member", "name"]],
}
WITHHELD: dict[str, list[list[str]]] = {
    "immex": [["member", "rfc"], ["member", "legalName"], ["member", "location"], ["member", "id"]],
    "oea": [["member", "name"], ["member", "legalName"], ["member", "location"]],
    "ctpat": [["sviNumber"], ["ctpatAccountNumber"], ["member", "rfc"], ["member", "location"]],
}
OFFICER_SCOPES = (ISSUE, READ, "update:credentials")  # offers, the registry, suspensions
# Selectively disclosable identifiers, and programme claims always in the clear.
IDENTIFIERS = {
    "immex": ("immexProgramNumber",),
    "oea": ("oeaRegistrationNumber",),
    "ctpat": ("sviNumber", "ctpatAccountNumber"),
}
VISIBLE = {
    "immex": ("immexModality", "authorizationDate"),
    "oea": ("oeaRubro", "termStart", "termEnd"),
    "ctpat": ("tier", "certificationDate", "lastValidationDate"),
}
STATUS_VALID, STATUS_SUSPENDED = 0, 2  # Token Status List values (draft-ietf-oauth-status-list)


# ---------------------------------------------------------------- the wallet process


class WalletError(AssertionError):
    """The wallet's operation failed: what the libraries threw (the server's error, if any)."""

    def __init__(self, op: str, error: dict[str, Any]) -> None:
        super().__init__(f"wallet {op} failed: {json.dumps(error, indent=2)[:3000]}")
        self.error = error

    @property
    def error_code(self) -> str | None:
        """The OAuth ``error`` the server answered (when the failure was its refusal)."""
        response = self.error.get("errorResponse") or {}
        code = response.get("error")
        return code if isinstance(code, str) else None

    @property
    def status(self) -> int | None:
        status = self.error.get("status")
        return status if isinstance(status, int) else None


class Wallet:
    """``node wallet.mjs``: one request a line in, one answer a line out, in order."""

    def __init__(self, node: str, log: Path) -> None:
        self._log_path = log
        self._log: IO[str] = log.open("w", encoding="utf-8")
        self._process = subprocess.Popen(
            [node, "--dns-result-order=ipv4first", str(SCRIPT)],
            cwd=WALLET_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self._answers: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, name="wallet-stdout", daemon=True)
        self._reader.start()
        self._ids = 0
        self.holder_jwk: dict[str, Any] = self.call("hello")["holderJwk"]

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._answers.put(line)
        self._answers.put(None)

    def attempt(self, op: str, **args: Any) -> dict[str, Any]:
        """The wallet's answer: ``{"ok": True, "result": …}`` or ``{"ok": False, "error": …}``."""
        assert self._process.stdin is not None
        self._ids += 1
        self._process.stdin.write(json.dumps({"id": self._ids, "op": op, "args": args}) + "\n")
        self._process.stdin.flush()
        try:
            line = self._answers.get(timeout=CALL_TIMEOUT)
        except queue.Empty:
            raise AssertionError(
                f"wallet {op}: no answer in {CALL_TIMEOUT}s{self._stderr()}"
            ) from None
        if line is None:
            raise AssertionError(f"wallet exited during {op}{self._stderr()}")
        answer: dict[str, Any] = json.loads(line)
        assert answer["id"] == self._ids, answer
        return answer

    def call(self, op: str, **args: Any) -> Any:
        """The result of ``op``; ``WalletError`` when it failed."""
        answer = self.attempt(op, **args)
        if not answer["ok"]:
            raise WalletError(op, answer["error"])
        return answer["result"]

    def refused(self, op: str, **args: Any) -> WalletError:
        """The failure of ``op``, which must fail."""
        answer = self.attempt(op, **args)
        assert not answer["ok"], f"wallet {op} should have failed: {answer['result']}"
        return WalletError(op, answer["error"])

    def _stderr(self) -> str:
        self._log.flush()
        text = self._log_path.read_text(encoding="utf-8")[-3000:]
        return f"\nwallet stderr:\n{text}" if text else ""

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.close()


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def live_service(
    context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """The service over HTTP on SQLite (``tests/api/conftest.py``'s, for this module only)."""
    with serve(
        tmp_path_factory.mktemp("oid4vc-sqlite"),
        None,
        context_store_dir,
        token_rate_per_minute=SHARED_TOKEN_RATE_PER_MINUTE,
    ) as live:
        yield live


@pytest.fixture(scope="module")
def wallet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wallet]:
    """``npm ci`` the pinned wallet once, and run it for the module.

    ``npm ci`` deletes ``node_modules`` first, so two test runs sharing this working tree
    would break each other's install or start: both happen under an exclusive file lock
    (the started wallet has loaded every module it needs)."""
    lock_path = Path(tempfile.gettempdir()) / f"vcservice-oid4vc-{os.getuid()}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        node = npm_ci(WALLET_DIR)
        started = Wallet(node, tmp_path_factory.mktemp("oid4vc-wallet") / "stderr.log")
    try:
        yield started
    finally:
        started.close()


@pytest.fixture(scope="module")
def issuers(live_service: LiveService) -> dict[str, Issuer]:
    """The issuing authority of each certificate type: SAT for IMMEX and OEA, CBP for C-TPAT."""
    sat = live_service.issuer("sat", SAT_TYPES, OFFICER_SCOPES)
    cbp = live_service.issuer("cbp", CBP_TYPES, OFFICER_SCOPES)
    return {"immex": sat, "oea": sat, "ctpat": cbp}


@pytest.fixture(scope="module")
def broker(live_service: LiveService) -> Issuer:
    """A customs broker's app: a ``verify:credentials`` client."""
    return live_service.verifier_client("broker")


# ---------------------------------------------------------------- helpers


def offer(live_service: LiveService, issuer: Issuer, slug: str) -> dict[str, Any]:
    """An officer's offer of a ``dc+sd-jwt`` certificate (201): links and transaction code."""
    body = certificate_body(slug)
    body["certificate"]["member"].pop("id", None)  # the wallet's key becomes the holder
    body["credentialConfigurationIds"] = [f"{TYPES[slug]}_sd_jwt_vc"]
    response = live_service.http.post(
        f"/issuers/{issuer.name}/offers", headers=issuer.headers, json=body
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def dcql_query(live_service: LiveService, slug: str) -> dict[str, Any]:
    """A DCQL query for the ``slug`` certificate's asked-for claims, with holder binding."""
    return {
        "credentials": [
            {
                "id": slug,
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [f"{live_service.url}/vct/{slug}"]},
                "claims": [{"path": path} for path in ASKED[slug]],
            }
        ]
    }


def presentation_request(
    live_service: LiveService, broker: Issuer, query: dict[str, Any]
) -> dict[str, Any]:
    """The broker's OpenID4VP request (201): signed Request Object by ``request_uri``."""
    response = live_service.http.post(
        "/openid4vp/requests",
        headers=broker.headers,
        json={"dcqlQuery": query, "responseMode": "direct_post"},
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert created["status"] == "pending", created
    return created


def outcome(live_service: LiveService, broker: Issuer, request_id: str) -> dict[str, Any]:
    """What the verifier recorded for its request."""
    response = live_service.http.get(f"/openid4vp/requests/{request_id}", headers=broker.headers)
    assert response.status_code == 200, response.text
    view: dict[str, Any] = response.json()
    return view


def received(wallet: Wallet, created: dict[str, Any], *, by_value: bool = False) -> dict[str, Any]:
    """The wallet's whole pre-authorized code flow for an offer; one credential came back."""
    link = created["offerLinkByValue"] if by_value else created["offerLink"]
    result: dict[str, Any] = wallet.call("receive", offer=link, txCode=created["txCode"])
    assert len(result["credentials"]) == 1, result["credentialResponse"]
    return result


def at(document: Any, path: list[str]) -> Any:
    """The value at ``path`` of ``document`` (``KeyError`` when absent)."""
    for name in path:
        document = document[name]
    return document


def has(document: Any, path: list[str]) -> bool:
    try:
        at(document, path)
    except (KeyError, TypeError):
        return False
    return True


def disclosed_names(presentation: str) -> set[str]:
    """The claim names of the Disclosures in an SD-JWT(+KB) presentation."""
    names = set()
    for part in presentation.split("~")[1:-1]:
        decoded = json.loads(base64url_decode(part))
        if len(decoded) == 3:
            names.add(decoded[1])
    return names


def withheld(claims: Any, path: list[str]) -> bool:
    """Whether the claim at ``path`` is absent from ``claims`` (an array: every element)."""
    return not has(claims, path) or at(claims, path) == []


def leaves(value: Any) -> Iterator[str]:
    """The distinctive text values in ``value`` (long enough not to occur by chance)."""
    if isinstance(value, dict):
        for member in value.values():
            yield from leaves(member)
    elif isinstance(value, list):
        for element in value:
            yield from leaves(element)
    elif isinstance(value, str) and len(value) >= 8:
        yield value


def newest_credential_id(live_service: LiveService, issuer: Issuer, slug: str) -> str:
    page = live_service.registry(issuer, type=TYPES[slug], limit=1)
    return str(page["items"][0]["id"])


def checks_of(result: dict[str, Any]) -> dict[str, str]:
    """The outcome of each check of one presentation's verification result."""
    return {check["check"]: check["outcome"] for check in result["checks"]}


def assert_refused(view: dict[str, Any], failing_check: str, code: str) -> None:
    """The verifier recorded the answer as refused: not accepted, its one presentation not
    verified, ``failing_check`` failed, and ``code`` is the one problem it names."""
    assert view["status"] == "invalid", view
    result = view["result"]
    assert result["accepted"] is False, result
    [presentation] = result["presentations"]
    assert presentation["verified"] is False, presentation
    assert checks_of(presentation["result"])[failing_check] == "failed", presentation["result"]
    codes = [problem["code"] for problem in presentation["result"]["problemDetails"]]
    assert codes == [code], presentation["result"]["problemDetails"]


# ---------------------------------------------------------------- receive, verify, present


@pytest.mark.parametrize("slug", list(TYPES))
def test_wallet_receives_and_presents_each_certificate(
    slug: str,
    live_service: LiveService,
    wallet: Wallet,
    issuers: dict[str, Issuer],
    broker: Issuer,
) -> None:
    """OpenID4VCI 1.0 pre-authorized code flow with a transaction code (§3.5, §6, §7, §8;
    the offer by reference for IMMEX and C-TPAT, by value for OEA, §4.1), the SD-JWT VC
    verified by @sd-jwt/sd-jwt-vc, then OpenID4VP 1.0 (§5 request_uri, §6 DCQL, §8.2
    direct_post) with only the requested claims disclosed, as the verifier records."""
    issuer = issuers[slug]
    created = offer(live_service, issuer, slug)
    assert created["credentialOffer"]["grants"][
        "urn:ietf:params:oauth:grant-type:pre-authorized_code"
    ]["tx_code"]["length"] == len(created["txCode"])

    got = received(wallet, created, by_value=slug == "oea")
    credential_issuer = f"{live_service.url}/issuers/{issuer.name}"
    assert got["credentialIssuer"]["credential_issuer"] == credential_issuer
    assert got["proof"]["header"]["typ"] == "openid4vci-proof+jwt"
    assert got["proof"]["payload"]["aud"] == credential_issuer
    assert got["proof"]["payload"]["nonce"] == got["cNonce"]

    # The SD-JWT VC, as @sd-jwt/sd-jwt-vc's own verifier sees it.
    [checked] = got["verification"]
    assert checked["verified"]["ok"] is True, checked["verified"]
    assert checked["header"]["typ"] == "dc+sd-jwt"
    assert str(checked["header"]["kid"]).startswith(f"{issuer.did}#"), checked["header"]
    payload = checked["payload"]
    assert payload["vct"] == f"{live_service.url}/vct/{slug}"
    assert payload["iss"] == issuer.did, payload["iss"]
    bound = {name: payload["cnf"]["jwk"].get(name) for name in ("kty", "crv", "x", "y")}
    assert bound == wallet.holder_jwk, payload["cnf"]
    metadata = checked["verified"]["typeMetadata"]
    assert metadata["vct"] == payload["vct"]
    locales = {str(entry.get("locale") or entry.get("lang"))[:2] for entry in metadata["display"]}
    assert locales >= {"es", "en"}, metadata["display"]
    # Token Status List: served as statuslist+jwt, decoded by @sd-jwt/jwt-status-list.
    status = checked["status"]
    assert status["contentType"].startswith("application/statuslist+jwt"), status
    assert status["header"]["typ"] == "statuslist+jwt"
    assert str(status["header"]["kid"]).startswith(f"{issuer.did}#"), status["header"]
    assert status["payload"]["sub"] == status["uri"] == payload["status"]["status_list"]["uri"]
    assert status["payload"]["status_list"]["bits"] in (1, 2, 4, 8), status["payload"]
    assert status["value"] == STATUS_VALID
    # Identifiers and the company's members are disclosable; the programme's standing is not.
    concealed = {d["key"] for d in checked["disclosures"]}
    assert {"name", "legalName", "rfc", *IDENTIFIERS[slug]} <= concealed, concealed
    assert not set(IDENTIFIERS[slug]) & set(payload), payload
    assert set(VISIBLE[slug]) <= set(payload), payload
    for path in ASKED[slug] + WITHHELD[slug]:
        assert has(checked["claims"], path), (path, checked["claims"])

    # The broker's DCQL request, answered with only the requested claims.
    request = presentation_request(live_service, broker, dcql_query(live_service, slug))
    answer = wallet.call(
        "present", request=request["authorizationRequest"], credentials=got["credentials"]
    )
    assert answer["resolved"]["jar"] is not None, "the Request Object is signed"
    assert answer["resolved"]["client"]["effective"] == request["clientId"]
    assert answer["status"] == 200, answer
    disclosed = answer["disclosed"][slug]["claims"]
    for path in ASKED[slug]:
        assert at(disclosed, path) == at(checked["claims"], path)
    for path in WITHHELD[slug]:
        assert withheld(disclosed, path), (path, disclosed)

    view = outcome(live_service, broker, request["id"])
    assert view["status"] == "complete", view
    result = view["result"]
    assert (result["accepted"], result["verdict"]) == (True, "verified"), result
    [verified] = result["presentations"]
    assert (verified["credentialQueryId"], verified["verified"]) == (slug, True), verified
    assert checks_of(verified["result"]) == dict.fromkeys(CHECK_ORDER, "passed"), verified
    assert sorted(entry["path"] for entry in verified["disclosed"]) == sorted(ASKED[slug])
    recorded = json.dumps(result, ensure_ascii=False)
    [presentation] = view["vpToken"][slug]
    names = disclosed_names(presentation)
    for path in ASKED[slug]:
        assert path[-1] in names or not any(d["key"] == path[-1] for d in checked["disclosures"]), (
            path,
            names,
        )
    for path in WITHHELD[slug]:
        assert path[-1] not in names, (path, names)
        for text in leaves(at(checked["claims"], path)):
            assert text not in recorded, (path, text, "recorded by the verifier")


def test_wallet_answers_a_workflow_query_with_the_one_credential_it_needs(
    live_service: LiveService,
    wallet: Wallet,
    issuers: dict[str, Issuer],
    broker: Issuer,
) -> None:
    """The broker's workflow "C-TPAT or OEA" becomes a DCQL query with a Credential Set
    Query (OpenID4VP 1.0 §6.2); the wallet holds an IMMEX and an OEA certificate, answers
    with the OEA one alone, and discloses only the claims the query names."""
    workflow = live_service.http.post(
        "/workflows",
        headers=live_service.admin,
        json={
            "id": "oid4vc-ctpat-or-oea",
            "name": "C-TPAT or OEA",
            "acceptedCredentialTypes": ["CTPATCertificate", "OEACertificate"],
            "exchangeTtlSeconds": 300,
        },
    )
    assert workflow.status_code == 201, workflow.text
    held = [
        received(wallet, offer(live_service, issuers[slug], slug))["credentials"][0]
        for slug in ("immex", "oea")
    ]
    response = live_service.http.post(
        "/openid4vp/requests",
        headers=broker.headers,
        json={"workflow": "oid4vc-ctpat-or-oea", "formats": ["dc+sd-jwt"]},
    )
    assert response.status_code == 201, response.text
    request = response.json()
    assert request["dcqlQuery"].get("credential_sets"), request["dcqlQuery"]

    answer = wallet.call("present", request=request["authorizationRequest"], credentials=held)
    assert answer["status"] == 200, answer
    [query_id] = answer["vpToken"]
    [credential_query] = [
        query for query in request["dcqlQuery"]["credentials"] if query["id"] == query_id
    ]
    assert f"{live_service.url}/vct/oea" in credential_query["meta"]["vct_values"]
    asked = sorted(claim["path"] for claim in credential_query["claims"])
    names = disclosed_names(answer["vpToken"][query_id][0])
    assert names == {path[-1] for path in asked}, (names, asked)

    view = outcome(live_service, broker, request["id"])
    assert view["status"] == "complete", view
    assert (view["result"]["accepted"], view["result"]["verdict"]) == (True, "verified")
    [verified] = view["result"]["presentations"]
    assert verified["credentialQueryId"] == query_id
    assert sorted(entry["path"] for entry in verified["disclosed"]) == asked


# ---------------------------------------------------------------- refusals at the issuer


def test_replayed_pre_authorized_code_is_invalid_grant(
    live_service: LiveService, wallet: Wallet, issuers: dict[str, Issuer]
) -> None:
    """OpenID4VCI 1.0 §6.3: a used pre-authorized code is ``invalid_grant``."""
    created = offer(live_service, issuers["ctpat"], "ctpat")
    session = wallet.call("offer", offer=created["offerLink"])["session"]
    wallet.call("token", session=session, txCode=created["txCode"])
    refused = wallet.refused("token", session=session, txCode=created["txCode"])
    assert (refused.status, refused.error_code) == (400, "invalid_grant"), refused.error


def test_wrong_transaction_code_is_invalid_grant(
    live_service: LiveService, wallet: Wallet, issuers: dict[str, Issuer]
) -> None:
    """OpenID4VCI 1.0 §6.3: a wrong transaction code is ``invalid_grant`` (and §13.6.3: a
    few wrong tries do not lock the offer, so the right one still redeems it)."""
    created = offer(live_service, issuers["immex"], "immex")
    session = wallet.call("offer", offer=created["offerLink"])["session"]
    code = created["txCode"]
    wrong = str((int(code) + 1) % 10 ** len(code)).zfill(len(code))
    refused = wallet.refused("token", session=session, txCode=wrong)
    assert (refused.status, refused.error_code) == (400, "invalid_grant"), refused.error
    wallet.call("token", session=session, txCode=created["txCode"])


def test_key_proof_with_a_stale_nonce_or_time_is_refused(
    live_service: LiveService, wallet: Wallet, issuers: dict[str, Issuer]
) -> None:
    """OpenID4VCI 1.0 §8.3.1.2: a ``c_nonce`` already used (this issuer's nonces are
    single-use, §13.8) is ``invalid_nonce``, and the wallet should get a fresh one (§7);
    a proof whose ``iat`` is an hour old fails Appendix F.4's freshness: ``invalid_proof``.
    A fresh nonce and proof then succeed."""
    first = offer(live_service, issuers["oea"], "oea")
    used_nonce = received(wallet, first)["cNonce"]

    created = offer(live_service, issuers["oea"], "oea")
    session = wallet.call("offer", offer=created["offerLink"])["session"]
    wallet.call("token", session=session, txCode=created["txCode"])
    stale = wallet.refused("credential", session=session, nonce=used_nonce)
    assert (stale.status, stale.error_code) == (400, "invalid_nonce"), stale.error

    fresh = wallet.call("nonce", session=session)["c_nonce"]
    hour_ago = int(time.time()) - 3600
    old = wallet.refused("credential", session=session, nonce=fresh, issuedAt=hour_ago)
    assert (old.status, old.error_code) == (400, "invalid_proof"), old.error

    fresh = wallet.call("nonce", session=session)["c_nonce"]
    issued = wallet.call("credential", session=session, nonce=fresh)
    assert len(issued["credentials"]) == 1


# ---------------------------------------------------------------- refusals at the verifier


@pytest.fixture(scope="module")
def ctpat_credential(live_service: LiveService, wallet: Wallet, issuers: dict[str, Issuer]) -> str:
    """A C-TPAT SD-JWT VC in the wallet, for the presentations the verifier must refuse."""
    got = received(wallet, offer(live_service, issuers["ctpat"], "ctpat"))
    return str(got["credentials"][0])


TAMPERING = {
    # OpenID4VP 1.0 §14.1.2, Appendix B.3.6: the KB-JWT's nonce is the request's nonce …
    "wrong-nonce": ({"nonce": "not-the-request-nonce"}, "holderBinding", "INVALID_CHALLENGE_ERROR"),
    # … and its aud the verifier's Client Identifier.
    "wrong-audience": (
        {"aud": "decentralized_identifier:did:web:otro-agente-aduanal.example"},
        "holderBinding",
        "INVALID_DOMAIN_ERROR",
    ),
    # RFC 9901 §7.1: every Disclosure must be referenced by the Issuer-signed payload.
    "tampered-disclosure": ({"disclosure": "name"}, "proof", "PROOF_VERIFICATION_ERROR"),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_verifier_refuses_a_presentation(
    case: str,
    live_service: LiveService,
    wallet: Wallet,
    broker: Issuer,
    ctpat_credential: str,
) -> None:
    """OpenID4VP 1.0 §14.1.2 (the KB-JWT's nonce and audience), RFC 9901 §7.1 (every
    Disclosure referenced by the signed payload): the VP Token is rejected (§8.6) and the
    Response URI answers 400 ``invalid_request`` (§8.5); the outcome is recorded, not verified."""
    tamper, failing_check, code = TAMPERING[case]
    request = presentation_request(live_service, broker, dcql_query(live_service, "ctpat"))
    answer = wallet.call(
        "present",
        request=request["authorizationRequest"],
        credentials=[ctpat_credential],
        tamper=tamper,
    )
    assert answer["status"] == 400, answer
    assert answer["body"]["error"] == "invalid_request", answer["body"]
    assert_refused(outcome(live_service, broker, request["id"]), failing_check, code)


def test_suspended_certificate_is_refused(
    live_service: LiveService,
    wallet: Wallet,
    issuers: dict[str, Issuer],
    broker: Issuer,
) -> None:
    """Suspended through ``POST /credentials/status``: the Token Status List says SUSPENDED
    (2) to the wallet's own decoder, @sd-jwt's verifier refuses it, and so does the
    service's verifier when it is presented."""
    issuer = issuers["immex"]
    got = received(wallet, offer(live_service, issuer, "immex"))
    suspend(live_service, issuer, newest_credential_id(live_service, issuer, "immex"))

    checked = wallet.call("verifyCredential", credential=got["credentials"][0])
    assert checked["status"]["value"] == STATUS_SUSPENDED, checked["status"]
    assert checked["verified"]["ok"] is False, checked["verified"]

    request = presentation_request(live_service, broker, dcql_query(live_service, "immex"))
    answer = wallet.call(
        "present", request=request["authorizationRequest"], credentials=got["credentials"]
    )
    assert answer["status"] == 400, answer
    assert answer["body"]["error"] == "invalid_request", answer["body"]
    assert_refused(outcome(live_service, broker, request["id"]), "status", "CREDENTIAL_SUSPENDED")
