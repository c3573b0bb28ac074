"""Regressions for what fuzzing the OpenAPI turned up, each over real HTTP.

- Error statuses were undocumented: every problem was absent from the OpenAPI, or documented
  as FastAPI's ``application/json`` ``HTTPValidationError``, which no response ever was.
- Three refusals had no code of their own (``VC_ERROR``, with no title in the catalogue): a
  bad workflow id, an accreditation ending before it starts, a presentation of nothing.
- Numbers were taken for date-times (pydantic reads them as Unix times) where the OpenAPI
  says RFC 3339 text: ``"validUntil": 1893456000`` issued a certificate valid until 2030,
  ``?issuedUntil=-26958005515`` searched up to 1115, ``"validFrom": 4382197`` accredited an
  issuer from 1970.
- Names checked with ``re.match`` and ``$`` accepted a trailing newline (``"$"`` matches
  before a final ``"\\n"``): an authority ``"name\\n"`` got a DID with a newline in it, and
  a workflow id likewise.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.builders import certificate_body
from tests.api.conftest import PROBLEM_JSON, Issuer, LiveService, assert_problem

pytestmark = pytest.mark.shared
PROBLEM_REF = "#/components/schemas/Problem"
PROFILE_PROBLEM_REF = "#/components/schemas/ProfileProblem"


@pytest.fixture(scope="module")
def openapi(live_service: LiveService) -> dict[str, Any]:
    response = live_service.http.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
    ]


def test_every_error_status_is_documented_as_a_problem(openapi: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in openapi["components"]["schemas"]
    problem = openapi["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code", "i18n"}
    for method, path, operation in _operations(openapi):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                content = dict(response["content"])
                if operation.get("x-oauth-errors"):  # OpenID4VCI: OAuth 2.0 error responses
                    oauth = content.pop("application/json", None)
                    assert oauth is None or oauth["schema"]["required"] == ["error"]
                    if not content:
                        continue
                assert list(content) == [PROBLEM_JSON], (method, path, status)
                schema = content[PROBLEM_JSON]["schema"]
                expected = _problem_schema(path, status)
                assert schema.get("$ref", PROBLEM_REF) == expected, (method, path, status)
    profile = openapi["components"]["schemas"]["ProfileProblem"]
    assert set(profile["required"]) == set(problem["required"]) | {"message"}


def _problem_schema(path: str, status: str) -> str:
    """The problem schema an operation's error answers: traceability-interop's endpoints
    add the profile's required ``message``; a verify endpoint's 422 may carry the result."""
    if path.startswith("/issuers/{name}/") and not path.endswith("/did.json"):
        return PROFILE_PROBLEM_REF
    if path in ("/credentials/verify", "/presentations/verify") and status == "422":
        return "#/components/schemas/VerificationProblem"
    return PROBLEM_REF


def test_operations_taking_input_document_their_refusals(openapi: dict[str, Any]) -> None:
    for method, path, operation in _operations(openapi):
        statuses = set(operation["responses"])
        if "requestBody" in operation:
            assert {"413"} <= statuses, (method, path)
        if "requestBody" in operation and path != "/oauth/token":
            # traceability-interop answers every malformed request 400, VC API 400 or 422
            refusals = (
                {"400"} if _problem_schema(path, "400") == PROFILE_PROBLEM_REF else {"400", "422"}
            )
            assert refusals <= statuses, (method, path)
        if path.startswith("/admin/") or path == "/workflows":
            assert "401" in statuses, (method, path)


def test_the_fuzzed_service_uses_its_own_problem_schema(live_service: LiveService) -> None:
    response = live_service.http.get("/credentials")
    problem = assert_problem(response, 401, "UNAUTHORIZED")
    assert set(problem) <= {"type", "title", "status", "detail", "code", "field", "i18n", "errors"}


def test_a_bad_workflow_id_is_a_coded_problem(live_service: LiveService) -> None:
    for workflow_id in ("Not An Id", "trailing-newline\n", "-leading-hyphen"):
        body = {"id": workflow_id, "name": "x", "acceptedCredentialTypes": ["OEACertificate"]}
        response = live_service.http.post("/workflows", headers=live_service.admin, json=body)
        assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "id")
    assert live_service.http.get("/workflows", headers=live_service.admin).json() == []


def test_an_accreditation_ending_before_it_starts_is_a_coded_problem(
    live_service: LiveService,
) -> None:
    body = {
        "id": "did:web:aduanas.example:issuers:sat",
        "name": "SAT",
        "credentialTypes": ["OEACertificate"],
        "validFrom": "2027-01-01T00:00:00Z",
        "validUntil": "2026-01-01T00:00:00Z",
    }
    response = live_service.http.post(
        "/admin/trust-registry/issuers", headers=live_service.admin, json=body
    )
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "validUntil")


@pytest.mark.parametrize("name", ["sat-newline\n", "Sat", "s", "9sat"])
def test_an_authority_name_with_a_trailing_newline_is_refused(
    live_service: LiveService, name: str
) -> None:
    body = {"name": name, "displayName": "SAT", "credentialTypes": ["OEACertificate"]}
    response = live_service.http.post("/admin/authorities", headers=live_service.admin, json=body)
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "name")
    names = [
        a["name"]
        for a in live_service.http.get("/admin/authorities", headers=live_service.admin).json()
    ]
    assert name not in names


def test_a_holder_name_with_a_trailing_newline_is_refused(live_service: LiveService) -> None:
    response = live_service.http.post(
        "/admin/holders", headers=live_service.admin, json={"name": "shipper\n"}
    )
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "name")


def test_a_client_needs_a_scope(live_service: LiveService) -> None:
    live_service.create_authority("scopeless", ["OEACertificate"])
    response = live_service.http.post(
        "/admin/authorities/scopeless/clients", headers=live_service.admin, json={"scopes": []}
    )
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "scopes")


@pytest.mark.parametrize("value", [1893456000, 1.8e9, "1893456000", " 1893456000 "])
@pytest.mark.parametrize("member", ["validUntil", "validFrom"])
def test_a_number_is_no_validity_date(
    live_service: LiveService, sat: Issuer, member: str, value: Any
) -> None:
    body = certificate_body("immex") | {member: value}
    response = live_service.http.post("/certificates/immex", headers=sat.headers, json=body)
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", member)
    assert live_service.registry(sat)["total"] == 0


@pytest.mark.parametrize("member", ["issuedFrom", "issuedUntil"])
def test_a_number_is_no_search_date(live_service: LiveService, sat: Issuer, member: str) -> None:
    response = live_service.http.get(
        "/credentials", headers=sat.headers, params={member: "-26958005515"}
    )
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", member)
    dated = live_service.http.get(
        "/credentials", headers=sat.headers, params={member: "2026-01-01T00:00:00Z"}
    )
    assert dated.status_code == 200, dated.text


def test_a_number_is_no_accreditation_date(live_service: LiveService) -> None:
    body = {
        "id": "did:web:aduanas.example:issuers:cbp",
        "name": "CBP",
        "credentialTypes": ["CTPATCertificate"],
        "validFrom": 4382197,
    }
    response = live_service.http.post(
        "/admin/trust-registry/issuers", headers=live_service.admin, json=body
    )
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "validFrom")
