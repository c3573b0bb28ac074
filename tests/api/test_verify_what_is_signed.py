"""Verify what is signed, over real HTTP on SQLite and PostgreSQL: a revoked, expired or
unaccredited certificate never passes, however its JSON is respelled, at any entry point —
``/credentials/verify``, the broker's page, the holder's wallet, a presentation, an exchange.

Each attack keeps the proof valid (the RDF graph is unchanged) and hides a member from a
reader of the JSON; each is refused with COMPACT_FORM_ERROR where the original fails with its
own reason. Then the JOSE claims and proof dates, and the cheap-first order: a schema bomb,
twenty status entries, an object ``@context``.
"""

from __future__ import annotations

import copy
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.api.builders import certificate_body, issue_body, unsigned_credential
from tests.api.conftest import Issuer, LiveService, assert_problem
from tests.api.presenting import (
    DOMAIN,
    V2,
    Holder,
    codes,
    issue_certificate,
    outcomes,
    verification_result,
)
from tests.factories import held_by, key_file
from tests.jsonld_rewrites import (
    Spellings,
    as_value_object,
    in_full,
    permissive_data_integrity,
    pyld_expander,
)
from vcservice.jose.jws import sign_compact
from vcservice.keys import KeyFile, KeyPair, KeyType
from vcservice.proofs.data_integrity import DataIntegrity
from vcservice.services.core import Core

pytestmark = [pytest.mark.slow, pytest.mark.shared]

COMPACT_FORM_ERROR = "COMPACT_FORM_ERROR"
SIGNER = key_file(KeyType.ED25519, seed=61)  # an issuer of our own, accredited for C-TPAT
SIGNER_DID = SIGNER.verification_method.split("#")[0]
UPDATE = "update:credentials"
NO_FILE = {"upload": ("", b"", "application/octet-stream")}
IMMEX_SCHEMA = "https://w3id.org/vcservice/trade-certificates/schemas/immex-v2.json"
UNREAD = ("issuerTrust", "validityPeriod", "credentialSchema", "status")


@pytest.fixture(scope="module")
def holder() -> Holder:
    return Holder(KeyFile(KeyPair.generate(KeyType.ED25519)))


@pytest.fixture(scope="module")
def customs(live_service: LiveService) -> Issuer:
    """CBP, which may change the status of what it issued."""
    return live_service.issuer(
        "cbp-signed", ["CTPATCertificate"], scopes=("issue:credentials", UPDATE)
    )


@pytest.fixture(scope="module")
def signer_accredited(live_service: LiveService) -> str:
    live_service.accredit(SIGNER_DID, ["CTPATCertificate"], name="Signer")
    return SIGNER_DID


@pytest.fixture(scope="module")
def wallet(live_service: LiveService) -> dict[str, str]:
    name = live_service.unique_name("signed-wallet")
    response = live_service.http.post(
        "/admin/holders", headers=live_service.admin, json={"name": name}
    )
    assert response.status_code == 201, response.text
    return {"did": response.json()["did"], "token": response.json()["accessToken"]}


@pytest.fixture(scope="module")
def workflow(live_service: LiveService) -> str:
    response = live_service.http.post(
        "/workflows",
        headers=live_service.admin,
        json={
            "id": "signed-ctpat",
            "name": "C-TPAT",
            "acceptedCredentialTypes": ["CTPATCertificate"],
            "domain": DOMAIN,
            "exchangeTtlSeconds": 300,
        },
    )
    assert response.status_code == 201, response.text
    return "signed-ctpat"


def _spellings(core: Core, document: dict[str, Any]) -> Spellings:
    return Spellings(document, pyld_expander(core.store))


def _permissive(core: Core) -> DataIntegrity:
    """A signer that signs any spelling (as the holder's own tools would)."""
    return permissive_data_integrity(core.store, core.resolver)


def _present(core: Core, holder: Holder, credential: Any, *, challenge: str, domain: str) -> Any:
    presentation = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.did,
        "verifiableCredential": [credential],
    }
    return _permissive(core).add_proof(
        presentation,
        signer=holder.key.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=datetime.now(UTC),
        purpose="authentication",
        challenge=challenge,
        domain=domain,
    )


def _verify(
    live_service: LiveService, credential: Any, *, verified: bool = False
) -> dict[str, Any]:
    """``POST /credentials/verify``: what these tests send fails unless told otherwise."""
    response = live_service.http.post(
        "/credentials/verify", json={"verifiableCredential": credential}
    )
    return verification_result(response, verified=verified)


def _refused_as_non_compact(result: dict[str, Any], member: str | None = None) -> None:
    """Refused on structure with COMPACT_FORM_ERROR (naming ``member``), nothing else read."""
    assert result["verified"] is False
    assert outcomes(result)["structure"] == "failed"
    [problem] = [p for p in result["problemDetails"] if p["code"] == COMPACT_FORM_ERROR]
    if member is not None:
        assert member in (problem.get("field") or "") or member in problem["detail"], problem
    presentation = result["kind"] == "VerifiablePresentation"
    unread = ("holder", "credentials", "holderBinding") if presentation else UNREAD
    for check in ("proof", *unread):
        assert outcomes(result)[check] == "skipped"  # nothing read from unproven JSON
    assert "credentialResults" not in result


def _page(live_service: LiveService, credential: Any) -> str:
    import json

    text = credential if isinstance(credential, str) else json.dumps(credential)
    response = live_service.http.post("/verify", data={"credential": text}, files=NO_FILE)
    assert response.status_code == 200, response.text
    return response.text


def _page_is_not_green(page: str) -> None:
    assert 'data-verified="false"' in page
    assert 'data-tone="green"' not in page
    assert 'data-verdict="verified"' not in page


def _present_and_verify(
    live_service: LiveService, core: Core, holder: Holder, credential: Any
) -> dict[str, Any]:
    """``credential`` presented for a challenge of ours: every one here fails (422)."""
    challenge = live_service.http.post("/challenges", json={"domain": DOMAIN}).json()["challenge"]
    presentation = _present(core, holder, credential, challenge=challenge, domain=DOMAIN)
    response = live_service.http.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": presentation,
            "options": {"challenge": challenge, "domain": DOMAIN},
        },
    )
    return verification_result(response, verified=False)


def _set_status(
    live_service: LiveService, issuer: Issuer, credential_id: str, purpose: str
) -> None:
    entry = {"type": "BitstringStatusListEntry", "statusPurpose": purpose, "status": "0x1"}
    response = live_service.http.post(
        "/credentials/status",
        headers=issuer.headers,
        json={"credentialId": credential_id, "credentialStatus": [entry], "reason": "test"},
    )
    assert response.status_code == 200, response.text


# ---------------------------------------------------------------- revoked


def test_a_revoked_certificate_respelled_fails_everywhere(
    live_service: LiveService,
    core: Core,
    customs: Issuer,
    holder: Holder,
    wallet: dict[str, str],
    workflow: str,
) -> None:
    credential = issue_certificate(live_service, customs, "ctpat", subject=holder.did)
    _set_status(live_service, customs, credential["id"], "revocation")
    assert "CREDENTIAL_REVOKED" in codes(_verify(live_service, credential))
    # credentialStatus and credentialSchema under their full IRIs: the same signed graph.
    respelled = in_full(_spellings(core, credential), "credentialStatus", "credentialSchema")
    assert "credentialStatus" not in respelled

    _refused_as_non_compact(_verify(live_service, respelled), "credentials#credential")
    _page_is_not_green(_page(live_service, respelled))
    stored = live_service.http.post(
        "/holder/credentials",
        headers={"Authorization": f"Bearer {wallet['token']}"},
        json={"verifiableCredential": respelled},
    )
    assert 400 <= stored.status_code < 500, stored.text
    # Inside a presentation its spelling is the presentation's: refused as a whole.
    _refused_as_non_compact(
        _present_and_verify(live_service, core, holder, respelled), "verifiableCredential[0]"
    )
    broker = live_service.verifier_client("broker").headers
    exchange = live_service.http.post(f"/workflows/{workflow}/exchanges", headers=broker).json()
    path = f"/workflows/{workflow}/exchanges/{exchange['id']}"
    request = live_service.http.post(path, json={}).json()["verifiablePresentationRequest"]
    presentation = _present(
        core, holder, respelled, challenge=request["challenge"], domain=request["domain"]
    )
    answered = live_service.http.post(path, json={"verifiablePresentation": presentation})
    assert answered.status_code == 200, answered.text
    assert answered.json()["verified"] is False
    assert live_service.http.get(path).json()["result"]["verified"] is False


# ---------------------------------------------------------------- expired


def test_an_expired_certificate_with_validuntil_as_a_value_object_fails(
    live_service: LiveService, core: Core, customs: Issuer, holder: Holder
) -> None:
    soon = datetime.now(UTC) + timedelta(seconds=2)
    body = certificate_body(
        "ctpat", valid_until=soon.isoformat(timespec="seconds").replace("+00:00", "Z")
    )
    body["certificate"]["member"]["id"] = holder.did
    response = live_service.http.post("/certificates/ctpat", headers=customs.headers, json=body)
    assert response.status_code == 201, response.text
    credential = response.json()["verifiableCredential"]
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 1.1)
    assert codes(_verify(live_service, credential)) == ["CREDENTIAL_EXPIRED"]
    respelled = as_value_object(_spellings(core, credential), "validUntil")
    assert isinstance(respelled["validUntil"], dict) and "@value" in respelled["validUntil"]

    _refused_as_non_compact(_verify(live_service, respelled), "validUntil")
    page = _page(live_service, respelled)
    _page_is_not_green(page)
    assert 'id="unconfirmed"' in page  # its fields are shown as unconfirmed, not as facts
    _refused_as_non_compact(
        _present_and_verify(live_service, core, holder, respelled), "verifiableCredential[0]"
    )


# ---------------------------------------------------------------- unaccredited type


def _signed_by_signer(
    core: Core, credential: dict[str, Any], created: datetime | None = None
) -> dict[str, Any]:
    return core.data_integrity.add_proof(
        credential,
        signer=SIGNER.signer(),
        cryptosuite="eddsa-rdfc-2022",
        created=created or datetime.now(UTC),
    )


def _ctpat_by_signer(holder: Holder) -> dict[str, Any]:
    credential = unsigned_credential("ctpat", SIGNER_DID)
    credential.pop("credentialSchema", None)
    return held_by(credential, holder.did)


def test_a_type_the_issuer_is_not_accredited_for_cannot_hide_under_at_type(
    live_service: LiveService, core: Core, holder: Holder, signer_accredited: str
) -> None:
    credential = _ctpat_by_signer(holder)
    credential["type"] = [*credential["type"], "OEACertificate"]
    signed = _signed_by_signer(core, credential)
    assert codes(_verify(live_service, signed)) == ["ISSUER_NOT_TRUSTED"]
    respelled = copy.deepcopy(signed)
    respelled["type"] = ["VerifiableCredential", "CTPATCertificate"]
    respelled["@type"] = "OEACertificate"  # the same three types in the graph

    _refused_as_non_compact(_verify(live_service, respelled), "type")
    _page_is_not_green(_page(live_service, respelled))
    _refused_as_non_compact(
        _present_and_verify(live_service, core, holder, respelled), "verifiableCredential[0]"
    )


# ---------------------------------------------------------------- JOSE claims, proof dates


def _jwt(credential: dict[str, Any], **claims: Any) -> str:
    return sign_compact(
        {**credential, **claims}, signer=SIGNER.signer(), header={"typ": "vc+jwt", "cty": "vc"}
    )


def test_the_registered_claims_of_a_vc_jwt_are_checked(
    live_service: LiveService, holder: Holder, signer_accredited: str
) -> None:
    credential = _ctpat_by_signer(holder)
    now = int(time.time())
    _verify(live_service, _jwt(credential, iat=now, exp=now + 600), verified=True)
    cases = {
        "exp": (_jwt(credential, exp=now - 3600), "validityPeriod", "CREDENTIAL_EXPIRED"),
        "nbf": (_jwt(credential, nbf=now + 3600), "validityPeriod", "CREDENTIAL_NOT_YET_VALID"),
        "iss": (_jwt(credential, iss="did:web:someone.else"), "issuer", "INVALID_ISSUER"),
        "iat": (_jwt(credential, iat=now + 3600), "proof", "PROOF_VERIFICATION_ERROR"),
        "sub": (
            _jwt(credential, sub="did:web:not.the.subject"),
            "structure",
            "MALFORMED_VALUE_ERROR",
        ),
        "jti": (_jwt(credential, jti="urn:uuid:another"), "structure", "MALFORMED_VALUE_ERROR"),
    }
    for claim, (token, check, code) in cases.items():
        result = _verify(live_service, token)
        assert result["verified"] is False, claim
        assert outcomes(result)[check] == "failed", (claim, result["checks"])
        assert any(
            p["code"] == code and p.get("field") == claim for p in result["problemDetails"]
        ), (claim, result["problemDetails"])
        _page_is_not_green(_page(live_service, token))


def test_a_proof_created_in_the_future_fails(
    live_service: LiveService, core: Core, holder: Holder, signer_accredited: str
) -> None:
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    signed = _signed_by_signer(core, _ctpat_by_signer(holder), created=tomorrow)
    result = _verify(live_service, signed)
    assert codes(result) == ["PROOF_VERIFICATION_ERROR"]
    assert result["problemDetails"][0]["field"] == "proof.created"
    _page_is_not_green(_page(live_service, signed))
    [inner] = _present_and_verify(live_service, core, holder, signed)["credentialResults"]
    assert codes(inner) == ["PROOF_VERIFICATION_ERROR"]


# ---------------------------------------------------------------- cheap first


def test_a_schema_bomb_without_a_proof_is_answered_at_once(
    live_service: LiveService, customs: Issuer
) -> None:
    """290 KB: refused unread without a token (ANONYMOUS_MAX_BODY_BYTES); a verifier's
    client may send it, and is answered at once, nothing past the missing proof read."""
    credential = unsigned_credential("immex", customs.did)
    credential["credentialSchema"] = {"id": IMMEX_SCHEMA, "type": "JsonSchema"}
    member = credential["credentialSubject"]["member"]
    site = copy.deepcopy(member["location"][0])
    site["address"]["postalCode"] = "not a postal code"
    member["location"] = [site] * 3000
    body = {"verifiableCredential": credential}
    anonymous = live_service.http.post("/credentials/verify", json=body, timeout=1.0)
    assert_problem(anonymous, 413, "PAYLOAD_TOO_LARGE", "body")
    broker = live_service.verifier_client("broker-bomb")
    # The outcome shows nothing past the missing proof was read; the timeout only bounds a
    # hang, loose enough for a busy CI machine (1 s failed once under a full suite's load).
    response = live_service.http.post(
        "/credentials/verify", json=body, headers=broker.headers, timeout=5.0
    )
    result = verification_result(response, verified=False)
    assert codes(result) == ["NO_PROOF"]
    assert outcomes(result)["credentialSchema"] == "skipped"


def test_without_a_proof_only_a_proof_spelled_otherwise_is_named(
    live_service: LiveService, customs: Issuer
) -> None:
    """A document without a proof is NO_PROOF whatever lies deeper (it is not read); a
    proof under another spelling of ``proof`` is named as not compact."""
    deep = unsigned_credential("immex", customs.did)
    deep["credentialSubject"]["member"]["@nest"] = {"legalName": "Otra"}
    assert codes(_verify(live_service, deep)) == ["NO_PROOF"]
    hidden = unsigned_credential("immex", customs.did)
    hidden["https://w3id.org/security#proof"] = {"type": "DataIntegrityProof"}
    _refused_as_non_compact(_verify(live_service, hidden))


class _CountingServer:
    """A TCP server on loopback that counts the connections made to it, and answers none."""

    def __init__(self) -> None:
        self.connections = 0
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _serve(self) -> None:
        while self._running:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._running = False
        self._thread.join()
        self._socket.close()


@pytest.fixture
def counting_server() -> Iterator[_CountingServer]:
    server = _CountingServer()
    yield server
    server.close()


def test_twenty_status_entries_cost_no_fetch(
    live_service: LiveService,
    core: Core,
    holder: Holder,
    signer_accredited: str,
    counting_server: _CountingServer,
) -> None:
    credential = _ctpat_by_signer(holder)
    credential["credentialStatus"] = [
        {
            "id": f"{counting_server.url}/lists/{n}#{n}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": f"purpose{n}",
            "statusListIndex": str(n),
            "statusListCredential": f"{counting_server.url}/lists/{n}",
        }
        for n in range(20)
    ]
    proofless = _verify(live_service, credential)
    assert codes(proofless) == ["NO_PROOF"]
    assert outcomes(proofless)["status"] == "skipped"
    signed = _verify(live_service, _signed_by_signer(core, credential))
    assert outcomes(signed)["status"] == "failed"
    assert codes(signed) == ["STATUS_VERIFICATION_ERROR"]
    assert "20 entries" in signed["problemDetails"][0]["detail"]
    assert counting_server.connections == 0


# ---------------------------------------------------------------- an object as @context


def test_an_object_first_in_context_is_a_client_error(
    live_service: LiveService, customs: Issuer
) -> None:
    credential = unsigned_credential("immex", customs.did)
    credential["@context"] = [{"@vocab": "https://example.com/"}, *credential["@context"]]
    issued = live_service.http.post(
        "/credentials/issue", headers=customs.headers, json=issue_body(credential)
    )
    assert_problem(issued, 422, field="credential.@context")
    verified = live_service.http.post(
        "/credentials/verify", json={"verifiableCredential": credential}
    )
    assert_problem(verified, 422, COMPACT_FORM_ERROR, "verifiableCredential.@context")
    batch = live_service.http.post(
        "/credentials/verify/batch", json={"verifiableCredentials": [credential]}
    )
    assert_problem(batch, 422, COMPACT_FORM_ERROR, "verifiableCredentials[0].@context")
    presented = live_service.http.post(
        "/presentations/verify",
        json={
            "verifiablePresentation": {**credential, "type": ["VerifiablePresentation"]},
            "options": {"challenge": "c"},
        },
    )
    assert_problem(presented, 422, COMPACT_FORM_ERROR, "verifiablePresentation.@context")
    page = _page(live_service, credential)
    assert re.search(r'data-verified="false"', page)
