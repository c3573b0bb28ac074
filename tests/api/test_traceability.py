"""The traceability-interop profile: each organisation's API base under /issuers/{name}."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest

from tests.api.builders import SAT_TYPES, certificate_body, unsigned_credential
from tests.api.conftest import ISSUE, Issuer, LiveService, assert_problem

pytestmark = pytest.mark.shared

RESOLVE, UPDATE, VERIFY = "resolve:dids", "update:credentials", "verify:credentials"
PROVE, VERIFY_VP, SUBMIT = "prove:presentations", "verify:presentations", "submit:presentations"
EVERY_SCOPE = (RESOLVE, ISSUE, UPDATE, VERIFY, PROVE, VERIFY_VP, SUBMIT)
V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
MESSAGES = {
    400: "Bad Request: Your request body does not conform to the required schema",
    401: "Unauthorized: This endpoint requires an OAuth2 bearer token",
    403: "Forbidden: OAuth2 bearer token does not have the required scope",
    404: "Not Found: The requested resource could not be found",
    422: "Unknown Issuer: Unable to issue credentials for specified issuer",
}
ENDPOINTS = [
    ("GET", "identifiers/did:example:123"),
    ("POST", "credentials/issue"),
    ("POST", "credentials/status"),
    ("POST", "credentials/verify"),
    ("POST", "presentations"),
    ("POST", "presentations/prove"),
    ("POST", "presentations/verify"),
]


@pytest.fixture(scope="module")
def org(live_service: LiveService) -> Issuer:
    """An organisation issuing IMMEX and OEA certificates, its client holding every scope."""
    return live_service.issuer("org", SAT_TYPES, scopes=EVERY_SCOPE)


@pytest.fixture(scope="module")
def other(live_service: LiveService) -> Issuer:
    """Another organisation, with every scope too."""
    return live_service.issuer("other", SAT_TYPES, scopes=EVERY_SCOPE)


def base(issuer: Issuer) -> str:
    """The organisation's API base path."""
    return f"/issuers/{issuer.name}"


def profile_problem(response: httpx.Response, status: int, code: str | None = None) -> None:
    """A problem+json with the profile's ``message`` for ``status``."""
    problem = assert_problem(response, status, code)
    assert problem["message"] == MESSAGES[status], problem


def call(
    live_service: LiveService, issuer: Issuer, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    return live_service.http.request(
        method, f"{base(issuer)}/{path}", headers=issuer.headers, **kwargs
    )


def issued(live_service: LiveService, issuer: Issuer) -> dict[str, Any]:
    """A certificate the organisation issued (through its VC API endpoint)."""
    response = live_service.http.post(
        "/certificates/oea", headers=issuer.headers, json=certificate_body("oea")
    )
    assert response.status_code == 201, response.text
    credential: dict[str, Any] = response.json()["verifiableCredential"]
    return credential


# ---------------------------------------------------------------- access


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_no_token_is_401_before_the_body(
    live_service: LiveService, org: Issuer, method: str, path: str
) -> None:
    response = live_service.http.request(method, f"{base(org)}/{path}")
    profile_problem(response, 401, "UNAUTHORIZED")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_a_token_requested_with_an_empty_scope_is_403(
    live_service: LiveService, org: Issuer, method: str, path: str
) -> None:
    scopeless = live_service.token(org.client_id, org.client_secret, scope="")
    response = live_service.http.request(
        method, f"{base(org)}/{path}", headers={"Authorization": f"Bearer {scopeless}"}
    )
    profile_problem(response, 403, "INSUFFICIENT_SCOPE")


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_another_organisations_token_is_403(
    live_service: LiveService, org: Issuer, other: Issuer, method: str, path: str
) -> None:
    response = live_service.http.request(method, f"{base(org)}/{path}", headers=other.headers)
    profile_problem(response, 403, "FORBIDDEN")


# ---------------------------------------------------------------- discovery and identifiers


def test_the_did_document_names_the_api_base(live_service: LiveService, org: Issuer) -> None:
    document = live_service.did_document(org.name)

    api, index = document["service"]
    assert api == {
        "id": f"{org.did}#traceability-api",
        "type": ["TraceabilityAPI"],
        "serviceEndpoint": f"{live_service.url}{base(org)}",
    }
    assert index["type"] == ["StatusListIndex"]


def test_identifiers_resolves_the_organisation(live_service: LiveService, org: Issuer) -> None:
    assert "%3A" in org.did  # the port: sent as it is, not as the server decodes it

    response = call(live_service, org, "GET", f"identifiers/{org.did}")

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["didDocument"] == live_service.did_document(org.name)
    assert result["didResolutionMetadata"] == {"contentType": "application/did+json"}
    assert result["didDocumentMetadata"] == {}


def test_identifiers_resolves_a_did_web_holder(live_service: LiveService, org: Issuer) -> None:
    created = live_service.http.post(
        "/admin/holders",
        headers=live_service.admin,
        json={"name": live_service.unique_name("wallet"), "didMethod": "web"},
    )
    assert created.status_code == 201, created.text

    response = call(live_service, org, "GET", f"identifiers/{created.json()['did']}")

    assert response.status_code == 200, response.text
    assert response.json()["didDocument"]["id"] == created.json()["did"]


@pytest.mark.parametrize("did", ["invalid_did", "did:web:", "did:UPPER:x"])
def test_identifiers_refuses_what_is_no_did(
    live_service: LiveService, org: Issuer, did: str
) -> None:
    response = call(live_service, org, "GET", f"identifiers/{did}")

    problem = assert_problem(response, 400, "INVALID_DID")
    assert problem["message"] == "Bad Request: Invalid DID"


@pytest.mark.parametrize(
    "did",
    [
        "did:web:example.com",
        "urn:uuid:1c9a1fd4-5d43-4c1e-9b2a-3d3f0b3c5e21",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    ],
)
def test_identifiers_resolves_nothing_it_does_not_host(
    live_service: LiveService, org: Issuer, did: str
) -> None:
    profile_problem(call(live_service, org, "GET", f"identifiers/{did}"), 404, "NOT_FOUND")


# ---------------------------------------------------------------- issue


def issue_body(org: Issuer) -> dict[str, Any]:
    """The organisation's OEA certificate to issue, with the profile's options."""
    return {
        "credential": unsigned_credential("oea", org.did),
        "options": {"type": "Ed25519Signature2018"},
    }


@pytest.mark.parametrize(
    ("proof_type", "cryptosuite"),
    [("Ed25519Signature2018", "eddsa-rdfc-2022"), ("JsonWebSignature2020", "ecdsa-rdfc-2019")],
)
def test_issue_signs_as_the_organisation(
    live_service: LiveService, org: Issuer, proof_type: str, cryptosuite: str
) -> None:
    body = issue_body(org)
    body["options"] = {"type": proof_type, "unknown": "ignored"}

    response = call(live_service, org, "POST", "credentials/issue", json=body)

    assert response.status_code == 201, response.text
    credential = response.json()["verifiableCredential"]
    assert credential["id"] == body["credential"]["id"]
    assert credential["proof"]["cryptosuite"] == cryptosuite
    assert credential["proof"]["verificationMethod"].startswith(org.did + "#")


@pytest.fixture(scope="module")
def generic_org(live_service: LiveService) -> Issuer:
    """An organisation that may issue any credential ("*"), trusted for the base type."""
    issuer = live_service.issuer("generic-org", ["*"], scopes=EVERY_SCOPE, accredited=False)
    live_service.accredit(issuer.did, ["VerifiableCredential"])
    return issuer


def generic_body(issuer: Issuer, version: str, **options: Any) -> dict[str, Any]:
    """A credential of no certificate type, VCDM ``version`` ("2.0" or "1.1")."""
    credential: dict[str, Any] = {
        "@context": [V2 if version == "2.0" else V1],
        "type": ["VerifiableCredential"],
        "issuer": issuer.did,
        "credentialSubject": {"id": "did:example:shipper"},
    }
    if version == "1.1":
        credential["issuanceDate"] = "2026-01-01T00:00:00Z"
    return {"credential": credential, "options": {"type": "Ed25519Signature2018", **options}}


def test_a_2_0_credential_asking_for_status_gets_a_revocation_entry(
    live_service: LiveService, generic_org: Issuer
) -> None:
    body = generic_body(generic_org, "2.0", credentialStatus={"type": "StatusList2021Entry"})
    response = call(live_service, generic_org, "POST", "credentials/issue", json=body)
    assert response.status_code == 201, response.text
    assert "warnings" not in response.json()
    credential = response.json()["verifiableCredential"]
    assert [entry["statusPurpose"] for entry in credential["credentialStatus"]] == ["revocation"]
    revoked = call(
        live_service,
        generic_org,
        "POST",
        "credentials/status",
        json={
            "credentialId": credential["id"],
            "credentialStatus": [{"type": "StatusList2021Entry", "status": "1"}],
        },
    )
    assert revoked.status_code == 200, revoked.text
    verified = call(
        live_service,
        generic_org,
        "POST",
        "credentials/verify",
        json={"verifiableCredential": credential},
    ).json()
    assert {"title": "Revocation", "status": "bad"}.items() <= next(
        e for e in verified["verifications"] if e["title"] == "Revocation"
    ).items()


def test_what_is_asked_and_not_done_is_named_in_warnings(
    live_service: LiveService, generic_org: Issuer
) -> None:
    """A 1.1 credential gets no status entry, and the proof is dated by the service: both
    say so, and the credential is still issued (201)."""
    body = generic_body(generic_org, "1.1", credentialStatus={}, created="2020-04-02T18:48:36Z")
    response = call(live_service, generic_org, "POST", "credentials/issue", json=body)
    assert response.status_code == 201, response.text
    assert [w["field"] for w in response.json()["warnings"]] == [
        "options.credentialStatus",
        "options.created",
    ]
    assert {w["code"] for w in response.json()["warnings"]} == {"OPTION_IGNORED"}
    credential = response.json()["verifiableCredential"]
    assert "credentialStatus" not in credential
    assert credential["proof"]["created"] != "2020-04-02T18:48:36Z"


def mutated(org: Issuer, path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """The issue body with the member at ``path`` set to ``value`` (removed for ``...``)."""
    body = issue_body(org)
    body["credential"]["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    body["credential"]["issuanceDate"] = body["credential"].pop("validFrom")
    target = body
    for step in path[:-1]:
        target = target[step]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credential",), ...),
        (("credential", "@context"), ...),
        (("credential", "@context"), 42),
        (("credential", "@context"), [1, 2, 3]),
        (("credential", "id"), [1, 2, 3]),
        (("credential", "id"), None),
        (("credential", "type"), ...),
        (("credential", "type"), "VerifiableCredential"),
        (("credential", "issuer"), ...),
        (("credential", "issuer"), ["arrays are invalid"]),
        (("credential", "issuer"), "not.a.uri"),
        (("credential", "issuer"), {}),
        (("credential", "issuer"), {"id": "not.a.uri"}),
        (("credential", "issuanceDate"), ...),
        (("credential", "issuanceDate"), "not an xml date time string"),
        (("credential", "issuanceDate"), 42),
        (("credential", "credentialSubject"), ...),
        (("credential", "credentialSubject"), "did:example:1234"),
        (("credential", "credentialSubject"), {"id": [1, 2, 3]}),
        (("options",), ...),
        (("options",), []),
        (("options", "type"), ...),
        (("options", "type"), "invalid value"),
        (("options", "type"), None),
        (("options", "created"), ["2020-04-02T18:48:36Z"]),
        (("options", "credentialStatus"), "a string"),
        (("options", "credentialStatus"), {"type": {"foo": 42}}),
        (("options", "credentialStatus"), {"type": "invalid value"}),
    ],
    ids=str,
)
def test_issue_refuses_a_body_against_the_profile_schema_with_400(
    live_service: LiveService, org: Issuer, path: tuple[str, ...], value: Any
) -> None:
    response = call(live_service, org, "POST", "credentials/issue", json=mutated(org, path, value))

    problem = assert_problem(response, 400, "MALFORMED_VALUE_ERROR")
    assert problem["message"] == MESSAGES[400]
    assert problem["field"].startswith(".".join(str(step) for step in path[:2])), problem


def test_issue_refuses_data_the_issuer_refuses_with_400(
    live_service: LiveService, org: Issuer
) -> None:
    body = issue_body(org)
    body["credential"]["credentialSubject"]["undefinedTerm"] = "x"

    response = call(live_service, org, "POST", "credentials/issue", json=body)

    profile_problem(response, 400)


@pytest.mark.parametrize(
    "issuer", ["urn:uuid:1c9a1fd4-5d43-4c1e-9b2a-3d3f0b3c5e21", {"id": "did:web:example.com"}]
)
def test_issue_for_another_issuer_is_422_unknown_issuer(
    live_service: LiveService, org: Issuer, issuer: Any
) -> None:
    body = issue_body(org)
    body["credential"]["issuer"] = issuer

    response = call(live_service, org, "POST", "credentials/issue", json=body)

    profile_problem(response, 422, "INVALID_ISSUER")


# ---------------------------------------------------------------- verify and status


def test_verify_answers_200_with_the_profiles_verifications(
    live_service: LiveService, org: Issuer
) -> None:
    credential = issued(live_service, org)

    response = call(
        live_service, org, "POST", "credentials/verify", json={"verifiableCredential": credential}
    )

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verified"] is True
    titles = {entry["title"]: entry["status"] for entry in result["verifications"]}
    assert titles == {
        "Proof": "good",
        "Activation": "good",
        "Expired": "good",
        "Revocation": "good",
    }


def test_a_credential_that_does_not_verify_is_200_verified_false(
    live_service: LiveService, org: Issuer
) -> None:
    tampered = copy.deepcopy(issued(live_service, org))
    tampered["credentialSubject"]["member"]["legalName"] = "Otra Empresa, S.A. de C.V."

    response = call(
        live_service, org, "POST", "credentials/verify", json={"verifiableCredential": tampered}
    )

    assert response.status_code == 200, response.text
    assert response.json()["verified"] is False
    proof = next(e for e in response.json()["verifications"] if e["title"] == "Proof")
    assert proof["status"] == "bad" and proof["description"]


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("@context", "https://www.w3.org/ns/credentials/v2"),
        ("issuer", 42),
        ("type", [42]),
        ("proof", ...),
        ("proof", "not a proof"),
    ],
    ids=str,
)
def test_verify_refuses_a_malformed_credential_with_400(
    live_service: LiveService, org: Issuer, member: str, value: Any
) -> None:
    credential = issued(live_service, org)
    if value is ...:
        del credential[member]
    else:
        credential[member] = value

    response = call(
        live_service, org, "POST", "credentials/verify", json={"verifiableCredential": credential}
    )

    profile_problem(response, 400, "MALFORMED_VALUE_ERROR")


@pytest.mark.parametrize("value", [None, "not a jwt", 42, True, []], ids=str)
def test_verify_refuses_what_is_no_credential(
    live_service: LiveService, org: Issuer, value: Any
) -> None:
    response = call(
        live_service, org, "POST", "credentials/verify", json={"verifiableCredential": value}
    )

    profile_problem(response, 400)


def test_status_revokes_and_verify_reports_it(live_service: LiveService, org: Issuer) -> None:
    credential = issued(live_service, org)

    response = call(
        live_service,
        org,
        "POST",
        "credentials/status",
        json={
            "credentialId": credential["id"],
            "credentialStatus": [{"type": "StatusList2021Entry", "status": "1"}],
        },
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"]["revocation"] == "0x1"
    verified = call(
        live_service, org, "POST", "credentials/verify", json={"verifiableCredential": credential}
    ).json()
    assert verified["verified"] is False
    assert {"title": "Revocation", "status": "bad"}.items() <= next(
        e for e in verified["verifications"] if e["title"] == "Revocation"
    ).items()


def test_status_of_an_unknown_credential_is_404(live_service: LiveService, org: Issuer) -> None:
    response = call(
        live_service,
        org,
        "POST",
        "credentials/status",
        json={
            "credentialId": "urn:uuid:1c9a1fd4-5d43-4c1e-9b2a-3d3f0b3c5e21",
            "credentialStatus": [{"type": "StatusList2021Entry", "status": "1"}],
        },
    )

    profile_problem(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "body",
    [
        {"credentialStatus": [{"type": "StatusList2021Entry", "status": "1"}]},
        {"credentialId": "urn:uuid:x", "credentialStatus": []},
        {"credentialId": "urn:uuid:x", "credentialStatus": [{"type": "x", "status": "1"}]},
        {"credentialId": "urn:uuid:x", "credentialStatus": [{"type": "StatusList2021Entry"}]},
    ],
    ids=str,
)
def test_status_refuses_a_malformed_body_with_400(
    live_service: LiveService, org: Issuer, body: dict[str, Any]
) -> None:
    profile_problem(call(live_service, org, "POST", "credentials/status", json=body), 400)


# ---------------------------------------------------------------- presentations


def test_a_proved_presentation_verifies_for_its_challenge(
    live_service: LiveService, org: Issuer
) -> None:
    challenge = live_service.http.post("/challenges", json={}).json()["challenge"]
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
    }

    proved = call(
        live_service,
        org,
        "POST",
        "presentations/prove",
        json={"presentation": presentation, "options": {"challenge": challenge}},
    )

    assert proved.status_code == 201, proved.text
    signed = proved.json()["verifiablePresentation"]
    assert signed["holder"] == org.did
    assert signed["proof"]["proofPurpose"] == "authentication"
    assert signed["proof"]["challenge"] == challenge
    response = call(
        live_service,
        org,
        "POST",
        "presentations/verify",
        json={"verifiablePresentation": signed, "options": {"challenge": challenge}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["verified"] is True
    assert {"title": "Proof", "status": "good"}.items() <= response.json()["verifications"][
        0
    ].items()


def test_prove_refuses_another_holder(live_service: LiveService, org: Issuer) -> None:
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:web:example.com",
    }

    response = call(
        live_service, org, "POST", "presentations/prove", json={"presentation": presentation}
    )

    profile_problem(response, 400, "MALFORMED_VALUE_ERROR")


@pytest.mark.parametrize(
    "members",
    [
        {"type": ["VerifiablePresentation", "VerifiableCredential", "OEACertificate"]},
        {"type": ["VerifiablePresentation"], "issuer": "did:web:example.com"},
        {"type": ["VerifiablePresentation"], "credentialSubject": {"id": "did:example:x"}},
        {"type": ["VerifiableCredential"]},
    ],
    ids=["typed-a-credential", "with-an-issuer", "with-a-subject", "no-presentation-type"],
)
def test_prove_signs_presentations_only(
    live_service: LiveService, org: Issuer, members: dict[str, Any]
) -> None:
    """prove:presentations is no way to have the organisation sign a credential."""
    presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"], **members}
    response = call(
        live_service, org, "POST", "presentations/prove", json={"presentation": presentation}
    )
    profile_problem(response, 400, "MALFORMED_VALUE_ERROR")


def test_a_credential_typed_a_presentation_too_does_not_verify(
    live_service: LiveService, org: Issuer
) -> None:
    """A document is a credential or a presentation: typed both, it fails its structure."""
    credential = issued(live_service, org)
    credential["type"] = [*credential["type"], "VerifiablePresentation"]
    response = call(
        live_service, org, "POST", "credentials/verify", json={"verifiableCredential": credential}
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verified"] is False
    assert next(c for c in result["checks"] if c["check"] == "structure")["outcome"] == "failed"


def test_members_are_read_by_their_json_names_only(live_service: LiveService, org: Issuer) -> None:
    """``verification_method`` is not ``verificationMethod``: the profile's models never
    rename what was sent into a document that was signed differently."""
    credential = issued(live_service, org)
    credential["proof"]["verification_method"] = credential["proof"].pop("verificationMethod")
    response = call(
        live_service, org, "POST", "credentials/verify", json={"verifiableCredential": credential}
    )
    profile_problem(response, 400)


def test_a_submitted_presentation_has_its_credentials_verified(
    live_service: LiveService, org: Issuer
) -> None:
    good = issued(live_service, org)
    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["member"]["legalName"] = "Otra Empresa, S.A. de C.V."
    presentation = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [good, tampered],
    }

    response = call(live_service, org, "POST", "presentations", json=presentation)

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verified"] is False
    assert [each["verified"] for each in result["credentialResults"]] == [True, False]


@pytest.mark.parametrize(
    "body",
    [{}, {"@context": "x", "type": ["VerifiablePresentation"]}, {"@context": ["x"], "type": 7}],
    ids=str,
)
def test_submit_refuses_what_is_no_presentation(
    live_service: LiveService, org: Issuer, body: dict[str, Any]
) -> None:
    profile_problem(call(live_service, org, "POST", "presentations", json=body), 400)
