"""Bad input is a 4xx problem, never a 500: malformed, mistyped, deep, huge or odd bodies.

Requests expected to hit a service bug use their own connection: after an unhandled
exception uvicorn drops the connection, which would break the shared client's next call.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.builders import SAT_TYPES, certificate_body, issue_body, unsigned_credential
from tests.api.conftest import Issuer, LiveService, assert_problem, database_for, serve

pytestmark = pytest.mark.shared
SMALL_LIMIT = 4096
JSON = {"content-type": "application/json"}
ISSUING_PATHS = ["/credentials/issue", "/certificates/immex"]


@pytest.fixture(scope="module")
def small_service(
    backend: str, context_store_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveService]:
    """The service with ``max_body_bytes`` set to 4 KiB."""
    with (
        database_for(backend) as database_url,
        serve(
            tmp_path_factory.mktemp(f"small-{backend}"),
            database_url,
            context_store_dir,
            max_body_bytes=SMALL_LIMIT,
        ) as live,
    ):
        yield live


@pytest.fixture(scope="module")
def small_sat(small_service: LiveService) -> Issuer:
    """SAT on the small-limit service."""
    return small_service.issuer("sat", SAT_TYPES)


def assert_client_error(response: httpx.Response) -> dict[str, Any]:
    """A 4xx problem+json (anything but a server error)."""
    assert 400 <= response.status_code < 500, response.text
    return assert_problem(response, response.status_code)


def _nothing_stored(live_service: LiveService, issuer: Issuer) -> None:
    assert live_service.registry(issuer)["total"] == 0


# ---------------------------------------------------------------- malformed and mistyped


@pytest.mark.parametrize(
    "text",
    [
        b"{bad",
        b'{"credential": {}',
        b'{"credential": {},}',
        b"{'credential': {}}",
        b'{"credential": {}} trailing',
        b"\xff\xfe{}",
    ],
)
@pytest.mark.parametrize("path", ISSUING_PATHS)
def test_malformed_json_is_400(
    live_service: LiveService, sat: Issuer, path: str, text: bytes
) -> None:
    response = live_service.http.post(path, headers={**sat.headers, **JSON}, content=text)
    assert_problem(response, 400, "PARSING_ERROR", "body")
    _nothing_stored(live_service, sat)


def test_malformed_json_to_the_admin_api_is_400(live_service: LiveService) -> None:
    response = live_service.http.post(
        "/admin/authorities", headers={**live_service.admin, **JSON}, content=b'{"name": '
    )
    assert_problem(response, 400, "PARSING_ERROR", "body")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None])
@pytest.mark.parametrize("path", ISSUING_PATHS)
def test_a_body_that_is_not_declared_json_is_refused(
    live_service: LiveService, sat: Issuer, path: str, content_type: str | None
) -> None:
    body = certificate_body("immex") if path.startswith("/certificates") else {"credential": {}}
    headers = dict(sat.headers)
    if content_type is not None:
        headers["content-type"] = content_type
    response = live_service.http.post(path, headers=headers, content=json.dumps(body).encode())
    problem = assert_client_error(response)
    assert response.status_code in (415, 422), problem
    _nothing_stored(live_service, sat)


def test_the_token_endpoint_wants_a_form_or_json(live_service: LiveService, sat: Issuer) -> None:
    response = live_service.http.post(
        "/oauth/token",
        content=b"grant_type=client_credentials",
        headers={"content-type": "text/plain"},
        auth=(sat.client_id, sat.client_secret),
    )
    assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type")


@pytest.mark.parametrize("body", [b"[]", b'[{"credential": {}}]', b"null", b'"text"', b"42", b""])
@pytest.mark.parametrize("path", ISSUING_PATHS)
def test_a_body_that_is_not_an_object_is_422(
    live_service: LiveService, sat: Issuer, path: str, body: bytes
) -> None:
    response = live_service.http.post(path, headers={**sat.headers, **JSON}, content=body)
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "body")
    _nothing_stored(live_service, sat)


@pytest.mark.parametrize("value", [[], "credential", None, 1])
def test_a_credential_that_is_not_an_object_is_422(
    live_service: LiveService, sat: Issuer, value: Any
) -> None:
    response = live_service.http.post(
        "/credentials/issue", headers=sat.headers, json={"credential": value}
    )
    assert_problem(response, 422, "MALFORMED_VALUE_ERROR", "credential")


# ---------------------------------------------------------------- deep and large


@pytest.mark.parametrize("depth", [2_000, 100_000])
@pytest.mark.parametrize("path", ISSUING_PATHS)
def test_deeply_nested_json_is_a_client_error(
    live_service: LiveService, sat: Issuer, path: str, depth: int
) -> None:
    body = b"[" * depth + b"]" * depth
    response = live_service.http.post(path, headers={**sat.headers, **JSON}, content=body)
    assert_problem(response, 400)
    _nothing_stored(live_service, sat)


@pytest.mark.parametrize("member", ["evidence", "termsOfUse", "credentialSubject"])
def test_a_deeply_nested_credential_is_a_client_error(
    live_service: LiveService, sat: Issuer, member: str
) -> None:
    nested: dict[str, Any] = {}
    for _ in range(800):
        nested = {"a": nested}
    credential = unsigned_credential("immex", sat.did)
    credential[member] = nested
    response = live_service.http.post(
        "/credentials/issue", headers=sat.headers, json=issue_body(credential)
    )
    problem = assert_problem(response, 400, "PARSING_ERROR", "body")
    assert "nests deeper than" in problem["detail"]
    _nothing_stored(live_service, sat)


@pytest.mark.parametrize("path", [*ISSUING_PATHS, "/admin/authorities", "/oauth/token"])
def test_a_body_over_the_limit_is_413(
    small_service: LiveService, small_sat: Issuer, path: str
) -> None:
    headers = small_service.admin if path.startswith("/admin") else small_sat.headers
    content = b'{"pad": "' + b"x" * SMALL_LIMIT + b'"}'
    response = small_service.http.post(path, headers={**headers, **JSON}, content=content)
    assert_problem(response, 413, "PAYLOAD_TOO_LARGE", "body")
    _nothing_stored(small_service, small_sat)


def test_a_body_at_the_limit_is_read(small_service: LiveService, small_sat: Issuer) -> None:
    body = certificate_body("immex")
    text = json.dumps(body)
    padded = text[:-1] + " " * (SMALL_LIMIT - len(text)) + "}"
    assert len(padded.encode()) == SMALL_LIMIT
    response = small_service.http.post(
        "/certificates/immex", headers={**small_sat.headers, **JSON}, content=padded.encode()
    )
    assert response.status_code == 201, response.text


def test_a_declared_length_over_the_limit_is_answered_before_the_body(
    small_service: LiveService, small_sat: Issuer
) -> None:
    """Content-Length: 1 GB and no body: the 413 comes at once, nothing waits for the bytes."""
    port = small_service.http.base_url.port
    assert port is not None
    head = (
        "POST /certificates/immex HTTP/1.1\r\n"
        "Host: localhost\r\n"
        f"Authorization: Bearer {small_sat.token}\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 1000000000\r\n\r\n{"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head.encode())
        reply = _read_response(connection)
    status_line, _, rest = reply.partition("\r\n")
    assert status_line == "HTTP/1.1 413 Request Entity Too Large", reply
    assert "content-type: application/problem+json" in rest.lower()
    assert '"code":"PAYLOAD_TOO_LARGE"' in rest


def _read_response(connection: socket.socket) -> str:
    """One whole HTTP/1.1 response with a Content-Length, as text."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += connection.recv(65536)
    return (head + b"\r\n\r\n" + body).decode()


def test_a_chunked_body_over_the_limit_is_413(
    small_service: LiveService, small_sat: Issuer
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"certificate": {}, "validUntil": "2030-01-01T00:00:00Z", "pad": "'
        for _ in range(64):
            yield b"x" * 1024
        yield b'"}'

    with small_service.client() as http:
        response = http.post(
            "/certificates/immex", headers={**small_sat.headers, **JSON}, content=chunks()
        )
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert_problem(response, 413, "PAYLOAD_TOO_LARGE")


# ---------------------------------------------------------------- values JSON cannot carry


NOT_JSON_VALUES = [
    pytest.param("NaN", id="nan"),
    pytest.param("Infinity", id="infinity"),
    pytest.param("-Infinity", id="minus-infinity"),
    pytest.param("1e400", id="float-overflow"),
    pytest.param("123456789012345678901234567890", id="integer-beyond-2^53"),
    pytest.param('"\\ud800"', id="lone-surrogate"),
]


@pytest.mark.parametrize("literal", NOT_JSON_VALUES)
def test_values_json_cannot_carry_are_a_client_error(
    live_service: LiveService, sat: Issuer, literal: str
) -> None:
    text = json.dumps(issue_body(unsigned_credential("immex", sat.did)))
    text = text.replace('"name":', f'"note": {literal}, "name":', 1)
    with live_service.client() as http:
        response = http.post(
            "/credentials/issue", headers={**sat.headers, **JSON}, content=text.encode()
        )
    assert_client_error(response)


@pytest.mark.parametrize("literal", NOT_JSON_VALUES)
def test_values_json_cannot_carry_in_certificate_data_are_a_client_error(
    live_service: LiveService, sat: Issuer, literal: str
) -> None:
    text = json.dumps(certificate_body("immex")).replace('"Planta 1"', literal)
    response = live_service.http.post(
        "/certificates/immex", headers={**sat.headers, **JSON}, content=text.encode()
    )
    assert_client_error(response)
    _nothing_stored(live_service, sat)


# ---------------------------------------------------------------- values at the edges


def test_a_huge_offset_is_a_client_error(live_service: LiveService, sat: Issuer) -> None:
    with live_service.client() as http:
        response = http.get("/credentials", headers=sat.headers, params={"offset": 2**63})
    assert_client_error(response)


@pytest.mark.parametrize(
    "validity",
    [
        {"validUntil": "9999-12-31T23:59:59-14:00"},
        {"validFrom": "0001-01-01T00:00:00+14:00"},
    ],
    ids=["until-year-10000", "from-year-0"],
)
def test_a_validity_at_the_edge_of_time_is_a_client_error(
    live_service: LiveService, sat: Issuer, validity: dict[str, str]
) -> None:
    body = certificate_body("immex") | validity
    with live_service.client() as http:
        response = http.post("/certificates/immex", headers=sat.headers, json=body)
    assert_client_error(response)


@pytest.mark.parametrize("member", ["issuedFrom", "issuedUntil"])
def test_an_issue_time_at_the_edge_of_time_is_a_client_error(
    live_service: LiveService, sat: Issuer, member: str
) -> None:
    with live_service.client() as http:
        response = http.get(
            "/credentials", headers=sat.headers, params={member: "9999-12-31T23:59:59-14:00"}
        )
    assert_client_error(response)
