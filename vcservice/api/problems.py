"""RFC 9457 problem details for every error the API returns: the one place that knows HTTP."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic.json_schema import models_json_schema
from starlette.exceptions import HTTPException as StarletteHTTPException

from vcservice.api.schemas import Problem, ProfileProblem, VerificationProblem
from vcservice.errors import RetryLaterError, VcError
from vcservice.messages import message_for

PROBLEM_JSON = "application/problem+json"
STATUS_BY_CODE: Mapping[str, int] = {
    "PARSING_ERROR": 400,
    "INVALID_SCOPE": 400,
    "INVALID_CLIENT": 401,
    "INVALID_TOKEN": 401,
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403,
    "INSUFFICIENT_SCOPE": 403,
    "NOT_FOUND": 404,
    "CONFLICT": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "PRESENTATION_TOO_LARGE": 413,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "TOO_MANY_CHALLENGES": 429,
    "TOO_MANY_EXCHANGES": 429,
    "RATE_LIMITED": 429,
    "RETRY_LATER": 429,
    "EXCHANGE_NOT_PENDING": 409,
    "STORAGE_ERROR": 503,
    "NOT_READY": 503,
    "KEY_DECRYPTION_FAILED": 503,
    "KEY_STORE_UNAVAILABLE": 503,
    "KEY_STORE_LOGIN_FAILED": 503,
    "KEY_NOT_IN_KEY_STORE": 503,
}
DEFAULT_STATUS = 422  # the request was understood but cannot be processed as given
_log = logging.getLogger(__name__)

# What OpenAPI says of each problem status an operation declares (``responses=problems(…)``).
PROBLEM_STATUSES: Mapping[int, str] = {
    400: "The body or a document in it cannot be parsed (PARSING_ERROR), or the request is "
    "malformed (INVALID_SCOPE at the token endpoint)",
    401: "No valid credentials: a missing, malformed, expired or foreign token "
    "(UNAUTHORIZED, INVALID_TOKEN) or failed client authentication (INVALID_CLIENT)",
    403: "The token lacks the scope or authority this needs (INSUFFICIENT_SCOPE), or the "
    "authority may not issue this type (FORBIDDEN)",
    404: "Nothing by that name or id (NOT_FOUND)",
    409: "Conflicts with the current state (CONFLICT, EXCHANGE_NOT_PENDING)",
    413: "The body exceeds MAX_BODY_BYTES (PAYLOAD_TOO_LARGE), or an exchange's presentation "
    "MAX_PRESENTATION_BYTES (PRESENTATION_TOO_LARGE)",
    415: "The body is not of the media type this takes (UNSUPPORTED_MEDIA_TYPE)",
    422: "The request is understood but its data is invalid; `field` names the member",
    429: "Too many requests, or failed authentications, from this caller (RATE_LIMITED), or it "
    "(or every anonymous caller together) holds too many open challenges or exchanges "
    "(TOO_MANY_CHALLENGES, TOO_MANY_EXCHANGES); Retry-After says when to try again",
    503: "The database or key custody is unavailable (STORAGE_ERROR, KEY_DECRYPTION_FAILED, "
    "KEY_STORE_UNAVAILABLE, KEY_STORE_LOGIN_FAILED, KEY_NOT_IN_KEY_STORE; NOT_READY at /readyz)",
}
_RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds until the caller may try again",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def json_document(
    media_type: str, description: str = "Successful Response"
) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a 200 that is a JSON document of ``media_type`` (not JSON)."""
    return {200: {"description": description, "content": {media_type: {"schema": {}}}}}


def answer(status: int, model: Any, description: str) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` documenting a success as ``model`` (JSON built by the handler)."""
    return {status: {"model": model, "description": description}}


def problems(*statuses: int, schema: type[Problem] = Problem) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of an operation that may answer these problem statuses (bodies of
    ``schema``: ``ProfileProblem`` where a profile adds its ``message``)."""
    reference = {"$ref": f"#/components/schemas/{schema.__name__}"}
    return {
        status: {
            "description": PROBLEM_STATUSES[status],
            "content": {PROBLEM_JSON: {"schema": reference}},
        }
        | ({"headers": _RETRY_AFTER} if status == 429 else {})
        for status in statuses
    }


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    field: str | None = None,
    errors: Sequence[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
    message: str | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """A problem+json response with the stable ``code`` and the offending ``field``, the
    ``message`` member a profile asks for (traceability-interop's), and any other
    ``extensions`` members (RFC 9457 §3.2) after them."""
    titles = message_for(code)
    body: dict[str, Any] = {
        "type": titles.namespace + code,
        "title": titles.en,
        "status": status,
        "detail": detail,
        "code": code,
        "i18n": {"en": {"title": titles.en}, "es": {"title": titles.es}},
    }
    if field:
        body["field"] = field
    if errors:
        body["errors"] = list(errors)
    if message is not None:
        body["message"] = message
    body.update(extensions or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error, ours or the framework's, a problem+json response."""
    app.add_exception_handler(VcError, _vc_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
    _document_problems(app)


def _document_problems(app: FastAPI) -> None:
    """Add the ``Problem`` schema that ``problems(…)`` refers to to the app's OpenAPI, and
    document FastAPI's own 422 (``HTTPValidationError``, which it adds to operations with
    parameters) as what ``_validation_error`` makes of it: a problem."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        document = generate()
        if fresh:
            _, definitions = models_json_schema(
                [
                    (model, "serialization")
                    for model in (Problem, ProfileProblem, VerificationProblem)
                ],
                ref_template="#/components/schemas/{model}",
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(definitions["$defs"])
            for item in document.get("paths", {}).values():
                for operation in item.values():
                    _replace_framework_422(operation.get("responses", {}))
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def _replace_framework_422(responses: dict[str, Any]) -> None:
    content = responses.get("422", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    if str(schema.get("$ref", "")).endswith("/HTTPValidationError"):
        responses["422"] = problems(422)[422]
        if _is_profile(responses):  # a profile's endpoint answers a malformed request 400
            del responses["422"]


def _is_profile(responses: dict[str, Any]) -> bool:
    content = responses.get("400", {}).get("content", {})
    schema = content.get(PROBLEM_JSON, {}).get("schema", {})
    return str(schema.get("$ref", "")).endswith("/ProfileProblem")


async def _vc_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, VcError)
    return error_response(error)


def status_of(error: VcError) -> int:
    """The HTTP status of ``error``, by its code."""
    return STATUS_BY_CODE.get(error.code, DEFAULT_STATUS)


def error_response(
    error: VcError, *, status: int | None = None, message: str | None = None
) -> JSONResponse:
    """The problem+json response for ``error``: its status by code (unless a profile gives
    another), and the headers it calls for (``WWW-Authenticate`` with a 401,
    ``Retry-After`` with a retry-later)."""
    status = status or status_of(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if isinstance(error, RetryLaterError):
        headers = {"Retry-After": str(error.retry_after)}
    return problem_response(
        status, error.code, error.message, field=error.field, headers=headers, message=message
    )


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return validation_response(error)


def validation_response(
    error: RequestValidationError, *, status: int = DEFAULT_STATUS, message: str | None = None
) -> JSONResponse:
    """The problem+json response for a request that failed validation: 400 PARSING_ERROR
    for a body that is no JSON, else ``status`` MALFORMED_VALUE_ERROR naming every field."""
    errors = [
        {"field": _field_path(e.get("loc", ())), "detail": e.get("msg", "invalid")}
        for e in error.errors()
    ]
    malformed = any(e.get("type") == "json_invalid" for e in error.errors())
    first = errors[0] if errors else {"field": None, "detail": "invalid request"}
    if malformed:
        return problem_response(
            400,
            "PARSING_ERROR",
            f"the body is not valid JSON: {first['detail']}",
            field="body",
            message=message,
        )
    return problem_response(
        status,
        "MALFORMED_VALUE_ERROR",
        f"{first['field']}: {first['detail']}",
        field=first["field"],
        errors=errors,
        message=message,
    )


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    code = {
        404: "NOT_FOUND",
        405: "METHOD_NOT_ALLOWED",
        401: "UNAUTHORIZED",
        413: "PAYLOAD_TOO_LARGE",
    }.get(error.status_code, "HTTP_ERROR")
    return problem_response(error.status_code, code, str(error.detail))


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    _log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(500, "INTERNAL_ERROR", "an unexpected error occurred")


def _field_path(location: Sequence[Any]) -> str:
    """``("body", "certificate", "places", 0, "name")`` → ``certificate.places[0].name``."""
    path = ""
    for part in location:
        if part in ("body", "query", "path", "header") or (path and _is_union_tag(part)):
            continue
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "body"


_UNION_TAGS = frozenset({"str", "int", "float", "bool", "none", "dict", "list"})


def _is_union_tag(part: Any) -> bool:
    """Whether pydantic put ``part`` in a location to name a union's member (``dict[str,any]``,
    ``constrained-str``, ``function-after[…]``), which is no field of the request."""
    return isinstance(part, str) and (part in _UNION_TAGS or any(mark in part for mark in "[(-"))
