"""Hostile input over real HTTP: ambiguous JSON, JSON-LD tricks, canonicalization bombs.

Each is refused with a problem naming the trouble (at the verify endpoints, a 422
VERIFICATION_FAILED whose result says why it is not verified), quickly, and nothing is stored.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.api.builders import issue_body, unsigned_credential
from tests.api.conftest import Issuer, LiveService, assert_problem
from tests.api.presenting import verification_result
from tests.factories import NOW, certificate, key_file
from vcservice.keys import KeyType
from vcservice.services.core import Core

JSON = {"content-type": "application/json"}
SIGNER = key_file(KeyType.ED25519, seed=88)
BOMB_NODES = 12


def _stored(live: LiveService, issuer: Issuer) -> int:
    response = live.http.get("/credentials", headers=issuer.headers)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def _post_raw(live: LiveService, path: str, body: bytes, headers: dict[str, str]) -> Any:
    return live.http.post(path, content=body, headers={**JSON, **headers})


# ---------------------------------------------------------------- ambiguous JSON


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ('{"credential": {}, "credential": {}}', "credential"),
        ('{"credential": {"id": "urn:a", "type": ["VerifiableCredential"], "id": "urn:b"}}', "id"),
    ],
)
def test_duplicate_members_are_refused(
    live_service: LiveService, sat: Issuer, text: str, member: str
) -> None:
    before = _stored(live_service, sat)
    response = _post_raw(live_service, "/credentials/issue", text.encode(), sat.headers)
    problem = assert_problem(response, 400, "PARSING_ERROR", member)
    assert "appears twice" in problem["detail"]
    assert _stored(live_service, sat) == before


def test_a_duplicate_member_is_refused_at_the_verifier_too(live_service: LiveService) -> None:
    text = '{"verifiableCredential": {"issuer": "did:example:a", "issuer": "did:example:b"}}'
    response = _post_raw(live_service, "/credentials/verify", text.encode(), {})
    assert_problem(response, 400, "PARSING_ERROR", "issuer")


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"name": "sat"}'.encode("utf-16"), id="utf-16"),
        pytest.param('{"name": "Aduana Nuevo León"}'.encode("latin-1"), id="latin-1"),
        pytest.param(b'{"name": "\xff\xfe"}', id="invalid-bytes"),
    ],
)
def test_bodies_that_are_not_utf8_are_refused(live_service: LiveService, body: bytes) -> None:
    response = _post_raw(live_service, "/admin/authorities", body, live_service.admin)
    problem = assert_problem(response, 400, "PARSING_ERROR", "body")
    assert "not UTF-8" in problem["detail"]


@pytest.mark.parametrize(
    ("literal", "detail"),
    [("NaN", "not a JSON number"), ("-Infinity", "not a JSON number"), ('"\\udc00"', "surrogate")],
)
def test_values_outside_interoperable_json_are_refused(
    live_service: LiveService, literal: str, detail: str
) -> None:
    text = '{"verifiableCredential": {"name": ' + literal + "}}"
    response = _post_raw(live_service, "/credentials/verify", text.encode(), {})
    problem = assert_problem(response, 400, "PARSING_ERROR")
    assert detail in problem["detail"]


def test_json_under_another_media_type_name_is_checked_too(live_service: LiveService) -> None:
    text = b'{"verifiableCredential": {}, "verifiableCredential": {}}'
    response = live_service.http.post(
        "/credentials/verify", content=text, headers={"content-type": "application/vc+json"}
    )
    assert response.status_code in (400, 415), response.text


# ---------------------------------------------------------------- JSON-LD tricks


def _credential_with(issuer: Issuer, change: Any) -> dict[str, Any]:
    credential = unsigned_credential("immex", issuer.did)
    change(credential)
    return credential


TRICKS = [
    pytest.param(
        lambda c: c["@context"].append("https://evil.example/context.jsonld"),
        "CONTEXT_NOT_PINNED",
        id="remote-context",
    ),
    pytest.param(
        lambda c: c["@context"].append({"@import": "https://evil.example/context.jsonld"}),
        "CONTEXT_NOT_PINNED",
        id="import",
    ),
    pytest.param(
        lambda c: c["@context"].append({"@base": "https://evil.example/"}) or c.update(id="x"),
        "DATA_LOSS_DETECTION_ERROR",
        id="relative-id-with-base",
    ),
    pytest.param(
        lambda c: c["credentialSubject"].update(hiddenClause="no liability"),
        "DATA_LOSS_DETECTION_ERROR",
        id="undefined-term",
    ),
    pytest.param(
        lambda c: c["@context"].append({"@version": 2.0}),
        "PARSING_ERROR",
        id="invalid-version",
    ),
]


@pytest.mark.parametrize(("change", "code"), TRICKS)
def test_json_ld_tricks_are_refused_at_issuance(
    live_service: LiveService, sat: Issuer, change: Any, code: str
) -> None:
    """The issuer signs only certificates that fit their JSON Schema, which admits no context
    objects and no unknown members; a context URL it does admit must still be pinned."""
    before = _stored(live_service, sat)
    body = issue_body(_credential_with(sat, change))
    response = live_service.http.post("/credentials/issue", headers=sat.headers, json=body)
    problem = assert_problem(response, 422)
    assert problem["code"] in {"MALFORMED_VALUE_ERROR", code}
    assert problem.get("field")  # the offending member is named
    assert _stored(live_service, sat) == before


@pytest.mark.parametrize(("change", "code"), TRICKS)
def test_json_ld_tricks_fail_verification(
    live_service: LiveService, core: Core, change: Any, code: str
) -> None:
    credential = certificate("immex", issuer=SIGNER)
    signed = core.data_integrity.add_proof(
        credential, signer=SIGNER.signer(), cryptosuite="eddsa-rdfc-2022", created=NOW
    )
    tricked = copy.deepcopy(signed)
    change(tricked)
    response = live_service.http.post("/credentials/verify", json={"verifiableCredential": tricked})
    result = verification_result(response, verified=False)
    assert code in [problem["code"] for problem in result["problemDetails"]]


# ---------------------------------------------------------------- canonicalization bombs


def _bomb(credential: dict[str, Any]) -> dict[str, Any]:
    """Blank nodes that all point at each other: RDFC-1.0's worst case (each evidence
    typed, as the data model wants, so that only the clique is in question)."""
    bombed = copy.deepcopy(credential)
    bombed["evidence"] = [
        {
            "id": f"_:b{i}",
            "type": ["Evidence"],
            "name": [{"id": f"_:b{j}"} for j in range(BOMB_NODES) if j != i],
        }
        for i in range(BOMB_NODES)
    ]
    return bombed


def test_a_canonicalization_bomb_is_refused_at_issuance(
    live_service: LiveService, sat: Issuer
) -> None:
    before = _stored(live_service, sat)
    body = issue_body(_bomb(unsigned_credential("immex", sat.did)))
    response = live_service.http.post("/credentials/issue", headers=sat.headers, json=body)
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "credential.evidence")
    assert _stored(live_service, sat) == before


def test_a_canonicalization_bomb_is_refused_before_canonicalization(
    live_service: LiveService,
) -> None:
    """A blank-node clique needs blank node labels, which the compact form does not allow:
    refused by the compact-form rule before RDFC-1.0 (whose own work limit stays behind it)."""
    bombed = _bomb(certificate("immex", issuer=SIGNER))
    bombed["proof"] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-11-28T12:00:00Z",
        "verificationMethod": f"{SIGNER.verification_method}",
        "proofPurpose": "assertionMethod",
        "proofValue": "z" + "1" * 86,
    }
    response = live_service.http.post(
        "/credentials/verify", json={"verifiableCredential": bombed}, timeout=10
    )
    [problem] = verification_result(response, verified=False)["problemDetails"]
    assert problem["code"] == "COMPACT_FORM_ERROR"
    assert problem["field"] == "evidence[0].id"
    assert "blank node" in problem["detail"]
